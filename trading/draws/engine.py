"""The draw algorithm "draw-v1": canonical JSON, commitment, DRBG and samplers.

Standard library only, and no floating point anywhere in sampling: the verifier must
give the same answer on any machine with a bare Python, and a second implementation
written from ALGORITHM.md must agree bit for bit. Where orjson is installed (the platform
installs it) it writes the canonical JSON, byte for byte the same as the standard library
(tests/draws/test_canonical.py proves it on generated values) and about 15 times faster:
canonicalising the list is most of a draw's time.

The flow is: `freeze` the ordered candidate list (canonical JSON, SHA-256), publish
`commitment(seed)` for a `new_seed()`, optionally receive a public beacon, then `draw`
the first `count` positions of a deterministic draw order. A re-draw after declines
(`continue_draw`) takes the next positions of the same order, so the reserves' order is
fixed at reveal time and nobody can steer a replacement by choosing who declines.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate, chain, repeat
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # a bare Python: the standard library writes the same bytes
    _orjson = None

from .errors import (
    DuplicateCandidate,
    EmptyCandidates,
    HistoryMismatch,
    MalformedInput,
    MalformedWeights,
    NobodyLeft,
    SeedMismatch,
    TooManyRequested,
)

ALGORITHM_VERSION = "draw-v1"
SEED_BYTES = 32
# Weights must survive a round trip through a JavaScript (IEEE double) JSON parser, so a
# verifier in any language reads the same integers.
MAX_WEIGHT = 2**53 - 1

# HMAC message: DOMAIN || beacon flag (1 byte) || beacon digest (32) || list hash (32)
# || counter (8), 81 bytes in all.
_DOMAIN = b"draw-v1\x00"
_NO_BEACON = b"\x00" + bytes(32)
_BLOCK_SPACE = 1 << 256
_MAX_COUNTER = (1 << 64) - 1
_HEX = frozenset("0123456789abcdef")
_CANDIDATE_KEYS = frozenset(("id", "label", "attributes", "weight"))
_NO_ATTRIBUTES: dict = {}
_SCALAR_TYPES = frozenset((str, int, bool, type(None)))


@contextmanager
def cyclic_gc_paused():
    """Pause the cyclic garbage collector while many acyclic objects are built.

    A draw's copy of 10 000 candidates or a small-works pool over the whole registry
    allocates tens of thousands of short-lived dicts, none in a reference cycle:
    reference counting frees them all. Left on, the cyclic collector walks the whole
    process heap several times for nothing (a sixth of a draw, half of a pool in
    bench/smallworks.py). Only the collector that was running is resumed, so nested or
    concurrent pauses are safe (the worst case is a collection that runs a few
    milliseconds late)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- canonical JSON -------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """Serialise to the canonical bytes that are hashed (ALGORITHM.md §1).

    Only null, booleans, integers, strings, lists and string-keyed objects are allowed:
    floats are rejected because their text form is not portable between languages.
    """
    if not _is_json(value):
        check_json_value(value, "$")
    return _dump(value, "$")


