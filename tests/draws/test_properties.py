"""Properties of the draw (hypothesis) and statistical checks of fairness.

Statistical tests use fixed, derived seeds, so they are deterministic: they cannot
flake, and a biased sampler fails them every time.
"""

import hashlib
import math
from collections import Counter
from fractions import Fraction
from itertools import permutations

from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.draws import engine

SIGNIFICANCE = 0.001

seeds = st.binary(min_size=32, max_size=32)
beacons = st.none() | st.text(min_size=1, max_size=20)
attribute_values = st.none() | st.booleans() | st.integers() | st.text(max_size=8)


def seed_number(label, i):
    return hashlib.sha256(f"{label}:{i}".encode()).digest()


@st.composite
def candidate_lists(draw, min_size=1, max_size=12, weights=None):
    size = draw(st.integers(min_size, max_size))
    ids = draw(
        st.lists(
            st.text(min_size=1, max_size=6), min_size=size, max_size=size, unique=True
        )
    )
    with_weights = draw(st.booleans()) if weights is None else weights
    candidates = []
    for ident in ids:
        candidate = {
            "id": ident,
            "attributes": draw(
                st.dictionaries(st.text(max_size=5), attribute_values, max_size=3)
            ),
        }
        if with_weights:
            candidate["weight"] = draw(st.integers(0, 20))
        candidates.append(candidate)
    if with_weights and not any(c["weight"] for c in candidates):
        candidates[0]["weight"] = 1
    return candidates


def naive_weighted_order(drbg, weights):
    """The linear walk of ALGORITHM.md §5, to compare with the Fenwick-tree version."""
    remaining = [i for i, w in enumerate(weights) if w > 0]
    while remaining:
        r = engine.uniform_below(drbg, sum(weights[i] for i in remaining))
        running = 0
        for k, index in enumerate(remaining):
            running += weights[index]
            if r < running:
                yield remaining.pop(k)
                break


# --- properties -----------------------------------------------------------------------


@given(candidate_lists(), seeds, beacons, st.data())
def test_draw_is_deterministic_distinct_and_from_the_list(
    candidates, seed, beacon, data
):
    frozen = engine.freeze(candidates)
    count = data.draw(st.integers(1, frozen.drawable))
    result = engine.draw(seed, beacon, candidates, count)
    assert result == engine.draw(seed, beacon, candidates, count)
    assert len(result) == count == len(set(result))
    assert set(result) <= set(frozen.ids)


@given(candidate_lists(), seeds, beacons, st.data())
def test_continuations_are_slices_of_one_order(candidates, seed, beacon, data):
    frozen = engine.freeze(candidates)
    drawn = engine.draw(
        seed, beacon, frozen, data.draw(st.integers(1, frozen.drawable))
    )
    while len(drawn) < frozen.drawable:
        more = data.draw(st.integers(1, frozen.drawable - len(drawn)))
        drawn += engine.continue_draw(seed, beacon, frozen, drawn, more)
    assert drawn == engine.draw(seed, beacon, frozen, frozen.drawable)
    assert len(set(drawn)) == len(drawn)


@given(candidate_lists(weights=True), seeds, beacons)
def test_weighted_order_matches_the_linear_walk(candidates, seed, beacon):
    frozen = engine.freeze(candidates)
    fast = engine.draw(seed, beacon, frozen, frozen.drawable)
    drbg = engine.Drbg(seed, beacon, frozen.list_hash)
    slow = [frozen.ids[i] for i in naive_weighted_order(drbg, frozen.weights)]
    assert fast == slow


@given(candidate_lists(weights=True), seeds)
def test_zero_weights_are_never_drawn(candidates, seed):
    frozen = engine.freeze(candidates)
    everyone = engine.draw(seed, None, frozen, frozen.drawable)
    assert set(everyone) == {c["id"] for c in candidates if c["weight"] > 0}


@given(candidate_lists(weights=False, min_size=2), seeds)
def test_full_unweighted_draw_is_a_permutation(candidates, seed):
    order = engine.tie_break(seed, None, candidates)
    assert sorted(order) == sorted(c["id"] for c in candidates)


@given(candidate_lists(), st.data())
def test_changing_any_attribute_changes_the_list_hash(candidates, data):
    before = engine.candidate_list_hash(candidates)
    index = data.draw(st.integers(0, len(candidates) - 1))
    key = data.draw(st.text(max_size=5))
    old = candidates[index]["attributes"].get(key, object())
    new = data.draw(
        attribute_values.filter(lambda v: type(v) is not type(old) or v != old)
    )
    candidates[index]["attributes"][key] = new
    assert engine.candidate_list_hash(candidates) != before


