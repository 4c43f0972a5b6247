"""最优价 (rules §1.4, §5.4), worked by hand from the rulebook: drop the single highest and
the single lowest quote, mean of the rest × K is the reference (2 dp), the closest counted
quote wins, a dropped quote cannot win, ties by lottery. Amounts in 分 (元 × 100)."""

import math
from fractions import Fraction
from itertools import permutations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.rules.best_price import (
    BestPriceError,
    DrawMismatch,
    LotteryKind,
    Quote,
    Trim,
    best_price,
    closest,
    trim,
)

K95, K96, K97 = Fraction(95, 100), Fraction(96, 100), Fraction(97, 100)


def quotes(*yuan) -> list[Quote]:
    """Parties A, B, C, … quoting the given 元 amounts (exact: 100 分 each)."""
    return [Quote(chr(ord("A") + i), round(y * 100)) for i, y in enumerate(yuan)]


def test_issue_case_one_of_two_equal_highest_is_dropped():
    # [90, 100, 100] × 0.96: 90 and one 100 dropped, the other 100 counted;
    # reference 100 × 0.96 = 96.00. The dropped 90 is out of the running. Which 100 was
    # dropped is a tie between equals: one lottery between B and C decides the winner.
    result = best_price(quotes(90, 100, 100), coefficient=K96)
    assert result.reference == 9600
    assert result.trim == Trim(counted=(10000,), dropped=(9000, 10000))
    assert result.barred == ("A",)
    assert result.winner is None
    assert (result.lottery.kind, result.lottery.candidates, result.lottery.keep) == (
        LotteryKind.WINNER, ("B", "C"), 1)
    assert best_price(quotes(90, 100, 100), coefficient=K96, drawn=[["C"]]).winner == "C"


def test_issue_case_one_of_two_equal_highest_stays_in_the_mean():
    # [80, 95, 100, 110, 110] × 0.95: 80 and one 110 dropped, 95, 100, 110 counted;
    # mean 305 / 3 = 101.666…, × 0.95 = 96.583… → 96.58. Closest counted: 95 (1.58 away).
    result = best_price(quotes(80, 95, 100, 110, 110), coefficient=K95)
    assert result.reference == 9658
    assert result.trim.counted == (9500, 10000, 11000)
    assert (result.winner, result.lottery, result.barred) == ("B", None, ("A",))


def test_distinct_quotes_the_closest_counted_wins():
    # [1, 2, 3, 4, 5] 元 × 0.95: drop 1 and 5; mean of 2, 3, 4 = 3, × 0.95 = 2.85;
    # 3 is 0.15 away, 2 is 0.85 away: C wins; A and E were dropped.
    result = best_price(quotes(1, 2, 3, 4, 5), coefficient=K95)
    assert (result.reference, result.winner, result.barred) == (285, "C", ("A", "E"))


def test_a_dropped_quote_at_the_reference_cannot_win():
    # [9.50, 10, 10, 10, 11] × 0.95: drop 9.50 and 11; mean 10 × 0.95 = 9.50 exactly —
    # the dropped 9.50 sits on the reference but is out; the three counted 10s tie.
    result = best_price(quotes(9.5, 10, 10, 10, 11), coefficient=K95)
    assert result.reference == 950 and result.barred == ("A", "E")
    assert result.lottery.candidates == ("B", "C", "D") and result.lottery.keep == 1


def test_all_equal_quotes_one_lottery_among_everyone():
    # [5, 5, 5] × 0.97: one 5 dropped at each end, the third counted; reference 4.85.
    # Who was dropped is a tie among equals: one lottery among all three decides.
    result = best_price(quotes(5, 5, 5), coefficient=K97)
    assert result.reference == 485 and result.trim.dropped == (500, 500)
    assert result.lottery.candidates == ("A", "B", "C") and result.barred == ()
    assert best_price(quotes(5, 5, 5), coefficient=K97, drawn=[["B"]]).winner == "B"


