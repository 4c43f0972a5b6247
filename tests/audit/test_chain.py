"""The frozen hash chain (before issue #17): a migrated database holds its events, the
chain up to AuditHead still verifies, and its signed checkpoints stay checkable offline."""

import pytest
import sqlalchemy as sa

from trading.actor import Actor
from trading.audit.models import AuditCheckpoint, AuditEvent, AuditHead, TlogPending
from trading.audit.protection import suspended
from trading.audit.service import (
    chain_hash,
    checkpoint_message,
    record,
    row_payload,
    sign_checkpoint,
    verify_chain,
)
from trading.keys import verify_signature

ACTOR = Actor(7, "center1", 3, "center", "192.0.2.9", "req-1")


def append(dbsession, clock, n=3):
    """Events as the chain wrote them before the log: the head bumped, each event chained
    onto the previous one, and (as the migration does) queued for the log under its seq."""
    events = []
    for i in range(n):
        head = dbsession.get(AuditHead, 1)
        event = AuditEvent(seq=head.seq + 1, occurred_at=clock(), actor_user_id=ACTOR.user_id,
                           actor_label=ACTOR.label, on_behalf_of_org_id=ACTOR.organisation_id,
                           ip=ACTOR.ip, request_id=ACTOR.request_id, action="test.happened",
                           subject_type="thing", subject_id=str(i), data={"n": i},
                           result="success", prev_hash=head.hash)
        event.hash = chain_hash(head.hash, row_payload(event))
        dbsession.add_all([event, TlogPending(id=event.seq, queued_at=clock())])
        head.seq, head.hash = event.seq, event.hash
        dbsession.flush()
        events.append(event)
    return events


def test_new_events_leave_the_chain_head_alone(dbsession, clock):
    """Since issue #17 an event takes no shared lock: the head row does not move."""
    chained = append(dbsession, clock, 2)
    head = dbsession.get(AuditHead, 1)
    fresh = record(dbsession, ACTOR, "test.happened", "thing", 9, now=clock())
    dbsession.flush()
    assert (head.seq, head.hash) == (chained[-1].seq, chained[-1].hash)
    assert fresh.prev_hash == "" and fresh.seq > chained[-1].seq
    assert verify_chain(dbsession).ok and verify_chain(dbsession).count == 2


def test_events_chain_onto_each_other(dbsession, clock):
    first, second, third = append(dbsession, clock)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert [e.seq for e in (first, second, third)] == [first.seq, first.seq + 1, first.seq + 2]
    head = dbsession.get(AuditHead, 1)
    assert (head.seq, head.hash) == (third.seq, third.hash)
    assert verify_chain(dbsession).ok


def test_editing_one_row_breaks_verification_at_that_row(dbsession, clock):
    events = append(dbsession, clock, 4)
    dbsession.flush()
    target = events[2]
    with suspended(dbsession.connection()):  # the database owner, not the application
        dbsession.execute(sa.update(AuditEvent).where(AuditEvent.seq == target.seq)
                          .values(actor_label="someone-else"))
    dbsession.expire_all()
    report = verify_chain(dbsession)
    assert not report.ok
    assert report.broken_seq == target.seq
    assert "content" in report.reason


def test_deleting_a_row_is_a_gap(dbsession, clock):
    events = append(dbsession, clock, 3)
    dbsession.flush()
    with suspended(dbsession.connection()):
        dbsession.execute(sa.delete(AuditEvent).where(AuditEvent.seq == events[1].seq))
    dbsession.expire_all()
    report = verify_chain(dbsession)
    assert not report.ok and report.broken_seq == events[2].seq and "gap" in report.reason


def test_rewriting_a_row_and_its_hash_breaks_the_next_link(dbsession, clock):
    events = append(dbsession, clock, 3)
    dbsession.flush()
    victim = events[0]
    victim.data = {"n": 999}
    victim.hash = chain_hash(victim.prev_hash, row_payload(victim))
    with suspended(dbsession.connection()):
        dbsession.flush()
    dbsession.expire_all()
    report = verify_chain(dbsession)
    assert report.broken_seq == events[1].seq and "prev_hash" in report.reason


