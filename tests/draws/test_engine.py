"""Unit tests of the pure engine: canonical JSON, commitment, DRBG, samplers, errors."""

import hashlib
import json

import pytest

from trading.draws import engine
from trading.draws.errors import (
    DrawError,
    DuplicateCandidate,
    EmptyCandidates,
    HistoryMismatch,
    MalformedInput,
    MalformedWeights,
    NobodyLeft,
    SeedMismatch,
    TooManyRequested,
)

SEED = bytes(range(32))


def people(n, **extra):
    return [{"id": f"P{i}", "label": f"person {i}", **extra} for i in range(n)]


def weighted(*weights):
    return [{"id": f"W{i}", "weight": w} for i, w in enumerate(weights)]


class ScriptedDrbg:
    """Feeds chosen blocks to the sampler, to hit the rejection branch on purpose."""

    def __init__(self, *blocks):
        self.blocks = list(blocks)
        self.counter = 0

    def next_block(self):
        self.counter += 1
        return self.blocks.pop(0)


# --- canonical JSON -------------------------------------------------------------------


def test_canonical_json_sorts_keys_and_keeps_utf8():
    assert (
        engine.canonical_json({"b": 1, "a": ["é", None, True]})
        == '{"a":["é",null,true],"b":1}'.encode()
    )


def test_canonical_json_is_independent_of_insertion_order():
    assert engine.canonical_json(
        {"x": 1, "y": {"q": 2, "p": 3}}
    ) == engine.canonical_json({"y": {"p": 3, "q": 2}, "x": 1})


def test_canonical_json_escapes_only_what_json_requires():
    text = engine.canonical_json(['"\\\n\x01\u2028😀']).decode()
    assert text == '["\\"\\\\\\n\\u0001\u2028😀"]'


@pytest.mark.parametrize(
    "value, field",
    [
        (1.5, "$"),
        ({"a": [1, 2.0]}, "$.a[1]"),
        ({"a": {"b": float("nan")}}, "$.a.b"),
        ({1: "x"}, "$"),
        ({"s": {1, 2}}, "$.s"),
        (b"bytes", "$"),
    ],
)
def test_canonical_json_rejects_non_json_values_naming_the_field(value, field):
    with pytest.raises(MalformedInput) as caught:
        engine.canonical_json(value)
    assert caught.value.field == field


def test_canonical_json_rejects_lone_surrogates():
    with pytest.raises(MalformedInput, match="surrogate"):
        engine.canonical_json("\ud800")


def test_list_hash_is_sha256_of_canonical_candidates():
    candidates = people(3, attributes={"region": "东莞"})
    expected = hashlib.sha256(engine.canonical_json(candidates)).hexdigest()
    assert engine.candidate_list_hash(candidates) == expected


def test_list_hash_depends_on_order():
    candidates = people(3)
    assert engine.candidate_list_hash(candidates) != engine.candidate_list_hash(
        candidates[::-1]
    )


# --- candidate validation errors ------------------------------------------------------


def test_empty_list_is_refused():
    with pytest.raises(EmptyCandidates):
        engine.freeze([])


def test_duplicate_ids_are_refused_with_both_positions():
    candidates = people(3) + [{"id": "P1"}]
    with pytest.raises(DuplicateCandidate, match=r"candidates\[1\]") as caught:
        engine.freeze(candidates)
    assert caught.value.field == "candidates[3].id"


@pytest.mark.parametrize(
    "candidate, field",
    [
        ("P9", "candidates[1]"),
        ({"label": "no id"}, "candidates[1].id"),
        ({"id": ""}, "candidates[1].id"),
        ({"id": 7}, "candidates[1].id"),
        ({"id": "P9", "label": 3}, "candidates[1].label"),
        ({"id": "P9", "attributes": []}, "candidates[1].attributes"),
        ({"id": "P9", "attributes": {"score": 9.5}}, "candidates[1].attributes.score"),
        (
            {"id": "P9", "attributes": {"deep": [{"x": 0.1}]}},
            "candidates[1].attributes.deep[0].x",
        ),
        ({"id": "P9", "colour": "red"}, "candidates[1]"),
    ],
)
def test_malformed_candidates_name_the_field(candidate, field):
    with pytest.raises(MalformedInput) as caught:
        engine.freeze([{"id": "P0"}, candidate])
    assert caught.value.field == field


def test_nested_attributes_are_accepted():
    frozen = engine.freeze(
        [{"id": "A", "attributes": {"certs": ["x", 2], "m": {"k": None}}}]
    )
    assert frozen.ids == ("A",)


@pytest.mark.parametrize(
    "candidates, field",
    [
        ([{"id": "A", "weight": 1}, {"id": "B"}], "candidates[1].weight"),
        ([{"id": "A", "weight": 1.0}], "candidates[0].weight"),
        ([{"id": "A", "weight": True}], "candidates[0].weight"),
        ([{"id": "A", "weight": -1}], "candidates[0].weight"),
        ([{"id": "A", "weight": 2**53}], "candidates[0].weight"),
        ([{"id": "A", "weight": "3"}], "candidates[0].weight"),
        ([{"id": "A", "weight": 0}, {"id": "B", "weight": 0}], "candidates"),
    ],
)
def test_malformed_weights(candidates, field):
    with pytest.raises(MalformedWeights) as caught:
        engine.freeze(candidates)
    assert caught.value.field == field


def test_every_error_is_a_draw_error():
    for error in (
        EmptyCandidates,
        DuplicateCandidate,
        MalformedWeights,
        TooManyRequested,
        NobodyLeft,
        SeedMismatch,
        HistoryMismatch,
    ):
        assert issubclass(error, DrawError)


# --- seed, commitment, DRBG -----------------------------------------------------------


