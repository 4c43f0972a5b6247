"""Table tests for trading.evaluation.rules, cases taken from shared/domain/rules.md."""

from dataclasses import replace
from decimal import Decimal as D
from fractions import Fraction

import pytest

from trading.evaluation import rules as r
from trading.evaluation.rules import (
    ItemKind,
    ItemScore,
    MemberRole,
    ObjectType,
    Procedure,
    ProjectScale,
    RankEntry,
    Regime,
    ScoringItem,
    Seat,
    SmeDeclaration,
    SmeKind,
    SmePolicy,
    TieKey,
)

GP = Regime.GOVERNMENT_PROCUREMENT
WORKS = Regime.TENDERING
WAN = 1_000_000  # 1 万元 in 分


def committee(experts: int, reps: int = 0, *, chair: str | None = None, agency=0):
    members = [Seat(f"e{i}", MemberRole.EXPERT) for i in range(experts)]
    members += [Seat(f"r{i}", MemberRole.OWNER_REP) for i in range(reps)]
    members += [
        Seat(f"a{i}", MemberRole.AGENCY_STAFF) for i in range(agency)
    ]
    return [replace(m, is_chair=m.member_id == chair) for m in members]


# --- quantize and value helpers (§0.3.4) ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("2.345"), D("2.35")),
        (D("2.344999"), D("2.34")),
        (D("-2.345"), D("-2.35")),  # half away from zero
        (D("0.005"), D("0.01")),
        (D("0.004"), D("0.00")),
        (Fraction(1, 200), D("0.01")),
        (Fraction(-1, 200), D("-0.01")),
        (Fraction(1, 3), D("0.33")),
        (Fraction(2, 3), D("0.67")),
        (Fraction(12345, 1000), D("12.35")),
        (7, D("7.00")),
        (D("30"), D("30.00")),
    ],
)
def test_quantize_rounds_half_up_to_two_places(value, expected):
    result = r.quantize(value)
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("bad", [1.5, True, 0.1])
def test_quantize_refuses_floats_and_bools(bad):
    with pytest.raises(r.InvalidValue):
        r.quantize(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Fraction(5, 2), 3), (Fraction(7, 3), 2), (Fraction(-5, 2), -3), (D("99.5"), 100)],
)
def test_round_to_fen_half_up(value, expected):
    assert r.round_to_fen(value) == expected


@pytest.mark.parametrize("bad", [1.0, "100", None, True, -1, 0, D("1")])
def test_money_must_be_positive_int_fen(bad):
    with pytest.raises(r.InvalidValue):
        r.as_money(bad, "price")


def test_money_may_be_zero_when_allowed():
    assert r.as_money(0, "floor", positive=False) == 0


@pytest.mark.parametrize("bad", [1.5, True, "3", D("NaN"), D("Infinity")])
def test_scores_refuse_floats_bools_and_non_finite(bad):
    with pytest.raises(r.InvalidValue):
        r.as_score(bad, "score")


def test_rule_errors_are_value_errors():
    assert issubclass(r.RuleError, ValueError)
    for name in (
        "InvalidValue",
        "InvalidParameter",
        "EmptyInput",
        "DuplicateEntry",
        "CommitteeCompositionError",
        "ScoreOutOfRange",
        "ScoreOffStep",
        "ObjectiveScoresDisagree",
        "ForbiddenInRegime",
        "LotteryMismatch",
    ):
        assert issubclass(getattr(r, name), r.RuleError)


# --- lotteries ------------------------------------------------------------------------


def test_lottery_request_is_canonical_and_sorted():
    request = r.TieNeedsLottery(("c", "a", "b"), 2, "tie")
    assert request.candidates == ("a", "b", "c")


@pytest.mark.parametrize(
    ("candidates", "count"), [(("a", "a"), 1), (("a",), 2), (("a", "b"), 0), ((), 1)]
)
def test_lottery_request_rejects_bad_shapes(candidates, count):
    with pytest.raises(r.RuleError):
        r.TieNeedsLottery(candidates, count)


@pytest.mark.parametrize("drawn", [("a",), ("a", "a"), ("a", "z"), ("a", "b", "c")])
def test_resolve_tie_rejects_wrong_picks(drawn):
    with pytest.raises(r.LotteryMismatch):
        r.resolve_tie(r.TieNeedsLottery(("a", "b", "c"), 2), drawn)


def test_resolve_tie_keeps_the_engine_order():
    assert r.resolve_tie(r.TieNeedsLottery(("a", "b", "c"), 2), ["c", "a"]) == (
        "c",
        "a",
    )


# --- parameters (§8) ------------------------------------------------------------------


