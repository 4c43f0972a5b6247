"""What happens to a project, as Pyramid events other domains subscribe to.

ProjectService fires them on its app's registry; a domain's `includeme` subscribes with
`config.add_subscriber(fn, Event)`. Subscribers of one event run in the order they were
added, which is the include order of `trading.main` (then the order inside each
includeme): that order is the whole of the wiring, readable in one place.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class ProjectApproving:
    """The center approves: before anything is written. A subscriber may refuse with a
    DomainError (the approval then changes nothing) or prepare what publication needs
    (bidding generates the opening key here)."""

    service: object
    project: object
    actor: object


@dataclass
class ProjectStatusChanged:
    """The project reached `status` (already written and audited, in the same transaction)."""

    service: object
    project: object
    status: str

    @property
    def name(self) -> str:
        return self.status


@dataclass
class PublicListingChanged:
    """Something the public listing shows changed for `project` (its row, status, notices
    or search entry), in the current transaction: cached listing pages are out of date."""

    service: object
    project: object


@dataclass
class ClarificationPublished:
    """A clarification (澄清/修改) was published on the project."""

    service: object
    project: object
    name: str = "clarification"


@dataclass
class _Wakeups:
    """Subscribers name the instants they need the chronograph again (None: none)."""

    instants: list = field(default_factory=list, init=False)

    def wake_at(self, when: datetime | None) -> None:
        if when is not None:
            self.instants.append(when)


@dataclass
class ProjectDue(_Wakeups):
    """The chronograph advances the project at `now`: each subscriber does what is due,
    idempotently (early, late or twice is harmless), and names its next instant."""

    service: object = None
    project: object = None
    now: datetime | None = None


@dataclass
class ProjectScheduling(_Wakeups):
    """next_check is being recomputed: subscribers name the instants they care about while
    the project sits in its status (a final-offer window's end, a publicity's end)."""

    service: object = None
    project: object = None
