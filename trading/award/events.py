"""What happens at the award, as Pyramid events other domains subscribe to."""

from dataclasses import dataclass


@dataclass
class AwardCommitteeFormed:
    """A lot's 定标委员会 was drawn: `user_ids` are its members (the chair first)."""

    service: object
    project: object
    lot: object
    committee: object
    user_ids: list