def test_two_quotes_are_computed_on_the_actual_number():
    # §5.4 "2–5 bids → computed on the actual number": with two nothing is dropped;
    # mean 110 × 0.95 = 104.50; 100 is 4.50 away, 120 is 15.50 away.
    result = best_price(quotes(100, 120), coefficient=K95)
    assert result.trim == Trim(counted=(10000, 12000))
    assert (result.reference, result.winner, result.barred) == (10450, "A", ())


def test_a_single_quote_wins():  # §5.4: privately funded, one bid → that bidder
    assert best_price(quotes(150), coefficient=K95).winner == "A"


def test_equally_close_above_and_below_go_to_one_lottery():
    # [80, 90, 100, 110, 120] × 0.95: counted 90, 100, 110, mean 100 × 0.95 = 95.00;
    # 90 and 100 are both 5.00 away, each quoted once and counted: B or C by lottery.
    result = best_price(quotes(80, 90, 100, 110, 120), coefficient=K95)
    assert result.reference == 9500 and result.barred == ("A", "E")
    assert result.lottery.kind is LotteryKind.WINNER
    assert result.lottery.candidates == ("B", "C")


def test_a_tie_with_a_half_dropped_amount_draws_the_dropped_one_first():
    # [90, 90, 100, 110, 120] × 0.95: one 90 and 120 dropped; counted 90, 100, 110;
    # mean 100 × 0.95 = 95.00: the counted 90 and the 100 are both 5.00 away. One of A
    # and B (both 90) was dropped and cannot win: a first draw keeps one of them, then
    # the tie between the kept 90 and C's 100 is drawn. Each amount keeps an even chance.
    q = quotes(90, 90, 100, 110, 120)
    first = best_price(q, coefficient=K95)
    assert first.reference == 9500 and first.barred == ("E",)
    assert (first.lottery.kind, first.lottery.candidates, first.lottery.keep) == (
        LotteryKind.EXTREME, ("A", "B"), 1)
    second = best_price(q, coefficient=K95, drawn=[["B"]])
    assert second.barred == ("A", "E")
    assert (second.lottery.kind, second.lottery.candidates) == (LotteryKind.WINNER,
                                                                 ("B", "C"))
    assert best_price(q, coefficient=K95, drawn=[["B"], ["C"]]).winner == "C"
    with pytest.raises(DrawMismatch):  # the dropped A cannot be drawn to win
        best_price(q, coefficient=K95, drawn=[["B"], ["A"]])


def test_the_reference_is_rounded_half_up_to_the_fen():
    # [10.00, 10.10, 10.30] × 0.95: counted 10.10 → 9.595 元 = 959.5 分 → 960 分 (9.60).
    assert best_price(quotes(10, 10.1, 10.3), coefficient=K95).reference == 960
    exact = best_price(quotes(10, 10.1, 10.3), coefficient=K95, reference_to_fen=False)
    assert exact.reference == Fraction(1919, 2)


def test_trimming_starts_at_the_profiles_count():
    # Gansu's works variant drops extremes only with more than 3 bids (trim_min_n = 4):
    # [90, 100, 100] keeps all; mean 96.666… × 0.96 = 92.80 → 90 (2.80 away) wins.
    result = best_price(quotes(90, 100, 100), coefficient=K96, trim_min_n=4)
    assert result.trim.dropped == () and result.reference == 9280
    assert result.winner == "A"
    with pytest.raises(BestPriceError):
        trim([1, 2, 3], min_n=2)


def test_a_deterministic_tie_breaker_sees_only_the_counted():
    # Earlier submission breaks ties (a profile option of the final-offer round). In
    # [90, 90, 100, 110, 120] × 0.95 the dropped 90 is drawn first; the tie-breaker then
    # chooses among the kept 90 and the 100 — here the earliest is A, but A was dropped.
    order = {"A": 1, "B": 3, "C": 2, "D": 4, "E": 5}

    def earliest(tied):
        return [min(tied, key=order.get)]

    q = quotes(90, 90, 100, 110, 120)
    assert best_price(q, coefficient=K95, narrow=earliest).lottery.kind is LotteryKind.EXTREME
    assert best_price(q, coefficient=K95, narrow=earliest, drawn=[["B"]]).winner == "C"
    assert best_price(q, coefficient=K95, narrow=earliest, drawn=[["A"]]).winner == "A"


