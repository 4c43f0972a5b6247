"""What the workspace shows about evaluation: an expert's seats, a bidder's low-price
reviews, the center's committees being formed, a supervisor's unlock requests."""

import sqlalchemy as sa

from ..accounts.models import Role
from ..projects.models import Project
from .models import (
    SEATED,
    Committee,
    CommitteeMember,
    CommitteeStatus,
    LowPriceDecision,
    LowPriceReview,
    UnlockRequest,
)


def summary(dbsession, user) -> dict:
    if user.role is Role.EXPERT:
        query = (sa.select(CommitteeMember, Project)
                 .join(Committee, Committee.id == CommitteeMember.committee_id)
                 .join(Project, Project.id == Committee.project_id)
                 .where(CommitteeMember.user_id == user.id,
                        CommitteeMember.state.in_(list(SEATED)))
                 .order_by(CommitteeMember.id.desc()).limit(50))
        return {"seats": list(dbsession.execute(query))}
    if user.role is Role.BIDDER and user.organisation_id:
        query = (sa.select(LowPriceReview, Project)
                 .join(Committee, Committee.id == LowPriceReview.committee_id)
                 .join(Project, Project.id == Committee.project_id)
                 .where(LowPriceReview.bidder_org_id == user.organisation_id,
                        LowPriceReview.decision == LowPriceDecision.PENDING))
        return {"low_price": list(dbsession.execute(query))}
    if user.role in (Role.CENTER, Role.SUPERVISOR):
        forming = (sa.select(Project).join(Committee, Committee.project_id == Project.id)
                   .where(Committee.status != CommitteeStatus.DONE).order_by(Project.id))
        unlocks = dbsession.scalar(sa.select(sa.func.count()).select_from(UnlockRequest)
                                   .where(UnlockRequest.decided_at.is_(None)))
        return {"committees": list(dbsession.scalars(forming)), "unlocks": unlocks}
    return {}
