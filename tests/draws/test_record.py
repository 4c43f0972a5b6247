"""The public draw record: building it; a verifier that names exactly what differs."""

import copy
import json

import pytest
from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.draws import engine
from trading.draws.errors import (
    InvalidDecline,
    MalformedInput,
    NobodyLeft,
    SeedMismatch,
    TooManyRequested,
)
from trading.draws.record import (
    RECORD_FIELDS,
    build_record,
    dump_record,
    load_record,
    verify_record,
)

SEED = bytes.fromhex("5a" * 32)
BEACON = "福彩3D 2025172期 5 8 1"
EXPERTS = [
    {
        "id": f"E{i}",
        "label": f"专家{i}",
        "attributes": {"specialty": "建筑", "years": 8 + i},
    }
    for i in range(1, 11)
]


def expert_record(**overrides):
    first = engine.draw(SEED, BEACON, EXPERTS, 4)
    arguments = dict(
        purpose="expert_draw",
        subject={"type": "project", "id": "GC-2025-017"},
        rule="建筑专业 3 名 + 备选 1 名, 回避投标人关联专家",
        count=4,
        candidates=EXPERTS,
        seed=SEED,
        beacon=BEACON,
        beacon_source="中国福利彩票 3D 第2025172期开奖号码",
        follow_ups=[
            {
                "declined": [first[0]],
                "reason": "无法到场",
                "count": 1,
                "at": "2025-07-01T09:20:00+08:00",
            },
        ],
        witnesses=[
            {"name": "王五", "role": "监督人员"},
            {"name": "赵六", "role": "采购人代表"},
        ],
        timestamps={
            "frozen_at": "2025-07-01T08:00:00+08:00",
            "drawn_at": "2025-07-01T09:00:00+08:00",
        },
    )
    arguments.update(overrides)
    return build_record(**arguments)


def only_problem(record):
    result = verify_record(record)
    assert not result.valid
    assert len(result.problems) == 1, result.summary()
    return result.problems[0]


# --- building -------------------------------------------------------------------------


def test_record_has_every_field_in_order():
    record = expert_record()
    assert tuple(record) == RECORD_FIELDS
    assert record["algorithm"] == "draw-v1"
    assert record["seed"] == SEED.hex()
    assert record["commitment"] == engine.commitment(SEED)
    assert record["candidate_list_hash"] == engine.candidate_list_hash(EXPERTS)


def test_record_results_are_the_draw_and_its_continuation():
    record = expert_record()
    assert record["result"] == engine.draw(SEED, BEACON, EXPERTS, 4)
    assert record["follow_ups"][0]["result"] == engine.continue_draw(
        SEED, BEACON, EXPERTS, record["result"], 1
    )


def test_valid_record_verifies():
    result = verify_record(expert_record())
    assert result.valid and result.revealed
    assert result.summary() == "valid"


def test_record_survives_publication_round_trip():
    text = dump_record(expert_record())
    assert "专家1" in text  # published readable, not \u-escaped
    assert verify_record(load_record(text)).valid


def test_pending_record_verifies_the_list_hash_only():
    record = expert_record(seed=None, commitment=engine.commitment(SEED), follow_ups=[])
    assert record["result"] == [] and record["seed"] is None
    result = verify_record(record)
    assert result.valid and not result.revealed
    assert result.summary().startswith("valid (seed not revealed yet")


def test_revealed_record_matches_its_pending_commitment():
    pending = expert_record(
        seed=None, commitment=engine.commitment(SEED), follow_ups=[]
    )
    revealed = expert_record(commitment=pending["commitment"], follow_ups=[])
    assert revealed["candidate_list_hash"] == pending["candidate_list_hash"]
    assert verify_record(revealed).valid


def test_a_zero_count_follow_up_records_a_decline_covered_by_reserves():
    first = engine.draw(SEED, BEACON, EXPERTS, 4)
    record = expert_record(
        follow_ups=[{"declined": [first[1]], "reason": "回避", "count": 0, "at": "t"}]
    )
    assert record["follow_ups"][0]["result"] == []
    assert verify_record(record).valid