def test_evaluation_params_carry_section_8_defaults():
    p = r.EvaluationParams()
    assert (p.committee_min_size_tender, p.committee_min_size_gp_large) == (5, 7)
    assert p.committee_min_size_non_tender == 3
    assert p.committee_expert_ratio_min == Fraction(2, 3)
    assert p.trim_when_experts_gte == 7
    assert p.subjective_dev_warn == D("0.30")
    assert p.consult_price_weight_goods == (D("0.30"), D("0.60"))
    assert p.consult_price_weight_services == (D("0.10"), D("0.30"))
    assert (p.gp_price_weight_min_goods, p.gp_price_weight_min_services) == (
        D("0.30"),
        D("0.10"),
    )
    assert (p.lowprice_ratio_avg, p.lowprice_ratio_second) == (D("0.50"), D("0.50"))
    assert (p.lowprice_ratio_ceiling, p.lowprice_max_ratio) == (D("0.45"), D("0.65"))
    assert p.lowprice_explanation_min_minutes == 30
    assert p.sme_small_goods_services == (D("0.10"), D("0.20"))
    assert p.sme_partnered_goods_services == (D("0.04"), D("0.06"))
    assert p.sme_share_gate == D("0.30")
    for field in r.PROFILE_KEYS.values():
        assert hasattr(p, field)


@pytest.mark.parametrize(
    "changes",
    [
        {"lowprice_ratio_avg": D("0.66")},  # above the 65 % cap
        {"lowprice_ratio_ceiling": D("0.40")},  # below the statutory 45 %
        {"committee_expert_ratio_min": Fraction(3, 2)},
        {"consult_price_weight_goods": (D("0.70"), D("0.60"))},
        {"min_bidders": 0},
        {"ranking_keys": ()},
        {"lowprice_ratio_avg": 0.5},  # float
        {"subjective_dev_warn": D("1.5")},
        {"pass_threshold": 0.5},
        {"gp_large_budget_fen": 1e9},
    ],
)
def test_evaluation_params_reject_illegal_profiles(changes):
    with pytest.raises(r.RuleError):
        r.EvaluationParams(**changes)


def test_purchasers_may_raise_low_price_ratios_up_to_65_percent():
    p = r.EvaluationParams(
        lowprice_ratio_avg=D("0.65"), lowprice_ratio_ceiling=D("0.60")
    )
    assert p.lowprice_ratio_avg == D("0.65")


# --- committee composition (§4.1) -----------------------------------------------------


@pytest.mark.parametrize(
    ("regime", "procedure", "scale", "expected"),
    [
        (WORKS, Procedure.TENDER, ProjectScale(), 5),
        (WORKS, Procedure.TENDER, ProjectScale(water_conservancy=True), 7),
        (GP, Procedure.TENDER, ProjectScale(budget_fen=999 * WAN), 5),
        (GP, Procedure.TENDER, ProjectScale(budget_fen=1000 * WAN), 7),
        (GP, Procedure.TENDER, ProjectScale(technically_complex=True), 7),
        (GP, Procedure.TENDER, ProjectScale(large_social_impact=True), 7),
        (GP, Procedure.CONSULTATION, ProjectScale(budget_fen=5000 * WAN), 3),
        (GP, Procedure.NEGOTIATION, ProjectScale(), 3),
        (GP, Procedure.INQUIRY, ProjectScale(), 3),
    ],
)
def test_committee_min_size_table(regime, procedure, scale, expected):
    assert r.committee_min_size(regime, procedure, scale) == expected


@pytest.mark.parametrize(
    ("experts", "reps", "regime", "procedure", "scale"),
    [
        (5, 0, WORKS, Procedure.TENDER, ProjectScale()),
        (4, 1, WORKS, Procedure.TENDER, ProjectScale()),  # 4/5 ≥ 2/3
        (6, 3, WORKS, Procedure.TENDER, ProjectScale()),  # exactly 2/3
        (5, 2, GP, Procedure.TENDER, ProjectScale(technically_complex=True)),
        (2, 1, GP, Procedure.CONSULTATION, ProjectScale()),  # 2/3 of 3
        (7, 0, WORKS, Procedure.TENDER, ProjectScale(water_conservancy=True)),
    ],
)
def test_valid_committees(experts, reps, regime, procedure, scale):
    summary = r.check_committee(
        committee(experts, reps), regime=regime, procedure=procedure, scale=scale
    )
    assert summary.size == experts + reps
    assert summary.experts == experts


@pytest.mark.parametrize(
    ("members", "regime", "procedure", "scale", "fragment"),
    [
        (committee(3), WORKS, Procedure.TENDER, ProjectScale(), "at least 5"),
        (committee(6), WORKS, Procedure.TENDER, ProjectScale(), "odd"),
        (committee(3, 2), WORKS, Procedure.TENDER, ProjectScale(), "2/3"),
        (committee(1, 2), GP, Procedure.CONSULTATION, ProjectScale(), "2/3"),
        (committee(5), GP, Procedure.TENDER, ProjectScale(budget_fen=2000 * WAN), "7"),
        (committee(4, 0, agency=1), GP, Procedure.TENDER, ProjectScale(), "agency"),
        (committee(4, 1, chair="r0"), GP, Procedure.TENDER, ProjectScale(), "chair"),
        (
            committee(5, 0, chair=None),
            WORKS,
            Procedure.TENDER,
            ProjectScale(water_conservancy=True),
            "7",
        ),
    ],
)
def test_invalid_committees(members, regime, procedure, scale, fragment):
    with pytest.raises(r.CommitteeCompositionError, match=fragment):
        r.check_committee(members, regime=regime, procedure=procedure, scale=scale)


def test_committee_reports_every_problem_at_once():
    with pytest.raises(r.CommitteeCompositionError) as info:
        r.check_committee(
            committee(1, 3, agency=0), regime=WORKS, procedure=Procedure.TENDER
        )
    assert len(info.value.problems) == 3  # size, even, expert share


