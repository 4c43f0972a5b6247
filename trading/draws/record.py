"""The public draw record: building it, reading it, and verifying it from scratch.

A record is a plain JSON document (ALGORITHM.md §9). `build_record` is what the draw
service calls at each stage (frozen and committed, revealed, after each re-draw);
`verify_record` is what anyone runs afterwards. Both use the same shape rules, so the
service can never publish a record that the verifier rejects as malformed.
Standard library only (orjson, where installed, only writes the same bytes faster).
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import engine
from .errors import (
    InvalidDecline,
    MalformedInput,
    NobodyLeft,
    TooManyRequested,
    UnknownAlgorithm,
)

RECORD_FIELDS = (
    "algorithm",
    "purpose",
    "subject",
    "rule",
    "count",
    "candidates",
    "candidate_list_hash",
    "commitment",
    "beacon",
    "beacon_source",
    "seed",
    "result",
    "follow_ups",
    "witnesses",
    "timestamps",
)
FOLLOW_UP_FIELDS = ("declined", "reason", "count", "result", "at")
SUBJECT_FIELDS = ("type", "id")


# --- verification result --------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason a record does not verify.

    `kind` is "malformed", "unknown_algorithm" or "mismatch"; `field` is the JSON path
    it concerns; `message` is self-contained.
    """

    kind: str
    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class VerificationResult:
    problems: tuple[Problem, ...] = ()
    revealed: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def unverifiable(self) -> bool:
        """True when the record could not be checked at all (bad shape or version)."""
        return any(problem.kind != "mismatch" for problem in self.problems)

    def summary(self) -> str:
        if self.problems:
            return "\n".join(
                ["invalid"] + [f"- {problem}" for problem in self.problems]
            )
        if self.revealed:
            return "valid"
        return "valid (seed not revealed yet: only the candidate list hash was checked)"


# --- reading and writing --------------------------------------------------------------


def load_record(text: str | bytes) -> Any:
    """Parse record JSON strictly: duplicate keys and NaN/Infinity are errors.

    Non-integer numbers are kept as Decimal so the shape check can name the field
    holding them instead of failing inside the parser.
    """
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_float=Decimal,
            parse_constant=_reject_constant,
        )
    # JSONDecodeError and UnicodeDecodeError are ValueErrors; deep nesting recurses.
    except (ValueError, RecursionError) as exc:
        raise MalformedInput("$", f"not valid JSON: {exc}") from exc


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    # Two "seed" keys would let two readers see two different records.
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def dump_record(record: Mapping[str, Any]) -> str:
    """The record as readable UTF-8 JSON for publication (field order kept).

    orjson, where installed, writes the same text some 25 times faster than the standard
    library's indenting encoder, which is pure Python (10 000 candidates: 0.4 s).
    """
    fast = engine._orjson
    if fast is not None:
        try:
            return fast.dumps(record, option=fast.OPT_INDENT_2).decode("utf-8") + "\n"
        except TypeError:
            pass  # an integer past 64 bits or a lone surrogate: the standard library says
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


# --- shape ----------------------------------------------------------------------------


def check_algorithm(record: Any) -> None:
    if type(record) is not dict:
        raise MalformedInput("$", "a draw record must be a JSON object")
    if "algorithm" not in record:
        raise MalformedInput("algorithm", "missing")
    if record["algorithm"] != engine.ALGORITHM_VERSION:
        raise UnknownAlgorithm(
            f"unknown algorithm version {record['algorithm']!r}"
            f" (this verifier implements {engine.ALGORITHM_VERSION!r})"
        )


def check_shape(record: Mapping[str, Any]) -> None:
    """Raise MalformedInput naming the first field that breaks the record format.

    Candidates are checked by `engine.freeze`; this covers everything else.
    """
    _exact_keys(record, RECORD_FIELDS, "")
    _text(record["purpose"], "purpose")
    _subject(record["subject"])
    _text(record["rule"], "rule")
    engine.check_count(record["count"], "count")
    _hex(record["candidate_list_hash"], "candidate_list_hash")
    _hex(record["commitment"], "commitment")
    _optional_text(record["beacon"], "beacon")
    _optional_text(record["beacon_source"], "beacon_source", allow_empty=True)
    if record["seed"] is not None:
        _hex(record["seed"], "seed")
    _ids(record["result"], "result")
    _list(record["follow_ups"], "follow_ups")
    for index, follow_up in enumerate(record["follow_ups"]):
        _follow_up(follow_up, f"follow_ups[{index}]")
    _witnesses(record["witnesses"])
    _string_map(record["timestamps"], "timestamps")


