"""Demo data (issue #18): every printable document exists for some demo project, the
failed (流标) demo project published its 流标公告, and the committee of the demo project in
evaluation can read its opened bids."""

import pytest
import sqlalchemy as sa

from trading.award.models import AwardCommittee, AwardNotice
from trading.bidding.models import Opening
from trading.demo import load_demo
from trading.demo.award import AWARDED_DEMO
from trading.demo.evaluation import SCORED
from trading.evaluation.documents import opened_bids
from trading.evaluation.models import EvaluationReport, ReportState
from trading.projects.models import Project
from trading.projects.status import ProjectStatus


@pytest.mark.slow
def test_every_printable_exists_in_the_demo(dbsession, clock, settings, registry):
    load_demo(dbsession, clock, settings)
    awarded = dbsession.scalar(sa.select(Project).where(Project.name == AWARDED_DEMO))
    assert awarded.status is ProjectStatus.AWARDED
    assert dbsession.scalar(sa.select(Opening).where(Opening.project_id == awarded.id))
    assert dbsession.scalar(sa.select(EvaluationReport).where(
        EvaluationReport.project_id == awarded.id,
        EvaluationReport.state == ReportState.SIGNED))
    committee = dbsession.scalar(sa.select(AwardCommittee).where(
        AwardCommittee.project_id == awarded.id))
    assert committee.report_signature
    kinds = sorted(n.kind for n in dbsession.scalars(sa.select(AwardNotice)))
    assert "award" in kinds and "result" in kinds
    failed = dbsession.scalars(sa.select(Project).where(
        Project.status == ProjectStatus.FAILED)).all()
    assert failed and all(any(a.kind == "failure" and a.title.endswith("流标公告")
                              for a in p.announcements) for p in failed)
    scored = dbsession.scalar(sa.select(Project).where(Project.name == SCORED))
    bids = opened_bids(dbsession, registry["storage"], scored)
    assert len(bids) == 3 and all(b.documents[0].viewable for b in bids)
