"""A receipt carries the transparency log's signed promise (issue #17): the bidder checks,
offline with bid_crypto, that the promised entry is their submission and that it is in a
checkpoint the pinned log key signed — and a forged, foreign or late one is named."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bid_crypto import tlog
from trading.audit import merkle

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bid(world, tmp_path, testapp):
    bidder = world.bidders[0]
    envelope = world.seal(bidder)
    version = world.submit(bidder, envelope)
    service = world.bids()
    files = {"envelope": tmp_path / "bid.tbid", "receipt": tmp_path / "receipt.json",
             "promise": tmp_path / "promise.json", "platform": tmp_path / "platform.pub"}
    files["envelope"].write_bytes(envelope)
    files["receipt"].write_text(json.dumps(service.receipt(version.bid, version)))
    files["promise"].write_text(json.dumps(service.log_promise(version)))
    files["platform"].write_text(service.platform_public_key_pem())
    log_key = merkle.log_verifier(world.registry["keys"], world.settings).vkey()
    return world, version, files, log_key


def verify(files, log_key, *extra):
    return subprocess.run(
        [sys.executable, "-m", "bid_crypto", "verify-receipt", "--platform-key",
         str(files["platform"]), str(files["receipt"]), str(files["envelope"]),
         "--promise", str(files["promise"]), "--log-key", log_key, *extra],
        cwd=ROOT, capture_output=True, text=True)


def _proof(world, testapp, version, path):
    merkle.sequence(world.dbsession, world.registry["keys"], world.settings,
                    now=world.clock())
    doc = testapp.get("/api/v1/audit/log/inclusion", {"seq": version.audit_seq}).json
    path.write_text(json.dumps(doc))
    return doc


def test_the_promise_and_the_inclusion_proof_verify_offline(bid, testapp, tmp_path):
    world, version, files, log_key = bid
    before = verify(files, log_key)
    assert before.returncode == 0, before.stderr
    assert "promise valid: entry seq" in before.stdout and "no inclusion proof" in before.stdout
    _proof(world, testapp, version, tmp_path / "proof.json")
    after = verify(files, log_key, "--proof", str(tmp_path / "proof.json"))
    assert after.returncode == 0, after.stderr
    assert f"included: entry seq {version.audit_seq} at index" in after.stdout


def test_the_promised_entry_names_the_bid_by_its_public_id(bid):
    world, version, files, _ = bid
    entry = json.loads(json.loads(files["promise"].read_text())["entry"])
    assert entry["subject_id"] == version.bid.public_id
    assert entry["data"]["envelope_sha256"] == version.envelope_sha256


def test_a_promise_checked_against_another_log_key_fails(bid):
    _, _, files, _ = bid
    other = tlog.NoteSigner("localhost:6543/audit/log", bytes(range(64, 96))).verifier.vkey()
    result = verify(files, other)
    assert result.returncode != 0
    assert "log promise: the note is not signed by the pinned key" in result.stderr


def test_a_promise_for_another_submission_is_refused(bid, world_factory):
    world, version, files, log_key = bid
    doc = json.loads(files["promise"].read_text())
    entry = json.loads(doc["entry"])
    entry["data"]["envelope_sha256"] = "0" * 64
    doc["entry"] = json.dumps(entry)
    files["promise"].write_text(json.dumps(doc))
    result = verify(files, log_key)
    assert result.returncode != 0 and "not the one the promise hashes" in result.stderr


def test_a_proof_from_another_checkpoint_key_or_size_is_refused(bid, testapp, tmp_path):
    world, version, files, log_key = bid
    doc = _proof(world, testapp, version, tmp_path / "proof.json")
    forged = dict(doc, size=doc["size"] + 1)
    (tmp_path / "bad.json").write_text(json.dumps(forged))
    result = verify(files, log_key, "--proof", str(tmp_path / "bad.json"))
    assert result.returncode != 0 and "the proof is for tree size" in result.stderr
    other = tlog.NoteSigner(merkle.log_origin(world.settings), bytes(range(64, 96)))
    body = tlog.parse_checkpoint_body(tlog.parse_note(doc["checkpoint"]["checkpoint"]).text)
    resigned = dict(doc, checkpoint=dict(doc["checkpoint"],
                                         checkpoint=tlog.sign_checkpoint(body, other)))
    (tmp_path / "bad.json").write_text(json.dumps(resigned))
    result = verify(files, log_key, "--proof", str(tmp_path / "bad.json"))
    assert result.returncode != 0 and "not signed by the pinned key" in result.stderr


def test_a_late_merge_is_a_broken_promise(bid, testapp, tmp_path):
    world, version, files, log_key = bid
    world.clock.advance(seconds=merkle.max_merge_delay(world.settings).total_seconds() + 60)
    _proof(world, testapp, version, tmp_path / "proof.json")
    result = verify(files, log_key, "--proof", str(tmp_path / "proof.json"))
    assert result.returncode != 0
    assert f"promise broken: entry seq {version.audit_seq} merged 360 s after" in result.stderr
    report = merkle.verify_log(world.dbsession, world.registry["keys"], world.settings)
    assert any("promise broken" in p for p in report.problems)
