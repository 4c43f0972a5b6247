"""The audit transparency log (issue #17): appends without a shared lock, the sequencer,
signed checkpoints, proofs, and `verify_log` against an operator rewriting the database."""

import dataclasses

import pytest
import sqlalchemy as sa

from bid_crypto import tlog
from trading.actor import Actor
from trading.audit import merkle
from trading.audit.models import (
    AuditEvent,
    TlogCheckpoint,
    TlogHash,
    TlogLeaf,
    TlogPending,
    TlogState,
)
from trading.audit.protection import suspended
from trading.audit.service import record

ACTOR = Actor(7, "center1", 3, "center", "192.0.2.9", "req-1")


def append(dbsession, clock, n=3, **kw):
    events = [record(dbsession, ACTOR, "test.logged", "thing", i, now=clock(), n=i, **kw)
              for i in range(n)]
    dbsession.flush()
    return events


@pytest.fixture
def log(dbsession, registry, settings, clock):
    keys = registry["keys"]

    class Log:
        def sequence(self):
            return merkle.sequence(dbsession, keys, settings, now=clock())

        def verify(self, **kw):
            dbsession.expire_all()
            return merkle.verify_log(dbsession, keys, settings, **kw)

        verifier = merkle.log_verifier(keys, settings)

    return Log()


def _opened(cp, verifier):
    body, _note = tlog.open_checkpoint(cp.note, verifier)
    return body


def test_recording_an_event_updates_no_shared_row(dbsession, clock):
    """The appender's statements: INSERTs only, no UPDATE of a head or counter row that
    every other transaction would have to wait for."""
    statements = []
    connection = dbsession.connection()

    def capture(conn, cursor, statement, *args):
        statements.append(statement.split()[0].upper())

    sa.event.listen(connection, "before_cursor_execute", capture)
    try:
        record(dbsession, ACTOR, "test.logged", "thing", 1, now=clock())
        dbsession.flush()
    finally:
        sa.event.remove(connection, "before_cursor_execute", capture)
    assert statements and set(statements) == {"INSERT"}, statements


def test_an_empty_log_signs_nothing(dbsession, log):
    assert log.sequence() is None
    assert log.verify().ok


def test_every_event_gets_a_leaf_an_inclusion_proof_and_a_signed_head(
        dbsession, clock, log):
    events = append(dbsession, clock, 5)
    cp = log.sequence()
    body = _opened(cp, log.verifier)
    assert body.size == cp.size == 5 and body.origin == "localhost:6543/audit/log"
    leaves = list(dbsession.scalars(sa.select(TlogLeaf).order_by(TlogLeaf.idx)))
    assert [leaf.event_seq for leaf in leaves] == [e.seq for e in events]
    for leaf, event in zip(leaves, events, strict=True):
        assert leaf.leaf_hash == event.hash
        proof = merkle.inclusion(dbsession, leaf.idx, cp.size)
        tlog.verify_inclusion(leaf.idx, cp.size, bytes.fromhex(event.hash), proof, body.root)
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(TlogPending)) == 0
    assert log.sequence() is cp  # nothing new: the same checkpoint
    assert log.verify().ok


def test_checkpoints_are_consistent_and_old_inclusion_proofs_still_hold(dbsession, clock, log):
    first_events = append(dbsession, clock, 3)
    first = log.sequence()
    append(dbsession, clock, 4)
    second = log.sequence()
    old, new = _opened(first, log.verifier), _opened(second, log.verifier)
    proof = merkle.consistency(dbsession, old.size, new.size)
    tlog.verify_consistency(old.size, new.size, old.root, new.root, proof)
    leaf = merkle.leaf_of_event(dbsession, first_events[1].seq)
    tlog.verify_inclusion(leaf.idx, old.size, bytes.fromhex(leaf.leaf_hash),
                          merkle.inclusion(dbsession, leaf.idx, old.size), old.root)
    with pytest.raises(tlog.ProofError, match="rollback"):
        tlog.verify_consistency(new.size, old.size, new.root, old.root, proof)
    report = log.verify()
    assert report.ok and report.size == 7 and report.checkpoints == 2


def test_queued_events_verify_before_the_sequencer_runs(dbsession, clock, log):
    append(dbsession, clock, 2)
    log.sequence()
    append(dbsession, clock, 2)
    report = log.verify()
    assert report.ok and report.size == 2


def test_a_rewritten_entry_is_named(dbsession, clock, log):
    events = append(dbsession, clock, 4)
    log.sequence()
    with suspended(dbsession.connection()):
        dbsession.execute(sa.update(AuditEvent).where(AuditEvent.seq == events[2].seq)
                          .values(subject_id="42"))
    report = log.verify()
    assert f"entry 2 (event seq {events[2].seq}): the event was rewritten" in report.problems[0]