def _is_json(value: Any) -> bool:
    """Yes/no form of check_json_value: building path strings for 10 000 candidates
    would cost more than the check."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is dict:
        return all(type(key) is str and _is_json(item) for key, item in value.items())
    if kind is list or kind is tuple:
        return all(_is_json(item) for item in value)
    return False


def check_json_value(value: Any, field: str) -> None:
    """Raise MalformedInput naming the field unless `value` has canonical-JSON types."""
    if value is None or type(value) in (str, int, bool):
        return
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise MalformedInput(field, f"object key {key!r} is not a string")
            check_json_value(item, f"{field}.{key}")
        return
    if type(value) in (list, tuple):
        for index, item in enumerate(value):
            check_json_value(item, f"{field}[{index}]")
        return
    raise MalformedInput(field, _type_complaint(value))


def _type_complaint(value: Any) -> str:
    if isinstance(value, (float, Decimal)):
        return f"number {value} is not an integer (floats are not allowed)"
    return f"{type(value).__name__} is not a JSON value"


def _dump(value: Any, field: str) -> bytes:
    """The canonical bytes of an already checked value."""
    if _orjson is not None:
        try:
            return _orjson.dumps(value, option=_orjson.OPT_SORT_KEYS)
        except TypeError:
            pass  # an integer past 64 bits, a lone surrogate, deep nesting: the reference
    return reference_dump(value, field)


def reference_dump(value: Any, field: str) -> bytes:
    """ALGORITHM.md §1 in the standard library: what a bare verifier computes."""
    text = json.dumps(
        value,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
        check_circular=False,  # checked values are trees: JSON has no cycles
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MalformedInput(
            field, "contains a lone surrogate, not valid Unicode"
        ) from exc


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the frozen candidate list --------------------------------------------------------


@dataclass(frozen=True)
class FrozenList:
    """A validated, hashed candidate list: what the DRBG and the samplers work on."""

    ids: tuple[str, ...]
    weights: tuple[int, ...] | None  # None for an equal-chance draw
    list_hash: str
    # Every attribute value is a scalar, so copying two levels deep copies it all.
    flat: bool = False

    @property
    def drawable(self) -> int:
        """How many picks the list can give: zero-weight candidates are never drawn."""
        if self.weights is None:
            return len(self.ids)
        # Weights are checked non-negative ints, so count(0) (in C) finds the undrawable.
        return len(self.weights) - self.weights.count(0)


def freeze(candidates: Sequence[Mapping[str, Any]]) -> FrozenList:
    """Validate the ordered candidate list and compute its hash (ALGORITHM.md §2)."""
    ids, weights, flat = _parse(candidates)
    return FrozenList(ids, weights, sha256_hex(_dump(candidates, "candidates")), flat)


def candidate_list_hash(candidates: Sequence[Mapping[str, Any]]) -> str:
    return freeze(candidates).list_hash


def parse_candidates(
    candidates: Sequence[Mapping[str, Any]],
) -> tuple[tuple[str, ...], tuple[int, ...] | None]:
    """Check every candidate and return (ids, weights or None)."""
    ids, weights, _flat = _parse(candidates)
    return ids, weights


def _parse(candidates: Sequence[Mapping[str, Any]]) -> tuple:
    """(ids, weights or None, flat). A fast pass accepts the common, valid list (and
    proves it flat); only when it fails does the slow pass run, to name the bad field."""
    if type(candidates) not in (list, tuple):
        raise MalformedInput("candidates", "must be a list")
    if not candidates:
        raise EmptyCandidates("candidates", "the candidate list is empty")
    ids = _ids_if_plainly_valid(candidates)
    flat = ids is not None
    if not flat:
        for index, candidate in enumerate(candidates):
            _check_candidate(candidate, f"candidates[{index}]")
        ids = _column(candidates, "id")
    ids = tuple(ids)
    if len(set(ids)) != len(ids):
        _raise_duplicate(ids)
    return ids, _check_weights(_column(candidates, "weight")), flat


def _column(candidates: Sequence[dict], key: str, default: Any = None) -> list:
    """One field of every candidate. map() over dict.get runs in C: with 10 000
    candidates a Python loop here would cost more than the draw itself."""
    return list(map(dict.get, candidates, repeat(key), repeat(default)))


def _ids_if_plainly_valid(candidates: Sequence[Any]) -> list | None:
    """The ids when every candidate is plainly valid, checked column by column in C;
    None otherwise.

    Nested attribute values give None and leave them to the slow pass (they are valid
    JSON, only rare).
    """
    if set(map(type, candidates)) != {dict}:
        return None
    if not _CANDIDATE_KEYS.issuperset(set().union(*candidates)):
        return None
    ids = _column(candidates, "id")
    if set(map(type, ids)) != {str} or "" in ids:
        return None
    if not {str}.issuperset(map(type, _column(candidates, "label", ""))):
        return None
    attributes = _column(candidates, "attributes", _NO_ATTRIBUTES)
    if set(map(type, attributes)) != {dict}:
        return None
    key_types = set(map(type, chain.from_iterable(attributes)))
    value_types = set(map(type, chain.from_iterable(map(dict.values, attributes))))
    return ids if key_types <= {str} and value_types <= _SCALAR_TYPES else None


def _check_candidate(candidate: Any, field: str) -> None:
    if type(candidate) is not dict:
        raise MalformedInput(field, "must be an object")
    unknown = set(candidate) - _CANDIDATE_KEYS
    if unknown:
        raise MalformedInput(field, f"unknown key(s) {sorted(map(str, unknown))}")
    if not _is_nonempty_str(candidate.get("id")):
        raise MalformedInput(f"{field}.id", "must be a non-empty string")
    if type(candidate.get("label", "")) is not str:
        raise MalformedInput(f"{field}.label", "must be a string")
    if type(candidate.get("attributes", _NO_ATTRIBUTES)) is not dict:
        raise MalformedInput(f"{field}.attributes", "must be an object")
    check_json_value(candidate.get("attributes"), f"{field}.attributes")


def _raise_duplicate(ids: Sequence[str]) -> None:
    first: dict = {}
    for index, ident in enumerate(ids):
        if ident in first:
            raise DuplicateCandidate(
                f"candidates[{index}].id",
                f"duplicate id {ident!r} (also candidates[{first[ident]}])",
            )
        first[ident] = index


def _check_weights(weights: list) -> tuple[int, ...] | None:
    """All candidates carry a weight or none does; each is an int in [0, MAX_WEIGHT]."""
    missing = weights.count(None)
    if missing == len(weights):
        return None
    if missing:
        _raise_mixed_weights(weights, missing)
    if set(map(type, weights)) != {int} or not (
        0 <= min(weights) and max(weights) <= MAX_WEIGHT
    ):
        index = next(i for i, w in enumerate(weights) if not _is_weight(w))
        raise MalformedWeights(
            f"candidates[{index}].weight",
            f"{weights[index]!r} is not an integer between 0 and {MAX_WEIGHT}",
        )
    if not any(weights):
        raise MalformedWeights(
            "candidates", "every weight is zero, nobody can be drawn"
        )
    return tuple(weights)


def _raise_mixed_weights(weights: list, missing: int) -> None:
    # Blame the minority: a stray weight in an equal-chance list, or a forgotten one.
    if missing * 2 > len(weights):
        index = next(i for i, weight in enumerate(weights) if weight is not None)
        reason = "set while most candidates have no weight"
    else:
        index = weights.index(None)
        reason = "missing while other candidates have a weight"
    raise MalformedWeights(f"candidates[{index}].weight", reason)


def _is_weight(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_WEIGHT


def _is_nonempty_str(value: Any) -> bool:
    return type(value) is str and value != ""


def is_hex_digest(value: Any) -> bool:
    """True for 64 lowercase hex digits: the one spelling of hashes and seeds."""
    return type(value) is str and len(value) == 64 and set(value) <= _HEX


# --- seed and commitment --------------------------------------------------------------


def new_seed() -> bytes:
    """A fresh 256-bit server seed from the operating system's CSPRNG."""
    return secrets.token_bytes(SEED_BYTES)


