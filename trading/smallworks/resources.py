"""Route factories and ACLs: who may see or act on one registry entry or small work.

Who is decided here; when (status, windows) is decided by the service. Nobody is ever
granted a way to name a winner: the owner can post, complete and evaluate, never allocate.
"""

import sqlalchemy as sa
from pyramid.authorization import Allow, Everyone
from sqlalchemy.orm import object_session

from ..resources import get_or_404
from ..security import Permission, RootFactory
from .models import Enterprise, SmallWork
from .status import AllocationStatus as A
from .status import RegistryStatus as R

PUBLIC_ENTRIES = (R.ACTIVE, R.SUSPENDED, R.EXITED)
PRIVATE_WORKS = (A.DRAFT, A.SUBMITTED, A.RETURNED, A.CANCELLED)
STAFF = (
    (Allow, "role:center", Permission.SMALLWORKS_VIEW),
    (Allow, "role:supervisor", Permission.SMALLWORKS_VIEW),
)


class EnterpriseResource:
    def __init__(self, entry: Enterprise, parent):
        self.entry = entry
        self.__parent__ = parent

    @property
    def __acl__(self):
        acl = [*STAFF, (Allow, f"org:{self.entry.organisation_id}:bidder",
                        Permission.SMALLWORKS_VIEW)]
        if self.entry.status in PUBLIC_ENTRIES:
            acl.append((Allow, Everyone, Permission.SMALLWORKS_VIEW))
        return acl


class WorkResource:
    def __init__(self, work: SmallWork, parent):
        self.work = work
        self.__parent__ = parent

    @property
    def __acl__(self):
        work = self.work
        owner = f"org:{work.owner_org_id}:owner"
        acl = [*STAFF, (Allow, owner, Permission.SMALLWORKS_VIEW),
               (Allow, owner, Permission.SMALLWORKS_PERFORM),
               (Allow, "role:center", Permission.SMALLWORKS_ALLOCATE),
               # the budget approval file: for whoever reviews the amount, not the public
               *((Allow, who, Permission.SMALLWORKS_DOCUMENT)
                 for who in (owner, "role:center", "role:supervisor"))]
        if work.status not in PRIVATE_WORKS:
            acl.append((Allow, Everyone, Permission.SMALLWORKS_VIEW))
        if work.quotes_due_at is not None and work.quotes_opened_at is None:
            acl += [(Allow, f"org:{org}:bidder", Permission.SMALLWORKS_QUOTE)
                    for org in _organisations(work)]
        if work.winner is not None:
            acl.append((Allow, f"org:{work.winner.organisation_id}:bidder",
                        Permission.SMALLWORKS_RESPOND))
        return acl


def _organisations(work: SmallWork) -> list[int]:
    """The organisations of the short-listed enterprises (who may quote)."""
    ids = [int(i) for i in work.short_list]
    return list(object_session(work).scalars(
        sa.select(Enterprise.organisation_id).where(Enterprise.id.in_(ids))))


def enterprise_factory(request) -> EnterpriseResource:
    enterprise = get_or_404(request, Enterprise, "enterprise_id")
    return EnterpriseResource(enterprise, RootFactory(request))


def work_factory(request) -> WorkResource:
    return WorkResource(get_or_404(request, SmallWork, "work_id"), RootFactory(request))
