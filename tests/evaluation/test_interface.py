"""The interface the award domain reads: report_for, candidates, leaving evaluation."""

from decimal import Decimal

import sqlalchemy as sa

from trading.actor import Actor
from trading.bidding.models import Bid
from trading.evaluation.models import (
    Committee,
    CommitteeStatus,
    EvaluationReport,
    ReportCandidate,
    ReportState,
)
from trading.evaluation.service import EvaluationService
from trading.projects.status import ProjectStatus


def _report(w, state):
    db, now = w.dbsession, w.clock()
    committee = db.scalar(sa.select(Committee).where(Committee.project_id == w.project.id))
    if committee is None:
        committee = Committee(project_id=w.project.id, status=CommitteeStatus.SITTING,
                              pseudonym_salt="00" * 32, created_at=now)
        db.add(committee)
        db.flush()
    report = EvaluationReport(project_id=w.project.id, lot_id=w.lot.id,
                              committee_id=committee.id, state=state, body={},
                              body_sha256="0" * 64, generated_at=now)
    db.add(report)
    db.flush()
    bids = db.scalars(sa.select(Bid).where(Bid.lot_id == w.lot.id).order_by(Bid.id)).all()
    for position, bid in enumerate(bids, start=1):
        db.add(ReportCandidate(report_id=report.id, project_id=w.project.id, lot_id=w.lot.id,
                               bidder_org_id=bid.bidder_org_id, bid_id=bid.id,
                               total_score=Decimal("90.50") - position, price=1,
                               rank=position, position=position))
    db.flush()
    return report


def test_only_a_signed_report_and_its_candidates_are_handed_on(evaluated):
    service = EvaluationService(evaluated.dbsession, evaluated.clock, evaluated.registry["keys"])
    _report(evaluated, ReportState.SIGNING)
    assert service.report_for(evaluated.lot) is None
    assert service.candidates(evaluated.lot) == []
    assert not service.complete_if_done(evaluated.project, actor=Actor.system("test"))
    signed = _report(evaluated, ReportState.SIGNED)
    assert service.report_for(evaluated.lot) is signed
    found = service.candidates(evaluated.lot)
    assert [c.rank for c in found] == [1, 2, 3]
    assert found[0].total_score == Decimal("89.50")


def test_the_project_leaves_evaluation_once_every_lot_is_signed(evaluated):
    service = EvaluationService(evaluated.dbsession, evaluated.clock, evaluated.registry["keys"])
    _report(evaluated, ReportState.SIGNED)
    assert service.complete_if_done(evaluated.project, actor=Actor.system("test"))
    assert evaluated.project.status is ProjectStatus.CANDIDATES_PUBLICISED