def test_weighted_record_verifies():
    firms = [{"id": f"F{i}", "weight": w} for i, w in enumerate([5, 0, 3, 1])]
    record = expert_record(candidates=firms, count=2, follow_ups=[])
    assert verify_record(record).valid


def test_tie_break_record_verifies():
    tied = [
        {"id": "B1", "attributes": {"score": 8650}},
        {"id": "B2", "attributes": {"score": 8650}},
    ]
    record = expert_record(purpose="tie_break", candidates=tied, count=2, follow_ups=[])
    assert record["result"] == engine.tie_break(SEED, BEACON, tied)
    assert verify_record(record).valid


# --- building refuses inconsistent input ----------------------------------------------


def test_build_refuses_a_seed_that_does_not_match_the_commitment():
    with pytest.raises(SeedMismatch):
        expert_record(commitment=engine.commitment(bytes(32)))


def test_build_refuses_too_many():
    with pytest.raises(TooManyRequested):
        expert_record(count=11, follow_ups=[])


def test_build_refuses_a_re_draw_with_nobody_left():
    first = engine.draw(SEED, BEACON, EXPERTS, 9)
    with pytest.raises(NobodyLeft):
        expert_record(
            count=9,
            follow_ups=[{"declined": first[:1], "reason": "r", "count": 2, "at": "t"}],
        )


@pytest.mark.parametrize("declined", [[], ["E-unknown"], "undrawn", "twice"])
def test_build_refuses_invalid_declines(declined):
    order = engine.draw(SEED, BEACON, EXPERTS, 10)
    if declined == "undrawn":
        declined = [order[5]]  # drawn only later, not before the follow-up
    if declined == "twice":
        declined = [order[0], order[0]]
    with pytest.raises(InvalidDecline):
        expert_record(
            follow_ups=[{"declined": declined, "reason": "r", "count": 1, "at": "t"}]
        )


def test_build_pending_needs_a_commitment_and_no_follow_ups():
    with pytest.raises(MalformedInput):
        expert_record(seed=None, follow_ups=[])
    with pytest.raises(MalformedInput):
        expert_record(seed=None, commitment=engine.commitment(SEED))


def test_build_refuses_malformed_metadata():
    with pytest.raises(MalformedInput) as caught:
        expert_record(witnesses=[{"role": "监督"}])
    assert caught.value.field == "witnesses[0].name"


# --- tampering: each field gives its own precise message ------------------------------


def test_tampered_seed_is_a_commitment_mismatch():
    record = expert_record()
    record["seed"] = "00" * 32
    problem = only_problem(record)
    assert problem.field == "commitment"
    assert str(problem).startswith("commitment mismatch: SHA-256(seed) is ")


def test_tampered_commitment_is_a_commitment_mismatch():
    record = expert_record()
    record["commitment"] = "ff" * 32
    assert only_problem(record).field == "commitment"


def test_tampered_beacon_changes_the_results():
    record = expert_record()
    record["beacon"] = BEACON + " "
    result = verify_record(record)
    assert not result.valid
    assert all(p.kind == "mismatch" for p in result.problems)
    assert str(result.problems[0]).startswith(
        "result mismatch at position 0: recomputed "
    )


def test_removed_beacon_changes_the_results():
    record = expert_record()
    record["beacon"] = None
    assert str(verify_record(record).problems[0]).startswith(
        "result mismatch at position"
    )


def test_tampered_candidate_attribute_is_a_list_hash_mismatch():
    record = expert_record()
    record["candidates"][3]["attributes"]["years"] += 1
    problem = only_problem(record)
    assert problem.field == "candidate_list_hash"
    assert "candidate list hash mismatch" in str(problem)


def test_tampered_weight_is_a_list_hash_mismatch():
    firms = [{"id": f"F{i}", "weight": w} for i, w in enumerate([5, 0, 3, 1])]
    record = expert_record(candidates=firms, count=2, follow_ups=[])
    record["candidates"][1]["weight"] = 9
    assert only_problem(record).field == "candidate_list_hash"


