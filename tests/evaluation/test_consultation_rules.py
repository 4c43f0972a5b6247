"""竞争性磋商 scoring rules (rules §2.2, §2.4): which final quotes count, the price score
with the lowest valid final quote as 磋商基准价, totals and the 214号 ranking keys."""

from decimal import Decimal as D

import pytest
from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.evaluation import rules
from trading.evaluation.rules import ConsultationBid, QuoteExclusion

W = D("0.30")  # services: 10 %–30 % (§2.2)
WAN = 1_000_000  # 1 万元 in 分


# -- screen_final_quotes --------------------------------------------------------------------

@pytest.mark.parametrize(("quotes", "withdrawn", "ceiling", "valid", "excluded"), [
    ({"a": 100 * WAN, "b": 95 * WAN, "c": 110 * WAN}, (), None,
     {"a": 100 * WAN, "b": 95 * WAN, "c": 110 * WAN}, {}),
    ({"a": 100 * WAN, "b": None}, (), None, {"a": 100 * WAN},
     {"b": QuoteExclusion.NO_QUOTE}),
    ({"a": 100 * WAN, "b": 90 * WAN}, ("b",), None, {"a": 100 * WAN},
     {"b": QuoteExclusion.WITHDRAWN}),
    ({"a": 100 * WAN, "b": 101 * WAN}, (), 100 * WAN, {"a": 100 * WAN},  # = ceiling counts
     {"b": QuoteExclusion.ABOVE_CEILING}),
    ({"a": None}, ("a",), 100 * WAN, {}, {"a": QuoteExclusion.WITHDRAWN}),  # withdrawal first
])
def test_which_final_quotes_count(quotes, withdrawn, ceiling, valid, excluded):
    found = rules.screen_final_quotes(quotes, withdrawn=withdrawn, ceiling_fen=ceiling)
    assert dict(found.valid) == valid and dict(found.excluded) == excluded


@pytest.mark.parametrize("bad", [{"a": 1.5}, {"a": -1}, {"": 100}, {"a": D("100")}])
def test_final_quotes_must_be_positive_integer_fen(bad):
    with pytest.raises(rules.RuleError):
        rules.screen_final_quotes(bad)


# -- consultation_scores (§2.4) -------------------------------------------------------------

def bid(bidder, quote, tech, eval_price=None) -> ConsultationBid:
    return ConsultationBid(bidder, quote, eval_price or quote, D(tech))


def test_the_lowest_final_quote_is_the_benchmark_and_full_marks():
    result = rules.consultation_scores(
        [bid("a", 100 * WAN, "60"), bid("b", 95 * WAN, "55"), bid("c", 110 * WAN, "65")],
        price_weight=W)
    assert result.benchmark_fen == 95 * WAN
    # 95/100 × 0.30 × 100 = 28.50; 95/95 → 30.00; 95/110 × 30 = 25.909… → 25.91
    assert dict(result.price_scores) == {"a": D("28.50"), "b": D("30.00"), "c": D("25.91")}
    assert dict(result.totals) == {"a": D("88.50"), "b": D("85.00"), "c": D("90.91")}
    assert result.ranking.order == ("c", "a", "b") and result.ranking.decided


def test_no_quote_is_dropped_however_far_it_lies():
    """214号 Art 24: no dropping of the highest or lowest quote — the outlier is 基准价."""
    quotes = [bid("a", 100 * WAN, "50"), bid("b", 101 * WAN, "50"), bid("c", 102 * WAN, "50"),
              bid("d", 103 * WAN, "50"), bid("e", 20 * WAN, "50")]
    result = rules.consultation_scores(quotes, price_weight=W)
    assert result.benchmark_fen == 20 * WAN and result.price_scores["e"] == D("30.00")
    assert result.price_scores["a"] == D("6.00")  # 20/100 × 30


def test_sme_deducted_price_sets_the_benchmark_but_ties_compare_the_quote():
    """§2.5: the deducted price scores, the quote itself stays the contract price."""
    result = rules.consultation_scores(
        [bid("small", 100 * WAN, "60", eval_price=90 * WAN), bid("big", 95 * WAN, "60")],
        price_weight=W)
    assert result.benchmark_fen == 90 * WAN
    assert result.price_scores == {"small": D("30.00"), "big": D("28.42")}  # 90/95 × 30


@pytest.mark.parametrize(("bids", "order"), [
    # equal totals: the lower final quote first
    ([bid("a", 100 * WAN, "70.00", eval_price=100 * WAN),
      bid("b", 120 * WAN, "75.00", eval_price=120 * WAN)], None),
    # equal totals and quotes: the better technical score first
    ([bid("a", 100 * WAN, "60"), bid("b", 100 * WAN, "61")], ("b", "a")),
])
def test_ties_go_to_the_lower_final_quote_then_the_better_technical_score(bids, order):
    result = rules.consultation_scores(bids, price_weight=W)
    if order is None:  # a: 30 + 70 = 100.00; b: 25 + 75 = 100.00 → the lower quote, a
        assert result.totals["a"] == result.totals["b"] == D("100.00")
        order = ("a", "b")
    assert result.ranking.order == order


def test_a_full_tie_within_the_candidates_waits_for_a_lottery():
    same = [bid("a", 100 * WAN, "60"), bid("b", 100 * WAN, "60"), bid("c", 120 * WAN, "10")]
    pending = rules.consultation_scores(same, price_weight=W, lottery_within=3)
    assert [t.candidates for t in pending.ranking.pending] == [("a", "b")]
    drawn = rules.consultation_scores(same, price_weight=W, lottery_within=3,
                                      drawn=[("b", "a")])
    assert drawn.ranking.order == ("b", "a", "c") and drawn.ranking.decided


@pytest.mark.parametrize(("bids", "weight"), [
    ([], W), ([bid("a", 100, "1")], D("0")), ([bid("a", 100, "1")], D("1.5")),
    ([bid("a", 100, "1"), bid("a", 90, "1")], W), ([bid("a", 0, "1")], W),
])
def test_bad_inputs_are_refused(bids, weight):
    with pytest.raises(rules.RuleError):
        rules.consultation_scores(bids, price_weight=weight)


prices = st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=8)


@settings(deadline=None, max_examples=examples(100), database=None)  # no wall clock on a shared box
@given(prices, st.sampled_from([D("0.10"), D("0.30"), D("0.60")]))
def test_price_scores_are_bounded_and_never_increase_with_the_price(values, weight):
    bids = [bid(f"s{i}", p, "0") for i, p in enumerate(values)]
    scores = rules.consultation_scores(bids, price_weight=weight).price_scores
    full = weight * 100
    assert all(D(0) <= s <= full for s in scores.values())
    assert scores[f"s{values.index(min(values))}"] == full
    by_price = sorted(range(len(values)), key=lambda i: values[i])
    ordered = [scores[f"s{i}"] for i in by_price]
    assert ordered == sorted(ordered, reverse=True)
