"""What happens to a small work, as Pyramid events other domains subscribe to."""

from dataclasses import dataclass


@dataclass
class SmallWorkChanged:
    """A step changed a public work (the step's last act, in its transaction): open data
    writes its release."""

    service: object
    work: object