def test_tenderer_rep_may_chair_in_works_but_only_one_chair():
    members = committee(4, 1, chair="r0")
    assert r.check_committee(members, regime=WORKS, procedure=Procedure.TENDER)
    members[0] = replace(members[0], is_chair=True)
    with pytest.raises(r.CommitteeCompositionError, match="chairs"):
        r.check_committee(members, regime=WORKS, procedure=Procedure.TENDER)


def test_committee_rejects_duplicates_and_empty():
    with pytest.raises(r.EmptyInput):
        r.check_committee([], regime=WORKS, procedure=Procedure.TENDER)
    twice = committee(5)
    twice[1] = twice[0]
    with pytest.raises(r.DuplicateEntry):
        r.check_committee(twice, regime=WORKS, procedure=Procedure.TENDER)


# --- pass/fail review (§4.4) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("passes", "fails", "expected"),
    [
        (3, 2, True),
        (2, 3, False),
        (5, 0, True),
        (0, 5, False),
        (1, 1, False),
        (2, 1, True),
    ],
)
def test_pass_fail_follows_strict_majority(passes, fails, expected):
    votes = {f"p{i}": True for i in range(passes)} | {
        f"f{i}": False for i in range(fails)
    }
    assert r.conformity_majority(votes) is expected


def test_pass_fail_threshold_is_configurable():
    votes = {"a": True, "b": True, "c": False}
    two_thirds = r.EvaluationParams(pass_threshold=Fraction(2, 3))
    assert r.conformity_majority(votes) is True
    assert r.conformity_majority(votes, two_thirds) is False


def test_ratios_may_be_stored_as_decimals():
    params = r.EvaluationParams(
        pass_threshold=D("0.5"), committee_expert_ratio_min=D("0.6")
    )
    assert r.conformity_majority({"a": True, "b": False}, params) is False
    members = committee(3, 2)  # 3/5 = 0.6
    assert r.check_committee(
        members, regime=WORKS, procedure=Procedure.TENDER, params=params
    )


def test_pass_fail_needs_votes_and_booleans():
    with pytest.raises(r.EmptyInput):
        r.conformity_majority({})
    with pytest.raises(r.InvalidValue):
        r.conformity_majority({"a": 1})


@pytest.mark.parametrize(
    ("items", "max_dev", "passed"),
    [
        ([("k1", True, True), ("g1", True, False)], None, True),
        ([("k1", False, True)], None, False),  # ★ failed → rejected
        ([("g1", False, False), ("g2", False, False)], None, True),
        ([("g1", False, False), ("g2", False, False)], 1, False),
        ([("g1", False, False)], 1, True),
    ],
)
def test_bid_conformity_key_and_general_requirements(items, max_dev, passed):
    verdict = r.bid_conformity(
        [r.ConformityItem(i, ok, key) for i, ok, key in items],
        max_general_deviations=max_dev,
    )
    assert verdict.passed is passed


# --- scoring items (§4.4, §4.4b) ------------------------------------------------------

SUBJ = ScoringItem("plan", ItemKind.SUBJECTIVE, max_score=D(10), step=D("0.5"))
OBJ = ScoringItem("iso", ItemKind.OBJECTIVE, max_score=D(3))
LEVELS = ScoringItem(
    "team", ItemKind.SUBJECTIVE, max_score=D(6), allowed_values=(D(0), D(2), D(4), D(6))
)


@pytest.mark.parametrize(
    ("item", "value"),
    [(SUBJ, D("7.5")), (SUBJ, 0), (SUBJ, D(10)), (OBJ, D("2.25")), (LEVELS, D(4))],
)
def test_valid_item_scores(item, value):
    assert r.validate_item_score(item, value) == value


@pytest.mark.parametrize(
    ("item", "value", "error"),
    [
        (SUBJ, D("10.5"), r.ScoreOutOfRange),
        (SUBJ, D("-0.5"), r.ScoreOutOfRange),
        (SUBJ, D("7.3"), r.ScoreOffStep),
        (LEVELS, D(3), r.ScoreOffStep),
        (SUBJ, 7.5, r.InvalidValue),
    ],
)
def test_invalid_item_scores(item, value, error):
    with pytest.raises(error):
        r.validate_item_score(item, value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_score": D(0)},
        {"max_score": D(5), "min_score": D(6)},
        {"max_score": D(5), "step": D(0)},
        {"max_score": D(5), "allowed_values": (D(6),)},
    ],
)
def test_scoring_item_rejects_bad_definitions(kwargs):
    with pytest.raises(r.InvalidParameter):
        ScoringItem("x", ItemKind.SUBJECTIVE, **kwargs)


def test_objective_scores_must_agree():
    assert r.agreed_objective_score(OBJ, {"e1": D(3), "e2": D("3.00")}) == D(3)
    with pytest.raises(r.ObjectiveScoresDisagree) as info:
        r.agreed_objective_score(OBJ, {"e1": D(3), "e2": D(2)})
    assert info.value.item_id == "iso"
    assert "e1=3" in str(info.value)
    assert "e2=2" in str(info.value)


