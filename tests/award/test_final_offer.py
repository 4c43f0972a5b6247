"""Final-offer round (终次报价, §1) and 磋商 guards (§2): table tests from the rules."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from trading.award import rules as a
from trading.award.rules import (
    FinalOffer,
    FinalOfferOutcome,
    FinalOfferParams,
    NoOfferAction,
    Reference,
    TieBreaker,
    TooFewAction,
    WinnerRule,
)
from trading.evaluation import rules as ev
from trading.evaluation.rules import (
    DuplicateEntry,
    ForbiddenInRegime,
    InvalidParameter,
    InvalidValue,
    LotteryMismatch,
    Procedure,
    Regime,
    TieNeedsLottery,
)

YI = 10**10  # 1 亿元 in 分
YUAN = 100
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def offers(*amounts, unit=1):
    return [FinalOffer(chr(ord("A") + i), amt * unit) for i, amt in enumerate(amounts)]


SUPERMARKET = FinalOfferParams(
    reference=Reference.TRIMMED_MEAN,
    trim_min_n=3,
    coefficient_set=(D("0.95"), D("0.96"), D("0.97"), D("0.98")),
    round_reference_to_fen=True,
    min_offers=3,
)


# --- the Dongguan example and the §1.3 algorithm --------------------------------------


def test_dongguan_press_example_14_wins():
    """§1.1: offers 10/13/14/15/16 亿元 → mean 13.6 → 14 wins (0.4 vs 0.6 for 13)."""
    result = a.final_offer_winner(offers(10, 13, 14, 15, 16, unit=YI))
    assert result.outcome is FinalOfferOutcome.WINNER
    assert result.winner_id == "C"
    assert result.price_fen == 14 * YI
    assert result.reference == D("136000000000.00")  # 13.6 亿元 in 分
    assert result.counted == ("A", "B", "C", "D", "E")
    assert result.lottery is None


def test_final_offer_defaults_are_section_8():
    p = FinalOfferParams()
    assert (p.pause_after_cap_min, p.eligibility_window_min, p.window_min) == (
        15,
        5,
        10,
    )
    assert p.reference is Reference.MEAN_ALL
    assert p.tie_breaker is TieBreaker.LOTTERY
    assert p.winner_rule is WinnerRule.CLOSEST


@pytest.mark.parametrize(
    ("rule", "winner"),
    [
        (WinnerRule.CLOSEST, "C"),
        (WinnerRule.CLOSEST_NOT_ABOVE, "B"),
        (WinnerRule.LOWEST, "A"),
    ],
)
def test_winner_rules_on_the_dongguan_offers(rule, winner):
    params = FinalOfferParams(winner_rule=rule)
    result = a.final_offer_winner(offers(10, 13, 14, 15, 16, unit=YI), params)
    assert result.winner_id == winner


def test_equidistant_offers_either_side_need_a_lottery():
    result = a.final_offer_winner(offers(10, 20, unit=YI))
    assert result.outcome is FinalOfferOutcome.LOTTERY
    assert result.winner_id is None
    assert result.lottery == TieNeedsLottery(
        ("A", "B"), 1, "final offers equally close"
    )
    drawn = a.final_offer_winner(offers(10, 20, unit=YI), drawn=["B"])
    assert (drawn.outcome, drawn.winner_id, drawn.price_fen) == (
        FinalOfferOutcome.WINNER,
        "B",
        20 * YI,
    )


@pytest.mark.parametrize(
    ("breaker", "winner"),
    [
        (TieBreaker.LOWER, "A"),
        (TieBreaker.HIGHER, "C"),
        (TieBreaker.EARLIER_SUBMISSION, "C"),
    ],
)
def test_profile_tie_breakers(breaker, winner):
    tied = [
        FinalOffer("A", 10 * YI, T0 + timedelta(seconds=30)),
        FinalOffer(
            "B", 15 * YI, T0 + timedelta(seconds=10)
        ),  # mean is 15: B wins outright
        FinalOffer("C", 20 * YI, T0),
    ]
    params = FinalOfferParams(tie_breaker=breaker)
    assert a.final_offer_winner(tied, params).winner_id == "B"
    two = [tied[0], tied[2]]
    assert a.final_offer_winner(two, params).winner_id == winner


def test_tie_breaker_falls_back_to_lottery_when_still_tied():
    same_time = [FinalOffer("A", 10, T0), FinalOffer("B", 20, T0)]
    result = a.final_offer_winner(
        same_time, FinalOfferParams(tie_breaker=TieBreaker.EARLIER_SUBMISSION)
    )
    assert result.lottery.candidates == ("A", "B")


def test_earlier_submission_needs_timestamps():
    with pytest.raises(InvalidValue):
        a.final_offer_winner(
            offers(10, 20), FinalOfferParams(tie_breaker=TieBreaker.EARLIER_SUBMISSION)
        )


def test_identical_offers_all_go_to_the_lottery():
    result = a.final_offer_winner(offers(15, 15, 15, unit=YI))
    assert result.lottery == TieNeedsLottery(
        ("A", "B", "C"), 1, "final offers equally close"
    )
    lower = a.final_offer_winner(
        offers(15, 15, 15), FinalOfferParams(tie_breaker=TieBreaker.LOWER)
    )
    assert lower.lottery.candidates == (
        "A",
        "B",
        "C",
    )  # equal amounts: LOWER cannot split


def test_eligible_bidder_without_an_offer_is_not_counted():
    result = a.final_offer_winner(
        offers(10, 13, 14, 15, 16, unit=YI), eligible=["A", "B", "C", "D", "E", "F"]
    )
    assert result.winner_id == "C"
    assert "F" not in result.counted


def test_offer_from_a_non_eligible_bidder_is_refused():
    with pytest.raises(a.IneligibleOffer, match="E"):
        a.final_offer_winner(offers(10, 13, 14, 15, 16), eligible=["A", "B", "C", "D"])


def test_one_shot_offer_per_bidder():
    with pytest.raises(DuplicateEntry):
        a.final_offer_winner([FinalOffer("A", 10), FinalOffer("A", 12)])


@pytest.mark.parametrize("amount", [10.0, 0, -5, True])
def test_offer_amounts_are_positive_int_fen(amount):
    with pytest.raises(InvalidValue):
        a.final_offer_winner([FinalOffer("A", amount), FinalOffer("B", 10)])


def test_mean_is_kept_at_full_precision():
    """§1.3: keep full precision, compare exactly, display to 2 dp."""
    result = a.final_offer_winner(offers(1, 2, 2))  # mean 5/3 分
    assert result.reference == D("1.67")
    assert result.lottery.candidates == ("B", "C")  # 2 and 2, distance 1/3 each


# --- floor and ceiling (§1.1 baseline = cap, §1.4 range) ------------------------------


def test_offers_outside_floor_and_ceiling_are_rejected_and_not_counted():
    cap = 10 * YI
    result = a.final_offer_winner(
        offers(9, 10, 13, 14, 40, unit=YI), floor_fen=cap, ceiling_fen=30 * YI
    )
    assert [x.bidder_id for x in result.rejected] == ["A", "E"]
    assert "below the floor" in result.rejected[0].reason
    assert "above the ceiling" in result.rejected[1].reason
    assert result.counted == ("B", "C", "D")  # mean 12.33 亿 → 13 wins
    assert result.winner_id == "C"


def test_offer_equal_to_floor_or_ceiling_is_valid():
    result = a.final_offer_winner(offers(10, 20), floor_fen=10, ceiling_fen=20)
    assert result.rejected == ()


@pytest.mark.parametrize(
    ("amount", "ok"), [(99, False), (100, True), (150, True), (200, True), (201, False)]
)
def test_check_final_offer(amount, ok):
    if ok:
        assert a.check_final_offer(amount, floor_fen=100, ceiling_fen=200) == amount
    else:
        with pytest.raises(a.OfferOutOfBounds):
            a.check_final_offer(amount, floor_fen=100, ceiling_fen=200)


def test_offer_may_not_exceed_the_earlier_price_when_configured():
    params = FinalOfferParams(not_above_previous=True)
    with pytest.raises(a.OfferOutOfBounds, match="earlier price"):
        a.check_final_offer(120, previous_fen=110, params=params)
    assert a.check_final_offer(120, previous_fen=110) == 120  # off by default
    result = a.final_offer_winner(
        [
            FinalOffer("A", 120, previous_fen=110),
            FinalOffer("B", 100, previous_fen=100),
        ],
        params,
    )
    assert [x.bidder_id for x in result.rejected] == ["A"]
    assert result.winner_id == "B"


def test_floor_above_ceiling_is_a_bad_parameter():
    with pytest.raises(InvalidParameter):
        a.final_offer_winner(offers(10), floor_fen=20, ceiling_fen=10)


# --- zero and one offer (§1.3 [P]) ----------------------------------------------------


def test_no_offer_draws_among_eligible_at_the_cap_by_default():
    result = a.final_offer_winner([], floor_fen=10 * YI, eligible=["B", "A"])
    assert result.outcome is FinalOfferOutcome.LOTTERY
    assert result.lottery.candidates == ("A", "B")
    done = a.final_offer_winner([], floor_fen=10 * YI, eligible=["B", "A"], drawn=["B"])
    assert (done.winner_id, done.price_fen) == ("B", 10 * YI)


def test_no_offer_with_a_single_eligible_bidder_needs_no_draw():
    result = a.final_offer_winner([], floor_fen=10 * YI, eligible=["A"])
    assert (result.outcome, result.winner_id, result.price_fen) == (
        FinalOfferOutcome.WINNER,
        "A",
        10 * YI,
    )


def test_only_rejected_offers_count_as_no_offer():
    result = a.final_offer_winner(offers(5), floor_fen=10, eligible=["A", "B"])
    assert result.outcome is FinalOfferOutcome.LOTTERY
    assert len(result.rejected) == 1


@pytest.mark.parametrize(
    ("params", "kwargs", "outcome"),
    [
        (FinalOfferParams(on_no_offer=NoOfferAction.FAIL), {"floor_fen": 10}, "failed"),
        (FinalOfferParams(on_no_offer=NoOfferAction.FALLBACK), {}, "fallback"),
        (FinalOfferParams(), {"floor_fen": 10}, "failed"),  # nobody eligible
        (FinalOfferParams(), {"eligible": ["A"]}, "failed"),  # no floor to price at
    ],
)
def test_no_offer_other_outcomes(params, kwargs, outcome):
    assert a.final_offer_winner([], params, **kwargs).outcome == outcome


def test_single_offer_wins_the_land_round():
    result = a.final_offer_winner([FinalOffer("A", 12 * YI)])
    assert (result.winner_id, result.price_fen) == ("A", 12 * YI)


@pytest.mark.parametrize(
    ("action", "outcome"),
    [(TooFewAction.FAIL, "failed"), (TooFewAction.FALLBACK, "fallback")],
)
def test_too_few_offers_for_state_funds(action, outcome):
    params = FinalOfferParams(min_offers=3, too_few=action)
    assert a.final_offer_winner(offers(10, 12), params).outcome == outcome
    assert a.final_offer_winner(offers(10, 12, 14), params).winner_id == "B"


def test_drawn_without_a_tie_is_refused():
    with pytest.raises(LotteryMismatch):
        a.final_offer_winner(offers(10, 13, 14, 15, 16), drawn=["C"])
    with pytest.raises(LotteryMismatch):
        a.final_offer_winner(offers(10, 20), drawn=["Z"])


# --- trimmed mean, coefficient and the supermarket variant (§1.4) ---------------------


def test_trimmed_mean_changes_the_winner():
    amounts = (100, 102, 104, 106, 200)
    assert a.final_offer_winner(offers(*amounts)).winner_id == "D"  # mean 122.4 → 106
    trimmed = a.final_offer_winner(
        offers(*amounts), FinalOfferParams(reference=Reference.TRIMMED_MEAN)
    )
    assert trimmed.winner_id == "C"  # mean(102, 104, 106) = 104
    assert trimmed.counted == ("B", "C", "D")
    assert trimmed.cannot_win == ("A", "E")


def test_trimmed_mean_needs_enough_offers():
    params = FinalOfferParams(reference=Reference.TRIMMED_MEAN)  # trim_min_n = 4
    result = a.final_offer_winner(offers(100, 110, 200), params)
    assert result.counted == ("A", "B", "C")
    assert result.cannot_win == ()


def test_supermarket_best_price_example():
    """Lianyungang 最优价中选: drop highest and lowest, mean × K (95–98 %), reference to
    2 dp, closest wins, dropped bids cannot win."""
    bids = offers(100, 99, 98, 97, 93, unit=YUAN)
    request = a.coefficient_draw(SUPERMARKET)
    assert request.candidates == ("0.95", "0.96", "0.97", "0.98")
    result = a.final_offer_winner(
        bids, SUPERMARKET, coefficient=D(request.candidates[0])
    )
    # mean(99, 98, 97) = 98 元 × 0.95 = 93.10 元; 93 would be closest but was dropped
    assert result.reference == D("9310.00")
    assert result.cannot_win == ("A", "E")
    assert result.winner_id == "D"  # 97 元


def test_supermarket_reference_is_rounded_to_the_fen():
    bids = [FinalOffer("A", 1000), FinalOffer("B", 1001), FinalOffer("C", 1003)]
    params = replace(SUPERMARKET, trim_min_n=4)  # keep all three
    result = a.final_offer_winner(bids, params, coefficient=D("0.97"))
    assert result.reference == D("971.00")  # 3004/3 × 0.97 = 971.29 → 971 分


def test_supermarket_needs_three_bidders_for_state_funds():
    assert (
        a.final_offer_winner(
            offers(100, 99), SUPERMARKET, coefficient=D("0.95")
        ).outcome
        == "failed"
    )
    private = replace(SUPERMARKET, min_offers=1)
    assert (
        a.final_offer_winner(offers(100), private, coefficient=D("0.95")).winner_id
        == "A"
    )


def test_trim_drops_one_of_each_equal_extreme():
    # 90, 90, 95, 100, 110, 110: one 90 and one 110 dropped; mean(90, 95, 100, 110) =
    # 98.75 → 100 wins. Which 90 and which 110 went never matters, so nobody is named.
    result = a.final_offer_winner(
        offers(90, 90, 95, 100, 110, 110),
        FinalOfferParams(reference=Reference.TRIMMED_MEAN),
    )
    assert result.reference == D("98.75")
    assert (result.counted, result.cannot_win, result.winner_id) == (("C", "D"), (), "D")


def test_trim_with_two_distinct_amounts_draws_the_dropped_ones_first():
    # 90, 90, 110, 110: one of each dropped; mean(90, 110) = 100; the counted 90 and
    # 110 tie, so draw which 90 and which 110 stay counted, then the tie between them.
    bids = offers(90, 90, 110, 110)
    params = FinalOfferParams(reference=Reference.TRIMMED_MEAN)
    first = a.final_offer_winner(bids, params)
    assert first.lottery == TieNeedsLottery(
        ("A", "B"), 1, "equal extreme final offers: which stay counted")
    second = a.final_offer_winner(bids, params, draws=[["B"]])
    assert second.lottery.candidates == ("C", "D") and second.cannot_win == ("A",)
    third = a.final_offer_winner(bids, params, draws=[["B"], ["C"]])
    assert third.lottery == TieNeedsLottery(("B", "C"), 1, "final offers equally close")
    done = a.final_offer_winner(bids, params, draws=[["B"], ["C"]], drawn=["C"])
    assert (done.winner_id, done.cannot_win, done.counted) == ("C", ("A", "D"), ("B", "C"))


def test_the_issue_cases_through_the_final_offer_round():
    # [90, 100, 100] × 0.96 → 96.00, the two 100s draw; [80, 95, 100, 110, 110] × 0.95
    # → 96.58, 95 wins (the same rule as the 中介超市, trading.rules.best_price).
    tie = a.final_offer_winner(offers(90, 100, 100, unit=YUAN), SUPERMARKET,
                               coefficient=D("0.96"))
    assert tie.reference == D("9600.00") and tie.lottery.candidates == ("B", "C")
    assert tie.cannot_win == ("A",)
    won = a.final_offer_winner(offers(80, 95, 100, 110, 110, unit=YUAN), SUPERMARKET,
                               coefficient=D("0.95"))
    assert (won.reference, won.winner_id) == (D("9658.00"), "B")


def test_coefficient_must_be_drawn_and_in_the_set():
    with pytest.raises(a.MissingDraw):
        a.final_offer_winner(offers(100, 99, 98), SUPERMARKET)
    with pytest.raises(InvalidParameter):
        a.final_offer_winner(offers(100, 99, 98), SUPERMARKET, coefficient=D("0.90"))
    with pytest.raises(InvalidParameter):
        a.final_offer_winner(offers(100, 99, 98), coefficient=D("0.95"))
    with pytest.raises(InvalidParameter):
        a.coefficient_draw(FinalOfferParams())


def test_closest_not_above_when_coefficient_puts_reference_below_all():
    params = replace(
        SUPERMARKET, winner_rule=WinnerRule.CLOSEST_NOT_ABOVE, trim_min_n=9
    )
    result = a.final_offer_winner(offers(100, 101, 102), params, coefficient=D("0.95"))
    assert result.winner_id == "A"  # nothing ≤ 96.9: the lowest wins


@pytest.mark.parametrize(
    "changes",
    [
        {"min_offers": 0},
        {"trim_min_n": 2},
        {"window_min": 0},
        {"coefficient_set": (D("0.95"), D("0.95"))},
        {"coefficient_set": (D(0),)},
    ],
)
def test_final_offer_params_validation(changes):
    with pytest.raises(
        InvalidParameter if "coefficient_set" in changes else InvalidValue
    ):
        FinalOfferParams(**changes)


def test_presets():
    assert a.LAND_FINAL_OFFER == FinalOfferParams()
    assert a.PROCUREMENT_FINAL_OFFER.window_min == 30
    assert a.PROCUREMENT_FINAL_OFFER.min_offers == 3
    assert a.final_offer_winner(offers(10, 12), a.PROCUREMENT_FINAL_OFFER).outcome == (
        "fallback"
    )
    assert a.SUPERMARKET_BEST_PRICE.coefficient_set == SUPERMARKET.coefficient_set


@pytest.mark.parametrize(
    ("regime", "rule", "award_step", "allowed"),
    [
        (Regime.TENDERING, WinnerRule.CLOSEST, False, True),
        (Regime.GOVERNMENT_PROCUREMENT, WinnerRule.CLOSEST, False, False),
        (Regime.GOVERNMENT_PROCUREMENT, WinnerRule.CLOSEST_NOT_ABOVE, False, False),
        (Regime.GOVERNMENT_PROCUREMENT, WinnerRule.CLOSEST, True, True),
        (Regime.GOVERNMENT_PROCUREMENT, WinnerRule.LOWEST, False, True),
    ],
)
def test_average_based_final_offer_in_government_procurement(
    regime, rule, award_step, allowed
):
    params = FinalOfferParams(winner_rule=rule)
    if allowed:
        a.check_final_offer_use(params, regime=regime, award_step=award_step)
    else:
        with pytest.raises(ForbiddenInRegime):
            a.check_final_offer_use(params, regime=regime, award_step=award_step)


# --- 竞争性磋商 guards (§2.2, §2.3) ---------------------------------------------------


@pytest.mark.parametrize(
    ("active", "exception", "proceed", "minimum"),
    [
        (3, None, True, 3),
        (2, None, False, 3),
        (0, None, False, 3),
        (2, ev.ConsultationException.RESEARCH_OR_TECH_TRANSFER, True, 2),
        (2, ev.ConsultationException.GOV_SERVICES_TWO_QUALIFIED, True, 2),
        (1, ev.ConsultationException.GOV_SERVICES_TWO_QUALIFIED, False, 2),
        (7, None, True, 3),
    ],
)
def test_consultation_minimum_supplier_guard(active, exception, proceed, minimum):
    result = ev.consultation_guard(active, exception=exception)
    assert (result.proceed, result.minimum, result.count) == (proceed, minimum, active)


def test_consultation_guard_rejects_negative_counts():
    with pytest.raises(InvalidValue):
        ev.consultation_guard(-1)


# --- candidate counts (§2.2, §3.1, 实施条例 Art 53) -----------------------------------

GP = Regime.GOVERNMENT_PROCUREMENT
WORKS = Regime.TENDERING


@pytest.mark.parametrize(
    ("count", "qualified", "regime", "procedure", "kwargs", "error"),
    [
        (3, 5, GP, Procedure.CONSULTATION, {}, None),
        (2, 5, GP, Procedure.CONSULTATION, {}, a.TooFewCandidates),
        (
            2,
            2,
            GP,
            Procedure.CONSULTATION,
            {"exception": ev.ConsultationException.RESEARCH_OR_TECH_TRANSFER},
            None,
        ),
        (3, 6, GP, Procedure.TENDER, {"separated": True}, None),
        (2, 6, GP, Procedure.TENDER, {"separated": True}, InvalidParameter),
        (4, 6, WORKS, Procedure.TENDER, {"separated": True}, InvalidParameter),
        (1, 6, WORKS, Procedure.TENDER, {}, None),
        (3, 6, WORKS, Procedure.TENDER, {}, None),
        (4, 6, WORKS, Procedure.TENDER, {}, InvalidParameter),  # ≤ 3 ranked
        (5, 6, GP, Procedure.TENDER, {}, None),
        (4, 3, GP, Procedure.TENDER, {}, a.TooFewCandidates),  # more than qualified
        (0, 3, GP, Procedure.TENDER, {}, InvalidValue),
    ],
)
def test_candidate_counts(count, qualified, regime, procedure, kwargs, error):
    call = lambda: a.check_candidate_count(  # noqa: E731
        count, qualified=qualified, regime=regime, procedure=procedure, **kwargs
    )
    if error is None:
        assert call() == count
    else:
        with pytest.raises(error):
            call()


def test_separated_candidate_count_is_configurable():
    params = a.AwardParams(n_candidates=5)
    assert (
        a.check_candidate_count(
            5,
            qualified=8,
            regime=WORKS,
            procedure=Procedure.TENDER,
            separated=True,
            award_params=params,
        )
        == 5
    )


@pytest.mark.parametrize(
    ("unavailable", "expected"),
    [((), "A"), (("A",), "B"), (("A", "B"), "C"), (("A", "B", "C"), None)],
)
def test_next_candidate_when_the_winner_declines(unavailable, expected):
    assert a.next_candidate(["A", "B", "C"], unavailable) == expected