def commitment(seed: bytes) -> str:
    """The public commitment: SHA-256 of the raw seed bytes, lowercase hex."""
    return sha256_hex(_check_seed(seed))


def check_commitment(seed: bytes, published: str) -> None:
    """Raise SeedMismatch unless the revealed seed hashes to the commitment."""
    actual = commitment(seed)
    if not hmac.compare_digest(actual, str(published)):
        raise SeedMismatch(f"SHA-256(seed) is {actual}, the commitment is {published}")


def _check_seed(seed: bytes) -> bytes:
    if type(seed) is not bytes or len(seed) != SEED_BYTES:
        raise MalformedInput("seed", f"must be {SEED_BYTES} raw bytes")
    return seed


def check_beacon(beacon: str | None) -> None:
    if beacon is not None and not _is_nonempty_str(beacon):
        raise MalformedInput("beacon", "must be null or a non-empty string")


# --- the DRBG -------------------------------------------------------------------------


class Drbg:
    """HMAC-SHA-256 in counter mode keyed by the seed (ALGORITHM.md §4).

    Block c = HMAC-SHA-256(seed, DOMAIN || beacon field || list hash || c as a
    big-endian u64). The beacon and the list hash sit in the message, so a new beacon or
    a changed list gives an unrelated stream even for the same seed.
    """

    def __init__(self, seed: bytes, beacon: str | None, list_hash: str):
        check_beacon(beacon)
        if not is_hex_digest(list_hash):
            raise MalformedInput(
                "candidate_list_hash", "must be 64 lowercase hex digits"
            )
        self._key = _check_seed(seed)
        self._prefix = _DOMAIN + beacon_field(beacon) + bytes.fromhex(list_hash)
        self.counter = 0  # the next counter value to use

    def message(self, counter: int) -> bytes:
        """The 81-byte HMAC input for block `counter`."""
        return self._prefix + counter.to_bytes(8, "big")

    def block(self, counter: int) -> bytes:
        return hmac.digest(self._key, self.message(counter), "sha256")

    def next_block(self) -> bytes:
        if self.counter > _MAX_COUNTER:
            raise OverflowError("the 64-bit DRBG counter is exhausted")
        self.counter += 1
        return self.block(self.counter - 1)


