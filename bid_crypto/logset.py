"""Check a logged set offline (issue #17 pt 4): a draw's frozen candidate list or an award's
inputs against the transparency log, with nothing but the pinned log key.

The platform appends an entry to its audit log each time something adds a member to a set
(an intermediary registers for a purchase, an enterprise's eligibility is found, an
opened quote or a signed score becomes an award input) or takes one out (exclusion,
withdrawal, avoidance 回避), when it happens. Each entry is numbered in its set (`n`, from 1)
and names the previous entry's event (`prev`), so the entries of one set form a chain no
entry can be slipped out of. When the set is fixed (the draw's freeze, the award's inputs)
the platform signs a checkpoint, and the record names, for every member, the leaf index of
the entry that put it in, and for every one taken out, that entry.

`check(doc, log_key)` holds when:

* the checkpoint is signed by the pinned log key;
* every entry is a leaf below that checkpoint (an inclusion proof against its root, for
  that tree size), an entry of this set, numbered 1..N without a gap, each naming the
  previous one;
* the members are exactly those whose last entry below the checkpoint puts them in: one
  left out, or one added without such an entry, is named;
* each member (and each one taken out) names the leaf index of that last entry;
* the list the record fixed (a draw's candidates) hashes to the hash it states and lists
  exactly the members, less the members of its `minus` set when it has one (a small
  work's pool is the category's registry set less the work's own exclusions, both sets
  checked as above at the same checkpoint); a draw with a `cover` set (an expert draw:
  the expert library's set of the specialty, whose changes are logged by each expert's
  random library alias as they happen) has, in its own set, exactly one entry — in, or
  out with its reasons (回避) — for each library member at the same checkpoint: counted
  while the draw's pseudonym salt is secret, and member by member (a member's id in the
  draw is `cover_id(salt, alias)`) once the record publishes it; an award's inputs are
  exactly the members, each with the figures (rank, price, score; a final offer's
  envelope hash and receive time) of its logged entry, and a final-offer award counts and
  picks only logged offers (a winner by the earlier prices, `fallback`, is not an offer).

Standard library and bid_crypto.tlog only: no platform import, no network.
"""

import hashlib
import json
from dataclasses import dataclass, field

from . import tlog

ACTION = "logset.entry"
IN, OUT = "in", "out"


class SetRefused(tlog.ProofError):
    """The record does not match the log; the message names what and whom."""


@dataclass
class SetReport:
    checkpoint: tlog.Checkpoint
    entries: int
    members: list[str]
    excluded: list[str]
    lines: list[str] = field(default_factory=list)


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def check(doc: dict, log_key: tlog.NoteVerifier) -> SetReport:
    if not isinstance(doc, dict) or not isinstance(doc.get("log"), dict):
        raise SetRefused("the record names no transparency-log checkpoint (no \"log\")")
    log = doc["log"]
    cp, _ = tlog.open_checkpoint(log["checkpoint"]["checkpoint"], log_key)
    chain, last, members, excluded = _check_set(log, cp)
    report = SetReport(cp, len(chain), sorted(members), sorted(excluded))
    _report(report, log.get("set"), chain, members, excluded)
    listed = members
    if doc.get("minus") is not None:
        minus = doc["minus"]
        if not isinstance(minus, dict) or not isinstance(minus.get("checkpoint"), dict):
            raise SetRefused("the record's minus set names no checkpoint")
        other, _ = tlog.open_checkpoint(minus["checkpoint"]["checkpoint"], log_key)
        if (other.size, other.root) != (cp.size, cp.root):
            raise SetRefused(f"the minus set {minus.get('set')} is proven at a checkpoint of "
                             f"{other.size} entries, the pool at {cp.size}: one checkpoint "
                             "fixes both")
        less_chain, _, less, less_out = _check_set(minus, cp)
        _report(report, minus.get("set"), less_chain, less, less_out)
        listed = {m: i for m, i in members.items() if m not in less}
        report.members = sorted(listed)
    if doc.get("cover") is not None:
        _check_cover(doc, cp, report, {**members, **excluded})
    _check_list(doc, listed)
    _check_inputs(doc, members, last)
    _check_award(doc, members)
    return report


