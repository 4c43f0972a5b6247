"""Issue #21 pt 2: a 国密 project's evaluation report (评标报告) is signed with SM2 (SM3,
the GB/T 32918.2 signer ID) — the platform's seal and every member's signature — and an
independent SM2 verifies it; the project's candidate notice is SM2-signed too."""

import gmalg
from evaluation.helpers import plain_marks, score_all, sitting_committee
from evaluation.test_scoring import chair_actor, sign_all, work

from trading.audit.service import canonical_json
from trading.evaluation.models import ReportState
from trading.evaluation.service import (
    EvaluationService,
    _report_payload,
    _signature_payload,
)
from trading.keys import verify_signature
from trading.projects.kinds import CryptoSuite


def test_a_national_projects_report_is_signed_with_sm2(evaluated_factory):
    w = evaluated_factory(crypto_suite=CryptoSuite.SM2)
    _, seated = sitting_committee(w)
    score_all(w, seated, plain_marks)
    chair = chair_actor(w, seated)
    work(w).evaluate(w.project, w.lot, actor=chair)
    report = work(w).generate(w.project, w.lot, actor=chair)
    sign_all(w, report, seated)
    assert report.state is ReportState.SIGNED
    keys = w.registry["keys"]
    sm2, ed = keys.public_key_for("sm2"), keys.public_key_for("ed25519")
    assert EvaluationService(w.dbsession, w.clock, keys).verify_report(report)
    seal = bytes.fromhex(report.signature)
    message = canonical_json(_report_payload(report))
    assert verify_signature(sm2, message, seal) and not verify_signature(ed, message, seal)
    oracle = gmalg.SM2(uid=b"1234567812345678", pk=sm2)
    assert oracle.verify(message, seal[:32], seal[32:])
    for member in report.signatures:
        signed = canonical_json(_signature_payload(report, member))
        signature = bytes.fromhex(member.signature)
        assert oracle.verify(signed, signature[:32], signature[32:])
    candidates = next(a for a in w.project.announcements if a.kind == "candidates")
    assert candidates.signing_algorithm == "sm2"