def test_floats_are_refused_in_audit_data(dbsession, clock):
    import pytest

    with pytest.raises(TypeError, match="float"):
        record(dbsession, ACTOR, "x.y", "thing", 1, now=clock(), price=1.5)


def test_checkpoints_are_signed_and_idempotent(dbsession, clock, registry):
    append(dbsession, clock, 2)
    keys = registry["keys"]
    cp = sign_checkpoint(dbsession, keys, now=clock())
    assert sign_checkpoint(dbsession, keys, now=clock()) is cp
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(AuditCheckpoint)) >= 1
    message = checkpoint_message(cp.seq, cp.head_hash)
    assert verify_signature(keys.public_key_bytes, message, bytes.fromhex(cp.signature))
    assert not verify_signature(keys.public_key_bytes, message + b"x",
                                bytes.fromhex(cp.signature))


def test_public_checkpoint_page_and_json(testapp, dbsession, clock, registry):
    append(dbsession, clock, 1)
    sign_checkpoint(dbsession, registry["keys"], now=clock())
    assert "审计日志签名存证" in testapp.get("/audit/checkpoints").text
    data = testapp.get("/api/v1/audit/checkpoints").json
    assert data["key_id"] == registry["keys"].key_id and data["checkpoints"]


def test_log_filters_by_actor_action_subject_and_period(testapp, dbsession, clock, settings):
    from factories import make_user

    from trading.accounts.models import Role

    make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="l_sup")
    record(dbsession, ACTOR, "test.filtered", "thing", 77, now=clock())
    testapp.login("l_sup")
    page = testapp.get("/audit/log", {"actor": "center1", "action": "test.filtered",
                                      "subject_type": "thing", "subject_id": "77",
                                      "date_from": clock().date().isoformat()})
    assert "test.filtered" in page.text and "thing #77" in page.text
    empty = testapp.get("/audit/log", {"actor": "nobody"})
    assert "test.filtered" not in empty.text
    assert testapp.get("/audit/log", {"date_from": "2026-13-40"}, status=400)