def cover_id(salt: str, member: str) -> str:
    """A cover set member's id in the pool it covers: its pseudonym under the pool's salt
    (an expert draw's: SHA-256 of salt ":" library alias, the first 16 hex digits)."""
    return hashlib.sha256(f"{salt}:{member}".encode()).hexdigest()[:16]


def _check_cover(doc: dict, cp: tlog.Checkpoint, report: SetReport, accounted: dict) -> None:
    """The pool's set accounts for every member of the cover set, one entry each, and for
    nobody else: by count before the salt is published, member by member after."""
    cover = doc["cover"]
    if not isinstance(cover, dict) or not isinstance(cover.get("checkpoint"), dict):
        raise SetRefused("the record's cover set names no checkpoint")
    if cover["checkpoint"].get("checkpoint") != doc["log"]["checkpoint"].get("checkpoint"):
        raise SetRefused(f"the cover set {cover.get('set')} is proven at another checkpoint "
                         f"than the pool's ({cp.size} entries): one checkpoint fixes both")
    chain, _, library, gone = _check_set(cover, cp)
    _report(report, cover.get("set"), chain, library, gone)
    salt = doc.get("cover_salt")
    if salt is None:
        if len(library) != len(accounted):
            raise SetRefused(f"the library set {cover.get('set')} has {len(library)} members "
                             f"below the checkpoint of {cp.size} entries, the draw's set "
                             f"accounts for {len(accounted)}: "
                             + ("someone was left out without an entry"
                                if len(library) > len(accounted)
                                else "someone from outside the library was added"))
        report.lines.append(f"the draw's set has one entry (in, or out with its reasons) per "
                            f"library member: {len(library)}, counted (the pseudonym salt is "
                            "published when the evaluation starts; check again then)")
        return
    if not isinstance(salt, str):
        raise SetRefused("the record's cover_salt is not a string")
    mapped = {cover_id(salt, alias): alias for alias in library}
    for ident, alias in sorted(mapped.items()):
        if ident not in accounted:
            raise SetRefused(f"library member {alias} (entry at index {library[alias]}) has "
                             f"no entry in the draw's set as {ident}: left out without an "
                             "entry or a reason")
    for ident in sorted(accounted):
        if ident not in mapped:
            raise SetRefused(f"{ident} has an entry in the draw's set but is no library "
                             "member's pseudonym under the published salt: added from "
                             "outside the library")
    report.lines.append(f"the draw's set has one entry (in, or out with its reasons) per "
                        f"library member: each of the {len(library)} found by its "
                        "pseudonym under the published salt")


def _check_set(log: dict, cp: tlog.Checkpoint):
    """One set's entries proven below `cp`, and its named members and excluded ones
    exactly those the entries put in and take out."""
    if log.get("size") not in (None, cp.size):
        raise SetRefused(f"set {log.get('set')} says {log['size']} entries, its checkpoint "
                         f"has {cp.size}")
    chain = _entries(log.get("entries") or [], cp, log.get("set"))
    last = {}
    for entry in chain:
        last[entry["member"]] = entry
    logged_in = {m: e for m, e in last.items() if e["kind"] == IN}
    logged_out = {m: e for m, e in last.items() if e["kind"] == OUT}
    members = _named(log.get("members"), "members")
    excluded = _named(log.get("excluded"), "excluded")
    _compare(members, logged_in, logged_out, cp, "in")
    _compare(excluded, logged_out, logged_in, cp, "out")
    return chain, last, members, excluded


def _report(report: SetReport, key, chain, members, excluded) -> None:
    cp = report.checkpoint
    report.lines.append(f"{len(chain)} entries of set {key} below the checkpoint of {cp.size} "
                        f"entries (root {tlog.b64(cp.root)}), each proven included")
    report.lines.append(f"members: exactly the {len(members)} whose last entry puts them in; "
                        f"taken out: {len(excluded)}, each by its logged entry")