@pytest.mark.parametrize("bad", [
    [], [Quote("A", 1), Quote("A", 2)], [Quote("", 1)], [Quote("A", 1.5)],
    [Quote("A", -1)], [Quote("A", True)],
])
def test_bad_quotes_are_refused(bad):
    with pytest.raises(BestPriceError):
        best_price(bad)


def test_bad_draws_are_refused():
    with pytest.raises(DrawMismatch):
        best_price(quotes(1, 2, 3), drawn=[["B"]])  # decided: no draw expected
    with pytest.raises(DrawMismatch):
        best_price(quotes(5, 5, 5), drawn=[["A", "B"]])  # one pick asked
    with pytest.raises(BestPriceError):
        best_price(quotes(1, 2, 3), coefficient=0.95)  # floats are not exact


# --- properties -----------------------------------------------------------------------

amounts = st.lists(st.sampled_from([800, 900, 950, 1000, 1050, 1100, 1200]),
                   min_size=1, max_size=6)
coefficients = st.sampled_from([Fraction(1), K95, K96, K97, Fraction(98, 100)])


def win_chances(q, **kw) -> dict[str, Fraction]:
    """Each party's chance to win, over every way the equal-chance draws can fall."""
    chances = {x.party: Fraction(0) for x in q}

    def walk(drawn, weight):
        result = best_price(q, drawn=drawn, **kw)
        if result.winner is not None:
            chances[result.winner] += weight
            return
        outcomes = list(permutations(result.lottery.candidates, result.lottery.keep))
        for picks in outcomes:
            walk([*drawn, list(picks)], weight / len(outcomes))

    walk([], Fraction(1))
    return chances


@given(amounts, coefficients)
def test_each_counted_quote_has_an_equal_chance_and_a_dropped_one_none(values, k):
    q = [Quote(f"P{i}", a) for i, a in enumerate(values)]
    chances = win_chances(q, coefficient=k)
    assert sum(chances.values()) == 1
    result = best_price(q, coefficient=k)
    slots = {a: result.trim.counted.count(a) for a in set(result.trim.counted)}
    best = closest(tuple(sorted(slots)), result.reference)
    in_running = sum(slots[a] for a in best)
    for amount in set(values):
        holders = [x.party for x in q if x.amount_fen == amount]
        assert len({chances[p] for p in holders}) == 1  # equal quotes, equal chances
        expected = Fraction(slots[amount], in_running) if amount in best else 0
        assert sum(chances[p] for p in holders) == expected  # one chance per counted quote


@given(amounts, coefficients, st.randoms(use_true_random=False))
def test_input_order_never_matters(values, k, rnd):
    q = [Quote(f"P{i}", a) for i, a in enumerate(values)]
    shuffled = q[:]
    rnd.shuffle(shuffled)
    assert best_price(shuffled, coefficient=k) == best_price(q, coefficient=k)


@given(amounts, coefficients)
def test_exactly_one_lowest_and_one_highest_are_dropped(values, k):
    result = best_price([Quote(f"P{i}", a) for i, a in enumerate(values)], coefficient=k)
    ordered = sorted(values)
    if len(values) >= 3:
        assert result.trim.dropped == (ordered[0], ordered[-1])
        assert result.trim.counted == tuple(ordered[1:-1])
    else:
        assert result.trim == Trim(tuple(ordered))
    low, high = min(result.trim.counted), max(result.trim.counted)
    assert math.floor(low * k) <= result.reference <= math.ceil(high * k)


@given(amounts, coefficients)
def test_a_strict_extreme_never_wins(values, k):
    q = [Quote(f"P{i}", a) for i, a in enumerate(values)]
    chances = win_chances(q, coefficient=k)
    if len(values) >= 3:
        for extreme in (min(values), max(values)):
            if values.count(extreme) == 1:
                assert chances[q[values.index(extreme)].party] == 0
