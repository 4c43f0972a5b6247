"""The 定标报告's platform signature: stored, published with the award, verified offline."""

import json

import pytest
import sqlalchemy as sa
from award_support import cands, committees, enrol, form, login_as, sign_all, vote
from factories import actor_for

from trading.audit.models import AuditEvent
from trading.award import report as report_doc
from trading.award.service import AwardService
from trading.cli import main as cli
from trading.keys import PlatformKeys


@pytest.fixture
def signed(world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = form(w)
    a, b, _ = cands(w)
    vote(w, committee, [[a], [a], [b], [a], [b]])
    sign_all(w, committee)
    w.committee = committee
    return w


def key_of(w) -> bytes:
    return w.registry["keys"].public_key_bytes


def test_the_last_signature_seals_the_report_with_the_platform_key(signed):
    w, committee = signed, signed.committee
    assert committee.report_signature and len(committee.report_signature) == 128
    doc = committees(w).signed_report(committee)
    assert doc["sha256"] == committee.report_sha256 == report_doc.digest(committee.report_body)
    assert doc["signing_key"] == key_of(w).hex()
    assert report_doc.verify_document(doc, expected_key=key_of(w)).ok
    event = w.dbsession.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "award.report_signed").order_by(AuditEvent.seq.desc()).limit(1))
    assert event.data["report_sha256"] == committee.report_sha256


def test_no_signature_before_every_member_signs(world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = form(w)
    vote(w, committee, [[cands(w)[0]]] * 5)
    for member in committee.members[:4]:
        committees(w).sign(w.project, committee, actor=actor_for(member.user))
    assert committee.report_signature is None and committees(w).signed_report(committee) is None


def test_a_tampered_report_fails_with_a_clear_message(signed):
    doc = committees(signed).signed_report(signed.committee)
    altered = json.loads(json.dumps(doc))
    altered["report"]["winner"] = cands(signed)[2]
    result = report_doc.verify_document(altered, expected_key=key_of(signed))
    assert not result.ok and "report digest mismatch" in result.problems[0]
    # Re-digesting the altered report does not help: the signature covers the digest.
    altered["sha256"] = report_doc.digest(altered["report"])
    result = report_doc.verify_document(altered, expected_key=key_of(signed))
    assert result.problems == ["platform signature does not verify: the report or its digest "
                               "was altered, or it was not signed by this key"]


def test_a_wrong_key_fails(signed):
    doc = committees(signed).signed_report(signed.committee)
    other = PlatformKeys(b"\x07" * 32, b"\x00" * 32)
    pinned = report_doc.verify_document(doc, expected_key=other.public_key_bytes)
    assert not pinned.ok and "not the platform key given" in pinned.problems[0]
    # A forger re-signing with its own key and publishing that key: fails once pinned.
    forged = {**doc, "signature": other.sign(report_doc.signing_message(doc["sha256"])).hex(),
              "signing_key": other.public_key_bytes.hex()}
    assert report_doc.verify_document(forged).ok  # self-consistent …
    assert not report_doc.verify_document(forged, expected_key=key_of(signed)).ok  # … not ours
    swapped = {**doc, "signing_key": other.public_key_bytes.hex()}
    assert "does not verify" in report_doc.verify_document(swapped).problems[0]


@pytest.mark.parametrize("raw,problem", [
    (b"{not json", "not JSON"),
    (b'{"format": "trading-archive-v1"}', "not a signed award report"),
    (b'{"format": "trading-award-report-v1", "report": []}', "holds no report"),
])
def test_not_a_report(raw, problem):
    result = report_doc.verify_document(raw)
    assert not result.ok and problem in result.problems[0]


def test_the_cli_verifies_offline(signed, tmp_path, capsys):
    doc = committees(signed).signed_report(signed.committee)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    key = key_of(signed).hex()
    assert cli(["award", "verify", str(path), "--platform-key", key]) == 0
    assert f"award report valid: sha256 {doc['sha256']}" in capsys.readouterr().out
    doc["report"]["ranking"] = list(reversed(doc["report"]["ranking"]))
    path.write_text(json.dumps(doc, ensure_ascii=False))
    assert cli(["award", "verify", str(path), "--platform-key", key]) == 1
    assert "INVALID: report digest mismatch" in capsys.readouterr().out
    good = committees(signed).signed_report(signed.committee)
    path.write_text(json.dumps(good, ensure_ascii=False))
    assert cli(["award", "verify", str(path), "--platform-key", "ab" * 32]) == 1
    assert "not the platform key given" in capsys.readouterr().out
    assert cli(["award", "verify", str(path), "--platform-key", "not a key!"]) == 2
    assert "neither hex nor base64" in capsys.readouterr().err
    assert cli(["award", "verify", str(tmp_path / "missing.json")]) == 1
    assert "cannot read" in capsys.readouterr().out


def test_the_report_is_published_with_the_award(signed, testapp):
    w, committee = signed, signed.committee
    url = f"/projects/{w.project.id}/award/committees/{committee.id}/report.json"
    testapp.get(url, status=404)  # names secret until the award
    login_as(testapp, w, w.owner)
    assert testapp.get(url).json["sha256"] == committee.report_sha256
    AwardService(w.dbsession, w.clock, w.registry["keys"]).decide(
            w.project, actor=actor_for(w.owner))
    testapp.reset()
    public = testapp.get(url)
    assert "attachment" in public.headers["Content-Disposition"]
    assert report_doc.verify_document(public.body, expected_key=key_of(w)).ok
    state = testapp.get(f"/api/v1/projects/{w.project.id}/award").json
    assert state["lots"][0]["committee"]["report_signature"] == committee.report_signature
    assert state["lots"][0]["committee"]["report_url"].endswith("/report.json")
    assert "report.json" in testapp.get(f"/projects/{w.project.id}/award").text