def _entries(raw: list, cp: tlog.Checkpoint, key) -> list[dict]:
    """Each entry proven below the checkpoint, of this set, in one unbroken chain."""
    chain = []
    for item in raw:
        index = item.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise SetRefused("an entry has no leaf index")
        if item.get("size") not in (None, cp.size):
            raise SetRefused(f"entry at index {index}: its inclusion proof is for a tree of "
                             f"{item['size']} entries, the checkpoint has {cp.size}")
        if index >= cp.size:
            raise SetRefused(f"entry at index {index} was logged after the checkpoint of "
                             f"{cp.size} entries: it cannot count for this set")
        text = item.get("entry")
        if not isinstance(text, str):
            raise SetRefused(f"entry at index {index} carries no entry text")
        proof = [tlog.unb64(p, "proof element") for p in item.get("proof") or []]
        try:
            tlog.verify_inclusion(index, cp.size, tlog.leaf_hash(text.encode("utf-8")),
                                  proof, cp.root)
        except tlog.ProofError as exc:
            raise SetRefused(f"entry at index {index}: {exc} (a proof for another tree size, "
                             "or an entry rewritten)") from None
        row = json.loads(text)
        data = row.get("data") or {}
        if row.get("action") != ACTION or data.get("set") != key:
            raise SetRefused(f"entry at index {index} is not an entry of set {key}")
        chain.append({"index": index, "seq": row.get("seq"), **data})
    chain.sort(key=lambda e: e.get("n") or 0)
    previous = None
    for number, entry in enumerate(chain, start=1):
        if entry.get("n") != number:
            raise SetRefused(f"set {key}: entry {number} is missing from the record (it "
                             f"goes from {number - 1} to {entry.get('n')}): an entry was "
                             "left out")
        if entry.get("prev") != previous:
            raise SetRefused(f"set {key}: entry {number} (index {entry['index']}) does not "
                             "name the entry before it: the chain is broken")
        if entry.get("kind") not in (IN, OUT) or not isinstance(entry.get("member"), str):
            raise SetRefused(f"entry at index {entry['index']} names no member or kind")
        previous = entry["seq"]
    return chain


def _named(raw, what: str) -> dict[str, int | None]:
    if not isinstance(raw, list):
        raise SetRefused(f"the record's {what} are not a list")
    named = {}
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise SetRefused(f"an item of the record's {what} has no id")
        if item["id"] in named:
            raise SetRefused(f"{item['id']} appears twice in the record's {what}")
        named[item["id"]] = item.get("index")
    return named


def _compare(named: dict, logged: dict, opposite: dict, cp, side: str) -> None:
    word = "member" if side == IN else "taken out"
    for ident, index in sorted(named.items()):
        entry = logged.get(ident)
        if entry is None:
            why = (f"its last entry (index {opposite[ident]['index']}) takes it "
                   f"{'out' if side == IN else 'in'}" if ident in opposite
                   else f"no entry below the checkpoint of {cp.size} entries names it")
            raise SetRefused(f"{ident} is listed as {word} without an entry: {why} "
                             f"({'added without an entry' if side == IN else 'not taken out'})")
        if index != entry["index"]:
            raise SetRefused(f"{ident} names entry {index}, but its last entry is at index "
                             f"{entry['index']}")
    for ident, entry in sorted(logged.items()):
        if ident not in named:
            raise SetRefused(f"{ident} was left out: entry {entry['n']} of the set (index "
                             f"{entry['index']}, below the checkpoint of {cp.size} entries) "
                             f"{'puts it in' if side == IN else 'takes it out'}, and the "
                             f"record does not list it as {word}")


def _check_list(doc: dict, members: dict) -> None:
    """A draw's frozen candidate list: its stated hash, and exactly the members (less
    the minus set's)."""
    candidates = doc.get("candidates")
    if candidates is None:
        return
    if hashlib.sha256(canonical(candidates)).hexdigest() != doc.get("candidate_list_hash"):
        raise SetRefused("the candidate list does not hash to the record's "
                         "candidate_list_hash")
    ids = [c.get("id") for c in candidates if isinstance(c, dict)]
    for ident in ids:
        if ident not in members:
            raise SetRefused(f"candidate {ident} is in the frozen list but names no entry: "
                             "added without an entry")
    for ident in members:
        if ident not in ids:
            raise SetRefused(f"{ident} is a member but not in the frozen candidate list: "
                             "left out")


# What an input's logged entry fixes and the published input must repeat: an award's
# rank, price and score; a final offer's sealed envelope and its receive time.
FIGURES = ("rank", "price_fen", "score", "envelope_sha256", "received_at")