@given(candidate_lists(min_size=2), st.data())
def test_reordering_or_relabelling_changes_the_list_hash(candidates, data):
    before = engine.candidate_list_hash(candidates)
    i = data.draw(st.integers(1, len(candidates) - 1))
    swapped = list(candidates)
    swapped[0], swapped[i] = swapped[i], swapped[0]
    assert engine.candidate_list_hash(swapped) != before
    relabelled = [dict(c) for c in candidates]
    relabelled[0]["label"] = "changed"
    assert engine.candidate_list_hash(relabelled) != before


@settings(max_examples=examples(25))
@given(st.integers(2, 6), st.booleans())
def test_every_candidate_is_reachable_first(size, with_weights):
    candidates = [
        {"id": f"C{i}", **({"weight": 1 + i % 3} if with_weights else {})}
        for i in range(size)
    ]
    frozen = engine.freeze(candidates)
    firsts = {
        engine.draw(seed_number("reach", i), None, frozen, 1)[0] for i in range(200)
    }
    assert firsts == set(frozen.ids)


# --- statistics -----------------------------------------------------------------------


def chi_square_survival(x, df):
    """P(X > x) for a chi-square variable (Abramowitz & Stegun 26.4.4 / 26.4.5)."""
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for k in range(1, df // 2):
            term *= (x / 2) / k
            total += term
        return math.exp(-x / 2) * total
    root = math.sqrt(x)
    tail = math.erfc(root / math.sqrt(2))  # 2 · P(Z > √x)
    density = math.exp(-x / 2) / math.sqrt(2 * math.pi)
    term, total = 1.0 / root, 0.0
    for r in range(1, (df - 1) // 2 + 1):
        term *= x / (2 * r - 1)
        total += term
    return tail + 2 * density * total


def chi_square_critical(df, alpha=SIGNIFICANCE):
    low, high = 0.0, 1000.0
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (
            (middle, high) if chi_square_survival(middle, df) > alpha else (low, middle)
        )
    return high


def chi_square(observed, expected):
    return sum((observed[key] - e) ** 2 / e for key, e in expected.items())


def test_chi_square_critical_values_match_tables():
    assert abs(chi_square_critical(9) - 27.877) < 0.001
    assert abs(chi_square_critical(5) - 20.515) < 0.001
    assert abs(chi_square_critical(1, 0.05) - 3.841) < 0.001


def test_first_pick_is_uniform_among_ten():
    frozen = engine.freeze([{"id": f"C{i}"} for i in range(10)])
    runs = 20_000
    firsts = Counter(
        engine.draw(seed_number("uniform", i), None, frozen, 1)[0] for i in range(runs)
    )
    expected = {ident: runs / 10 for ident in frozen.ids}
    assert chi_square(firsts, expected) < chi_square_critical(9)


def test_every_ordering_of_three_is_equally_likely():
    frozen = engine.freeze([{"id": name} for name in "ABC"])
    runs = 6_000
    orders = Counter(
        tuple(engine.tie_break(seed_number("perm", i), "b", frozen))
        for i in range(runs)
    )
    expected = {order: runs / 6 for order in permutations("ABC")}
    assert chi_square(orders, expected) < chi_square_critical(5)


def test_heavy_candidate_is_first_in_proportion_to_its_weight():
    weights = [50, 10, 10, 10, 10, 10]
    frozen = engine.freeze(
        [{"id": f"W{i}", "weight": w} for i, w in enumerate(weights)]
    )
    runs = 10_000
    firsts = Counter(
        engine.draw(seed_number("weight", i), None, frozen, 1)[0] for i in range(runs)
    )
    share = firsts["W0"] / runs
    assert abs(share - 0.5) < 4 * math.sqrt(0.25 / runs)
    expected = {f"W{i}": runs * w / sum(weights) for i, w in enumerate(weights)}
    assert chi_square(firsts, expected) < chi_square_critical(5)


def test_weighted_ordered_pairs_follow_successive_sampling():
    weights = {"A": 3, "B": 2, "C": 1}
    frozen = engine.freeze([{"id": k, "weight": w} for k, w in weights.items()])
    runs = 6_000
    pairs = Counter(
        tuple(engine.draw(seed_number("pairs", i), None, frozen, 2))
        for i in range(runs)
    )
    total = sum(weights.values())
    expected = {
        (a, b): float(
            runs
            * Fraction(weights[a], total)
            * Fraction(weights[b], total - weights[a])
        )
        for a, b in permutations(weights, 2)
    }
    assert chi_square(pairs, expected) < chi_square_critical(5)