def test_a_rewritten_entry_with_its_leaf_and_hashes_fails_the_signed_checkpoint(
        dbsession, clock, log):
    """The operator recomputes the leaf and every stored hash: the checkpoint still holds
    the old root."""
    events = append(dbsession, clock, 4)
    log.sequence()
    with suspended(dbsession.connection()):
        dbsession.execute(sa.update(AuditEvent).where(AuditEvent.seq == events[0].seq)
                          .values(subject_id="42"))
        dbsession.expire_all()
        _rebuild_tree(dbsession)
    report = log.verify()
    assert any("checkpoint at size 4 does not match the log" in p for p in report.problems)


def _rebuild_tree(dbsession):
    """What an operator holding the database does to hide a rewrite: recompute it all."""
    from trading.audit.service import event_leaf_hash

    leaves = list(dbsession.scalars(sa.select(TlogLeaf).order_by(TlogLeaf.idx)))
    dbsession.execute(sa.delete(TlogHash))
    frontier = []
    for leaf in leaves:
        h = event_leaf_hash(dbsession.get(AuditEvent, leaf.event_seq))
        leaf.leaf_hash = h.hex()
        event = dbsession.get(AuditEvent, leaf.event_seq)
        event.hash = h.hex()
        for level, index, value in tlog.new_stored_hashes(leaf.idx, h, frontier):
            dbsession.add(TlogHash(level=level, idx=index, hash=value.hex()))
        frontier = tlog.append_frontier(frontier, leaf.idx, h)
    state = dbsession.get(TlogState, merkle.STATE_ID)
    state.root = tlog.root_from_frontier(frontier).hex()
    dbsession.flush()


def test_a_truncated_log_fails_against_its_signed_checkpoint(dbsession, clock, log):
    append(dbsession, clock, 5)
    log.sequence()
    with suspended(dbsession.connection()):
        dbsession.execute(sa.delete(TlogLeaf).where(TlogLeaf.idx >= 3))
        dbsession.execute(sa.delete(AuditEvent).where(AuditEvent.seq.not_in(
            sa.select(TlogLeaf.event_seq))))
        dbsession.execute(sa.delete(TlogHash).where(TlogHash.idx >= 3, TlogHash.level == 0))
        dbsession.execute(sa.delete(TlogHash).where(TlogHash.level > 0, TlogHash.idx >= 1))
        state = dbsession.get(TlogState, merkle.STATE_ID)
        state.size = 3
        dbsession.flush()
    report = log.verify()
    assert any("log truncated: a checkpoint signed at size 5, the log holds 3 entries" in p
               for p in report.problems), report.problems


def test_an_event_that_skips_the_log_is_named(dbsession, clock, log):
    events = append(dbsession, clock, 2)
    dbsession.execute(sa.delete(TlogPending).where(TlogPending.id == events[1].seq))
    log.sequence()
    report = log.verify()
    assert report.problems == [f"event seq {events[1].seq} is neither in the log nor queued "
                               "for it"]


def test_a_checkpoint_signed_by_another_key_is_refused(dbsession, clock, log, settings,
                                                       registry):
    append(dbsession, clock, 2)
    cp = log.sequence()
    other = tlog.NoteSigner(merkle.log_origin(settings), bytes(range(100, 132)))
    forged = tlog.sign_checkpoint(tlog.Checkpoint(merkle.log_origin(settings), 3, b"\1" * 32),
                                  other)
    dbsession.add(TlogCheckpoint(size=3, root=(b"\1" * 32).hex(), note=forged,
                                 signed_at=clock()))
    dbsession.flush()
    report = log.verify()
    assert report.problems == ["checkpoint at size 3: the note is not signed by the pinned "
                               f"key {merkle.log_origin(settings)}"]
    # A verifier that pins another key refuses the platform's own checkpoints too.
    pinned = log.verify(verifier=other.verifier)
    assert any(f"checkpoint at size {cp.size}" in p for p in pinned.problems)


def test_a_late_merge_breaks_a_receipts_promise(dbsession, clock, log, settings):
    promised = append(dbsession, clock, 1, promise=True)[0]
    clock.advance(seconds=merkle.max_merge_delay(settings).total_seconds() + 1)
    log.sequence()
    report = log.verify()
    assert len(report.problems) == 1
    assert f"event seq {promised.seq}): promise broken: merged 301 s after" in report.problems[0]


def test_sequencing_again_logs_no_event_twice(dbsession, clock, log):
    append(dbsession, clock, 3)
    first = log.sequence()
    second = log.sequence()
    assert first is second
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(TlogLeaf)) == 3


def test_the_log_tables_are_append_only(dbsession, clock, log):
    append(dbsession, clock, 1)
    log.sequence()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with dbsession.begin_nested():
            dbsession.execute(sa.update(TlogLeaf).values(leaf_hash="0" * 64))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with dbsession.begin_nested():
            dbsession.execute(sa.delete(TlogCheckpoint))


def test_keys_dataclass_signer_is_the_platform_key(registry, settings):
    keys = registry["keys"]
    assert merkle.log_verifier(keys, settings).public_raw == keys.public_key_bytes
    other = dataclasses.replace(keys, signing_seed=bytes(32))
    assert merkle.log_verifier(other, settings).public_raw != keys.public_key_bytes

