"""Route factories and ACLs for bids: a bid's content is its bidder's alone.

The project's own grants (viewing, managing) are inherited from ProjectResource; on
top of them bidders may submit, designated custodians may release, and only the
bidder's organisation is ever granted anything on one bid. The owner, the center and
supervisors get 403 on bid content by construction: no entry names them.
"""

import re

import sqlalchemy as sa
from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound

from ..projects.models import Lot, Project
from ..projects.resources import ProjectResource, project_factory
from ..projects.status import PUBLIC
from ..resources import route_id
from ..security import Permission, RootFactory
from .models import Bid, OpeningCustodian

PUBLIC_ID = re.compile(r"[0-9a-f]{20}")


class BiddingResource(ProjectResource):
    def __init__(self, project, parent, *, custodians=None, lot=None, bid=None):
        super().__init__(project, parent)
        self._custodians = custodians  # () -> the custodians' user ids, read when needed
        self.lot = lot
        self.bid = bid

    @property
    def __acl__(self):
        """Pyramid reads the entries in order and stops at the first that names one of the
        user's principals with the permission: the custodians are read from the database
        only when nothing before them decided (a bid upload in a deadline rush never
        reads them)."""
        acl = list(super().__acl__)
        if self.project.status in PUBLIC:
            acl.append((Allow, "role:bidder", Permission.BID_SUBMIT))
        acl.append((Allow, "role:center", Permission.CUSTODY_DESIGNATE))
        if self.bid is not None:
            org = f"org:{self.bid.bidder_org_id}"
            acl += [(Allow, org, Permission.BID_VIEW), (Allow, org, Permission.BID_DECRYPT),
                    (Allow, org, Permission.BID_CONFIRM)]
        yield from acl
        yield from ((Allow, f"user:{uid}", Permission.CUSTODY_RELEASE)
                    for uid in self.custodian_ids)

    @property
    def custodian_ids(self) -> tuple[int, ...]:
        return tuple(self._custodians()) if self._custodians else ()


def bidding_factory(request, **extra) -> BiddingResource:
    base = project_factory(request)
    return _resource(request, base.project, **extra)


def _resource(request, project, **extra) -> BiddingResource:
    def custodians():
        return request.dbsession.scalars(sa.select(OpeningCustodian.user_id).where(
            OpeningCustodian.project_id == project.id))

    return BiddingResource(project, RootFactory(request), custodians=custodians, **extra)


# Built once: building a statement (and its cache key) per upload cost more CPU than
# running it (issue #19).
_PROJECT_LOT = (sa.select(Project, Lot).join(Lot, Lot.project_id == Project.id)
                .where(Project.id == sa.bindparam("project_id"),
                       Lot.id == sa.bindparam("lot_id")))


def lot_factory(request) -> BiddingResource:
    """The project and its lot in one query (every bid upload comes through here)."""
    found = request.dbsession.execute(_PROJECT_LOT, {
        "project_id": route_id(request, "project_id"),
        "lot_id": route_id(request, "lot_id")}).first()
    if found is None:
        raise HTTPNotFound()
    return _resource(request, found[0], lot=found[1])


def bid_factory(request) -> BiddingResource:
    """A missing bid answers like someone else's (403): ids must not reveal that bids exist."""
    resource = bidding_factory(request)
    public_id = request.matchdict.get("bid_id", "")
    bid = None
    if PUBLIC_ID.fullmatch(public_id):  # never the sequential row id (issue #15 point 5)
        bid = request.dbsession.scalar(sa.select(Bid).where(Bid.public_id == public_id))
    if bid is not None and bid.project_id == resource.project.id:
        resource.bid = bid
    return resource
