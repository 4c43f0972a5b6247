"""The award committee in the workspace (trading.workspace): a drawn 定标委员会 member is
told of the seat until the report is signed."""

import sqlalchemy as sa

from ..i18n import N_
from ..projects.models import Project
from ..workspace import Row, Section
from .models import AwardCommittee, AwardMember


def part(request) -> list[Section]:
    user = request.identity
    query = (sa.select(AwardCommittee, AwardMember, Project)
             .join(AwardMember, AwardMember.committee_id == AwardCommittee.id)
             .join(Project, Project.id == AwardCommittee.project_id)
             .where(AwardMember.user_id == user.id, AwardMember.signed_at.is_(None))
             .order_by(AwardCommittee.id.desc()).limit(20))
    rows = [Row(project.name, request.route_url("award.committee", project_id=project.id,
                                                committee_id=committee.id),
                N_("请投票") if committee.winner is None else N_("请签署定标报告"))
            for committee, _member, project in request.dbsession.execute(query)]
    return [Section(N_("定标委员会"), rows=rows)] if rows else []
