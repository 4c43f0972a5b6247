"""Refusing to sign without reasons counts as agreement (rules §4.4; 实施条例 Art 53,
87号令 Art 61): after the report's signing deadline (profile report.signing_hours) a
member who neither signed nor dissented with reasons is recorded as agreeing — marked,
audited — and the report locks; exactly once, by the chronograph."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from evaluation.helpers import actor_of, plain_marks, score_all, sitting_committee

from trading.audit.models import AuditEvent
from trading.evaluation import rules
from trading.evaluation.errors import EvaluationConflict
from trading.evaluation.models import ReportState
from trading.evaluation.service import (
    DEEMED_CONFIRMATION,
    REPORT_CONFIRMATION,
    EvaluationService,
)
from trading.projects.status import ProjectStatus

T = datetime(2026, 5, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(("signed", "now", "deemed"), [
    ((), T - timedelta(seconds=1), ()),  # before the deadline nobody is deemed
    ((), T, ("a", "b", "c")),  # at the deadline, in the members' order
    (("b",), T + timedelta(days=3), ("a", "c")),
    (("a", "b", "c"), T + timedelta(days=3), ()),  # everyone signed (or dissented)
])
def test_who_is_recorded_as_agreeing(signed, now, deemed):
    assert rules.deemed_agreeing(("a", "b", "c"), signed, deadline=T, now=now) == deemed


def test_the_signing_period_is_a_profile_parameter():
    assert rules.DEFAULT_EVALUATION.report_signing_hours == 24
    assert rules.PROFILE_KEYS["report.signing_hours"] == "report_signing_hours"
    with pytest.raises(rules.RuleError):
        rules.EvaluationParams(report_signing_hours=0)


def service(w) -> EvaluationService:
    return EvaluationService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"])


@pytest.fixture
def signing(evaluated):
    """A generated report of a sitting committee: one member agreed, one dissented."""
    w = evaluated
    _, w.seated = sitting_committee(w)
    score_all(w, w.seated, plain_marks)
    chair = actor_of(w, next(m for m in w.seated if m.is_chair))
    w.report = service(w).work().generate(w.project, w.lot, actor=chair)
    work = service(w).work()
    work.sign(w.report, confirmation=REPORT_CONFIRMATION, agrees=True, dissent="",
              actor=actor_of(w, w.seated[0]))
    work.sign(w.report, confirmation=REPORT_CONFIRMATION, agrees=False,
              dissent="技术方案评分过高", actor=actor_of(w, w.seated[1]))
    return w


def deemed_rows(w) -> int:
    return w.dbsession.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "evaluation.report_deemed_signed",
        AuditEvent.subject_id == str(w.project.id)))


def test_after_the_deadline_the_silent_are_recorded_as_agreeing_once(signing):
    w = signing
    assert w.report.sign_by == w.report.generated_at + timedelta(hours=24)
    assert w.project.next_check == w.report.sign_by  # the chronograph will come back
    w.clock.set(w.report.sign_by - timedelta(seconds=1))
    w.advance()
    assert w.report.state is ReportState.SIGNING and deemed_rows(w) == 0
    w.clock.set(w.report.sign_by)
    w.advance()
    assert w.report.state is ReportState.SIGNED and w.report.signature
    marks = [(s.member_id, s.agrees, s.deemed, s.dissent) for s in w.report.signatures]
    silent = [m.id for m in w.seated[2:]]
    assert marks == [(w.seated[0].id, True, False, ""),
                     (w.seated[1].id, False, False, "技术方案评分过高"),
                     *[(m, True, True, "") for m in silent]]
    assert {s.confirmation for s in w.report.signatures if s.deemed} == {DEEMED_CONFIRMATION}
    assert deemed_rows(w) == len(silent)
    assert service(w).verify_report(w.report)
    assert len(service(w).candidates(w.lot)) == 3
    assert w.project.status is ProjectStatus.CANDIDATES_PUBLICISED
    w.clock.set(w.report.sign_by + timedelta(hours=5))
    w.advance()
    assert service(w).work().settle_deadline(w.report) is False  # exactly once
    assert deemed_rows(w) == len(silent) and len(w.report.signatures) == len(w.seated)


def test_a_signature_after_the_deadline_is_refused_and_changes_nothing(signing):
    w = signing
    w.clock.set(w.report.sign_by + timedelta(minutes=1))  # the sweep has not run yet
    with pytest.raises(EvaluationConflict, match="签署期限已届满"):
        service(w).work().sign(w.report, confirmation=REPORT_CONFIRMATION, agrees=True,
                               dissent="", actor=actor_of(w, w.seated[2]))
    assert len(w.report.signatures) == 2 and w.report.state is ReportState.SIGNING


def test_the_deadline_is_the_profiles(evaluated):
    w = evaluated
    profile = w.project.rule_profile
    profile.params = {**profile.params, "report.signing_hours": 2}
    _, seated = sitting_committee(w)
    score_all(w, seated, plain_marks)
    report = service(w).work().generate(w.project, w.lot,
                                        actor=actor_of(w, next(m for m in seated if m.is_chair)))
    assert report.sign_by == report.generated_at + timedelta(hours=2)