def _exact_keys(value: Any, keys: Sequence[str], field: str) -> None:
    if type(value) is not dict:
        raise MalformedInput(field or "$", "must be an object")
    for key in keys:
        if key not in value:
            raise MalformedInput(_join(field, key), "missing")
    for key in value:
        if key not in keys:
            raise MalformedInput(_join(field, str(key)), "unknown field")


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _text(value: Any, field: str) -> None:
    if type(value) is not str or not value.strip():
        raise MalformedInput(field, "must be a non-empty string")


def _optional_text(value: Any, field: str, allow_empty: bool = False) -> None:
    if value is None or (type(value) is str and (allow_empty or value != "")):
        return
    raise MalformedInput(field, "must be null or a non-empty string")


def _hex(value: Any, field: str) -> None:
    if not engine.is_hex_digest(value):
        raise MalformedInput(field, "must be 64 lowercase hex digits")


def _list(value: Any, field: str) -> None:
    if type(value) is not list:
        raise MalformedInput(field, "must be a list")


def _ids(value: Any, field: str, nonempty: bool = False) -> None:
    _list(value, field)
    if nonempty and not value:
        raise MalformedInput(field, "must not be empty")
    for index, ident in enumerate(value):
        if type(ident) is not str or not ident:
            raise MalformedInput(f"{field}[{index}]", "must be a non-empty string id")


def _subject(value: Any) -> None:
    _exact_keys(value, SUBJECT_FIELDS, "subject")
    for key in SUBJECT_FIELDS:
        _text(value[key], f"subject.{key}")


def _follow_up(value: Any, field: str) -> None:
    _exact_keys(value, FOLLOW_UP_FIELDS, field)
    _ids(value["declined"], f"{field}.declined", nonempty=True)
    _text(value["reason"], f"{field}.reason")
    # count 0 records a decline covered by reserves that were already drawn.
    engine.check_count(value["count"], f"{field}.count", minimum=0)
    _ids(value["result"], f"{field}.result")
    _text(value["at"], f"{field}.at")


def _witnesses(value: Any) -> None:
    _list(value, "witnesses")
    for index, witness in enumerate(value):
        field = f"witnesses[{index}]"
        _string_map(witness, field)
        _text(witness.get("name"), f"{field}.name")


def _string_map(value: Any, field: str) -> None:
    if type(value) is not dict:
        raise MalformedInput(field, "must be an object")
    for key, item in value.items():
        if type(item) is not str:
            raise MalformedInput(f"{field}.{key}", "must be a string")


# --- verification ---------------------------------------------------------------------


def verify_record(record: Any) -> VerificationResult:
    """Recompute a record from its own contents; say exactly what, if anything, differs.

    Order of checks: algorithm version, shape, candidate list hash, commitment, results,
    declines. A broken hash or commitment stops there: every later difference would only
    be a consequence of it.
    """
    try:
        check_algorithm(record)
        check_shape(record)
        frozen = engine.freeze(record["candidates"])
    except UnknownAlgorithm as exc:
        return _failed(Problem("unknown_algorithm", "algorithm", str(exc)))
    except MalformedInput as exc:
        return _failed(Problem("malformed", exc.field, str(exc)))
    problems = _check_list_hash(record, frozen) or _check_commitment(record)
    if problems:
        return _failed(*problems)
    revealed = record["seed"] is not None
    problems = _check_count(record, frozen)
    if not problems:
        problems = _check_draws(record, frozen) if revealed else _check_pending(record)
    return VerificationResult(tuple(problems), revealed)


def _failed(*problems: Problem) -> VerificationResult:
    return VerificationResult(tuple(problems), revealed=False)


def _mismatch(field: str, message: str) -> Problem:
    return Problem("mismatch", field, message)


def _check_list_hash(record: Mapping[str, Any], frozen: engine.FrozenList) -> list:
    if frozen.list_hash == record["candidate_list_hash"]:
        return []
    return [
        _mismatch(
            "candidate_list_hash",
            f"candidate list hash mismatch: recorded {record['candidate_list_hash']},"
            f" recomputed {frozen.list_hash} from the candidates (results not checked)",
        )
    ]


