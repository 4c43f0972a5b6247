"""The audit transparency log (issue #17): sequencer, proofs, checkpoints, verification.

Appending takes no platform-wide lock: `service.record` inserts the event and a queue row
(TlogPending) in the business transaction. The sequencer — one at a time, under the
TlogState row lock, which nothing else takes — moves committed queue rows into the tree in
queue order, stores every complete subtree hash (bid_crypto.tlog.new_stored_hashes) so any
inclusion or consistency proof is a few indexed reads, and signs a C2SP checkpoint with the
platform's Ed25519 key. The events of the frozen hash chain were queued by the migration,
so they are the log's first entries, in seq order.

Times: a leaf keeps `queued_at` (the business transaction's clock, which a receipt's
promise states) and `integrated_at` (the sequencer's clock). Only receipts promise a merge
delay; a demo or a test that backdates a bid also sequences on that clock, so both times
are the same clock's.
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bid_crypto import tlog

from ..db import mark_written
from ..errors import DomainError, NotFound
from .models import (
    AuditEvent,
    TlogCheckpoint,
    TlogCosignature,
    TlogHash,
    TlogLeaf,
    TlogPending,
    TlogState,
)
from .service import event_leaf_hash, leaf_data

STATE_ID = 1
# Set only while the demo loads (trading.demo.load_demo): merge at each event's own time.
MERGE_AS_QUEUED = "audit.demo_merge_as_queued"
DEFAULT_MAX_MERGE_DELAY = 300  # seconds; audit.max_merge_delay


def log_origin(settings) -> str:
    """The log's name in its checkpoints: `audit.log_origin`, else the public host's."""
    origin = str(settings.get("audit.log_origin") or "")
    if origin:
        return origin
    public = str(settings.get("trading.public_url") or "").split("://", 1)[-1].strip("/")
    return f"{public or 'trading.invalid'}/audit/log"


def max_merge_delay(settings) -> timedelta:
    return timedelta(seconds=int(settings.get("audit.max_merge_delay")
                                 or DEFAULT_MAX_MERGE_DELAY))


def log_signer(keys, settings) -> tlog.NoteSigner:
    return _note_signer(log_origin(settings), keys.signing_seed)


@functools.lru_cache(maxsize=8)
def _note_signer(origin: str, seed: bytes) -> tlog.NoteSigner:
    # One per key and origin in a process: it keeps its loaded key and its verifier (every
    # bid upload signs a promise and names the log key).
    return tlog.NoteSigner(origin, seed)


def log_verifier(keys, settings) -> tlog.NoteVerifier:
    return log_signer(keys, settings).verifier


# -- sequencing -----------------------------------------------------------------------------


class LogBusy(Exception):
    """SQLite's one writer lock stayed taken past the busy timeout (a long write, such as
    an opening, holds it): nothing was integrated; the sequencer tries again."""


def _take_writer_lock(dbsession) -> None:
    """SQLite: take the database's write lock before anything else (BEGIN IMMEDIATE), so
    the busy timeout waits for the current writer instead of a read turning into a write
    that fails. A transaction that has already written holds the lock; PostgreSQL needs
    nothing here (its row lock waits)."""
    connection = dbsession.connection()
    if connection.dialect.name != "sqlite":
        return
    if connection.connection.driver_connection.in_transaction:
        return
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except sa.exc.OperationalError as exc:
        if "locked" in str(exc.orig):
            raise LogBusy("the database's write lock is held by another writer") from exc
        raise


def _lock_state(dbsession, now: datetime) -> TlogState:
    """The sequencer's lease: an UPDATE takes the row lock (PostgreSQL) or the write lock
    (SQLite) until commit, so a second sequencer waits and then sees the first's work."""
    _take_writer_lock(dbsession)
    taken = dbsession.execute(sa.update(TlogState).where(TlogState.id == STATE_ID)
                              .values(updated_at=now)).rowcount
    if not taken:
        dbsession.add(TlogState(id=STATE_ID, size=0, root=tlog.EMPTY_ROOT.hex(),
                                updated_at=now))
        dbsession.flush()
    state = dbsession.get(TlogState, STATE_ID)
    dbsession.refresh(state)
    return state


def _frontier(dbsession, size: int) -> list[bytes]:
    ids = tlog.frontier_ids(size)
    found = read_hashes(dbsession, ids)
    return [found[i] for i in ids]