def beacon_field(beacon: str | None) -> bytes:
    """33 bytes: 0x00 + 32 zero bytes without a beacon, else 0x01 + SHA-256(UTF-8)."""
    if beacon is None:
        return _NO_BEACON
    return b"\x01" + hashlib.sha256(beacon.encode("utf-8")).digest()


def uniform_below(drbg: Drbg, n: int) -> int:
    """An unbiased integer in [0, n): one block per attempt, rejecting the biased tail.

    A block read as a 256-bit big-endian integer x is accepted when x is below the
    largest multiple of n that fits in 2^256; then x mod n is exactly uniform.
    """
    if type(n) is not int or not 1 <= n <= _BLOCK_SPACE:
        raise ValueError(f"n must be an integer in [1, 2^256], got {n!r}")
    limit = _BLOCK_SPACE - _BLOCK_SPACE % n
    while True:
        value = int.from_bytes(drbg.next_block(), "big")
        if value < limit:
            return value % n


# --- draw orders ----------------------------------------------------------------------


def _uniform_order(drbg: Drbg, size: int) -> Iterator[int]:
    """Indices in the order of a forward Fisher–Yates shuffle of range(size).

    Stopping after k steps gives a uniformly random k-prefix: the partial shuffle.
    """
    slots = list(range(size))
    for position in range(size):
        chosen = position + uniform_below(drbg, size - position)
        slots[position], slots[chosen] = slots[chosen], slots[position]
        yield slots[position]


def _weighted_order(drbg: Drbg, weights: Sequence[int]) -> Iterator[int]:
    """Successive sampling without replacement: each pick has chance weight / remaining.

    Equivalent to the linear walk of ALGORITHM.md §7 (draw r in [0, remaining total),
    pick the first remaining candidate whose running total exceeds r); a Fenwick tree
    finds that candidate in O(log n) so 10 000 candidates stay cheap.
    """
    tree = _FenwickTree(weights)
    remaining = sum(weights)
    while remaining:
        index = tree.locate(uniform_below(drbg, remaining))
        yield index
        tree.subtract(index, weights[index])
        remaining -= weights[index]