@pytest.mark.slow
def test_outsiders_check_saved_checkpoints_offline(testapp, dbsession, clock, registry,
                                                   tmp_path):
    """`trading audit checkpoints FILE --platform-key KEY`: no ini, no database; a forged
    signature, another key, a file that brings its own key, or no pinned key at all fails
    with a clear line."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    append(dbsession, clock, 2)
    sign_checkpoint(dbsession, registry["keys"], now=clock())
    append(dbsession, clock, 1)
    sign_checkpoint(dbsession, registry["keys"], now=clock())
    doc = testapp.get("/api/v1/audit/checkpoints").json
    trading = str(Path(sys.executable).with_name("trading"))

    def run(document, *extra):
        path = tmp_path / "checkpoints.json"
        path.write_text(document if isinstance(document, str) else json.dumps(document))
        return subprocess.run([trading, "audit", "checkpoints", str(path), *extra],
                              capture_output=True, text=True)

    ok = run(doc, "--platform-key", doc["public_key"])
    assert ok.returncode == 0 and "audit checkpoints valid: 2 signed" in ok.stdout
    unpinned = run(doc)
    assert unpinned.returncode == 2 and "--platform-key is required" in unpinned.stderr
    assert "valid" not in unpinned.stdout
    forged = json.loads(json.dumps(doc))
    forged["checkpoints"][0]["head_hash"] = "0" * 64
    bad = run(forged, "--platform-key", doc["public_key"])
    seq = forged["checkpoints"][0]["seq"]
    assert bad.returncode == 1 and f"checkpoint seq {seq}: signature does not verify" in bad.stdout
    other = run(doc, "--platform-key", (b"k" * 32).hex())
    assert other.returncode == 1 and "another key" in other.stdout
    # A history the operator rewrote and re-signed with a key of his own, which he also
    # wrote into the file: the file's key is never trusted, the pinned one decides.
    rogue = _rogue_document(doc)
    fooled = run(rogue, "--platform-key", doc["public_key"])
    assert fooled.returncode == 1 and "signed by another key" in fooled.stdout
    assert run(rogue, "--platform-key", rogue["public_key"]).returncode == 0
    broken = run("{not json", "--platform-key", doc["public_key"])
    assert broken.returncode == 1 and "not a checkpoints document" in broken.stdout
    garbled = run(doc, "--platform-key", "not a key!")
    assert garbled.returncode == 2 and "neither hex nor base64" in garbled.stderr


def _rogue_document(doc: dict) -> dict:
    """`doc` with every checkpoint re-signed by a fresh Ed25519 key named in the file."""
    import base64
    import json

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    rogue = json.loads(json.dumps(doc))
    rogue["public_key"] = base64.b64encode(raw).decode()
    rogue["public_keys"] = {"rogue": rogue["public_key"]}
    for cp in rogue["checkpoints"]:
        cp["head_hash"], cp["key_id"] = "1" * 64, "rogue"
        cp["signature"] = key.sign(checkpoint_message(int(cp["seq"]), cp["head_hash"])).hex()
    return rogue


@pytest.mark.slow
def test_sm2_checkpoints_verify_offline_beside_earlier_ed25519_ones(
        testapp, dbsession, clock, registry, tmp_path, monkeypatch):
    """`audit.checkpoint_algorithm = sm2` (国密): later checkpoints are SM2-signed; the
    published document names every key by id, so the earlier Ed25519 ones still verify."""
    import dataclasses
    import json
    import subprocess
    import sys
    from pathlib import Path

    keys = registry["keys"]
    append(dbsession, clock, 1)
    sign_checkpoint(dbsession, keys, now=clock())
    sm2_keys = dataclasses.replace(keys, checkpoint_algorithm="sm2")
    monkeypatch.setitem(registry, "keys", sm2_keys)
    append(dbsession, clock, 1)
    cp = sign_checkpoint(dbsession, sm2_keys, now=clock())
    assert cp.key_id == sm2_keys.key_id_for("sm2") != keys.key_id
    message = checkpoint_message(cp.seq, cp.head_hash)
    assert verify_signature(keys.public_key_for("sm2"), message, bytes.fromhex(cp.signature))
    doc = testapp.get("/api/v1/audit/checkpoints").json
    assert doc["algorithm"].startswith("SM2") and len(doc["public_keys"]) == 2
    path = tmp_path / "checkpoints.json"
    path.write_text(json.dumps(doc))
    trading = str(Path(sys.executable).with_name("trading"))
    both = [arg for raw in (keys.public_key_bytes, keys.public_key_for("sm2"))
            for arg in ("--platform-key", raw.hex())]
    ok = subprocess.run([trading, "audit", "checkpoints", str(path), *both],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "audit checkpoints valid: 2 signed" in ok.stdout, ok.stdout
    pinned = subprocess.run([trading, "audit", "checkpoints", str(path), "--platform-key",
                             doc["public_key"]], capture_output=True, text=True)
    assert pinned.returncode == 1 and "signed by another key" in pinned.stdout


def test_the_chains_events_are_the_logs_first_entries(dbsession, clock, registry, settings):
    from trading.audit.merkle import sequence, verify_log
    from trading.audit.models import TlogLeaf

    chained = append(dbsession, clock, 3)
    fresh = record(dbsession, ACTOR, "test.happened", "thing", 9, now=clock())
    sequence(dbsession, registry["keys"], settings, now=clock())
    leaves = list(dbsession.scalars(sa.select(TlogLeaf).order_by(TlogLeaf.idx)))
    assert [leaf.event_seq for leaf in leaves] == [e.seq for e in (*chained, fresh)]
    assert verify_chain(dbsession).ok
    assert verify_log(dbsession, registry["keys"], settings).ok