def _check_commitment(record: Mapping[str, Any]) -> list:
    if record["seed"] is None:
        return []
    actual = engine.commitment(bytes.fromhex(record["seed"]))
    if actual == record["commitment"]:
        return []
    return [
        _mismatch(
            "commitment",
            f"commitment mismatch: SHA-256(seed) is {actual}, recorded commitment is"
            f" {record['commitment']} (results not checked)",
        )
    ]


def _check_count(record: Mapping[str, Any], frozen: engine.FrozenList) -> list:
    if record["count"] <= frozen.drawable:
        return []
    return [
        _mismatch(
            "count",
            f"count {record['count']} exceeds the {frozen.drawable} drawable"
            " candidate(s)",
        )
    ]


def _check_pending(record: Mapping[str, Any]) -> list:
    problems = []
    for field in ("result", "follow_ups"):
        if record[field]:
            problems.append(
                _mismatch(field, f"{field} recorded but the seed is not revealed")
            )
    return problems


@dataclass(frozen=True)
class _Segment:
    """The first draw or one re-draw: a slice of the draw order as recorded."""

    path: str  # "" for the first draw, "follow_ups[j]." for re-draw j
    label: str
    count: int
    recorded: list


def _check_draws(record: Mapping[str, Any], frozen: engine.FrozenList) -> list:
    segments = _segments(record)
    wanted = min(sum(segment.count for segment in segments), frozen.drawable)
    seed = bytes.fromhex(record["seed"])
    order = engine.order_prefix(seed, record["beacon"], frozen, wanted)
    problems: list = []
    start = 0
    for segment in segments:
        problems += _compare_segment(segment, order[start : start + segment.count])
        start += segment.count
    return problems + _check_declines(record, order)


def _segments(record: Mapping[str, Any]) -> list:
    segments = [_Segment("", "result", record["count"], record["result"])]
    for index, follow_up in enumerate(record["follow_ups"]):
        segments.append(
            _Segment(
                f"follow_ups[{index}].",
                f"follow-up {index}",
                follow_up["count"],
                follow_up["result"],
            )
        )
    return segments


def _compare_segment(segment: _Segment, expected: list) -> list:
    problems = []
    label, count, recorded = segment.label, segment.count, segment.recorded
    if len(expected) < count:
        problems.append(
            _mismatch(
                f"{segment.path}count",
                f"{label} asks for {count} but only {len(expected)} candidate(s)"
                " were left",
            )
        )
    if len(recorded) != count:
        problems.append(
            _mismatch(
                f"{segment.path}result",
                f"{label} lists {len(recorded)} id(s) but its count is {count}",
            )
        )
    # No zip(): its strict= flag needs Python 3.10 and the verifier runs on older ones.
    for position in range(min(len(expected), len(recorded))):
        want, got = expected[position], recorded[position]
        if want != got:
            problems.append(
                _mismatch(
                    f"{segment.path}result[{position}]",
                    f"{label} mismatch at position {position}:"
                    f" recomputed {want!r}, recorded {got!r}",
                )
            )
    return problems


def _check_declines(record: Mapping[str, Any], order: list) -> list:
    """A declined id must have been drawn before its follow-up, and declines once."""
    problems = []
    drawn_before = record["count"]
    declined_in: dict = {}
    for index, follow_up in enumerate(record["follow_ups"]):
        drawn = set(order[:drawn_before])
        for position, ident in enumerate(follow_up["declined"]):
            field = f"follow_ups[{index}].declined[{position}]"
            message = _decline_problem(ident, drawn, declined_in, index)
            if message:
                problems.append(_mismatch(field, message))
            declined_in.setdefault(ident, index)
        drawn_before += follow_up["count"]
    return problems


def _decline_problem(ident: str, drawn: set, declined_in: dict, index: int) -> str:
    if ident not in drawn:
        return f"follow-up {index} declines {ident!r}, who was not drawn before it"
    if ident in declined_in:
        earlier = declined_in[ident]
        return f"follow-up {index} declines {ident!r} again (see follow-up {earlier})"
    return ""


# --- building -------------------------------------------------------------------------


