"""The demo: expert1 chairs a sitting committee and can walk it to a signed report."""

import pytest
import sqlalchemy as sa
from factories import actor_for

from trading.accounts.models import User
from trading.demo import load_demo
from trading.demo.evaluation import SCORED
from trading.evaluation.committee import EvaluationCommitteeService
from trading.evaluation.models import CommitteeStatus, ReportState
from trading.evaluation.scoring import Mark, SheetService
from trading.evaluation.service import REPORT_CONFIRMATION, EvaluationService
from trading.projects.models import Project
from trading.projects.status import ProjectStatus


@pytest.mark.slow
def test_expert1_can_score_generate_and_everyone_signs(dbsession, clock, settings, registry):
    load_demo(dbsession, clock, settings)
    load_demo(dbsession, clock, settings)  # idempotent
    project = dbsession.scalar(sa.select(Project).where(Project.name == SCORED))
    service = EvaluationCommitteeService(dbsession, clock, registry["keys"])
    committee = service.committee_of(project)
    assert committee.status is CommitteeStatus.SITTING
    expert1 = dbsession.scalar(sa.select(User).where(User.username == "expert1"))
    chair = service.chair(committee)
    assert chair.user_id == expert1.id
    sheets, lot = SheetService(dbsession, clock), project.lots[0]
    sheet = sheets.sheet(chair, lot, actor=actor_for(expert1))
    assert sheet.entries == []
    _, lines = sheets.grid(sheet)
    marks = [m for line in lines for m in (
        Mark(line.bid_id, "q1", passed=True), Mark(line.bid_id, "q2", passed=True),
        Mark(line.bid_id, "t1", value=("8", "6", "6")[lines.index(line)]),
        Mark(line.bid_id, "t2", value="25"), Mark(line.bid_id, "t3", value="16"),
        Mark(line.bid_id, "t4", value="8"))]
    sheets.save(sheet, marks, actor=actor_for(expert1))
    sheets.submit(sheet, actor=actor_for(expert1))
    evaluation = EvaluationService(dbsession, clock, registry["keys"], registry["storage"])
    work = evaluation.work()
    report = work.generate(project, lot, actor=actor_for(expert1))
    for member in service.seated(committee):
        work.sign(report, confirmation=REPORT_CONFIRMATION, agrees=True, dissent="",
                  actor=actor_for(dbsession.get(User, member.user_id)))
    assert report.state is ReportState.SIGNED and evaluation.verify_report(report)
    assert [c.rank for c in evaluation.candidates(lot)] == [1, 2, 3]
    assert project.status is ProjectStatus.CANDIDATES_PUBLICISED
