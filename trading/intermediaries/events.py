"""What happens in the 中介超市, as Pyramid events other domains subscribe to."""

from dataclasses import dataclass


@dataclass
class PurchaseStatusChanged:
    """A purchase reached `status` (written and audited, in the same transaction)."""

    service: object
    purchase: object
    status: str


@dataclass
class EntryStatusChanged:
    """An intermediary's entry (入驻申请) reached `status`."""

    service: object
    entry: object
    status: str