def _queued_leaves(dbsession, batch: int) -> list[tuple[TlogPending, bytes | None]]:
    """The oldest `batch` committed queue rows with their events' leaf hashes (None for a
    row that is not an event's): read and hashed before the lease is taken, so the lock is
    held only to append."""
    queued = list(dbsession.scalars(sa.select(TlogPending).order_by(TlogPending.id)
                                    .limit(batch)))
    if not queued:
        return []
    events = {e.seq: e for e in dbsession.scalars(
        sa.select(AuditEvent).where(AuditEvent.seq.in_([p.id for p in queued])))}
    return [(p, event_leaf_hash(events[p.id]) if p.id in events else None) for p in queued]


def sequence(dbsession, keys, settings, *, now: datetime, batch: int = 2000,
             as_queued: bool = False) -> TlogCheckpoint | None:
    """Integrate the committed queue (up to `batch` events) and sign the new tree head.

    Returns the checkpoint of the current tree (None while the log is empty). `as_queued`
    is for demo data only, written on demo clocks that lie in the past: each event is
    merged at its own queue time, as a sequencer running back then would have merged it,
    so its receipt's promise is judged on one clock. Raises LogBusy on SQLite when another
    writer held the database past the busy timeout."""
    as_queued = as_queued or bool(settings.get(MERGE_AS_QUEUED))
    queued = _queued_leaves(dbsession, batch)
    state = _lock_state(dbsession, now)
    if queued:  # a sequencer that held the lease before us may have taken some
        left = set(dbsession.scalars(sa.select(TlogPending.id).where(
            TlogPending.id.in_([p.id for p, _leaf in queued]))))
        queued = [(p, leaf) for p, leaf in queued if p.id in left]
    if queued:
        size, frontier = state.size, _frontier(dbsession, state.size)
        leaves, hashes = [], []
        for pending, leaf in queued:
            if leaf is None:  # not an event's queue row: nothing to log
                continue
            leaves.append({"idx": size, "event_seq": pending.id, "leaf_hash": leaf.hex(),
                           "queued_at": pending.queued_at,
                           "integrated_at": pending.queued_at if as_queued else now,
                           "promised": pending.promised})
            hashes += [{"level": lv, "idx": ix, "hash": h.hex()}
                       for lv, ix, h in tlog.new_stored_hashes(size, leaf, frontier)]
            frontier = tlog.append_frontier(frontier, size, leaf)
            size += 1
        # Core executemany INSERTs on the session's connection: the ORM's bulk insert
        # spent more CPU per row than the INSERT did (issue #18: the demo's 7 000 rows).
        connection = dbsession.connection()
        if leaves:
            connection.execute(TlogLeaf.__table__.insert(), leaves)
            connection.execute(TlogHash.__table__.insert(), hashes)
            mark_written(dbsession)
        dbsession.execute(sa.delete(TlogPending)
                          .where(TlogPending.id.in_([p.id for p, _leaf in queued])))
        state.size, state.root = size, tlog.root_from_frontier(frontier).hex()
        dbsession.flush()
    return _sign(dbsession, keys, settings, state, now)


def drain(dbsession, keys, settings, *, now: datetime) -> TlogCheckpoint | None:
    """Sequence until the queue is empty and sign the tree head: every event committed
    before (and every one this transaction wrote) gets its leaf below the returned
    checkpoint. An opening's deadline and a draw's freeze take their checkpoint so."""
    while True:
        checkpoint = sequence(dbsession, keys, settings, now=now)
        if dbsession.scalar(sa.select(TlogPending.id).limit(1)) is None:
            return checkpoint


def _sign(dbsession, keys, settings, state: TlogState, now: datetime):
    if state.size == 0:
        return None
    existing = dbsession.get(TlogCheckpoint, state.size)
    if existing is not None:
        return existing
    body = tlog.Checkpoint(log_origin(settings), state.size, bytes.fromhex(state.root))
    cp = TlogCheckpoint(size=state.size, root=state.root, signed_at=now,
                        note=tlog.sign_checkpoint(body, log_signer(keys, settings)))
    dbsession.add(cp)
    dbsession.flush()
    return cp


# -- reading proofs -------------------------------------------------------------------------


