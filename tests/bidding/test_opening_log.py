"""Openings that prove completeness (issue #17): the log's checkpoint signed at the
deadline, every opened envelope's leaf index below it, and a bidder's offline check that
a bid logged before the deadline is in the opening record."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bid_crypto import tlog
from trading.audit import merkle
from trading.audit.models import AuditEvent, TlogLeaf
from trading.jobs import chronograph

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def opened(world, tmp_path, testapp):
    versions = [world.submit(b, world.seal(b)) for b in world.bidders]
    envelope = world.seal(world.bidders[0])  # what bidder 0 keeps: its sealed file
    first = world.bidders[0]
    versions[0] = world.submit(first, envelope)  # a second version replaces the first
    # The periodic sequencer merges them within the maximum merge delay, as promised.
    merkle.sequence(world.dbsession, world.registry["keys"], world.settings,
                    now=world.clock())
    world.clock.set(world.project.bid_deadline)
    assert chronograph.sweep_kind("project") == 1
    service = world.bids()
    files = {"envelope": tmp_path / "bid.tbid", "receipt": tmp_path / "receipt.json",
             "promise": tmp_path / "promise.json", "platform": tmp_path / "platform.pub",
             "opening": tmp_path / "opening.json", "proof": tmp_path / "proof.json"}
    files["envelope"].write_bytes(envelope)
    files["receipt"].write_text(json.dumps(service.receipt(versions[0].bid, versions[0])))
    files["promise"].write_text(json.dumps(service.log_promise(versions[0])))
    files["platform"].write_text(service.platform_public_key_pem())
    hall = world.opening().hall(world.project)
    files["opening"].write_text(json.dumps(hall))
    files["proof"].write_text(json.dumps(testapp.get(
        "/api/v1/audit/log/inclusion",
        {"seq": versions[0].audit_seq, "size": hall["log"]["size"]}).json))
    log_key = merkle.log_verifier(world.registry["keys"], world.settings).vkey()
    return world, versions, hall, files, log_key


def check(files, log_key, *extra):
    return subprocess.run(
        [sys.executable, "-m", "bid_crypto", "verify-receipt", "--platform-key",
         str(files["platform"]), str(files["receipt"]), str(files["envelope"]),
         "--promise", str(files["promise"]), "--log-key", log_key,
         "--proof", str(files["proof"]), "--opening", str(files["opening"]), *extra],
        cwd=ROOT, capture_output=True, text=True)


def test_every_opened_envelope_names_its_entry_below_the_deadline_checkpoint(opened):
    world, versions, hall, _, log_key = opened
    body, _ = tlog.open_checkpoint(hall["log"]["checkpoint"],
                                   tlog.NoteVerifier.from_vkey(log_key))
    assert body.size == hall["log"]["size"] >= len(versions)
    by_envelope = {line["envelope_sha256"]: line["log_index"] for line in hall["lines"]}
    assert set(by_envelope) == {v.envelope_sha256 for v in versions}
    for version in versions:
        leaf = world.dbsession.get(TlogLeaf, by_envelope[version.envelope_sha256])
        assert leaf.event_seq == version.audit_seq and leaf.idx < body.size
        event = world.dbsession.get(AuditEvent, leaf.event_seq)
        assert event.data["envelope_sha256"] == version.envelope_sha256


def test_a_bidder_checks_its_bid_is_in_the_opening(opened):
    *_, files, log_key = opened
    result = check(files, log_key)
    assert result.returncode == 0, result.stderr
    assert "in the opening: line of bid" in result.stdout


def test_an_envelope_left_out_of_the_opening_is_named(opened):
    world, versions, hall, files, log_key = opened
    mine = versions[0].envelope_sha256
    files["opening"].write_text(json.dumps(dict(hall, lines=[
        x for x in hall["lines"] if x["envelope_sha256"] != mine])))
    result = check(files, log_key)
    assert result.returncode != 0
    assert "left out of the opening: entry" in result.stderr


def test_an_opening_checkpoint_signed_by_another_key_is_refused(opened):
    world, _, hall, files, log_key = opened
    other = tlog.NoteSigner(merkle.log_origin(world.settings), bytes(range(64, 96)))
    body = tlog.parse_checkpoint_body(tlog.parse_note(hall["log"]["checkpoint"]).text)
    forged = dict(hall, log=dict(hall["log"], checkpoint=tlog.sign_checkpoint(body, other)))
    files["opening"].write_text(json.dumps(forged))
    result = check(files, log_key)
    assert result.returncode != 0 and "not signed by the pinned key" in result.stderr


def test_a_proof_against_a_later_checkpoint_is_not_the_deadlines(opened, testapp):
    world, versions, hall, files, log_key = opened
    merkle.sequence(world.dbsession, world.registry["keys"], world.settings,
                    now=world.clock())  # the opening's own events: a later checkpoint
    later = testapp.get("/api/v1/audit/log/inclusion", {"seq": versions[0].audit_seq}).json
    assert later["size"] > hall["log"]["size"]
    files["proof"].write_text(json.dumps(later))
    result = check(files, log_key)
    assert result.returncode != 0
    assert f"fetch the proof with size={hall['log']['size']}" in result.stderr


def test_audit_verify_names_a_line_dropped_or_pointed_elsewhere(opened):
    import sqlalchemy as sa

    from trading.bidding.models import OpeningLine
    from trading.bidding.opening_log import opening_log_problems

    world, versions, hall, *_ = opened
    db = world.dbsession
    assert opening_log_problems(db) == []
    lines = list(db.scalars(sa.select(OpeningLine).order_by(OpeningLine.id)))
    lines[1].log_index = lines[2].log_index  # names another bid's entry
    db.delete(lines[0])  # an envelope left out of the record
    db.flush()
    problems = opening_log_problems(db)
    number = world.project.number
    assert any(p.startswith(f"opening of {number}: line of bid {lines[1].bid.public_id} "
                            "names entry") for p in problems)
    assert any(f"bid {lines[0].bid.public_id} logged at entry" in p
               and "is not in the record" in p for p in problems)


def _log_writes(world):
    import sqlalchemy as sa

    statements = []
    sa.event.listen(world.dbsession.connection(), "before_cursor_execute",
                    lambda *args: statements.append(args[2]))
    return statements


def test_the_opening_takes_the_sequencers_checkpoint_and_no_lock_on_the_log(world):
    """Everything queued before the deadline is merged: the opening's long transaction
    must not take the log's lease (every other checkpoint would wait for its commit)."""
    versions = [world.submit(b, world.seal(b)) for b in world.bidders]
    cp = merkle.sequence(world.dbsession, world.registry["keys"], world.settings,
                         now=world.clock())
    world.clock.set(world.project.bid_deadline)
    statements = _log_writes(world)
    assert chronograph.sweep_kind("project") == 1
    hall = world.opening().hall(world.project)
    assert hall["log"]["size"] == cp.size
    assert {line["log_index"] for line in hall["lines"]} == {
        merkle.leaf_of_event(world.dbsession, v.audit_seq).idx for v in versions}
    assert not [s for s in statements if "tlog_state" in s and not s.startswith("SELECT")]


def test_a_bid_still_queued_at_the_deadline_is_merged_by_the_opening(world):
    versions = [world.submit(b, world.seal(b)) for b in world.bidders]  # no sequencer ran
    world.clock.set(world.project.bid_deadline)
    statements = _log_writes(world)
    assert chronograph.sweep_kind("project") == 1
    hall = world.opening().hall(world.project)
    for version in versions:
        leaf = merkle.leaf_of_event(world.dbsession, version.audit_seq)
        assert leaf.idx < hall["log"]["size"]
    assert sorted(line["log_index"] for line in hall["lines"]) == sorted(
        merkle.leaf_of_event(world.dbsession, v.audit_seq).idx for v in versions)
    assert [s for s in statements if s.startswith("UPDATE tlog_state")]
