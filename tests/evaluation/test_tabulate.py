"""The committee's arithmetic as a pure function: price formulas, SME deduction, trimmed
mean, conformity majority, objective agreement, ranking ties."""

from decimal import Decimal

from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.evaluation import rules
from trading.evaluation.tabulate import BidFacts, Cell, tabulate

ITEMS = [
    {"item_id": "q1", "name": "资格", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "o1", "name": "业绩", "kind": "objective", "max_score": "10", "step": "1"},
    {"item_id": "s1", "name": "方案", "kind": "subjective", "max_score": "50", "step": "0.5"},
]
LOW = {"formula": "low_price_first", "weight": "0.40"}
GP, WORKS = rules.Regime.GOVERNMENT_PROCUREMENT, rules.Regime.TENDERING


def bids(*prices, sme=()):
    return [BidFacts(i + 1, 100 + i, f"B{i + 1}", p,
                     rules.SmeDeclaration(rules.SmeKind.SMALL_MICRO) if i in sme
                     else rules.SmeDeclaration()) for i, p in enumerate(prices)]


def sheets(subjective, objective=None, passed=None, count=None):
    """subjective[m][b] per member m and bid index b."""
    members = len(subjective)
    result = {}
    for m in range(members):
        cells = {}
        for b, value in enumerate(subjective[m]):
            cells[(b + 1, "q1")] = Cell(passed=True if passed is None else passed[m][b])
            cells[(b + 1, "o1")] = Cell(Decimal(objective[m][b] if objective else "5"))
            cells[(b + 1, "s1")] = Cell(Decimal(value))
        result[str(m + 1)] = cells
    return result


def run(prices, subjective, price=LOW, regime=GP, **kw):
    return tabulate(items=ITEMS, price=price, bids=bids(*prices, sme=kw.pop("sme", ())),
                    sheets=sheets(subjective, **kw), regime=regime,
                    object_type=rules.ObjectType.GOODS, params=rules.DEFAULT_EVALUATION)


def test_low_price_first_with_sme_deduction_uses_the_deducted_price_for_both():
    price = {**LOW, "sme": {"small_micro_rate": "0.10", "partnered_rate": "0.04"}}
    tab = tabulate(items=ITEMS, price=price, bids=bids(100_00, 105_00, sme=(1,)),
                   sheets=sheets([["40", "40"]] * 5), regime=GP,
                   object_type=rules.ObjectType.GOODS, params=rules.DEFAULT_EVALUATION)
    assert tab.eval_prices == {1: 100_00, 2: 94_50}
    assert tab.benchmark == 94_50
    assert tab.price_scores == {1: Decimal("37.80"), 2: Decimal("40.00")}


def test_works_average_benchmark_penalises_deviation():
    price = {"formula": "average_benchmark", "weight": "0.40"}
    tab = run((100_00, 90_00, 110_00), [["40"] * 3] * 5, price=price, regime=WORKS)
    assert tab.benchmark == 100_00
    # 1 point per 1 % above, 0.5 per 1 % below (profile defaults)
    assert tab.price_scores == {1: Decimal("40.00"), 2: Decimal("35.00"), 3: Decimal("30.00")}


def test_seven_experts_trim_the_highest_and_the_lowest():
    subjective = [["50"], ["10"], ["30"], ["30"], ["30"], ["30"], ["30"]]
    assert run((100_00,), subjective).aggregated == {1: Decimal("35.00")}  # 5 + 30
    assert run((100_00,), subjective[:5]).aggregated == {1: Decimal("35.00")}  # 5 + 150/5


def test_a_key_item_failed_by_the_majority_rejects_the_bid():
    passed = [[True, False]] * 3 + [[True, True]] * 2
    tab = run((100_00, 80_00), [["40", "40"]] * 5, passed=passed)
    assert not tab.conformity[2].passed and tab.conformity[2].failed_key_items == ("q1",)
    assert set(tab.totals) == {1}


def test_objective_disagreement_stops_before_any_score():
    objective = [["5"]] * 4 + [["6"]]
    tab = run((100_00,), [["40"]] * 5, objective=objective)
    assert tab.disagreements == [{"bid_id": 1, "item_id": "o1",
                                  "values": {"1": "5", "2": "5", "3": "5", "4": "5", "5": "6"}}]
    assert tab.totals == {} and tab.ranking is None


def test_a_tie_at_the_top_asks_for_a_lottery_then_takes_the_drawn_order():
    tab = run((100_00, 100_00, 120_00), [["40", "40", "40"]] * 5)
    assert tab.ranking.pending[0].candidates == ("1", "2")
    drawn = tabulate(items=ITEMS, price=LOW, bids=bids(100_00, 100_00, 120_00),
                     sheets=sheets([["40", "40", "40"]] * 5), regime=GP,
                     object_type=rules.ObjectType.GOODS, params=rules.DEFAULT_EVALUATION,
                     drawn=[["2", "1"]])
    assert drawn.ranked_ids == [2, 1, 3]


halves = st.integers(0, 100).map(lambda n: str(Decimal(n) / 2))


@settings(max_examples=examples(40), deadline=None)
@given(prices=st.lists(st.integers(1_00, 10_000_00), min_size=1, max_size=5),
       members=st.sampled_from([5, 7]), data=st.data())
def test_totals_are_price_plus_aggregate_and_the_order_follows_them(prices, members, data):
    subjective = [[data.draw(halves) for _ in prices] for _ in range(members)]
    tab = run(tuple(prices), subjective)
    for bid, total in tab.totals.items():
        assert total == rules.quantize(tab.price_scores[bid] + tab.aggregated[bid])
        assert Decimal(0) <= total <= Decimal(100)
    if not tab.ranking.pending:
        ordered = [tab.totals[b] for b in tab.ranked_ids]
        assert ordered == sorted(ordered, reverse=True)
    assert max(tab.price_scores.values()) == Decimal("40.00")