def read_hashes(dbsession, ids) -> dict[tuple[int, int], bytes]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    rows = dbsession.execute(sa.select(TlogHash.level, TlogHash.idx, TlogHash.hash).where(
        sa.or_(*[sa.and_(TlogHash.level == lv, TlogHash.idx == ix) for lv, ix in ids])))
    found = {(lv, ix): bytes.fromhex(h) for lv, ix, h in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise LookupError(f"the log has no stored hash for subtree {missing[0]}")
    return found


def _reader(dbsession):
    return lambda ids: read_hashes(dbsession, ids)


def latest_checkpoint(dbsession) -> TlogCheckpoint | None:
    return dbsession.scalar(sa.select(TlogCheckpoint).order_by(TlogCheckpoint.size.desc())
                            .limit(1))


def checkpoint_at(dbsession, size: int | None) -> TlogCheckpoint | None:
    if size is None:
        return latest_checkpoint(dbsession)
    return dbsession.get(TlogCheckpoint, size)


def leaf_of_event(dbsession, seq: int) -> TlogLeaf | None:
    return dbsession.scalar(sa.select(TlogLeaf).where(TlogLeaf.event_seq == seq))


def inclusion(dbsession, index: int, size: int) -> list[bytes]:
    return tlog.inclusion_proof(index, size, _reader(dbsession))


def consistency(dbsession, old: int, new: int) -> list[bytes]:
    return tlog.consistency_proof(old, new, _reader(dbsession))


# -- what the API and the CLI publish (one shape for both) ---------------------------------


class ProofRefused(DomainError):
    """A proof asked for sizes the log cannot prove (beyond its head, backwards)."""

    code = "proof_refused"


def checkpoint_doc(cp: TlogCheckpoint, keys, settings) -> dict:
    cosigs = list(cp_cosignatures(cp))
    return {"origin": log_origin(settings), "size": cp.size, "root": tlog.b64(
        bytes.fromhex(cp.root)), "signed_at": cp.signed_at.isoformat(), "checkpoint": cp.note,
        "log_key": log_verifier(keys, settings).vkey(),
        # The note with every witness's cosignature line added (C2SP tlog-cosignature).
        "cosigned": cp.note + "".join(c.line for c in cosigs),
        "cosignatures": [{"witness": c.witness, "time": c.timestamp} for c in cosigs]}


def cp_cosignatures(cp: TlogCheckpoint):
    from sqlalchemy.orm import object_session

    return object_session(cp).scalars(sa.select(TlogCosignature).where(
        TlogCosignature.size == cp.size).order_by(TlogCosignature.witness))


def witnesses(settings) -> list[tlog.NoteVerifier]:
    """The witnesses whose cosignatures the platform keeps: their verifier keys, as
    `trading-witness keygen` prints them, one per line in `audit.witnesses` and in the file
    `audit.witnesses_file` (read on each use, so a witness added there counts at once)."""
    listed = str(settings.get("audit.witnesses") or "").split()
    path = settings.get("audit.witnesses_file")
    if path and Path(path).is_file():
        listed += Path(path).read_text(encoding="utf-8").split()
    return [tlog.NoteVerifier.from_vkey(v) for v in dict.fromkeys(listed)]


class CosignatureRefused(DomainError):
    code = "cosignature_refused"
    status = 422


def store_cosignatures(dbsession, settings, text: str, *,
                       now: datetime) -> tuple[int, list[str]]:
    """Keep the cosignatures of known witnesses on a checkpoint the log signed; returns
    the witnesses whose cosignature holds. Nothing is kept from a note that fails."""
    try:
        note = tlog.parse_note(text)
        body = tlog.parse_checkpoint_body(note.text)
    except tlog.ProofError as exc:
        raise CosignatureRefused(f"不是签名检查点：{exc}", field="checkpoint") from None
    cp = dbsession.get(TlogCheckpoint, body.size)
    if cp is None or tlog.parse_note(cp.note).text != note.text:
        raise CosignatureRefused("本日志没有签署过这个检查点（分叉或伪造）", field="checkpoint")
    stored = []
    for witness in witnesses(settings):
        if not any(s.key_id == witness.key_id for s in note.signatures):
            continue
        try:
            timestamp = tlog.verify_cosignature(note, witness)
        except tlog.ProofError as exc:
            raise CosignatureRefused(f"见证人 {witness.name} 的副署无效：{exc}",
                                     field="checkpoint") from None
        line = next(s.line() for s in note.signatures if s.key_id == witness.key_id)
        if dbsession.get(TlogCosignature, (cp.size, witness.key_id.hex())) is None:
            dbsession.add(TlogCosignature(size=cp.size, key_id=witness.key_id.hex(),
                                          witness=witness.name, timestamp=timestamp,
                                          line=line, received_at=now))
        stored.append(witness.name)
    if not stored:
        raise CosignatureRefused("没有已登记见证人的副署", field="checkpoint",
                                 code="unknown_witness")
    dbsession.flush()
    return cp.size, stored


def _signed(dbsession, size: int | None) -> TlogCheckpoint:
    cp = checkpoint_at(dbsession, size)
    if cp is None:
        raise NotFound("尚无该规模的已签名检查点" if size else "审计日志尚无已签名检查点",
                       code="no_checkpoint")
    return cp


def inclusion_doc(dbsession, keys, settings, *, seq: int, size: int | None = None) -> dict:
    """Where event `seq` sits and the path from it to the checkpoint of `size` leaves (the
    latest by default); the checkpoint itself rides along."""
    leaf = leaf_of_event(dbsession, seq)
    if leaf is None:
        queued = dbsession.get(TlogPending, seq) is not None
        raise NotFound("该事件尚在排队，稍后再取证明" if queued else "没有这个审计事件",
                       code="not_logged_yet" if queued else "not_found")
    cp = _signed(dbsession, size)
    if leaf.idx >= cp.size:
        raise ProofRefused(f"事件在第 {leaf.idx} 条，检查点只有 {cp.size} 条，请用更新的检查点",
                           field="size")
    return {"seq": seq, "index": leaf.idx, "size": cp.size, "leaf_hash": tlog.b64(
        bytes.fromhex(leaf.leaf_hash)), "integrated_at": leaf.integrated_at.isoformat(),
        "proof": [tlog.b64(h) for h in inclusion(dbsession, leaf.idx, cp.size)],
        "checkpoint": checkpoint_doc(cp, keys, settings)}


def consistency_doc(dbsession, keys, settings, *, old: int, new: int | None = None) -> dict:
    """That the checkpoint of `new` leaves (the latest by default) extends that of `old`."""
    cp = _signed(dbsession, new)
    if old > cp.size:
        raise ProofRefused(f"旧规模 {old} 大于新规模 {cp.size}：日志不会回退", field="old")
    earlier = dbsession.get(TlogCheckpoint, old)
    return {"old": old, "new": cp.size,
            "proof": [tlog.b64(h) for h in consistency(dbsession, old, cp.size)],
            "old_checkpoint": checkpoint_doc(earlier, keys, settings) if earlier else None,
            "checkpoint": checkpoint_doc(cp, keys, settings)}


def promise_doc(dbsession, keys, settings, seq: int, event: AuditEvent | None = None) -> dict:
    """A receipt's promise of inclusion: signed by the log key (deterministic Ed25519, so
    the same bytes each time it is shown), with the event row whose leaf hash it names
    (`event`, when the caller has just written it)."""
    if event is None or event.seq != seq:
        event = dbsession.get(AuditEvent, seq)
    promise = tlog.Promise(log_origin(settings), seq, event_leaf_hash(event),
                           int(event.occurred_at.timestamp()),
                           int(max_merge_delay(settings).total_seconds()))
    return {"promise": tlog.sign_promise(promise, log_signer(keys, settings)),
            "entry": leaf_data(event).decode(), "log_key": log_verifier(keys, settings).vkey(),
            "inclusion": f"/api/v1/audit/log/inclusion?seq={seq}"}


# -- verification ---------------------------------------------------------------------------


@dataclass
class LogReport:
    size: int = 0
    root: bytes = tlog.EMPTY_ROOT
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _stored_checkpoints(dbsession, verifier, origin, report) -> dict[int, bytes]:
    """Size → root of every stored checkpoint whose signature holds under `verifier`."""
    roots = {}
    for cp in dbsession.scalars(sa.select(TlogCheckpoint).order_by(TlogCheckpoint.size)):
        try:
            body, _note = tlog.open_checkpoint(cp.note, verifier, origin)
        except tlog.ProofError as exc:
            report.problems.append(f"checkpoint at size {cp.size}: {exc}")
            continue
        if body.size != cp.size or body.root.hex() != cp.root:
            report.problems.append(f"checkpoint at size {cp.size}: its row differs from "
                                   "the signed note")
        roots[body.size] = body.root
    report.checkpoints = len(roots)
    return roots


def verify_log(dbsession, keys, settings, *, verifier: tlog.NoteVerifier | None = None,
               batch: int = 2000) -> LogReport:
    """Recompute the whole tree from the events; check every stored checkpoint, every
    stored subtree hash, every event's place in the log or its queue, and every receipt's
    promise. `verifier` pins the log key (the platform's own by default)."""
    verifier = verifier or log_verifier(keys, settings)
    report = LogReport()
    roots = _stored_checkpoints(dbsession, verifier, log_origin(settings), report)
    computed = _recompute(dbsession, settings, roots, report, batch)
    _check_stored_hashes(dbsession, computed, report, batch)
    for size in sorted(s for s in roots if s > report.size):
        report.problems.append(f"log truncated: a checkpoint signed at size {size}, the log "
                               f"holds {report.size} entries")
    state = dbsession.get(TlogState, STATE_ID)
    if state is not None and (state.size, state.root) != (report.size, report.root.hex()):
        report.problems.append(f"the sequencer's tree head (size {state.size}) does not "
                               f"match the log's {report.size} entries")
    _check_cosignatures(dbsession, settings, report)
    stray = dbsession.scalar(
        sa.select(sa.func.min(AuditEvent.seq)).where(
            AuditEvent.seq.not_in(sa.select(TlogLeaf.event_seq)),
            AuditEvent.seq.not_in(sa.select(TlogPending.id))))
    if stray is not None:
        report.problems.append(f"event seq {stray} is neither in the log nor queued for it")
    return report


def _check_cosignatures(dbsession, settings, report) -> None:
    """Every kept cosignature holds on its checkpoint under a listed witness's key."""
    known = {w.key_id.hex(): w for w in witnesses(settings)}
    for row in dbsession.scalars(sa.select(TlogCosignature).order_by(TlogCosignature.size)):
        cp = dbsession.get(TlogCheckpoint, row.size)
        try:
            witness = known[row.key_id]
            note = tlog.parse_note(cp.note + row.line)
            tlog.verify_cosignature(note, witness)
        except (KeyError, AttributeError, tlog.ProofError) as exc:
            report.problems.append(f"cosignature of {row.witness} on checkpoint {row.size} "
                                   f"does not hold ({exc or 'witness not listed'})")


def _recompute(dbsession, settings, roots, report, batch) -> dict:
    delay = max_merge_delay(settings)
    frontier, size, computed = [], 0, {}
    query = (sa.select(TlogLeaf, AuditEvent)
             .join(AuditEvent, AuditEvent.seq == TlogLeaf.event_seq, isouter=True)
             .order_by(TlogLeaf.idx).execution_options(yield_per=batch))
    for leaf, event in dbsession.execute(query):
        if leaf.idx != size:
            report.problems.append(f"entry {size} is missing (log truncated or rewritten)")
            break
        problem = _entry_problem(leaf, event, delay)
        if problem:
            report.problems.append(f"entry {leaf.idx} (event seq {leaf.event_seq}): {problem}")
        stored = bytes.fromhex(leaf.leaf_hash)
        for level, index, h in tlog.new_stored_hashes(size, stored, frontier):
            computed[(level, index)] = h
        frontier = tlog.append_frontier(frontier, size, stored)
        size += 1
        root = roots.get(size)
        if root is not None and root != tlog.root_from_frontier(frontier):
            report.problems.append(f"checkpoint at size {size} does not match the log "
                                   "(an entry before it was rewritten)")
    report.size, report.root = size, tlog.root_from_frontier(frontier)
    return computed


def _entry_problem(leaf: TlogLeaf, event: AuditEvent | None, delay: timedelta) -> str:
    if event is None:
        return "its event is gone"
    if event_leaf_hash(event).hex() != leaf.leaf_hash:
        return "the event was rewritten (its leaf hash differs)"
    if not event.prev_hash and event.hash != leaf.leaf_hash:
        return "the event's stored hash differs from its leaf hash"
    if leaf.promised and leaf.integrated_at - leaf.queued_at > delay:
        late = int((leaf.integrated_at - leaf.queued_at).total_seconds())
        return (f"promise broken: merged {late} s after its receipt, the maximum merge "
                f"delay is {int(delay.total_seconds())} s")
    return ""


def _check_stored_hashes(dbsession, computed: dict, report, batch) -> None:
    query = sa.select(TlogHash).order_by(TlogHash.level, TlogHash.idx).execution_options(
        yield_per=batch)
    for row in dbsession.scalars(query):
        expected = computed.pop((row.level, row.idx), None)
        if expected is None or expected.hex() != row.hash:
            report.problems.append(f"stored subtree hash ({row.level}, {row.idx}) differs "
                                   "from the log: proofs from it would not verify")
            return
    if computed:
        report.problems.append(f"stored subtree hash {min(computed)} is missing")
