"""What happens in evaluation, as Pyramid events other domains subscribe to
(`config.add_subscriber(fn, ExpertsSummoned)` in their includeme; the message centre)."""

from dataclasses import dataclass


@dataclass
class ExpertsSummoned:
    """Drawn experts were notified of their seat (the reveal, or a 递补 after a decline):
    `members` are the CommitteeMember rows now waiting for the expert's answer."""

    service: object
    project: object
    members: list


@dataclass
class ReportSigned:
    """A lot's evaluation report is signed by the whole committee and locked: ready for
    the owner and the center."""

    service: object
    project: object
    report: object