def test_tampered_candidate_order_is_a_list_hash_mismatch():
    record = expert_record()
    record["candidates"][0], record["candidates"][1] = (
        record["candidates"][1],
        record["candidates"][0],
    )
    assert only_problem(record).field == "candidate_list_hash"


def test_swapped_result_order_names_both_positions():
    record = expert_record()
    first, second = record["result"][1], record["result"][2]
    record["result"][1], record["result"][2] = second, first
    problems = verify_record(record).problems
    assert [str(p) for p in problems] == [
        f"result mismatch at position 1: recomputed {first!r}, recorded {second!r}",
        f"result mismatch at position 2: recomputed {second!r}, recorded {first!r}",
    ]
    assert [p.field for p in problems] == ["result[1]", "result[2]"]


def test_substituted_winner_is_named():
    record = expert_record()
    outsider = next(
        c["id"]
        for c in EXPERTS
        if c["id"] not in record["result"] + record["follow_ups"][0]["result"]
    )
    recomputed = record["result"][0]
    record["result"][0] = outsider
    problem = only_problem(record)
    expected = f"recomputed {recomputed!r}, recorded {outsider!r}"
    assert str(problem) == f"result mismatch at position 0: {expected}"


def test_tampered_follow_up_result_is_a_follow_up_mismatch():
    record = expert_record()
    recomputed = record["follow_ups"][0]["result"][0]
    record["follow_ups"][0]["result"] = [record["result"][1]]
    problem = only_problem(record)
    assert problem.field == "follow_ups[0].result[0]"
    assert str(problem).startswith(
        f"follow-up 0 mismatch at position 0: recomputed {recomputed!r}"
    )


def test_follow_up_declining_someone_never_drawn():
    record = expert_record()
    undrawn = record["follow_ups"][0]["result"][0]
    record["follow_ups"][0]["declined"] = [undrawn]
    problem = only_problem(record)
    assert problem.field == "follow_ups[0].declined[0]"
    assert "was not drawn before it" in str(problem)


def test_follow_up_count_beyond_the_list():
    record = expert_record()
    record["follow_ups"][0]["count"] = 7
    problems = {p.field: str(p) for p in verify_record(record).problems}
    assert problems == {
        "follow_ups[0].count": "follow-up 0 asks for 7 but only 6 candidate(s)"
        " were left",
        "follow_ups[0].result": "follow-up 0 lists 1 id(s) but its count is 7",
    }


def test_result_shorter_than_count():
    record = expert_record()
    record["result"].pop()
    assert str(only_problem(record)) == "result lists 3 id(s) but its count is 4"


def test_count_beyond_the_list():
    record = expert_record(follow_ups=[])
    record["count"] = 11
    assert only_problem(record).field == "count"


def test_result_without_a_revealed_seed():
    record = expert_record(follow_ups=[])
    record["seed"] = None
    assert str(only_problem(record)) == "result recorded but the seed is not revealed"


def test_unknown_algorithm_version():
    record = expert_record()
    record["algorithm"] = "draw-v2"
    problem = only_problem(record)
    assert problem.kind == "unknown_algorithm"
    assert "unknown algorithm version 'draw-v2'" in str(problem)
    assert verify_record(record).unverifiable


@pytest.mark.parametrize(
    "path, value, field",
    [
        (("count",), "4", "count"),
        (("seed",), "5A" * 32, "seed"),
        (("commitment",), "abc", "commitment"),
        (("beacon",), "", "beacon"),
        (("purpose",), " ", "purpose"),
        (("subject", "id"), 17, "subject.id"),
        (("result",), "E1", "result"),
        (("result", 0), None, "result[0]"),
        (("follow_ups", 0, "count"), -1, "follow_ups[0].count"),
        (("follow_ups", 0, "declined"), [], "follow_ups[0].declined"),
        (("follow_ups", 0, "at"), None, "follow_ups[0].at"),
        (("witnesses", 0, "role"), 3, "witnesses[0].role"),
        (("timestamps", "drawn_at"), 1751331600, "timestamps.drawn_at"),
        (("candidates", 2, "weight"), 2, "candidates[2].weight"),
        (
            ("candidates", 0, "attributes", "years"),
            1.5,
            "candidates[0].attributes.years",
        ),
    ],
)
def test_malformed_fields_are_named(path, value, field):
    record = expert_record()
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problem = only_problem(record)
    assert problem.kind == "malformed" and problem.field == field
    assert str(problem).startswith(f"malformed field {field}: ")