def test_objective_agreement_checks_range_kind_and_emptiness():
    with pytest.raises(r.ScoreOutOfRange):
        r.agreed_objective_score(OBJ, {"e1": D(4), "e2": D(4)})
    with pytest.raises(r.InvalidParameter):
        r.agreed_objective_score(SUBJ, {"e1": D(4)})
    with pytest.raises(r.EmptyInput):
        r.agreed_objective_score(OBJ, {})


# --- aggregation (§4.5) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([80, 90, 85], D("85.00")),
        ([D("80.5"), D("81"), D("82")], D("81.17")),
        ([70, 80, 90, 100, 60], D("80.00")),  # 5 experts: no trimming
        ([50, 80, 80, 80, 80, 80, 100], D("80.00")),  # 7 experts: drop 50 and 100
        ([60, 70, 70, 70, 70, 70, 70], D("70.00")),
        ([D("88.125")], D("88.13")),
    ],
)
def test_aggregate_expert_scores(scores, expected):
    by_expert = {f"e{i}": s for i, s in enumerate(scores)}
    assert r.aggregate_expert_scores(by_expert) == expected


def test_trim_threshold_is_configurable():
    scores = {f"e{i}": s for i, s in enumerate([0, 50, 50, 50, 100])}
    assert r.aggregate_expert_scores(scores) == D("50.00")
    assert not r.trims_expert_scores(5)
    gte5 = r.EvaluationParams(trim_when_experts_gte=5)
    assert r.trims_expert_scores(5, gte5)
    scores = {f"e{i}": s for i, s in enumerate([0, 60, 60, 60, 60])}
    assert r.aggregate_expert_scores(scores) == D("48.00")
    assert r.aggregate_expert_scores(scores, gte5) == D("60.00")


def test_aggregate_needs_scores():
    with pytest.raises(r.EmptyInput):
        r.aggregate_expert_scores({})


def test_expert_total_and_total_score():
    assert r.expert_total([D("7.5"), D(3), 2]) == D("12.5")
    assert r.total_score(D("28.57"), D("55.125")) == D("83.70")


# --- price weights (§2.2, 87号令 Art 55) ----------------------------------------------


@pytest.mark.parametrize(
    ("weight", "procedure", "object_type"),
    [
        (D("0.30"), Procedure.CONSULTATION, ObjectType.GOODS),
        (D("0.60"), Procedure.CONSULTATION, ObjectType.GOODS),
        (D("0.10"), Procedure.CONSULTATION, ObjectType.SERVICES),
        (D("0.30"), Procedure.CONSULTATION, ObjectType.SERVICES),
        (D("0.30"), Procedure.TENDER, ObjectType.GOODS),
        (D("0.90"), Procedure.TENDER, ObjectType.GOODS),
        (D("0.10"), Procedure.TENDER, ObjectType.SERVICES),
    ],
)
def test_price_weights_within_range(weight, procedure, object_type):
    assert (
        r.check_price_weight(
            weight, regime=GP, procedure=procedure, object_type=object_type
        )
        == weight
    )


@pytest.mark.parametrize(
    ("weight", "procedure", "object_type"),
    [
        (D("0.29"), Procedure.CONSULTATION, ObjectType.GOODS),
        (D("0.61"), Procedure.CONSULTATION, ObjectType.GOODS),
        (D("0.09"), Procedure.CONSULTATION, ObjectType.SERVICES),
        (D("0.31"), Procedure.CONSULTATION, ObjectType.SERVICES),
        (D("0.29"), Procedure.TENDER, ObjectType.GOODS),
        (D("0.09"), Procedure.TENDER, ObjectType.SERVICES),
    ],
)
def test_price_weights_out_of_range(weight, procedure, object_type):
    with pytest.raises(r.InvalidParameter):
        r.check_price_weight(
            weight, regime=GP, procedure=procedure, object_type=object_type
        )


def test_consultation_weight_outside_range_needs_finance_approval():
    kwargs = {
        "regime": GP,
        "procedure": Procedure.CONSULTATION,
        "object_type": ObjectType.GOODS,
    }
    assert r.check_price_weight(D("0.20"), finance_approved=True, **kwargs) == D("0.20")


@pytest.mark.parametrize("weight", [D(0), D("1.01"), 0.3])
def test_price_weight_must_be_a_fraction(weight):
    with pytest.raises(r.RuleError):
        r.check_price_weight(
            weight,
            regime=WORKS,
            procedure=Procedure.TENDER,
            object_type=ObjectType.WORKS,
        )


def test_works_tendering_price_weight_is_free():
    assert r.check_price_weight(
        D("0.05"),
        regime=WORKS,
        procedure=Procedure.TENDER,
        object_type=ObjectType.WORKS,
    ) == D("0.05")


# --- low-price-first scores (§2.2, §2.4) ----------------------------------------------


