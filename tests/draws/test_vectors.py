"""Fixed test vectors, checked against the engine AND an independent re-implementation.

The vectors were generated once by `python -m trading.draws vector`; the reference code
below is written from ALGORITHM.md alone (hmac.new + struct, a hand-written JSON
serialiser, a naive shuffle and a linear weighted walk), so the vectors are not merely
the engine agreeing with itself.
"""

import hashlib
import hmac
import json
import pathlib
import struct

import pytest

from trading.draws import engine
from trading.draws.__main__ import compute_vector
from trading.draws.record import build_record, verify_record

VECTORS = sorted((pathlib.Path(__file__).parent / "vectors").glob("*.json"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


# --- reference implementation (ALGORITHM.md §1–§7) ------------------------------------

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def ref_canonical(value):
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + "".join(_ref_char(ch) for ch in value) + '"'
    if isinstance(value, list):
        return "[" + ",".join(ref_canonical(item) for item in value) + "]"
    assert isinstance(value, dict)
    keys = sorted(value)  # Python orders str by code point, as the spec says
    return (
        "{"
        + ",".join(ref_canonical(k) + ":" + ref_canonical(value[k]) for k in keys)
        + "}"
    )


def _ref_char(ch):
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ord(ch) < 0x20:
        return f"\\u{ord(ch):04x}"
    return ch


class RefStream:
    def __init__(self, seed, beacon, list_hash_hex):
        if beacon is None:
            beacon_part = b"\x00" + b"\x00" * 32
        else:
            beacon_part = b"\x01" + hashlib.sha256(beacon.encode("utf-8")).digest()
        self.prefix = b"draw-v1\x00" + beacon_part + bytes.fromhex(list_hash_hex)
        self.seed = seed
        self.counter = 0

    def message(self, counter):
        return self.prefix + struct.pack(">Q", counter)

    def block(self, counter):
        return hmac.new(self.seed, self.message(counter), hashlib.sha256).digest()

    def below(self, n):
        limit = 2**256 - (2**256 % n)
        while True:
            x = int(self.block(self.counter).hex(), 16)
            self.counter += 1
            if x < limit:
                return x % n


def ref_order(stream, candidates, length):
    ids = [c["id"] for c in candidates]
    if "weight" not in candidates[0]:
        deck = list(ids)
        for i in range(length):
            j = i + stream.below(len(deck) - i)
            deck[i], deck[j] = deck[j], deck[i]
        return deck[:length]
    remaining = [(c["id"], c["weight"]) for c in candidates]
    picks = []
    for _ in range(length):
        r = stream.below(sum(w for _, w in remaining))
        running = 0
        for k, (ident, weight) in enumerate(remaining):
            running += weight
            if r < running:
                picks.append(ident)
                del remaining[k]
                break
    return picks


def ref_vector(spec):
    seed = bytes.fromhex(spec["seed"])
    canonical = ref_canonical(spec["candidates"])
    list_hash = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    stream = RefStream(seed, spec["beacon"], list_hash)
    counts = [spec.get("count", len(spec["candidates"]))]
    counts += [f["count"] for f in spec.get("follow_ups", [])]
    order = ref_order(stream, spec["candidates"], sum(counts))
    segments, start = [], 0
    for count in counts:
        segments.append(order[start : start + count])
        start += count
    return {
        "candidates_canonical": canonical,
        "candidate_list_hash": list_hash,
        "commitment": hashlib.sha256(seed).hexdigest(),
        "drbg_message_0": stream.message(0).hex(),
        "drbg_blocks": [stream.block(c).hex() for c in range(spec.get("blocks", 4))],
        "result": segments[0],
        "follow_up_results": segments[1:],
    }


# --- the tests ------------------------------------------------------------------------


def test_there_are_vectors_of_every_kind():
    names = {path.stem for path in VECTORS}
    assert len(names) >= 8
    kinds = {load(path)["input"].get("kind", "draw") for path in VECTORS}
    assert kinds == {"draw", "tie_break", "uniform"}


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_engine_reproduces_vector(path):
    vector = load(path)
    assert compute_vector(vector["input"]) == vector["expected"]


@pytest.mark.parametrize(
    "path",
    [p for p in VECTORS if load(p)["input"].get("kind") != "uniform"],
    ids=lambda p: p.stem,
)
def test_reference_reproduces_vector(path):
    vector = load(path)
    expected = dict(vector["expected"])
    if vector["input"].get("kind") == "tie_break":
        expected["follow_up_results"] = []
    assert ref_vector(vector["input"]) == expected


def test_reference_reproduces_rejections():
    vector = load(next(p for p in VECTORS if load(p)["input"].get("kind") == "uniform"))
    spec = vector["input"]
    stream = RefStream(bytes.fromhex(spec["seed"]), spec["beacon"], spec["list_hash"])
    for sample in vector["expected"]["samples"]:
        first = stream.counter
        assert str(stream.below(int(spec["n"]))) == sample["value"]
        assert sample["counters"] == list(range(first, stream.counter))
    # The vector is only useful if it really exercises the rejection branch.
    assert any(len(s["counters"]) > 1 for s in vector["expected"]["samples"])


@pytest.mark.parametrize(
    "path",
    [p for p in VECTORS if load(p)["input"].get("kind", "draw") == "draw"],
    ids=lambda p: p.stem,
)
def test_vector_as_record_verifies(path):
    spec = load(path)["input"]
    record = build_record(
        purpose="vector",
        subject={"type": "test", "id": path.stem},
        rule="test vector",
        count=spec["count"],
        candidates=spec["candidates"],
        seed=bytes.fromhex(spec["seed"]),
        beacon=spec["beacon"],
        follow_ups=[
            {
                "declined": f["declined"],
                "reason": "declined",
                "count": f["count"],
                "at": "t",
            }
            for f in spec.get("follow_ups", [])
        ],
    )
    expected = load(path)["expected"]
    assert record["result"] == expected["result"]
    assert [f["result"] for f in record["follow_ups"]] == expected["follow_up_results"]
    assert verify_record(record).valid


def test_worked_example_matches_algorithm_md():
    """ALGORITHM.md quotes the worked example's numbers; keep the prose honest."""
    doc = (pathlib.Path(engine.__file__).parent / "ALGORITHM.md").read_text(
        encoding="utf-8"
    )
    vector = load(next(p for p in VECTORS if "worked_example" in p.stem))["expected"]
    for value in [
        vector["candidate_list_hash"],
        vector["commitment"],
        *vector["drbg_blocks"][:3],
    ]:
        assert value in doc