def test_new_seed_is_32_fresh_bytes():
    first, second = engine.new_seed(), engine.new_seed()
    assert len(first) == 32 and first != second


def test_commitment_is_sha256_of_seed():
    assert engine.commitment(SEED) == hashlib.sha256(SEED).hexdigest()
    engine.check_commitment(SEED, hashlib.sha256(SEED).hexdigest())


def test_wrong_seed_does_not_match_commitment():
    with pytest.raises(SeedMismatch):
        engine.check_commitment(bytes(32), engine.commitment(SEED))


@pytest.mark.parametrize("seed", [b"short", SEED.hex(), bytes(33)])
def test_seed_must_be_32_raw_bytes(seed):
    with pytest.raises(MalformedInput):
        engine.commitment(seed)


def test_message_layout_is_81_bytes():
    list_hash = "ab" * 32
    message = engine.Drbg(SEED, "b", list_hash).message(258)
    assert len(message) == 81
    assert message[:8] == b"draw-v1\x00"
    assert message[8:9] == b"\x01" and message[9:41] == hashlib.sha256(b"b").digest()
    assert message[41:73] == bytes.fromhex(list_hash)
    assert message[73:] == (258).to_bytes(8, "big")
    assert engine.Drbg(SEED, None, list_hash).message(0)[8:41] == bytes(33)


def test_beacon_and_list_hash_change_the_stream():
    base = engine.Drbg(SEED, None, "00" * 32).block(0)
    assert engine.Drbg(SEED, "x", "00" * 32).block(0) != base
    assert engine.Drbg(SEED, None, "01" + "00" * 31).block(0) != base


@pytest.mark.parametrize("beacon", ["", 5, b"x"])
def test_beacon_must_be_null_or_non_empty_text(beacon):
    with pytest.raises(MalformedInput):
        engine.Drbg(SEED, beacon, "00" * 32)


# --- rejection sampling ---------------------------------------------------------------


def test_uniform_below_rejects_the_biased_tail():
    # 2^256 mod 3 == 1, so the single largest block value is rejected for n = 3.
    top, small = b"\xff" * 32, (5).to_bytes(32, "big")
    drbg = ScriptedDrbg(top, small)
    assert engine.uniform_below(drbg, 3) == 2
    assert drbg.counter == 2


def test_uniform_below_accepts_just_under_the_limit():
    limit = 2**256 - (2**256 % 3)
    drbg = ScriptedDrbg((limit - 1).to_bytes(32, "big"))
    assert engine.uniform_below(drbg, 3) == (limit - 1) % 3


def test_uniform_below_of_one_is_zero_without_rejection():
    drbg = ScriptedDrbg(b"\xff" * 32)
    assert engine.uniform_below(drbg, 1) == 0


@pytest.mark.parametrize("n", [0, -1, 2**256 + 1, 2.0])
def test_uniform_below_range(n):
    with pytest.raises(ValueError):
        engine.uniform_below(ScriptedDrbg(), n)


# --- draws, continuation, tie-breaks --------------------------------------------------


def test_draw_more_than_candidates_is_refused():
    with pytest.raises(TooManyRequested):
        engine.draw(SEED, None, people(3), 4)


def test_zero_weight_candidates_do_not_count_as_drawable():
    with pytest.raises(TooManyRequested):
        engine.draw(SEED, None, weighted(1, 0, 2), 3)
    assert sorted(engine.draw(SEED, None, weighted(1, 0, 2), 2)) == ["W0", "W2"]


@pytest.mark.parametrize("count", [0, -1, True, 1.0])
def test_count_must_be_a_positive_integer(count):
    with pytest.raises(MalformedInput):
        engine.draw(SEED, None, people(3), count)


def test_continuation_extends_the_draw_order():
    candidates = people(10)
    first = engine.draw(SEED, "b", candidates, 3)
    more = engine.continue_draw(SEED, "b", candidates, first, 2)
    assert first + more == engine.draw(SEED, "b", candidates, 5)
    assert not set(first) & set(more)


def test_continuation_with_nobody_left():
    candidates = people(4)
    first = engine.draw(SEED, None, candidates, 3)
    with pytest.raises(NobodyLeft):
        engine.continue_draw(SEED, None, candidates, first, 2)
    everyone = first + engine.continue_draw(SEED, None, candidates, first, 1)
    with pytest.raises(NobodyLeft):
        engine.continue_draw(SEED, None, candidates, everyone, 1)


def test_continuation_refuses_a_history_that_is_not_this_draw():
    candidates = people(6)
    first = engine.draw(SEED, None, candidates, 2)
    with pytest.raises(HistoryMismatch):
        engine.continue_draw(SEED, None, candidates, first[::-1], 1)


def test_tie_break_orders_every_tied_candidate():
    tied = people(5)
    order = engine.tie_break(SEED, "beacon", tied)
    assert sorted(order) == sorted(c["id"] for c in tied)
    assert order == engine.draw(SEED, "beacon", tied, 5)


def test_tie_break_refuses_weights_and_single_candidates():
    with pytest.raises(MalformedWeights):
        engine.tie_break(SEED, None, weighted(1, 1))
    with pytest.raises(MalformedInput):
        engine.tie_break(SEED, None, people(1))


def test_frozen_list_can_be_reused():
    frozen = engine.freeze(people(8))
    assert engine.draw(SEED, None, frozen, 3) == engine.draw(SEED, None, people(8), 3)


def test_candidates_given_as_tuples_hash_like_lists():
    as_lists = [{"id": "A", "attributes": {"tags": ["x", "y"]}}]
    as_tuples = ({"id": "A", "attributes": {"tags": ("x", "y")}},)
    assert engine.candidate_list_hash(as_lists) == engine.candidate_list_hash(as_tuples)
    assert json.loads(engine.canonical_json(as_tuples)) == as_lists