@pytest.mark.parametrize(
    ("prices", "weight", "expected"),
    [
        # 基准价 100 元; 100/125 × 0.30 × 100 = 24
        ({"a": 10000, "b": 12500}, D("0.30"), {"a": D("30.00"), "b": D("24.00")}),
        # 100/300 × 30 = 10; 100/150 × 30 = 20
        (
            {"a": 10000, "b": 15000, "c": 30000},
            D("0.30"),
            {"a": D("30.00"), "b": D("20.00"), "c": D("10.00")},
        ),
        # 100/300 × 10 = 3.333.. → 3.33; 100/120 × 10 = 8.333 → 8.33
        (
            {"a": 100, "b": 300, "c": 120},
            D("0.10"),
            {"a": D("10.00"), "b": D("3.33"), "c": D("8.33")},
        ),
        # 2/3 × 60 = 40 exactly; 1/7 × 60 = 8.571 → 8.57
        (
            {"a": 2, "b": 3, "c": 14},
            D("0.60"),
            {"a": D("60.00"), "b": D("40.00"), "c": D("8.57")},
        ),
        # half-up: 1/8 × 0.1 × 100 = 1.25 exactly; 1/16 × 10 = 0.625 → 0.63
        (
            {"a": 1, "b": 8, "c": 16},
            D("0.10"),
            {"a": D("10.00"), "b": D("1.25"), "c": D("0.63")},
        ),
        ({"solo": 99999}, D("0.30"), {"solo": D("30.00")}),
        ({"a": 5000, "b": 5000}, D("0.30"), {"a": D("30.00"), "b": D("30.00")}),
    ],
)
def test_low_price_first_scores(prices, weight, expected):
    assert r.low_price_first_scores(prices, weight) == expected


@pytest.mark.parametrize(
    ("prices", "weight", "error"),
    [
        ({}, D("0.3"), r.EmptyInput),
        ({"a": 0}, D("0.3"), r.InvalidValue),
        ({"a": 100.0}, D("0.3"), r.InvalidValue),
        ({"a": 100}, D(0), r.InvalidParameter),
        ({"a": 100}, D("1.5"), r.InvalidParameter),
        ({"a": 100}, 0.3, r.InvalidValue),
    ],
)
def test_low_price_first_invalid_input(prices, weight, error):
    with pytest.raises(error):
        r.low_price_first_scores(prices, weight)


def test_consultation_score_computation_section_2_4():
    """§2.4: base = lowest SME-adjusted final quote; total = price + tech; rank by
    total, then lower quote, then better technical score."""
    policy = SmePolicy(small_micro_rate=D("0.10"), partnered_rate=D("0.04"))
    quotes = {"A": 1_000_000, "B": 950_000, "C": 900_000}
    sme = {
        "A": SmeDeclaration(SmeKind.SMALL_MICRO),
        "B": SmeDeclaration(),
        "C": SmeDeclaration(),
    }
    eval_prices = {
        b: r.sme_evaluation_price(q, sme[b], policy, ObjectType.GOODS)
        for b, q in quotes.items()
    }
    assert eval_prices == {"A": 900_000, "B": 950_000, "C": 900_000}
    price_scores = r.low_price_first_scores(eval_prices, D("0.30"))
    assert price_scores == {"A": D("30.00"), "B": D("28.42"), "C": D("30.00")}
    tech = {"A": D("50.00"), "B": D("52.00"), "C": D("50.00")}
    totals = {b: r.total_score(price_scores[b], tech[b]) for b in quotes}
    assert totals == {"A": D("80.00"), "B": D("80.42"), "C": D("80.00")}
    ranking = r.rank_bids(
        [RankEntry(b, totals[b], quotes[b], tech[b]) for b in quotes],
        keys=r.RANK_CONSULTATION,
    )
    # A and C tie on total; C's raw quote is lower, so C ranks above A.
    assert ranking.order == ("B", "C", "A")
    assert ranking.decided


# --- works average benchmark (§1.4 Gansu) ---------------------------------------------


def test_average_benchmark_drops_extremes_when_more_than_three_bids():
    prices = {"a": 90_000, "b": 100_000, "c": 100_000, "d": 110_000, "e": 200_000}
    result = r.average_benchmark_scores(prices, regime=WORKS, full_score=D(30))
    # drop 90 000 and 200 000 → mean(100 000, 100 000, 110 000) = 103 333.33 分
    assert result.trimmed
    assert result.benchmark_fen == 103_333
    a = result.scores["a"]  # dev = (90000-103333)/103333 = -12.903 %, × 0.5 = 6.45
    assert a.deviation_pct == D("-12.90")
    assert a.score == D("23.55")
    d = result.scores["d"]  # dev = +6.452 %, × 1 = 6.45
    assert d.score == D("23.55")
    assert result.scores["e"].score == D("0.00")  # +93.5 %: floored at 0


def test_average_benchmark_with_three_bids_keeps_all_and_applies_coefficient():
    prices = {"a": 100_000, "b": 110_000, "c": 120_000}
    result = r.average_benchmark_scores(
        prices, regime=WORKS, full_score=D(40), coefficient=D("0.95")
    )
    assert not result.trimmed
    assert result.benchmark_fen == 104_500  # 110 000 × 0.95
    assert result.scores["a"].deviation_pct == D("-4.31")
    assert result.scores["a"].score == D("37.85")  # 40 − 4.306 × 0.5
    assert result.scores["b"].score == D("34.74")  # 40 − 5.263 × 1


def test_average_benchmark_exact_base_scores_full():
    result = r.average_benchmark_scores(
        {"a": 100, "b": 100}, regime=WORKS, full_score=D(30)
    )
    assert result.scores["a"] == r.BenchmarkScore(D("30.00"), D("0.00"))


