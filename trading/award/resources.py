"""Route factories and ACLs for award steps: who may act; the services decide when."""

from pyramid.authorization import Allow

from ..projects.models import Lot
from ..projects.resources import ProjectResource, project_factory
from ..projects.status import PUBLIC
from ..resources import get_or_404
from ..rounds.models import FinalOfferRound
from ..security import Permission
from .models import Award, AwardAuction, AwardCommittee, Objection


class AwardResource(ProjectResource):
    def __init__(self, project, parent, *, lot=None, final_round=None):
        super().__init__(project, parent)
        self.lot = lot
        self.final_round = final_round
        self.committee = None
        self.objection = None
        self.award = None
        self.auction = None

    @property
    def __acl__(self):
        acl = list(super().__acl__)
        # The trading center runs the procedure's steps (rules §1.4).
        acl.append((Allow, "role:center", Permission.AWARD_MANAGE))
        if self.project.status in PUBLIC:
            # Eligibility is the service's to decide: any bidder may knock.
            acl += [(Allow, "role:bidder", Permission.FINAL_OFFER_SUBMIT),
                    (Allow, "role:bidder", Permission.AWARD_OBJECT),
                    (Allow, "role:bidder", Permission.AWARD_RESPOND),
                    (Allow, "role:bidder", Permission.AWARD_AUCTION_BID)]
        owner = f"org:{self.project.owner_org_id}:owner"
        acl += [(Allow, p, Permission.AWARD_COMMITTEE_VIEW)
                for p in (owner, "role:center", "role:supervisor")]
        if self.committee is not None:
            for member in self.committee.members:
                acl += [(Allow, f"user:{member.user_id}", Permission.AWARD_VOTE),
                        (Allow, f"user:{member.user_id}", Permission.AWARD_COMMITTEE_VIEW)]
        return acl


def award_factory(request) -> AwardResource:
    base = project_factory(request)
    return AwardResource(base.project, base.__parent__)


def award_lot_factory(request) -> AwardResource:
    resource = award_factory(request)
    lot = get_or_404(request, Lot, "lot_id", project_id=resource.project.id)
    resource.lot = lot
    return resource


def final_round_factory(request) -> AwardResource:
    resource = award_factory(request)
    found = get_or_404(request, FinalOfferRound, "round_id", project_id=resource.project.id)
    resource.final_round, resource.lot = found, found.lot
    return resource


def _child(model, key, attr):
    def factory(request) -> AwardResource:
        resource = award_factory(request)
        found = get_or_404(request, model, key, project_id=resource.project.id)
        setattr(resource, attr, found)
        return resource

    return factory


committee_factory = _child(AwardCommittee, "committee_id", "committee")
objection_factory = _child(Objection, "objection_id", "objection")
decision_factory = _child(Award, "award_id", "award")
auction_factory = _child(AwardAuction, "auction_id", "auction")