def build_record(
    *,
    purpose: str,
    subject: Mapping[str, str],
    rule: str,
    count: int,
    candidates: Sequence[Mapping[str, Any]],
    seed: bytes | None = None,
    commitment: str | None = None,
    beacon: str | None = None,
    beacon_source: str | None = None,
    follow_ups: Sequence[Mapping[str, Any]] = (),
    witnesses: Sequence[Mapping[str, str]] = (),
    timestamps: Mapping[str, str] | None = None,
) -> dict:
    """Build the public record at any stage of a draw.

    Before the reveal, pass `commitment` and no seed: the record then publishes the
    frozen list, its hash and the commitment, with an empty result. After the reveal,
    pass the seed (the commitment is checked if given, computed if not); the result and
    every follow-up's result are derived here. Each follow-up is {"declined": [ids],
    "reason", "count", "at"}. Raises a DrawError for any inconsistency.
    """
    with engine.cyclic_gc_paused():
        frozen = engine.freeze(candidates)
        copied = _deep_copy(list(candidates), frozen.flat)
    engine.check_count(count)
    if count > frozen.drawable:
        raise TooManyRequested(
            f"cannot draw {count} of {frozen.drawable} drawable candidate(s)"
        )
    commitment = _settle_commitment(seed, commitment, follow_ups)
    order = _order_for(seed, beacon, frozen, count, follow_ups)
    record = {
        "algorithm": engine.ALGORITHM_VERSION,
        "purpose": purpose,
        "subject": dict(subject),
        "rule": rule,
        "count": count,
        "candidates": copied,
        "candidate_list_hash": frozen.list_hash,
        "commitment": commitment,
        "beacon": beacon,
        "beacon_source": beacon_source,
        "seed": None if seed is None else seed.hex(),
        "result": order[:count],
        "follow_ups": _derive_follow_ups(order, count, follow_ups),
        "witnesses": [dict(witness) for witness in witnesses],
        "timestamps": dict(timestamps or {}),
    }
    check_shape(record)
    return record


def _settle_commitment(
    seed: bytes | None, commitment: str | None, follow_ups: Sequence
) -> str:
    if seed is not None:
        if commitment is not None:
            engine.check_commitment(seed, commitment)
        return engine.commitment(seed)
    if commitment is None:
        raise MalformedInput("commitment", "required until the seed is revealed")
    if follow_ups:
        raise MalformedInput("follow_ups", "a re-draw needs the revealed seed")
    return commitment


def _order_for(
    seed: bytes | None,
    beacon: str | None,
    frozen: engine.FrozenList,
    count: int,
    follow_ups: Sequence[Mapping[str, Any]],
) -> list:
    """The draw order as far as the draw and its re-draws reach ([] if unrevealed)."""
    if seed is None:
        engine.check_beacon(beacon)
        return []
    total = count
    for index, follow_up in enumerate(follow_ups):
        more = engine.check_count(
            follow_up.get("count"), f"follow_ups[{index}].count", 0
        )
        if total + more > frozen.drawable:
            raise NobodyLeft(
                f"follow-up {index} asks for {more} more but only"
                f" {frozen.drawable - total} candidate(s) are left"
            )
        total += more
    return engine.order_prefix(seed, beacon, frozen, total)


def _derive_follow_ups(
    order: list, count: int, follow_ups: Sequence[Mapping[str, Any]]
) -> list:
    derived = []
    start = count
    for index, follow_up in enumerate(follow_ups):
        declined = list(follow_up.get("declined") or ())
        _check_new_declines(declined, order[:start], derived, index)
        more = follow_up["count"]
        derived.append(
            {
                "declined": declined,
                "reason": follow_up.get("reason"),
                "count": more,
                "result": order[start : start + more],
                "at": follow_up.get("at"),
            }
        )
        start += more
    return derived


def _check_new_declines(declined: list, drawn: list, earlier: list, index: int) -> None:
    if not declined:
        raise InvalidDecline(f"follow-up {index} declines nobody")
    already = {ident: j for j, f in enumerate(earlier) for ident in f["declined"]}
    drawn_set = set(drawn)
    for ident in declined:
        message = _decline_problem(ident, drawn_set, already, index)
        if message:
            raise InvalidDecline(message)
        already[ident] = index


def _deep_copy(value: list, flat: bool = False) -> list:
    """Copy the candidates: later edits of the caller's dicts must not alter the record.

    A flat list (engine.FrozenList.flat: every attribute value a str, int, bool or None,
    all immutable) is fully copied by copying each candidate and its attributes object,
    about twice as fast as the general way: a pickle round trip of the checked plain data,
    in C, still several times faster than copy.deepcopy.
    """
    if flat:
        copies = list(map(dict.copy, value))  # in C
        for candidate in copies:
            if "attributes" in candidate:
                candidate["attributes"] = candidate["attributes"].copy()
        return copies
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
