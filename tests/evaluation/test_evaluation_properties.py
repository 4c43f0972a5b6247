"""Property tests (hypothesis) for trading.evaluation.rules."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.evaluation import rules as r

PROP = settings(deadline=None, max_examples=examples(100), database=None)

ids = st.text(alphabet="abcdefghij", min_size=1, max_size=3)
prices = st.integers(min_value=1, max_value=10**12)  # up to 100 亿元 in 分
price_maps = st.dictionaries(ids, prices, min_size=1, max_size=12)
weights = st.integers(min_value=1, max_value=100).map(lambda n: Decimal(n) / 100)
scores = st.decimals(min_value=0, max_value=100, places=2)
score_maps = st.dictionaries(ids, scores, min_size=1, max_size=12)


def permuted(mapping: dict, data) -> dict:
    keys = data.draw(st.permutations(list(mapping)))
    return {k: mapping[k] for k in keys}


# --- quantize -------------------------------------------------------------------------


@PROP
@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9
    )
)
def test_quantize_decimal_is_round_half_up(value):
    assert r.quantize(value) == value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@PROP
@given(st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**6))
def test_quantize_fraction_is_exact_half_up(value):
    q = r.quantize(value)
    error = Fraction(q) - value
    assert abs(error) <= Fraction(1, 200)
    if abs(error) == Fraction(1, 200):  # exact half: away from zero
        assert abs(Fraction(q)) > abs(value)
    assert q.as_tuple().exponent == -2
    assert r.quantize(q) == q  # idempotent


@PROP
@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_quantize_half_hundredths_round_away_from_zero(n):
    half = Fraction(2 * n + 1, 200)  # always exactly on a half hundredth
    expected = Decimal(n + 1 if n >= 0 else n).scaleb(-2)
    assert r.quantize(half) == expected


# --- low-price-first scores -----------------------------------------------------------


@PROP
@given(price_maps, weights)
def test_lowest_price_gets_the_full_weight(prices_, weight):
    result = r.low_price_first_scores(prices_, weight)
    full = r.quantize(weight * 100)
    lowest = min(prices_.values())
    for bidder, price in prices_.items():
        assert Decimal(0) <= result[bidder] <= full
        if price == lowest:
            assert result[bidder] == full


@PROP
@given(price_maps, weights)
def test_lower_price_never_scores_less(prices_, weight):
    result = r.low_price_first_scores(prices_, weight)
    ordered = sorted(prices_, key=prices_.get)
    for cheaper, dearer in zip(ordered, ordered[1:], strict=False):
        assert result[cheaper] >= result[dearer]


@PROP
@given(price_maps, weights, st.data())
def test_price_scores_ignore_input_order(prices_, weight, data):
    assert r.low_price_first_scores(prices_, weight) == r.low_price_first_scores(
        permuted(prices_, data), weight
    )


@PROP
@given(price_maps, weights)
def test_price_score_is_the_formula_rounded_once(prices_, weight):
    base = min(prices_.values())
    for bidder, score in r.low_price_first_scores(prices_, weight).items():
        exact = Fraction(base, prices_[bidder]) * Fraction(weight) * 100
        assert abs(Fraction(score) - exact) <= Fraction(1, 200)


# --- aggregation ----------------------------------------------------------------------


@PROP
@given(score_maps)
def test_aggregate_lies_between_min_and_max(by_expert):
    result = r.aggregate_expert_scores(by_expert)
    assert min(by_expert.values()) <= result <= max(by_expert.values())


@PROP
@given(st.dictionaries(ids, scores, min_size=7, max_size=15))
def test_trimmed_mean_ignores_one_extreme_outlier(by_expert):
    result = r.aggregate_expert_scores(by_expert)
    values = sorted(by_expert.values())
    assert values[1] <= result <= values[-2]
    # replacing the maximum by an even larger value does not move a trimmed mean
    top = max(by_expert, key=by_expert.get)
    bumped = by_expert | {top: max(by_expert.values()) + 1000}
    assert r.aggregate_expert_scores(bumped) == result


@PROP
@given(score_maps, st.data())
def test_aggregate_ignores_expert_order(by_expert, data):
    assert r.aggregate_expert_scores(by_expert) == r.aggregate_expert_scores(
        permuted(by_expert, data)
    )


@PROP
@given(scores, st.integers(min_value=1, max_value=12))
def test_all_equal_scores_aggregate_to_themselves(score, n):
    by_expert = {f"e{i}": score for i in range(n)}
    assert r.aggregate_expert_scores(by_expert) == r.quantize(score)


# --- works average benchmark ----------------------------------------------------------


@PROP
@given(price_maps, st.integers(min_value=1, max_value=100).map(Decimal))
def test_benchmark_scores_within_zero_and_full(prices_, full):
    result = r.average_benchmark_scores(
        prices_, regime=r.Regime.TENDERING, full_score=full
    )
    assert min(prices_.values()) <= result.benchmark_fen <= max(prices_.values())
    for item in result.scores.values():
        assert Decimal(0) <= item.score <= full


# --- SME deduction --------------------------------------------------------------------

rates = st.integers(min_value=10, max_value=20).map(lambda n: Decimal(n) / 100)


@PROP
@given(prices, rates, st.sampled_from(list(r.SmeKind)), st.integers(0, 100))
def test_sme_price_never_rises_and_never_falls_below_the_max_rate(
    quote, rate, kind, share
):
    policy = r.SmePolicy(small_micro_rate=rate, partnered_rate=Decimal("0.05"))
    decl = r.SmeDeclaration(kind, Decimal(share) / 100)
    price = r.sme_evaluation_price(quote, decl, policy, r.ObjectType.GOODS)
    assert isinstance(price, int)
    assert quote * Decimal("0.80") - 1 <= price <= quote


# --- ranking --------------------------------------------------------------------------


entries = st.lists(
    st.tuples(st.integers(0, 5), st.integers(1, 4), st.integers(0, 3)),
    min_size=1,
    max_size=10,
).map(
    lambda rows: [
        r.RankEntry(f"b{i}", Decimal(t), p, Decimal(tech))
        for i, (t, p, tech) in enumerate(rows)
    ]
)


@PROP
@given(entries, st.data())
def test_ranking_ignores_input_order(rows, data):
    shuffled = data.draw(st.permutations(rows))
    assert r.rank_bids(rows) == r.rank_bids(shuffled)


@PROP
@given(entries, st.data())
def test_ranking_is_complete_and_resolvable(rows, data):
    ranking = r.rank_bids(rows, keys=r.RANK_CONSULTATION)
    assert sorted(ranking.order) == sorted(e.bidder_id for e in rows)
    # the totals never go up along the ranking
    totals = {e.bidder_id: e.total for e in rows}
    ordered = [totals[b] for b in ranking.order]
    assert ordered == sorted(ordered, reverse=True)
    # any drawn orders complete it, without moving bids across tie groups
    drawn = [data.draw(st.permutations(t.candidates)) for t in ranking.pending]
    final = r.rank_bids(rows, keys=r.RANK_CONSULTATION, drawn=drawn)
    assert final.decided
    assert [b.rank for b in final.bids] == list(range(1, len(rows) + 1))
    assert [totals[b] for b in final.order] == ordered


# --- low-price triggers ---------------------------------------------------------------

ratios = st.integers(min_value=50, max_value=65).map(lambda n: Decimal(n) / 100)


@PROP
@given(st.lists(prices, min_size=1, max_size=8), prices, ratios, st.data())
def test_raising_ratios_only_adds_triggers(passed, ceiling, raised, data):
    price = data.draw(st.sampled_from(passed))
    base = r.low_price_triggers(price, passed, ceiling)
    high = r.EvaluationParams(
        lowprice_ratio_avg=raised,
        lowprice_ratio_second=raised,
        lowprice_ratio_ceiling=max(raised, Decimal("0.45")),
    )
    more = r.low_price_triggers(price, passed, ceiling, high)
    assert base.below_mean <= more.below_mean
    assert base.below_second <= more.below_second
    assert base.below_ceiling <= more.below_ceiling


@PROP
@given(st.lists(prices, min_size=1, max_size=8), st.data())
def test_only_the_lowest_can_trip_the_second_lowest_test(passed, data):
    price = data.draw(st.sampled_from(passed))
    t = r.low_price_triggers(price, passed, max(passed))
    if t.below_second:
        assert price == min(passed)
    assert r.low_price_triggers(price, list(reversed(passed)), max(passed)) == t


# --- committee ------------------------------------------------------------------------


@PROP
@given(st.integers(0, 15), st.integers(0, 15))
def test_committee_check_matches_the_rule(experts, reps):
    members = [r.Seat(f"e{i}", r.MemberRole.EXPERT) for i in range(experts)]
    members += [r.Seat(f"r{i}", r.MemberRole.OWNER_REP) for i in range(reps)]
    size = experts + reps
    legal = size >= 5 and size % 2 == 1 and 3 * experts >= 2 * size
    try:
        r.check_committee(
            members, regime=r.Regime.TENDERING, procedure=r.Procedure.TENDER
        )
    except r.RuleError:
        assert not legal
    else:
        assert legal