def test_average_benchmark_is_forbidden_in_government_procurement():
    with pytest.raises(r.ForbiddenInRegime):
        r.average_benchmark_scores({"a": 100}, regime=GP, full_score=D(30))


def test_average_benchmark_rejects_empty():
    with pytest.raises(r.EmptyInput):
        r.average_benchmark_scores({}, regime=WORKS, full_score=D(30))


# --- SME price deduction (§2.5) -------------------------------------------------------

POLICY = SmePolicy(small_micro_rate=D("0.10"), partnered_rate=D("0.04"))


@pytest.mark.parametrize(
    ("declaration", "policy", "object_type", "quote", "expected"),
    [
        (
            SmeDeclaration(SmeKind.SMALL_MICRO),
            POLICY,
            ObjectType.GOODS,
            1_000_000,
            900_000,
        ),
        (
            SmeDeclaration(SmeKind.SMALL_MICRO),
            SmePolicy(D("0.20"), D("0.06")),
            ObjectType.SERVICES,
            1_000_000,
            800_000,
        ),
        (
            SmeDeclaration(SmeKind.PARTNERED, D("0.30")),
            POLICY,
            ObjectType.GOODS,
            1_000_000,
            960_000,
        ),
        (
            SmeDeclaration(SmeKind.PARTNERED, D("0.29")),
            POLICY,
            ObjectType.GOODS,
            1_000_000,
            1_000_000,
        ),
        (SmeDeclaration(), POLICY, ObjectType.GOODS, 1_000_000, 1_000_000),
        (
            SmeDeclaration(SmeKind.SMALL_MICRO),
            replace(POLICY, reserved_for_sme=True),
            ObjectType.GOODS,
            1_000_000,
            1_000_000,
        ),
        (
            SmeDeclaration(SmeKind.SMALL_MICRO),
            SmePolicy(D("0.05"), D("0.02")),
            ObjectType.WORKS,
            1_000_000,
            950_000,
        ),
        (
            SmeDeclaration(SmeKind.PARTNERED, D("0.5")),
            SmePolicy(D("0.03"), D("0.01")),
            ObjectType.WORKS,
            1_000_000,
            990_000,
        ),
        # rounding to the 分: 333 × 0.9 = 299.7 → 300
        (SmeDeclaration(SmeKind.SMALL_MICRO), POLICY, ObjectType.GOODS, 333, 300),
        (
            SmeDeclaration(SmeKind.SMALL_MICRO),
            POLICY,
            ObjectType.GOODS,
            335,
            302,
        ),  # 301.5
    ],
)
def test_sme_evaluation_price(declaration, policy, object_type, quote, expected):
    assert r.sme_evaluation_price(quote, declaration, policy, object_type) == expected


@pytest.mark.parametrize(
    ("policy", "object_type"),
    [
        (SmePolicy(D("0.06"), D("0.04")), ObjectType.GOODS),  # old 6 % is now too low
        (SmePolicy(D("0.21"), D("0.04")), ObjectType.SERVICES),
        (SmePolicy(D("0.10"), D("0.03")), ObjectType.GOODS),
        (SmePolicy(D("0.10"), D("0.04")), ObjectType.WORKS),  # works: 3–5 % / 1–2 %
    ],
)
def test_sme_policy_rates_must_lie_in_range(policy, object_type):
    with pytest.raises(r.InvalidParameter):
        r.check_sme_policy(policy, object_type)


def test_sme_partner_share_must_be_a_fraction():
    with pytest.raises(r.InvalidValue):
        r.sme_deduction_rate(
            SmeDeclaration(SmeKind.PARTNERED, D("1.2")), POLICY, ObjectType.GOODS
        )


# --- ranking (§4.5) -------------------------------------------------------------------


def entries(*rows):
    return [RankEntry(b, D(t), p, D(tech)) for b, t, p, tech in rows]


def test_ranking_by_total_then_price():
    ranking = r.rank_bids(
        entries(("a", "80", 100, 0), ("b", "90", 120, 0), ("c", "80", 90, 0))
    )
    assert ranking.order == ("b", "c", "a")
    assert [b.rank for b in ranking.bids] == [1, 2, 3]


def test_full_tie_needs_a_lottery_and_resolves_with_drawn_order():
    rows = entries(("a", "80", 100, 0), ("b", "80", 100, 0), ("c", "90", 100, 0))
    ranking = r.rank_bids(rows)
    assert not ranking.decided
    assert ranking.pending == (r.TieNeedsLottery(("a", "b"), 2, "ranking tie (并列)"),)
    assert [(b.bidder_id, b.rank, b.tied) for b in ranking.bids] == [
        ("c", 1, False),
        ("a", 2, True),
        ("b", 2, True),
    ]
    final = r.rank_bids(rows, drawn=[("b", "a")])
    assert final.decided
    assert final.order == ("c", "b", "a")
    assert [b.rank for b in final.bids] == [1, 2, 3]


def test_ties_outside_the_candidate_places_stay_bracketed():
    rows = entries(("a", "90", 100, 0), ("b", "80", 100, 0), ("c", "80", 100, 0))
    ranking = r.rank_bids(rows, lottery_within=1)
    assert ranking.decided
    assert [(b.rank, b.tied) for b in ranking.bids] == [
        (1, False),
        (2, True),
        (2, True),
    ]


