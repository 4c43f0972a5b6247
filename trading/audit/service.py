"""Writing audit events, and checking the hash chain they used to form.

Until issue #17 every event was chained: hash = SHA-256(prev_hash ‖ canonical row), where
the canonical row is the JSON of the event's fields with sorted keys, UTF-8, no whitespace,
and appenders bumped the single AuditHead row first — one lock for the whole platform.
That chain is frozen where the migration found it (AuditHead no longer moves) and still
verifies. Events written since go to the Merkle log (merkle.py): `record` inserts the
event and a TlogPending row in the caller's transaction, taking no shared lock; the
event's `hash` is its RFC 9162 leaf hash, SHA-256(0x00 ‖ canonical row), and `prev_hash`
is empty.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached

from bid_crypto import tlog

from ..actor import Actor
from ..db import mark_written
from .models import GENESIS_HASH, AuditCheckpoint, AuditEvent, AuditHead, TlogPending

HEAD_ID = 1


def canonical_json(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _reject_floats(value, path="data"):
    # Floats print differently across databases and drivers: the chain would not verify.
    if isinstance(value, float):
        raise TypeError(f"audit {path} holds a float; use int or str")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_floats(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _reject_floats(item, f"{path}[{i}]")


def row_payload(event: AuditEvent) -> dict:
    payload = {
        "seq": event.seq,
        "occurred_at": _instant(event.occurred_at),
        "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label,
        "on_behalf_of_org_id": event.on_behalf_of_org_id,
        "ip": event.ip,
        "request_id": event.request_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "data": event.data,
    }
    if event.result is not None:  # rows from before the column keep their hashes
        payload["result"] = event.result
    return payload


def chain_hash(prev_hash: str, payload: dict) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(payload)).hexdigest()


def leaf_data(event: AuditEvent) -> bytes:
    """The bytes a log leaf commits to: the canonical row, as the chain hashed it."""
    return canonical_json(row_payload(event))


def event_leaf_hash(event: AuditEvent) -> bytes:
    return tlog.leaf_hash(leaf_data(event))


def record(
    dbsession,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id,
    *,
    now: datetime,
    outcome: str = "success",
    promise: bool = False,
    **data,
) -> AuditEvent:
    """Append one event in the caller's transaction. `data` holds no secrets or bid contents;
    `outcome` is the record's result (success, failure, refused); `promise` says a receipt
    promises the event's inclusion within the maximum merge delay from `now`.

    The event's seq is the id of its queue row: unique without a shared lock, but neither
    gapless nor in commit order — the log index the sequencer assigns is both."""
    _reject_floats(data)
    # Two core INSERT statements, not a unit-of-work flush per row: the ORM's bookkeeping
    # cost more CPU than the INSERTs did in a deadline rush (issue #19). Pending rows are
    # flushed first: the event may name a row made just before.
    dbsession.flush()
    connection = dbsession.connection()
    seq = connection.execute(_QUEUE, {"queued_at": now, "promised": promise}).scalar_one()
    event = AuditEvent(
        seq=seq,
        occurred_at=now,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        on_behalf_of_org_id=actor.organisation_id,
        ip=actor.ip,
        request_id=actor.request_id,
        action=str(action),
        subject_type=subject_type,
        subject_id=str(subject_id),
        data=json.loads(canonical_json(data)),
        result=outcome,
        prev_hash="",
    )
    event.hash = event_leaf_hash(event).hex()
    connection.execute(_EVENT, {c: getattr(event, c) for c in _EVENT_COLUMNS})
    mark_written(dbsession)
    # The row is written: the object joins the session as loaded, so callers read it (and
    # a later change to it is flushed) as if the session had inserted it.
    make_transient_to_detached(event)
    dbsession.add(event)
    return event


_QUEUE = sa.insert(TlogPending.__table__).returning(TlogPending.__table__.c.id)
_EVENT = sa.insert(AuditEvent.__table__)
_EVENT_COLUMNS = tuple(c.key for c in AuditEvent.__table__.columns)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(dbsession, batch: int = 2000) -> ChainReport:
    """Recompute every link of the frozen chain (the events up to AuditHead); report the
    first one that does not hold. Later events are the Merkle log's (merkle.verify_log)."""
    prev, expected_seq, count = GENESIS_HASH, 1, 0
    head = dbsession.get(AuditHead, HEAD_ID)
    last = head.seq if head is not None else 0
    query = (sa.select(AuditEvent).where(AuditEvent.seq <= last).order_by(AuditEvent.seq)
             .execution_options(yield_per=batch))
    for event in dbsession.scalars(query):
        problem = _link_problem(event, expected_seq, prev)
        if problem:
            return ChainReport(False, count, prev, event.seq, problem)
        prev, expected_seq, count = event.hash, expected_seq + 1, count + 1
    if head is not None and (head.seq, head.hash) != (count, prev):
        return ChainReport(False, count, prev, head.seq, "head does not match the last event")
    return ChainReport(True, count, prev)


def _link_problem(event: AuditEvent, expected_seq: int, prev: str) -> str:
    if event.seq != expected_seq:
        return f"gap: expected seq {expected_seq}"
    if event.prev_hash != prev:
        return "prev_hash does not match the previous event"
    if chain_hash(prev, row_payload(event)) != event.hash:
        return "row content does not match its hash"
    return ""


def checkpoint_message(seq: int, head_hash: str) -> bytes:
    return canonical_json({"seq": seq, "head_hash": head_hash, "chain": "trading-audit-v1"})


def sign_checkpoint(dbsession, keys, *, now: datetime) -> AuditCheckpoint | None:
    """Sign the current head unless it is already signed. Safe to run repeatedly."""
    head = dbsession.get(AuditHead, HEAD_ID)
    if head is None or head.seq == 0:
        return None
    exists = dbsession.scalar(
        sa.select(AuditCheckpoint).where(AuditCheckpoint.seq == head.seq)
    )
    if exists:
        return exists
    cp = AuditCheckpoint(
        seq=head.seq,
        head_hash=head.hash,
        signed_at=now,
        key_id=keys.key_id_for(keys.checkpoint_algorithm),
        signature=keys.sign(checkpoint_message(head.seq, head.hash),
                            keys.checkpoint_algorithm).hex(),
    )
    dbsession.add(cp)
    dbsession.flush()
    return cp
