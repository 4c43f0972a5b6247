"""Every published notice (公告) is signed by the platform (issue #21): Ed25519, or SM2 with
SM3 and the GB/T 32918.2 signer ID for a 国密 project. The page names the signature and
links notice.json and the key; the API carries it; anyone verifies it offline with
`python -m bid_crypto verify-notice`, and a notice altered in the database is caught."""


import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, project_service

from bid_crypto import InvalidNotice, load_verify_key, verify_notice
from bid_crypto.cli import main
from trading.accounts.models import User
from trading.audit.models import AuditEvent
from trading.projects.kinds import CryptoSuite
from trading.projects.notices import document


def _published(dbsession, clock, settings, registry, suite):
    project = make_project(dbsession, clock, settings, registry, publish=True,
                           crypto_suite=CryptoSuite(suite))
    (notice,) = project.announcements
    return project, notice


@pytest.mark.parametrize("suite,algorithm,key_url", [
    ("x25519", "ed25519", "/bidding/platform.pub"),
    ("sm2", "sm2", "/bidding/platform.pub?alg=sm2"),
])
def test_the_tender_notice_is_signed_and_verifies_offline(dbsession, clock, settings, registry,
                                                          testapp, tmp_path, capsys, suite,
                                                          algorithm, key_url):
    project, notice = _published(dbsession, clock, settings, registry, suite)
    assert notice.kind == "tender" and notice.signing_algorithm == algorithm
    page = testapp.get(f"/projects/{project.id}/announcements/{notice.id}")
    assert "签名有效" in page.text and "verify-notice" in page.text
    signed_url = f"/projects/{project.id}/announcements/{notice.id}/notice.json"
    assert signed_url in page.text and key_url.split("?")[0] in page.text
    document = testapp.get(signed_url).body
    key = testapp.get(key_url).body
    fields = verify_notice(load_verify_key(key), document)
    assert (fields["project"], fields["body"]) == (project.number, notice.body)
    (item,) = testapp.get(f"/api/v1/projects/{project.id}").json["announcements"]
    assert item["algorithm"] == algorithm and item["signature"] == notice.signature
    assert item["signed_document"] == signed_url
    (tmp_path / "notice.json").write_bytes(document)
    (tmp_path / "platform.pub").write_bytes(key)
    assert main(["verify-notice", "--platform-key", str(tmp_path / "platform.pub"),
                 str(tmp_path / "notice.json")]) == 0
    assert f"notice valid ({algorithm})" in capsys.readouterr().out
    # The audit row (and so the transparency log) pins what was signed.
    event = dbsession.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "project.announced", AuditEvent.subject_id == str(project.id)))
    assert event.data["algorithm"] == algorithm and len(event.data["signed_sha256"]) == 64


def test_a_notice_altered_in_the_database_is_caught(dbsession, clock, settings, registry,
                                                    testapp, tmp_path, capsys):
    project, notice = _published(dbsession, clock, settings, registry, "sm2")
    notice.body = notice.body + "\n投标截止时间延长至下月。"
    dbsession.flush()
    page = testapp.get(f"/projects/{project.id}/announcements/{notice.id}")
    assert "签名无效" in page.text
    document = testapp.get(f"/projects/{project.id}/announcements/{notice.id}/notice.json")
    key = load_verify_key(testapp.get("/bidding/platform.pub?alg=sm2").body)
    with pytest.raises(InvalidNotice, match="altered after publication"):
        verify_notice(key, document.body)
    (tmp_path / "n.json").write_bytes(document.body)
    (tmp_path / "k.pub").write_bytes(testapp.get("/bidding/platform.pub?alg=sm2").body)
    assert main(["verify-notice", "--platform-key", str(tmp_path / "k.pub"),
                 str(tmp_path / "n.json"), "--sm2-id", "ALICE123"]) == 7
    assert "bid_crypto: error:" in capsys.readouterr().err
    # The Ed25519 key of the platform is not the key of a 国密 notice: refused by name.
    with pytest.raises(InvalidNotice, match="signed with sm2"):
        verify_notice(load_verify_key(testapp.get("/bidding/platform.pub").body),
                      document.body)


def test_an_unsigned_notice_of_before_has_no_document(dbsession, clock, settings, registry,
                                                      testapp):
    project, notice = _published(dbsession, clock, settings, registry, "x25519")
    notice.signature = notice.signing_algorithm = None
    dbsession.flush()
    page = testapp.get(f"/projects/{project.id}/announcements/{notice.id}")
    assert "未签名" in page.text
    testapp.get(f"/projects/{project.id}/announcements/{notice.id}/notice.json", status=404)


def test_clarification_and_cancellation_notices_are_signed_by_the_projects_algorithm(
        dbsession, clock, settings, registry):
    project, _ = _published(dbsession, clock, settings, registry, "sm2mlkem")
    service = project_service(dbsession, clock, registry)
    owner = actor_for(dbsession.get(User, project.created_by_id))
    service.publish_clarification(project, title="澄清公告", body="第3条更正为……",
                                  affects_bids=False, new_deadline=None, actor=owner)
    service.cancel(project, reason="项目资金未落实", actor=owner)
    kinds = {a.kind: a for a in project.announcements}
    assert set(kinds) == {"tender", "clarification", "cancellation"}
    key = registry["keys"].signer("sm2").public_key()
    for item in kinds.values():
        assert item.signing_algorithm == "sm2"
        assert verify_notice(key, document(item))["kind"] == item.kind