class _FenwickTree:
    """Prefix sums of integer weights with point updates (1-based internally)."""

    def __init__(self, weights: Sequence[int]):
        # Node i holds the sum of the items (i - lowbit(i), i]; building it from prefix
        # sums keeps the loop in a comprehension.
        prefix = [0, *accumulate(weights)]
        size = len(weights)
        self._tree = [0] + [
            prefix[i] - prefix[i - (i & -i)] for i in range(1, size + 1)
        ]
        self._top = 1 << (size.bit_length() - 1) if size else 0

    def subtract(self, index: int, amount: int) -> None:
        tree, i = self._tree, index + 1
        while i < len(tree):
            tree[i] -= amount
            i += i & -i

    def locate(self, target: int) -> int:
        """The 0-based index of the first item whose prefix sum (inclusive) > target."""
        tree, position, step = self._tree, 0, self._top
        while step:
            probe = position + step
            if probe < len(tree) and tree[probe] <= target:
                position = probe
                target -= tree[probe]
            step >>= 1
        return position


def draw_order(seed: bytes, beacon: str | None, frozen: FrozenList) -> Iterator[str]:
    """The draw order as a lazy stream of ids; each draw or re-draw is a slice."""
    drbg = Drbg(seed, beacon, frozen.list_hash)
    if frozen.weights is None:
        indices = _uniform_order(drbg, len(frozen.ids))
    else:
        indices = _weighted_order(drbg, frozen.weights)
    return (frozen.ids[index] for index in indices)


def order_prefix(
    seed: bytes, beacon: str | None, frozen: FrozenList, length: int
) -> list:
    """The first `length` ids of the draw order."""
    stream = draw_order(seed, beacon, frozen)
    return [next(stream) for _ in range(length)]


def _as_frozen(candidates: FrozenList | Sequence[Mapping[str, Any]]) -> FrozenList:
    return candidates if isinstance(candidates, FrozenList) else freeze(candidates)


def check_count(count: Any, field: str = "count", minimum: int = 1) -> int:
    if type(count) is not int or count < minimum:
        raise MalformedInput(field, f"must be an integer >= {minimum}")
    return count


def draw(
    seed: bytes,
    beacon: str | None,
    candidates: FrozenList | Sequence[Mapping[str, Any]],
    count: int,
) -> list:
    """Draw `count` distinct ids: positions 0 … count-1 of the draw order."""
    frozen = _as_frozen(candidates)
    check_count(count)
    if count > frozen.drawable:
        raise TooManyRequested(
            f"cannot draw {count} of {frozen.drawable} drawable candidate(s)"
        )
    return order_prefix(seed, beacon, frozen, count)


def continue_draw(
    seed: bytes,
    beacon: str | None,
    candidates: FrozenList | Sequence[Mapping[str, Any]],
    drawn: Sequence[str],
    count: int,
) -> list:
    """Re-draw `count` more after declines: the positions after every earlier pick.

    `drawn` is every id drawn so far, in draw order (initial result, then each earlier
    re-draw); declined ones stay in it, which is what excludes them. The DRBG simply
    runs on from where the earlier picks stopped.
    """
    frozen = _as_frozen(candidates)
    check_count(count)
    drawn = list(drawn)
    left = frozen.drawable - len(drawn)
    if count > left:
        raise NobodyLeft(
            f"asked for {count} more but only {max(left, 0)} candidate(s) left"
        )
    order = order_prefix(seed, beacon, frozen, len(drawn) + count)
    if order[: len(drawn)] != drawn:
        raise HistoryMismatch(
            "the earlier picks are not the start of this draw's order"
        )
    return order[len(drawn) :]


def tie_break(
    seed: bytes,
    beacon: str | None,
    candidates: FrozenList | Sequence[Mapping[str, Any]],
) -> list:
    """Order tied candidates by lottery: the full equal-chance draw order of the tie."""
    frozen = _as_frozen(candidates)
    if frozen.weights is not None:
        raise MalformedWeights(
            "candidates", "a tie is broken with equal chances, no weights"
        )
    if len(frozen.ids) < 2:
        raise MalformedInput("candidates", "a tie needs at least two candidates")
    return order_prefix(seed, beacon, frozen, len(frozen.ids))