def test_ranking_third_key_for_consultation():
    rows = entries(("a", "80", 100, "40"), ("b", "80", 100, "45"))
    assert r.rank_bids(rows, keys=r.RANK_CONSULTATION).order == ("b", "a")
    assert not r.rank_bids(rows, keys=r.RANK_COMPREHENSIVE).decided


def test_lowest_price_method_ranks_by_price_only():
    rows = entries(("a", "99", 120, 0), ("b", "10", 100, 0), ("c", "50", 100, 0))
    ranking = r.rank_bids(rows, keys=r.RANK_LOWEST_PRICE)
    assert ranking.pending == (r.TieNeedsLottery(("b", "c"), 2, "ranking tie (并列)"),)
    assert ranking.bids[-1].bidder_id == "a"


def test_all_equal_bids_form_one_lottery():
    rows = entries(*[(x, "70", 100, 0) for x in "dcba"])
    ranking = r.rank_bids(rows)
    assert ranking.pending[0].candidates == ("a", "b", "c", "d")
    assert ranking.pending[0].draw_count == 4


@pytest.mark.parametrize(
    "drawn", [[("a",)], [("a", "z")], [("a", "b"), ("a", "b")], [("x", "y")]]
)
def test_ranking_rejects_drawn_orders_that_match_no_tie(drawn):
    rows = entries(("a", "80", 100, 0), ("b", "80", 100, 0))
    with pytest.raises(r.LotteryMismatch):
        r.rank_bids(rows, drawn=drawn)


def test_ranking_rejects_empty_and_duplicates():
    with pytest.raises(r.EmptyInput):
        r.rank_bids([])
    with pytest.raises(r.DuplicateEntry):
        r.rank_bids(entries(("a", "1", 1, 0), ("a", "2", 1, 0)))


def test_single_bid_ranks_first():
    assert r.rank_bids(entries(("solo", "60", 100, 0))).order == ("solo",)


def test_same_brand_rule_keeps_the_best_placed_only():
    result = r.apply_same_brand_rule(
        ["a", "b", "c", "d", "e"], {"a": "X", "b": "Y", "c": "X", "d": None, "e": None}
    )
    assert result.kept == ("a", "b", "d", "e")
    assert result.set_aside == ("c",)


# --- deviation warnings (§4.6) --------------------------------------------------------

ITEM = ScoringItem("plan", ItemKind.SUBJECTIVE, max_score=D(10))
ITEM2 = ScoringItem("team", ItemKind.SUBJECTIVE, max_score=D(10))


def sheet(rows):
    return [ItemScore(e, b, i, D(v)) for e, b, i, v in rows]


def test_deviation_warning_above_thirty_percent_of_item_max():
    scores = sheet(
        [("e1", "A", "plan", 9), ("e2", "A", "plan", 5), ("e3", "A", "plan", 5)]
    )
    warnings = r.deviation_warnings(scores, [ITEM])
    # e1: |9 − 5| / 10 = 0.40 > 0.30; e2: |5 − 7| / 10 = 0.20
    assert warnings == (
        r.DeviationWarning("e1", "A", "plan", D(9), D("5.00"), D("0.40")),
    )


def test_deviation_exactly_at_threshold_is_not_a_warning():
    scores = sheet([("e1", "A", "plan", 8), ("e2", "A", "plan", 5)])
    assert r.deviation_warnings(scores, [ITEM]) == ()  # exactly 0.30


def test_deviation_ignores_objective_items_and_single_experts():
    objective = ScoringItem("iso", ItemKind.OBJECTIVE, max_score=D(10))
    scores = sheet(
        [("e1", "A", "iso", 10), ("e2", "A", "iso", 0), ("e1", "B", "plan", 1)]
    )
    assert r.deviation_warnings(scores, [objective, ITEM]) == ()


def test_deviation_validates_scores_and_duplicates():
    with pytest.raises(r.ScoreOutOfRange):
        r.deviation_warnings(sheet([("e1", "A", "plan", 11)]), [ITEM])
    with pytest.raises(r.DuplicateEntry):
        r.deviation_warnings(
            sheet([("e1", "A", "plan", 1), ("e1", "A", "plan", 2)]), [ITEM]
        )


def test_dispersion_flag_on_wide_spread_of_totals():
    scores = sheet(
        [
            ("e1", "A", "plan", 10), ("e1", "A", "team", 10),
            ("e2", "A", "plan", 2), ("e2", "A", "team", 3),
            ("e1", "B", "plan", 5), ("e1", "B", "team", 5),
            ("e2", "B", "plan", 6), ("e2", "B", "team", 5),
        ]
    )  # fmt: skip
    flags = r.dispersion_flags(scores, [ITEM, ITEM2])
    assert flags == (r.DispersionFlag("A", D(5), D(20), D("0.75")),)