def test_missing_and_unknown_top_level_fields():
    record = expert_record()
    del record["witnesses"]
    assert only_problem(record).field == "witnesses"
    record = expert_record()
    record["winner"] = "E1"
    assert only_problem(record).field == "winner"


def test_not_an_object():
    assert only_problem([1, 2]).field == "$"


# --- strict loading -------------------------------------------------------------------


def test_load_refuses_duplicate_keys():
    with pytest.raises(MalformedInput, match="duplicate key 'seed'"):
        load_record('{"seed": "a", "seed": "b"}')


def test_load_refuses_nan():
    with pytest.raises(MalformedInput):
        load_record('{"count": NaN}')


def test_load_keeps_decimals_so_the_field_can_be_named():
    record = json.loads(dump_record(expert_record()))
    record["candidates"][1]["attributes"]["years"] = 9.5
    loaded = load_record(json.dumps(record))
    assert only_problem(loaded).field == "candidates[1].attributes.years"


def test_verify_does_not_modify_the_record():
    record = expert_record()
    before = copy.deepcopy(record)
    verify_record(record)
    assert record == before


@settings(max_examples=examples(40), deadline=None)
@given(
    st.integers(2, 12),
    st.booleans(),
    st.binary(min_size=32, max_size=32),
    st.none() | st.text(min_size=1, max_size=10),
    st.data(),
)
def test_any_built_record_verifies(size, with_weights, seed, beacon, data):
    candidates = [
        {"id": f"X{i}", **({"weight": 1 + i % 4} if with_weights else {})}
        for i in range(size)
    ]
    count = data.draw(st.integers(1, size - 1))
    order = engine.draw(seed, beacon, candidates, size)
    follow_ups, handed_out, declined = [], count, set()
    while handed_out < size and data.draw(st.booleans()):
        who = data.draw(st.sampled_from(sorted(set(order[:handed_out]) - declined)))
        declined.add(who)
        more = data.draw(st.integers(0, size - handed_out))
        follow_ups.append({"declined": [who], "reason": "r", "count": more, "at": "t"})
        handed_out += more
        if len(declined) == handed_out:
            break
    record = expert_record(
        candidates=candidates,
        count=count,
        seed=seed,
        beacon=beacon,
        follow_ups=follow_ups,
    )
    assert verify_record(load_record(dump_record(record))).valid
    assert (
        record["result"] + [r for f in record["follow_ups"] for r in f["result"]]
        == (order[:handed_out])
    )


@pytest.mark.parametrize("nested", [False, True])
def test_built_record_is_independent_of_the_callers_candidates(nested):
    # Flat lists take the fast two-level copy, nested ones the general deep copy.
    attributes = {"grade": "甲级", "years": 9}
    if nested:
        attributes["regions"] = ["东莞", "深圳"]
    mine = [{"id": f"Z{i}", "label": "x", "attributes": dict(attributes), "weight": 1 + i}
            for i in range(4)]
    assert engine.freeze(mine).flat is not nested
    record = build_record(purpose="p", subject={"type": "t", "id": "1"}, rule="r", count=2,
                          candidates=mine, seed=bytes(32))
    before = copy.deepcopy(record)
    mine[0]["attributes"]["grade"] = "乙级"
    mine[1]["weight"] = 99
    mine[2]["label"] = "y"
    if nested:
        mine[3]["attributes"]["regions"].append("广州")
    assert record == before and verify_record(record).valid
