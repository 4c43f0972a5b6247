"""Logged sets (issue #17 pt 4): a draw's candidate pool and an award's inputs, provable
to an outsider like an opening's envelopes.

A domain calls `append` in the business transaction each time something puts a member
into a set (a registration, an approval, an opened quote, a signed score) or takes one
out (exclusion, withdrawal, 回避), so the entry is in the log from the moment it happens,
not written at the end by whoever fixes the list. When the set is fixed (a draw's freeze,
an award's inputs), `seal` drains the log, signs a checkpoint and reads the set's entries
below it; the record names each member's entry (and each excluded one's) by leaf index.
`doc` publishes the entries with their inclusion proofs, which `bid_crypto.logset.check`
(`python -m bid_crypto verify-set`) checks with the pinned log key alone.

Entries are audit events (action `logset.entry`, subject `logset`/key) written by a
system actor, so they carry no user id or IP and may be published once the set is fixed.
Each names its number in the set and the previous entry's event: updating the set's own
TlogSet row first (UPDATE … RETURNING) serialises the appends of one set only.
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from bid_crypto import logset as check_set
from bid_crypto import tlog

from ..actor import Actor
from ..db import mark_written
from . import merkle
from .models import AuditEvent, TlogLeaf, TlogSet
from .service import leaf_data, record

ACTION = check_set.ACTION
IN, OUT = check_set.IN, check_set.OUT
SUBJECT = "logset"
ACTOR = Actor(user_id=None, label="system:logset")


@dataclass(frozen=True)
class Entry:
    index: int
    n: int
    member: str
    kind: str
    event: AuditEvent


def _take_numbers(dbsession, key: str, count: int) -> tuple[int, int | None]:
    """The first of `count` numbers in set `key` and the set's last entry's event, taking
    the set's row lock (held until commit) as the row is bumped."""
    bumped = dbsession.connection().execute(_BUMP, {"set_key": key, "count": count}).first()
    if bumped is not None:
        mark_written(dbsession)
        return bumped[0] - count + 1, bumped[1]
    try:
        with dbsession.begin_nested():
            dbsession.add(TlogSet(key=key, size=count, last_seq=None))
        return 1, None
    except sa.exc.IntegrityError:  # a concurrent first entry made the row: wait on it
        return _take_numbers(dbsession, key, count)


# Core statements on the session's connection, not ORM ones: the ORM's bulk UPDATE (its
# session synchronisation, its compile per call) cost more CPU than the row lock did; no
# code reads a TlogSet's size or last_seq through the ORM (issue #18).
_SETS = TlogSet.__table__
_BUMP = (_SETS.update().where(_SETS.c.key == sa.bindparam("set_key"))
         .values(size=_SETS.c.size + sa.bindparam("count"))
         .returning(_SETS.c.size, _SETS.c.last_seq))
_LAST = _SETS.update().where(_SETS.c.key == sa.bindparam("set_key")).values(
    last_seq=sa.bindparam("event_seq"))


@dataclass(frozen=True)
class Put:
    """One entry to append (append_many): `member` in or out of the set, `cause`, and the
    facts that made it so."""
    member: str
    kind: str
    cause: str
    facts: dict = field(default_factory=dict)


def append(dbsession, key: str, member: str, kind: str, *, now: datetime, cause: str,
           **facts) -> AuditEvent:
    """Log that `member` enters (IN) or leaves (OUT) set `key`, and why (`cause`); `facts`
    are what made it so (published with the entry: no secrets, no personal data)."""
    return append_many(dbsession, key, [Put(member, kind, cause, facts)], now=now)[0]


def append_many(dbsession, key: str, puts, *, now: datetime) -> list[AuditEvent]:
    """Log several entries of set `key` in one go, in their order, each as `append` logs
    it (numbered, naming the previous entry's event): one row update takes all their
    numbers and the set's lock, and one names the last, where an `append` each would
    update the row twice an entry (a draw's pool of dozens, issue #18)."""
    puts = list(puts)
    for put in puts:
        if put.kind not in (IN, OUT):
            raise ValueError(f"a set entry is {IN!r} or {OUT!r}, not {put.kind!r}")
    if not puts:
        return []
    number, previous = _take_numbers(dbsession, key, len(puts))
    events = []
    for n, put in enumerate(puts, start=number):
        event = record(dbsession, ACTOR, "logset.entry", SUBJECT, key, now=now, set=key, n=n,
                       prev=previous, member=str(put.member), kind=put.kind, cause=put.cause,
                       **put.facts)
        events.append(event)
        previous = event.seq
    # record wrote each event with a core INSERT: its seq is known, no flush is needed.
    dbsession.connection().execute(_LAST, {"set_key": key, "event_seq": previous})
    return events


def begin(dbsession, key: str) -> None:
    """Start set `key` with no entries, if it has not begun: from now on it is logged (an
    empty library is a logged library, not one filled before logging began)."""
    if dbsession.get(TlogSet, key) is None:
        try:
            with dbsession.begin_nested():
                dbsession.add(TlogSet(key=key, size=0, last_seq=None))
        except sa.exc.IntegrityError:  # a concurrent transaction began it
            pass


