"""Scoring sheets from the published criteria, aggregation, price, warnings, low prices,
the signed report, unlocking — and bad input that changes nothing."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from evaluation.conftest import ITEMS
from evaluation.helpers import (
    actor_of,
    plain_marks,
    score_all,
    sitting_committee,
)
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.evaluation.errors import (
    EvaluationConflict,
    EvaluationInvalid,
    NotAMember,
    ObjectiveDisagreement,
    SheetLocked,
)
from trading.evaluation.models import (
    LowPriceDecision,
    ReportState,
    ScoreEntry,
    ScoreWarning,
)
from trading.evaluation.scoring import CriteriaService, Mark, SheetService
from trading.evaluation.service import REPORT_CONFIRMATION, EvaluationService
from trading.projects.status import ProjectStatus


def work(w):
    return EvaluationService(w.dbsession, w.clock, w.registry["keys"],
                             w.registry["storage"]).work()


def chair_actor(w, seated):
    return actor_of(w, next(m for m in seated if m.is_chair))


def sign_all(w, report, seated, dissent_by=None):
    for member in seated:
        agrees = member is not dissent_by
        work(w).sign(report, confirmation=REPORT_CONFIRMATION, agrees=agrees,
                     dissent="" if agrees else "技术方案评分过高", actor=actor_of(w, member))


def test_the_full_walk_ranks_by_total_signs_and_hands_on_candidates(evaluated):
    _, seated = sitting_committee(evaluated)
    _, bids = score_all(evaluated, seated, plain_marks)
    chair = chair_actor(evaluated, seated)
    tab = work(evaluated).evaluate(evaluated.project, evaluated.lot, actor=chair)
    # 40 × 78/80 = 39.00, 40, 40 × 78/84 = 37.142… → 37.14; others 8 + 24 + 16 = 48
    assert sorted(tab.totals.values()) == [Decimal("85.14"), Decimal("87.00"), Decimal("88.00")]
    report = work(evaluated).generate(evaluated.project, evaluated.lot, actor=chair)
    sign_all(evaluated, report, seated[:-1])
    assert report.state is ReportState.SIGNING
    with pytest.raises(EvaluationConflict, match="已签署"):
        work(evaluated).sign(report, confirmation=REPORT_CONFIRMATION, agrees=True,
                             dissent="", actor=actor_of(evaluated, seated[0]))
    sign_all(evaluated, report, seated[-1:], dissent_by=seated[-1])
    assert report.state is ReportState.SIGNED and report.signature
    service = EvaluationService(evaluated.dbsession, evaluated.clock, evaluated.registry["keys"])
    assert service.verify_report(report)
    assert [(c.rank, c.total_score) for c in service.candidates(evaluated.lot)] == [
        (1, Decimal("88.00")), (2, Decimal("87.00")), (3, Decimal("85.14"))]
    assert report.signatures[-1].dissent == "技术方案评分过高"
    assert evaluated.project.status is ProjectStatus.CANDIDATES_PUBLICISED
    report.body = {**report.body, "benchmark_price": 1}
    assert not service.verify_report(report)


def test_separated_award_gets_unranked_candidates(evaluated_factory):
    from trading.projects.kinds import AwardMethod
    w = evaluated_factory(award_method=AwardMethod.SEPARATED)
    _, seated = sitting_committee(w)
    score_all(w, seated, plain_marks)
    report = work(w).generate(w.project, w.lot, actor=chair_actor(w, seated))
    sign_all(w, report, seated)
    service = EvaluationService(w.dbsession, w.clock, w.registry["keys"])
    assert [c.rank for c in service.candidates(w.lot)] == [None, None, None]
    assert service.report_for(w.lot).ranked is False


@pytest.mark.parametrize(("value", "message"), [
    ("31", "超出范围"), ("-1", "超出范围"), ("24.3", "步长"), ("abc", "不是有效的数字"),
    ("", "请填写分数")])
def test_a_bad_score_is_refused_and_nothing_is_stored(evaluated, value, message):
    _, seated = sitting_committee(evaluated)
    sheets = SheetService(evaluated.dbsession, evaluated.clock)
    actor = actor_of(evaluated, seated[0])
    sheet = sheets.sheet(seated[0], evaluated.lot, actor=actor)
    lines = sheets.grid(sheet)[1]
    marks = [Mark(lines[0].bid_id, "t1", value="8"), Mark(lines[0].bid_id, "t2", value=value)]
    with pytest.raises(EvaluationInvalid, match=message) as caught:
        sheets.save(sheet, marks, actor=actor)
    assert caught.value.field == f"{lines[0].bid_id}.t2"
    assert evaluated.dbsession.scalar(sa.select(sa.func.count(ScoreEntry.id))) == 0


def test_a_submitted_sheet_is_locked_and_cannot_be_submitted_twice(evaluated):
    _, seated = sitting_committee(evaluated)
    (sheet, *_), bids = score_all(evaluated, seated[:1], plain_marks)
    sheets, actor = SheetService(evaluated.dbsession, evaluated.clock), actor_of(evaluated,
                                                                                 seated[0])
    with pytest.raises(SheetLocked, match="不能重复提交"):
        sheets.submit(sheet, actor=actor)
    with pytest.raises(SheetLocked, match="锁定"):
        sheets.save(sheet, [Mark(bids[0], "t2", value="1")], actor=actor)
    assert {e.value for e in sheet.entries if e.item_id == "t2"} == {Decimal("24")}


def test_an_incomplete_sheet_and_a_stranger_are_refused(evaluated):
    _, seated = sitting_committee(evaluated)
    (sheet,), _ = score_all(evaluated, seated[:1], lambda i, b: {"q1": True}, submit=False)
    sheets = SheetService(evaluated.dbsession, evaluated.clock)
    with pytest.raises(EvaluationInvalid, match="未评分"):
        sheets.submit(sheet, actor=actor_of(evaluated, seated[0]))
    with pytest.raises(NotAMember):
        sheets.submit(sheet, actor=actor_of(evaluated, seated[1]))


def test_objective_scores_that_disagree_block_aggregation(evaluated):
    _, seated = sitting_committee(evaluated)
    score_all(evaluated, seated, lambda i, b: {**plain_marks(i, b), "t1": "7" if i == 2 else "8"})
    before = evaluated.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq)))
    with pytest.raises(ObjectiveDisagreement, match="客观分评分不一致") as caught:
        work(evaluated).evaluate(evaluated.project, evaluated.lot,
                                 actor=chair_actor(evaluated, seated))
    assert "：7" in caught.value.message and caught.value.code == "objective_scores_disagree"
    assert evaluated.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq))) == before


def test_a_deviating_score_needs_a_written_reason_and_changes_nothing(evaluated):
    _, seated = sitting_committee(evaluated)
    score_all(evaluated, seated, lambda i, b: {**plain_marks(i, b), "t2": "10" if i == 1 else "28"})
    chair = chair_actor(evaluated, seated)
    tab = work(evaluated).evaluate(evaluated.project, evaluated.lot, actor=chair)
    warned = evaluated.dbsession.scalars(sa.select(ScoreWarning)).all()
    assert {w.member_id for w in warned if w.kind == "deviation"} == {seated[1].id}
    with pytest.raises(EvaluationConflict, match="偏离"):
        work(evaluated).generate(evaluated.project, evaluated.lot, actor=chair)
    with pytest.raises(NotAMember):
        work(evaluated).answer_warning(warned[0], reason="x", actor=actor_of(evaluated, seated[2]))
    for warning in warned:
        who = actor_of(evaluated, seated[1]) if warning.member_id else chair
        work(evaluated).answer_warning(warning, reason="该方案缺少关键工序", actor=who)
    report = work(evaluated).generate(evaluated.project, evaluated.lot, actor=chair)
    assert {b["total"] for b in report.body["bids"]} == {str(t) for t in tab.totals.values()}


def test_an_abnormally_low_price_waits_for_the_explanation_and_the_decision(evaluated_factory):
    w = evaluated_factory(prices=(80_000_000, 78_000_000, 30_000_000))
    _, seated = sitting_committee(w)
    score_all(w, seated, plain_marks)
    chair = chair_actor(w, seated)
    work(w).evaluate(w.project, w.lot, actor=chair)
    (review,) = work(w).reviews(work(w).committee(w.project), w.lot)
    assert set(review.triggers) == {"below_mean", "below_second", "below_ceiling"}
    with pytest.raises(EvaluationConflict, match="说明期限尚未届满"):
        work(w).decide(review, accepted=True, reason="x", actor=chair)
    with pytest.raises(EvaluationConflict, match="异常低价"):
        work(w).generate(w.project, w.lot, actor=chair)
    low = next(b for b in w.bidders if b.organisation_id == review.bidder_org_id)
    work(w).explain(review, text="自有设备，附成本测算表", actor=actor_for(low))
    work(w).decide(review, accepted=False, reason="未能证明报价合理", actor=chair)
    assert review.decision is LowPriceDecision.REJECTED
    report = work(w).generate(w.project, w.lot, actor=chair)
    assert review.bid_id not in {c["bid_id"] for c in report.body["candidates"]}
    # The rejected bid is out: the benchmark is the lowest of the rest.
    assert report.body["benchmark_price"] == 78_000_000


def test_unlocking_a_signed_report_needs_the_chair_and_a_supervisor(evaluated):
    _, seated = sitting_committee(evaluated)
    score_all(evaluated, seated, plain_marks)
    chair = chair_actor(evaluated, seated)
    report = work(evaluated).generate(evaluated.project, evaluated.lot, actor=chair)
    sign_all(evaluated, report, seated)
    with pytest.raises(NotAMember):
        work(evaluated).request_unlock(evaluated.project, target="report", target_id=report.id,
                                       reason="计算错误", actor=actor_of(evaluated, seated[1]))
    request = work(evaluated).request_unlock(evaluated.project, target="report",
                                             target_id=report.id, reason="算术错误",
                                             actor=chair)
    assert report.state is ReportState.SIGNED
    supervisor = make_user(evaluated.dbsession, evaluated.clock, evaluated.settings,
                           role=Role.SUPERVISOR)
    work(evaluated).decide_unlock(request, approve=True, actor=actor_for(supervisor))
    assert report.state is ReportState.UNLOCKED and report.candidates == []
    assert evaluated.project.status is ProjectStatus.EVALUATION
    with pytest.raises(EvaluationConflict, match="已处理"):
        work(evaluated).decide_unlock(request, approve=True, actor=actor_for(supervisor))


def test_criteria_must_add_up_and_respect_the_regime(evaluated):
    from factories import make_project

    from trading.projects.kinds import ObjectType, ProjectType
    project = make_project(evaluated.dbsession, evaluated.clock, evaluated.settings,
                           evaluated.registry, project_type=ProjectType.GOVERNMENT_PROCUREMENT,
                           object_type=ObjectType.GOODS)
    criteria = CriteriaService(evaluated.dbsession, evaluated.clock)
    owner = actor_for(project.owner.users[0]) if project.owner.users else None
    with pytest.raises(EvaluationInvalid, match="之和应为100分"):
        criteria.save(project, items=ITEMS, price={"formula": "low_price_first",
                                                   "weight": "0.30"}, n_candidates=3,
                      actor=owner)
    with pytest.raises(EvaluationInvalid, match="低价优先"):
        criteria.save(project, items=ITEMS, price={"formula": "average_benchmark",
                                                   "weight": "0.40"}, n_candidates=3,
                      actor=owner)
    with pytest.raises(EvaluationInvalid, match="价格权重"):
        criteria.save(project, items=[*ITEMS[:3], {**ITEMS[3], "max_score": "50"}],
                      price={"formula": "low_price_first", "weight": "0.20"},
                      n_candidates=3, actor=owner)
    assert criteria.of(project) is None
    with pytest.raises(EvaluationConflict, match="已随招标文件发布"):
        CriteriaService(evaluated.dbsession, evaluated.clock).save(
            evaluated.project, items=ITEMS, price={"formula": "none"}, n_candidates=3,
            actor=owner)
