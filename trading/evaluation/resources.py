"""Route factories and ACLs for evaluation: an expert sees only projects it was drawn for.

Seated members (notified, accepted, signed in) get the scoring permission on their
project; the chair the chair's; once the evaluation has started the members and the
owner may see the committee. Before that only the center and supervisors see it
(root ACL), as the member list is secret (87号令 Art 47).

The members' names stay secret until the award (招标投标法 Art 37): the owner's staff see
the committee and its report by pseudonyms until the project is awarded; only the center,
supervisors and the seated members themselves (who sit together) see names before that.
"""

import sqlalchemy as sa
from pyramid.authorization import Allow
from pyramid.httpexceptions import HTTPNotFound

from ..projects.models import Lot
from ..projects.resources import ProjectResource, project_factory
from ..projects.status import ProjectStatus as S
from ..resources import get_or_404, route_id
from ..security import Permission
from .models import (
    SEATED,
    Committee,
    CommitteeMember,
    CommitteeStatus,
    LowPriceReview,
    MemberState,
)

# 定标 done: the result is determined, the names need no longer be kept from the owner.
NAMES_PUBLIC = frozenset({S.AWARDED, S.CONTRACTED, S.ARCHIVED})


class EvaluationResource(ProjectResource):
    def __init__(self, project, parent, *, committee=None, lot=None, review=None):
        super().__init__(project, parent)
        self.committee = committee
        self.lot = lot
        self.review = review

    @property
    def __acl__(self):
        acl = list(super().__acl__)
        committee = self.committee
        seated = [m for m in committee.members if m.state in SEATED] if committee else []
        for member in seated:
            if member.user_id:
                acl.append((Allow, f"user:{member.user_id}", Permission.EVALUATION_SCORE))
                acl.append((Allow, f"user:{member.user_id}", Permission.EVALUATION_NAMES))
                if member.is_chair:
                    acl.append((Allow, f"user:{member.user_id}", Permission.EVALUATION_CHAIR))
        if committee is not None and committee.status is not CommitteeStatus.FORMING:
            acl += [(Allow, f"user:{m.user_id}", Permission.EVALUATION_VIEW)
                    for m in seated if m.user_id]
            acl.append((Allow, f"org:{self.project.owner_org_id}:owner",
                        Permission.EVALUATION_VIEW))
            # The opened bids: only members who signed the conflict declaration, once the
            # evaluation has started; nobody else, not even the center (87号令 Art 47).
            acl += [(Allow, f"user:{m.user_id}", Permission.EVALUATION_BIDS)
                    for m in seated if m.user_id and m.state is MemberState.SIGNED_IN]
        if self.project.status in NAMES_PUBLIC:
            acl.append((Allow, f"org:{self.project.owner_org_id}:owner",
                        Permission.EVALUATION_NAMES))
        if self.review is not None:
            acl.append((Allow, f"org:{self.review.bidder_org_id}", Permission.EVALUATION_EXPLAIN))
        return acl


def evaluation_factory(request) -> EvaluationResource:
    base = project_factory(request)
    committee = request.dbsession.scalar(sa.select(Committee).where(
        Committee.project_id == base.project.id))
    return EvaluationResource(base.project, base.__parent__, committee=committee)


def lot_factory(request) -> EvaluationResource:
    resource = evaluation_factory(request)
    lot = get_or_404(request, Lot, "lot_id", project_id=resource.project.id)
    resource.lot = lot
    return resource


def review_factory(request) -> EvaluationResource:
    resource = evaluation_factory(request)
    review = request.dbsession.get(LowPriceReview, route_id(request, "review_id"))
    if review is None or resource.committee is None \
            or review.committee_id != resource.committee.id:
        raise HTTPNotFound()
    resource.review = review
    return resource


def member_of(request, resource: EvaluationResource) -> CommitteeMember | None:
    """The requesting user's seat on the committee, if any."""
    user = request.identity
    if user is None or resource.committee is None:
        return None
    return next((m for m in resource.committee.members
                 if m.user_id == user.id and m.state in SEATED), None)
