"""Route factories and ACLs for the supermarket: who may do what to one purchase.

Who is decided here; when (status, deadlines, being registered or selected) is decided by
the service.
"""

from pyramid.authorization import Allow, Everyone

from ..accounts.models import Organisation
from ..resources import get_or_404
from ..security import Permission, RootFactory
from .models import (
    CreditRecord,
    Entry,
    Purchase,
    PurchaseDocument,
    QualificationLine,
    ServiceType,
)
from .service import EDITABLE
from .status import PurchaseStatus

P = PurchaseStatus
# Never published: only the owner, the center and supervisors see these.
UNPUBLISHED = frozenset({P.DRAFT, P.UNDER_REVIEW, P.RETURNED})


class PurchaseResource:
    def __init__(self, purchase: Purchase, parent=None, child=None):
        self.purchase = purchase
        self.child = child
        self.__parent__ = parent

    @property
    def __acl__(self):
        purchase = self.purchase
        owner = f"org:{purchase.owner_org_id}:owner"
        acl = [
            (Allow, owner, Permission.IM_PURCHASE_VIEW),
            (Allow, owner, Permission.IM_PURCHASE_MANAGE),
            (Allow, owner, Permission.IM_PURCHASE_WAIVE),
            (Allow, "role:center", Permission.IM_PURCHASE_VIEW),
            (Allow, "role:center", Permission.IM_PURCHASE_REVIEW),
            (Allow, "role:center", Permission.IM_PURCHASE_RUN),
            (Allow, "role:center", Permission.IM_PURCHASE_WAIVE),
            (Allow, "role:supervisor", Permission.IM_PURCHASE_VIEW),
        ]
        if purchase.status in EDITABLE:
            acl.append((Allow, owner, Permission.IM_PURCHASE_EDIT))
        if purchase.status not in UNPUBLISHED and purchase.published_at is not None:
            acl += [(Allow, Everyone, Permission.IM_PURCHASE_VIEW),
                    (Allow, "role:intermediary", Permission.IM_PURCHASE_PARTICIPATE)]
        return acl


class Plain:
    """A looked-up row under the root ACL (catalogue types, entries, organisations)."""

    def __init__(self, row, parent):
        self.row = row
        self.__parent__ = parent


def purchase_factory(request) -> PurchaseResource:
    return PurchaseResource(get_or_404(request, Purchase, "purchase_id"), RootFactory(request))


def _purchase_child(model, key):
    def factory(request):
        resource = purchase_factory(request)
        child = get_or_404(request, model, key, purchase_id=resource.purchase.id)
        resource.child = child
        return resource

    return factory


document_factory = _purchase_child(PurchaseDocument, "document_id")
credit_event_factory = _purchase_child(CreditRecord, "event_id")


def _plain(model, key):
    def factory(request):
        return Plain(get_or_404(request, model, key), RootFactory(request))

    return factory


service_type_factory = _plain(ServiceType, "type_id")
entry_factory = _plain(Entry, "entry_id")
organisation_factory = _plain(Organisation, "org_id")
line_factory = _plain(QualificationLine, "line_id")
