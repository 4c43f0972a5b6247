"""What the workspace shows about evaluation: an expert's seats, a bidder's low-price
reviews, the center's committees being formed, a supervisor's unlock requests."""

import sqlalchemy as sa

from ..accounts.models import Role
from ..projects.models import Project
from ..words import N_
from .models import (
    SEATED,
    Committee,
    CommitteeMember,
    CommitteeStatus,
    LowPriceDecision,
    LowPriceReview,
    MemberState,
    ScoreSheet,
    SheetState,
    UnlockRequest,
)

# An expert's next step on a seat, in words (the workspace's "下一步" column).
NEXT_STEP = {
    MemberState.NOTIFIED: N_("确认出席或申请回避"),
    MemberState.ACCEPTED: N_("按时到场签到，签署回避承诺"),
}


def summary(dbsession, user) -> dict:
    if user.role is Role.EXPERT:
        query = (sa.select(CommitteeMember, Project)
                 .join(Committee, Committee.id == CommitteeMember.committee_id)
                 .join(Project, Project.id == Committee.project_id)
                 .where(CommitteeMember.user_id == user.id,
                        CommitteeMember.state.in_(list(SEATED)))
                 .order_by(CommitteeMember.id.desc()).limit(50))
        seats = list(dbsession.execute(query))
        return {"seats": seats, "next_steps": _next_steps(dbsession, seats)}
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


def _next_steps(dbsession, seats) -> dict[int, tuple[str, dict]]:
    """Each seat's next step: confirm, sign in, or the score sheets still to submit."""
    counts = {}
    if seats:
        query = (sa.select(ScoreSheet.member_id, sa.func.count(),
                           sa.func.count().filter(ScoreSheet.state == SheetState.SUBMITTED))
                 .where(ScoreSheet.member_id.in_([m.id for m, _ in seats]))
                 .group_by(ScoreSheet.member_id))
        counts = {member_id: (total, done) for member_id, total, done in
                  dbsession.execute(query)}
    steps = {}
    for member, _project in seats:
        total, done = counts.get(member.id, (0, 0))
        if member.state in NEXT_STEP:
            steps[member.id] = (NEXT_STEP[member.state], {})
        elif not total:
            steps[member.id] = (N_("进入评标室填写并提交评分表"), {})  # sheets open on first use
        elif done < total:
            steps[member.id] = (N_("提交评分表（已交 %(done)s / %(total)s）"),
                                {"done": done, "total": total})
        else:
            steps[member.id] = (N_("评分表已全部提交，待汇总与签署报告"), {})
    return steps