def exists(dbsession, key: str) -> bool:
    """Whether set `key` has entries (a pool begun before sets were logged has none)."""
    found = dbsession.get(TlogSet, key)
    if found is not None:
        # Held for the session: its identity map keeps rows only weakly, and a library is
        # asked about at every expert added to it (a SELECT each once the row was dropped).
        # The map still decides: a row it expunges or expires is looked up again.
        dbsession.info.setdefault("logset.seen", {})[key] = found
    return found is not None


def current_members(dbsession, key: str) -> set[str]:
    """Who is in the set now, by every entry so far (sequenced or still queued)."""
    rows = dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id == key,
        AuditEvent.action == "logset.entry"))
    last = {}
    for event in sorted(rows, key=lambda e: int(e.data["n"])):
        last[event.data["member"]] = event.data["kind"]
    return {m for m, kind in last.items() if kind == IN}


def entries(dbsession, key: str, size: int) -> list[Entry]:
    """The set's entries below the checkpoint of `size` leaves, in their set order."""
    rows = dbsession.execute(
        sa.select(TlogLeaf.idx, AuditEvent).join(AuditEvent, AuditEvent.seq == TlogLeaf.event_seq)
        .where(AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id == key,
               AuditEvent.action == ACTION, TlogLeaf.idx < size))
    found = [Entry(idx, int(e.data["n"]), e.data["member"], e.data["kind"], e)
             for idx, e in rows]
    return sorted(found, key=lambda e: e.n)


def last_entries(found: list[Entry]) -> dict[str, Entry]:
    """Each member's deciding entry: its last one."""
    last = {}
    for entry in found:
        last[entry.member] = entry
    return last


@dataclass(frozen=True)
class Sealed:
    size: int
    members: dict[str, int]  # member → leaf index of the entry that put it in
    excluded: dict[str, int]  # member → leaf index of the entry that took it out

    def as_record(self) -> dict:
        return {"size": self.size, "members": [{"id": m, "index": i} for m, i in
                                               sorted(self.members.items())],
                "excluded": [{"id": m, "index": i} for m, i in sorted(self.excluded.items())]}


def seal(dbsession, keys, settings, key: str, *, now: datetime) -> Sealed:
    """Fix the set: drain the log, sign its checkpoint, and read who is in and out."""
    checkpoint = merkle.drain(dbsession, keys, settings, now=now)
    return sealed_at(dbsession, key, checkpoint.size if checkpoint is not None else 0)


def sealed_at(dbsession, key: str, size: int) -> Sealed:
    """Who is in and out of set `key` by its entries below a checkpoint of `size` leaves
    (a second set fixed at the same checkpoint as the one `seal` signed)."""
    last = last_entries(entries(dbsession, key, size))
    return Sealed(size, {m: e.index for m, e in last.items() if e.kind == IN},
                  {m: e.index for m, e in last.items() if e.kind == OUT})


def doc(dbsession, keys, settings, key: str, stored: dict) -> dict:
    """The published proof of a fixed set: its checkpoint, every entry of the set below
    it with its inclusion proof, and the members and excluded ones as the record names
    them (`stored`, Sealed.as_record)."""
    size = int(stored["size"])
    checkpoint = dbsession.get(merkle.TlogCheckpoint, size)
    return {
        "set": key, "size": size,
        "checkpoint": merkle.checkpoint_doc(checkpoint, keys, settings),
        "members": stored["members"], "excluded": stored["excluded"],
        "entries": [{"index": e.index, "size": size, "entry": leaf_data(e.event).decode(),
                     "proof": [tlog.b64(h) for h in merkle.inclusion(dbsession, e.index, size)]}
                    for e in entries(dbsession, key, size)],
    }


def problems(dbsession, key: str, stored: dict) -> list[str]:
    """What `trading audit verify` says of a fixed set: its record against the log."""
    found = entries(dbsession, key, int(stored["size"]))
    out = [f"entry {e.n} of set {key} is at index {e.index}, "
           f"entry {i} expected" for i, e in enumerate(found, start=1) if e.n != i][:1]
    last = last_entries(found)
    for side, named in ((IN, stored["members"]), (OUT, stored["excluded"])):
        named = {item["id"]: item["index"] for item in named}
        logged = {m: e.index for m, e in last.items() if e.kind == side}
        for member in sorted(set(logged) - set(named)):
            out.append(f"{member}: entry at index {logged[member]} below the checkpoint "
                       f"({stored['size']} entries) is left out of the record")
        for member in sorted(set(named) - set(logged)):
            out.append(f"{member} is in the record without an entry below the checkpoint")
        for member in sorted(set(named) & set(logged)):
            if named[member] != logged[member]:
                out.append(f"{member} names entry {named[member]}, its entry is at index "
                           f"{logged[member]}")
    return out