def test_favouritism_and_joint_high_flags():
    rows = []
    for e, (a_plan, a_team) in {
        "e1": (10, 10), "e2": (10, 9), "e3": (9, 10), "e4": (4, 4), "e5": (3, 4),
    }.items():  # fmt: skip
        rows += [(e, "A", "plan", a_plan), (e, "A", "team", a_team)]
        rows += [(e, "B", "plan", 6), (e, "B", "team", 6)]
    scores = sheet(rows)
    favour = r.favouritism_flags(scores, [ITEM, ITEM2])
    assert {(f.expert_id, f.bidder_id) for f in favour} == {
        ("e1", "A"),
        ("e2", "A"),
        ("e3", "A"),
    }
    assert r.joint_high_flags(scores, [ITEM, ITEM2]) == (
        r.JointHighFlag("A", ("e1", "e2", "e3")),
    )


def test_favouritism_needs_every_item_high():
    scores = sheet(
        [
            ("e1", "A", "plan", 10), ("e1", "A", "team", 5),
            ("e2", "A", "plan", 2), ("e2", "A", "team", 6),
        ]
    )  # fmt: skip
    assert r.favouritism_flags(scores, [ITEM, ITEM2]) == ()


# --- abnormally low prices (§4.7) -----------------------------------------------------


@pytest.mark.parametrize(
    ("price", "passed", "ceiling", "expected"),
    [
        # mean of (40, 100, 100, 100) = 85; 40 < 42.5 → t1; 40 < 50 → t2; 40 < 45 → t3
        (40, [40, 100, 100, 100], 100, (True, True, True)),
        # exactly 50 % of the mean is not below it (strict '<')
        (50, [50, 150], 1000, (False, True, True)),
        # t2 only: 49 < 0.5 × 100 but 49 ≥ 0.5 × mean(49, 100) = 37.25
        (49, [49, 100], 100, (False, True, False)),
        # t2 concerns the lowest only; the 2nd lowest is not checked against the 3rd
        (60, [40, 60, 200], 100, (False, False, False)),
        # t3 only: 44 < 45 % of 100 and nothing else
        (44, [44, 45, 46], 100, (False, False, True)),
        # the lowest tied with another: s[1] == s[0], so t2 cannot fire
        (30, [30, 30, 100], 1000, (False, False, True)),
        # one price alone: no second lowest
        (90, [90], 100, (False, False, False)),
    ],
)
def test_low_price_triggers(price, passed, ceiling, expected):
    t = r.low_price_triggers(price, passed, ceiling)
    assert (t.below_mean, t.below_second, t.below_ceiling) == expected
    assert t.triggered is any(expected)


def test_raised_ratios_trigger_more():
    raised = r.EvaluationParams(
        lowprice_ratio_avg=D("0.65"),
        lowprice_ratio_second=D("0.65"),
        lowprice_ratio_ceiling=D("0.65"),
    )
    assert not r.low_price_triggers(60, [60, 100], 100).triggered
    t = r.low_price_triggers(60, [60, 100], 100, raised)
    assert (t.below_mean, t.below_second, t.below_ceiling) == (False, True, True)


def test_low_price_price_must_be_among_passed():
    with pytest.raises(r.UnknownParticipant):
        r.low_price_triggers(10, [20, 30], 100)


def test_low_price_review_list_names_only_triggered_bidders():
    flagged = r.low_price_review_list({"a": 40, "b": 100, "c": 100}, 100)
    assert set(flagged) == {"a"}
    with pytest.raises(r.EmptyInput):
        r.low_price_review_list({}, 100)


# --- minimum counts (§7.10) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "no_opening"), (2, "no_opening"), (3, "proceed"), (9, "proceed")],
)
def test_opening_needs_three_bids(n, expected):
    assert r.opening_verdict(n) == expected


@pytest.mark.parametrize(
    ("n", "regime", "expected"),
    [
        (2, WORKS, r.CountVerdict.MAY_REJECT_ALL),
        (2, GP, r.CountVerdict.CANNOT_EVALUATE),
        (3, WORKS, r.CountVerdict.PROCEED),
        (3, GP, r.CountVerdict.PROCEED),
        (0, GP, r.CountVerdict.CANNOT_EVALUATE),
    ],
)
def test_evaluation_needs_three_qualified(n, regime, expected):
    assert r.evaluation_verdict(n, regime) == expected


def test_prequalification_needs_three():
    assert r.prequalification_verdict(2) == r.CountVerdict.RETENDER
    assert r.prequalification_verdict(3) == r.CountVerdict.PROCEED


@pytest.mark.parametrize(
    ("list_size", "draw", "witnesses", "ok"),
    [
        (6, 3, 2, True),
        (5, 3, 2, False),
        (10, 2, 2, False),
        (6, 3, 1, False),
        (20, 5, 3, True),
    ],
)
def test_invitation_draw_rule(list_size, draw, witnesses, ok):
    if ok:
        r.check_invitation_draw(list_size, draw, witnesses)
    else:
        with pytest.raises(r.InvalidParameter):
            r.check_invitation_draw(list_size, draw, witnesses)


@pytest.mark.parametrize("bad", [-1, 2.0, None])
def test_counts_must_be_non_negative_ints(bad):
    with pytest.raises(r.InvalidValue):
        r.opening_verdict(bad)


def test_tie_keys_are_ordered_enum_values():
    assert r.RANK_COMPREHENSIVE == (TieKey.TOTAL_DESC, TieKey.PRICE_ASC)