def _check_inputs(doc: dict, members: dict, last: dict) -> None:
    """An award's inputs: exactly the members, each with the figures of its logged entry."""
    inputs = doc.get("inputs")
    if inputs is None:
        return
    ids = [i.get("id") for i in inputs if isinstance(i, dict)]
    for ident in ids:
        if ident not in members:
            raise SetRefused(f"input {ident} is not a logged member: added without an entry")
    for ident in members:
        if ident not in ids:
            raise SetRefused(f"{ident} is a logged input but the award's inputs leave it "
                             "out: dropped")
    for item in inputs:
        entry = last[item["id"]]
        for name in FIGURES:
            if name in item and item[name] != entry.get(name):
                raise SetRefused(f"input {item['id']}: its {name} {item[name]!r} differs from "
                                 f"its logged entry's {entry.get(name)!r} (index "
                                 f"{entry['index']})")


def _check_award(doc: dict, members: dict) -> None:
    """A final-offer round's decision: every offer it counted, and its winner, is a
    logged offer (a fallback winner comes from the earlier opened prices instead)."""
    award = doc.get("award")
    if award is None:
        return
    named = list(award.get("counted") or [])
    if award.get("winner") and not award.get("fallback"):
        named.append(award["winner"])
    for ident in named:
        if ident not in members:
            raise SetRefused(f"the award counts {ident}, which has no logged offer below the "
                             "checkpoint: added without an entry")


def check_promise(doc: dict, promise_doc: dict, log_key: tlog.NoteVerifier) -> list[str]:
    """A registrant's signed promise (what the platform returned when it registered:
    the entry, its leaf hash, time and maximum merge delay) against a frozen pool that
    `check` accepted: the promised entry is one of the pool's, or the pool is refused —
    the platform promised to log the registration and the pool leaves it out.

    The set's entries are numbered without a gap, so the pool's file holds every entry of
    the set below its checkpoint: a promised entry whose number the pool reaches must be
    that entry; one beyond it, promised before the list was frozen, was swallowed."""
    promise = tlog.open_promise(promise_doc["promise"], log_key)
    entry = promise_doc.get("entry")
    if not isinstance(entry, str) or tlog.leaf_hash(entry.encode("utf-8")) != promise.leaf:
        raise SetRefused("the promise's entry is not the one its leaf hash names")
    row = json.loads(entry)
    data = row.get("data") or {}
    log = doc["log"]
    if row.get("action") != ACTION or data.get("set") != log.get("set") \
            or row.get("seq") != promise.seq:
        raise SetRefused(f"the promise is for an entry of set {data.get('set')}, not of this "
                         f"pool's set {log.get('set')}")
    mine = data.get("member")
    texts = {item["entry"]: item for item in log.get("entries") or []}
    if entry in texts:
        index = texts[entry]["index"]
        named = {m["id"] for m in log.get("members") or []}
        standing = ("a member of the frozen list" if mine in named
                    else "taken out by a later entry of the pool, with its reason")
        return [f"promised entry seq {promise.seq} ({mine}, entry {data.get('n')} of the set) "
                f"is at index {index} below the checkpoint: {standing}"]
    numbers = {json.loads(t)["data"].get("n"): item["index"] for t, item in texts.items()}
    if data.get("n") in numbers:
        raise SetRefused(f"left out: the log promised entry {data['n']} of set {log['set']} "
                         f"to be {mine}'s registration (seq {promise.seq}), and the pool's "
                         f"entry {data['n']} (index {numbers[data['n']]}) is another")
    frozen = doc.get("frozen_at")
    if frozen is not None:
        from datetime import datetime

        if promise.time < datetime.fromisoformat(frozen).timestamp():
            raise SetRefused(f"left out: {mine}'s registration (seq {promise.seq}) was "
                             f"promised at {promise.time} (merged within {promise.mmd} s), "
                             f"before the list was frozen at {frozen}, and the pool has no "
                             f"entry for it (its last is entry {max(numbers, default=0)})")
    raise SetRefused(f"{mine}'s registration (seq {promise.seq}) was logged after the list "
                     "was frozen: it is not in this pool")
