"""What each role's workspace shows about projects (read-only queries)."""

import sqlalchemy as sa

from ..accounts.models import Role
from .models import Project, SignUp
from .status import ProjectStatus as S


def summary(dbsession, user) -> dict:
    if user.role is Role.OWNER:
        rows = dbsession.execute(
            sa.select(Project.status, sa.func.count()).where(
                Project.owner_org_id == user.organisation_id).group_by(Project.status))
        return {"by_status": {str(status): n for status, n in rows}}
    if user.role is Role.BIDDER:
        query = (sa.select(SignUp).where(SignUp.bidder_org_id == user.organisation_id)
                 .order_by(SignUp.signed_up_at.desc()).limit(50))
        signups = list(dbsession.scalars(query))
        projects = {p.id: p for p in dbsession.scalars(
            sa.select(Project).where(Project.id.in_({s.project_id for s in signups})))}
        return {"signups": [(projects[s.project_id], s) for s in signups]}
    if user.role in (Role.CENTER, Role.SUPERVISOR):
        pending = dbsession.scalar(sa.select(sa.func.count()).select_from(Project).where(
            Project.status == S.PENDING_REVIEW))
        return {"pending_review": pending}
    return {}
