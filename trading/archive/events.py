"""The archive package being assembled, as a Pyramid event: a domain adds the records
only it knows (`config.add_subscriber(fn, ArchiveAssembling)`; the collusion signals)."""

from dataclasses import dataclass, field


@dataclass
class ArchiveAssembling:
    dbsession: object
    project: object
    retention: object
    entries: list = field(default_factory=list)
