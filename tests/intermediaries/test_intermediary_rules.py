"""中介超市 rules (domain rules §5): entry, quotes, selection, declines, credit."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from trading import errors
from trading.intermediaries import rules as r
from trading.intermediaries.status import EntryStatus

PARAMS = r.SupermarketParams()
CAL = r.WorkCalendar()
ON = date(2025, 3, 10)  # a Monday
DEADLINE = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
STATE, PRIVATE = r.FundingSource.STATE_FUNDS, r.FundingSource.PRIVATE
M = r.SelectionMethod


def firm(ident="A", **changes):
    base = r.Intermediary(
        id=ident,
        credit_code=f"91{ident}",
        status=EntryStatus.ACTIVE,
        lines=(r.QualificationLine("appraisal", date(2024, 1, 1), date(2025, 12, 31)),),
    )
    return dataclasses.replace(base, **changes)


def quotes(*prices):
    return [r.Quote(f"Q{i}", p) for i, p in enumerate(prices)]


def candidates(*ids):
    return r.build_candidates([firm(i) for i in ids], "appraisal", frozenset(), ON)


# --- errors ---------------------------------------------------------------------------


def test_rule_errors_are_domain_errors_and_value_errors():
    error = r.QuoteOutOfBounds("too high", field="quote")
    assert isinstance(error, errors.DomainError)
    assert isinstance(error, ValueError)
    assert error.as_json() == {
        "error": "quote_out_of_bounds",
        "message": "too high",
        "field": "quote",
    }


# --- registration eligibility (§5.2, §5.3) --------------------------------------------

REFUSALS = [
    ({}, None),
    ({"blacklisted": True}, r.RefusalReason.BLACKLISTED),
    ({"status": EntryStatus.SUSPENDED}, r.RefusalReason.SUSPENDED),
    ({"suspended_until": ON + timedelta(days=1)}, r.RefusalReason.SUSPENDED),
    ({"suspended_until": ON}, None),  # the suspension's end date is exclusive
    ({"status": EntryStatus.APPROVED}, r.RefusalReason.NOT_ACTIVE),
    ({"status": EntryStatus.EXITED}, r.RefusalReason.NOT_ACTIVE),
    ({"lines": ()}, r.RefusalReason.NO_QUALIFICATION),
    (
        {"lines": (r.QualificationLine("survey", date(2024, 1, 1), date(2026, 1, 1)),)},
        r.RefusalReason.NO_QUALIFICATION,
    ),
    (
        {
            "lines": (
                r.QualificationLine("appraisal", ON + timedelta(1), date(2026, 1, 1)),
            )
        },
        r.RefusalReason.QUALIFICATION_NOT_YET_VALID,
    ),
    (
        {
            "lines": (
                r.QualificationLine("appraisal", date(2024, 1, 1), ON - timedelta(1)),
            )
        },
        r.RefusalReason.QUALIFICATION_EXPIRED,
    ),
    ({"lines": (r.QualificationLine("appraisal", ON, ON),)}, None),  # both inclusive
    (
        {
            "lines": (
                r.QualificationLine("appraisal", date(2020, 1, 1), date(2021, 1, 1)),
                r.QualificationLine("appraisal", date(2025, 1, 1), date(2027, 1, 1)),
            )
        },
        None,  # a renewed line counts even when an old one expired
    ),
]


@pytest.mark.parametrize(("changes", "reason"), REFUSALS)
def test_standing_refusal(changes, reason):
    refusal = r.standing_refusal(firm(**changes), "appraisal", frozenset(), ON)
    assert (refusal.reason if refusal else None) == reason


@pytest.mark.parametrize("avoid", [frozenset({"A"}), frozenset({"91A"})])
def test_avoidance_list_matches_id_or_credit_code(avoid):
    refusal = r.standing_refusal(firm(), "appraisal", avoid, ON)
    assert refusal.reason is r.RefusalReason.AVOIDANCE


def test_blacklist_is_reported_before_everything_else():
    who = firm(blacklisted=True, status=EntryStatus.EXITED, lines=())
    refusal = r.standing_refusal(who, "appraisal", frozenset({"A"}), ON)
    assert refusal.reason is r.RefusalReason.BLACKLISTED


@pytest.mark.parametrize(
    ("registered_at", "refused"),
    [
        (DEADLINE - timedelta(microseconds=1), False),
        (DEADLINE, True),  # at the deadline instant is late
        (DEADLINE + timedelta(seconds=1), True),
    ],
)
def test_registration_deadline(registered_at, refused):
    refusal = r.registration_refusal(
        firm(),
        "appraisal",
        frozenset(),
        registered_at=registered_at,
        deadline=DEADLINE,
        on=ON,
    )
    assert (refusal is not None) == refused
    if refused:
        assert refusal.reason is r.RefusalReason.REGISTRATION_CLOSED


def test_registration_refuses_naive_datetimes():
    with pytest.raises(r.NaiveDatetime):
        r.registration_refusal(
            firm(),
            "appraisal",
            frozenset(),
            registered_at=datetime(2025, 3, 1),
            deadline=DEADLINE,
            on=ON,
        )


def test_build_candidates_sorts_and_gives_every_exclusion_a_reason():
    who = [firm("C"), firm("B", blacklisted=True), firm("A")]
    result = r.build_candidates(who, "appraisal", frozenset(), ON)
    assert result.ids == ("A", "C")
    assert result.excluded == (
        ("B", r.Refusal(r.RefusalReason.BLACKLISTED, "on the blacklist")),
    )
    attrs = dict(result.eligible[0].attributes)
    assert attrs["qualification_valid_until"] == "2025-12-31"


def test_build_candidates_refuses_duplicates():
    with pytest.raises(r.DuplicateParticipant):
        r.build_candidates([firm("A"), firm("A")], "appraisal", frozenset(), ON)


firm_changes = st.fixed_dictionaries(
    {},
    optional={
        "blacklisted": st.booleans(),
        "status": st.sampled_from(EntryStatus),
        "suspended_until": st.dates(date(2025, 1, 1), date(2025, 6, 1)),
        "lines": st.lists(
            st.builds(
                r.QualificationLine,
                st.sampled_from(["appraisal", "survey"]),
                st.dates(date(2024, 1, 1), date(2025, 6, 1)),
                st.dates(date(2025, 1, 1), date(2026, 1, 1)),
            ),
            max_size=3,
        ).map(tuple),
    },
)
firm_lists = st.lists(firm_changes, max_size=12).map(
    lambda changes: [firm(f"F{i:02d}", **c) for i, c in enumerate(changes)]
)


@given(firm_lists, st.randoms(use_true_random=False))
def test_candidates_partition_the_registrants_whatever_the_order(firms, rnd):
    result = r.build_candidates(firms, "appraisal", frozenset({"F03"}), ON)
    excluded_ids = [i for i, _ in result.excluded]
    assert sorted(result.ids + tuple(excluded_ids)) == sorted(f.id for f in firms)
    assert not set(result.ids) & set(excluded_ids)
    assert all(
        isinstance(refusal.reason, r.RefusalReason) for _, refusal in result.excluded
    )
    shuffled = list(firms)
    rnd.shuffle(shuffled)
    assert r.build_candidates(shuffled, "appraisal", frozenset({"F03"}), ON) == result


# --- amount terms and quotes (§5.3) ---------------------------------------------------

FIXED = r.AmountTerms(r.AmountMode.FIXED, fixed_fen=3_000_000)
RANGE = r.AmountTerms(r.AmountMode.RANGE, base_fen=1_000_000, highest_fen=2_000_000)
RATE = r.AmountTerms(
    r.AmountMode.DISCOUNT_RATE,
    rate_base_fen=1_000_001,
    min_rate=Decimal("0.00"),
    max_rate=Decimal("20.00"),
)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": r.AmountMode.FIXED},
        {"mode": r.AmountMode.FIXED, "fixed_fen": 0},
        {"mode": r.AmountMode.FIXED, "fixed_fen": 10.5},
        {"mode": r.AmountMode.RANGE, "base_fen": 5, "highest_fen": 4},
        {"mode": r.AmountMode.RANGE, "base_fen": -1, "highest_fen": 4},
        {"mode": r.AmountMode.RANGE, "base_fen": 0, "highest_fen": 0},
        {"mode": r.AmountMode.DISCOUNT_RATE, "rate_base_fen": 100},
        {
            "mode": r.AmountMode.DISCOUNT_RATE,
            "rate_base_fen": 100,
            "min_rate": Decimal("10"),
            "max_rate": Decimal("5"),
        },
        {
            "mode": r.AmountMode.DISCOUNT_RATE,
            "rate_base_fen": 100,
            "min_rate": Decimal("0.001"),
            "max_rate": Decimal("5"),
        },
        {
            "mode": r.AmountMode.DISCOUNT_RATE,
            "rate_base_fen": 100,
            "min_rate": Decimal("0"),
            "max_rate": Decimal("100"),
        },
    ],
)
def test_invalid_amount_terms(kwargs):
    with pytest.raises(r.InvalidTerms):
        r.AmountTerms(**kwargs)


@pytest.mark.parametrize(
    ("terms", "value", "price"),
    [
        (FIXED, None, 3_000_000),
        (FIXED, 3_000_000, 3_000_000),
        (RANGE, 1_000_000, 1_000_000),  # both bounds inclusive
        (RANGE, 2_000_000, 2_000_000),
        (RANGE, 1_500_000, 1_500_000),
        (RATE, Decimal("0"), 1_000_001),
        (RATE, Decimal("20.00"), 800_001),  # 800000.8 → 800001
        (RATE, Decimal("5.55"), 944_501),  # 944500.9445 → 944501
        (RATE, Decimal("5.5"), 945_001),  # 945000.945 → 945001
    ],
)
def test_quote_price(terms, value, price):
    assert r.quote_price(terms, value) == price


@pytest.mark.parametrize(
    ("terms", "value"),
    [
        (FIXED, 2_999_999),
        (RANGE, 999_999),
        (RANGE, 2_000_001),
        (RANGE, None),
        (RANGE, Decimal("1500000")),
        (RANGE, 1_500_000.0),
        (RANGE, True),
        (RATE, Decimal("20.01")),
        (RATE, Decimal("-0.01")),
        (RATE, Decimal("5.555")),  # more than 2 dp
        (RATE, 5),
    ],
)
def test_quote_out_of_bounds(terms, value):
    with pytest.raises(r.QuoteOutOfBounds):
        r.quote_price(terms, value)


@pytest.mark.parametrize(
    ("method", "terms", "allowed"),
    [
        (M.RANDOM, FIXED, True),
        (M.RANDOM, RANGE, False),
        (M.LOWEST_PRICE, RANGE, True),
        (M.LOWEST_PRICE, RATE, True),
        (M.LOWEST_PRICE, FIXED, False),
        (M.BEST_PRICE, FIXED, False),
        (M.PLAN_BEST, RATE, True),
        (M.CREDIT_BEST, FIXED, True),
        (M.DIRECT, RANGE, True),
    ],
)
def test_method_and_amount_mode(method, terms, allowed):
    if allowed:
        r.check_method_terms(method, terms)
    else:
        with pytest.raises(r.MethodNotAllowed):
            r.check_method_terms(method, terms)


def test_registration_period_counts_working_days():
    friday = date(2025, 3, 7)
    assert r.earliest_registration_deadline(friday, FIXED, PARAMS, CAL) == date(
        2025, 3, 12
    )
    big = r.AmountTerms(r.AmountMode.FIXED, fixed_fen=50_000_000)  # 50 万 → 5 days
    assert r.earliest_registration_deadline(friday, big, PARAMS, CAL) == date(
        2025, 3, 14
    )
    holiday = r.WorkCalendar(holidays=frozenset({date(2025, 3, 10)}))
    assert r.earliest_registration_deadline(friday, FIXED, PARAMS, holiday) == date(
        2025, 3, 13
    )
    r.check_registration_period(friday, date(2025, 3, 12), FIXED, PARAMS, CAL)
    with pytest.raises(r.RegistrationPeriodTooShort):
        r.check_registration_period(friday, date(2025, 3, 11), FIXED, PARAMS, CAL)


def test_make_up_working_day_counts():
    saturday = date(2025, 3, 8)
    cal = r.WorkCalendar(extra_workdays=frozenset({saturday}))
    assert r.add_working_days(date(2025, 3, 7), 1, cal) == saturday


def test_contract_due_in_working_days():
    assert r.contract_due(date(2025, 3, 7), PARAMS, CAL) == date(2025, 3, 14)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 3, 10), -12, date(2024, 3, 10)),
    ],
)
def test_add_months(day, months, expected):
    assert r.add_months(day, months) == expected


# --- minimum registrants (§5.4, §8) ---------------------------------------------------


@pytest.mark.parametrize(
    ("method", "funding", "minimum"),
    [
        (M.RANDOM, STATE, 3),
        (M.RANDOM, PRIVATE, 2),
        (M.LOWEST_PRICE, STATE, 3),
        (M.LOWEST_PRICE, PRIVATE, 2),
        (M.BEST_PRICE, STATE, 3),
        (M.BEST_PRICE, PRIVATE, 1),  # Haizhou: a single private bid wins
        (M.CREDIT_BEST, STATE, 2),  # Guangdong: < 2 fails
        (M.CREDIT_BEST, PRIVATE, 2),
        (M.PLAN_BEST, PRIVATE, 2),
        (M.DIRECT, STATE, 1),
    ],
)
def test_minimum_registrants(method, funding, minimum):
    assert r.minimum_registrants(method, funding, PARAMS) == minimum
    assert r.registrant_shortfall(minimum, method, funding, PARAMS) is None
    failed = r.registrant_shortfall(minimum - 1, method, funding, PARAMS)
    assert failed.reason is r.IntermediaryFailureReason.TOO_FEW_REGISTRANTS
    assert failed.republish


def test_params_are_validated():
    with pytest.raises(r.InvalidParams):
        r.SupermarketParams(coef_set_best_price=())
    with pytest.raises(r.InvalidParams):
        r.SupermarketParams(min_registrants_state_funds=0)
    with pytest.raises(r.InvalidParams):
        r.SupermarketParams(rating_scales=PARAMS.rating_scales[:2])


# --- lotteries ------------------------------------------------------------------------


def test_random_selection_freezes_the_eligible_list():
    needs = r.random_selection(candidates("C", "A", "B"), STATE, PARAMS)
    assert needs.purpose is r.IntermediaryDrawPurpose.RANDOM_SELECTION
    assert needs.ids == ("A", "B", "C")
    assert needs.count == 1
    assert needs.draw_candidates()[0] == {
        "id": "A",
        "attributes": {
            "credit_code": "91A",
            "service_type": "appraisal",
            "qualification_valid_until": "2025-12-31",
        },
    }


def test_random_selection_with_too_few_registrants_fails():
    assert isinstance(r.random_selection(candidates("A", "B"), STATE, PARAMS), r.Failed)
    assert isinstance(
        r.random_selection(candidates("A", "B"), PRIVATE, PARAMS), r.NeedsLottery
    )


def test_redraw_after_decline_continues_the_same_list():
    pool = candidates("A", "B", "C", "D")
    needs = r.random_selection(pool, STATE, PARAMS, already_drawn=("C",))
    assert needs.ids == ("A", "B", "C", "D")
    assert needs.already_drawn == ("C",)
    with pytest.raises(r.InvalidDraw):
        r.selected_by_lottery(needs, ["C"], M.RANDOM)
    assert r.selected_by_lottery(needs, ["B"], M.RANDOM).winner_id == "B"
    # two declines leave 2 < 3 for state funds: the purchase fails and is republished
    failed = r.random_selection(pool, STATE, PARAMS, already_drawn=("C", "B"))
    assert failed.reason is r.IntermediaryFailureReason.TOO_FEW_REGISTRANTS


@pytest.mark.parametrize("drawn", [[], ["A", "B"], ["Z"], ["A", "A"]])
def test_resolve_lottery_checks_the_draw(drawn):
    needs = r.random_selection(candidates("A", "B", "C"), STATE, PARAMS)
    with pytest.raises(r.InvalidDraw):
        r.resolve_lottery(needs, drawn)


def test_lottery_request_needs_enough_candidates():
    with pytest.raises(r.InvalidDraw):
        r.NeedsLottery(r.IntermediaryDrawPurpose.RANDOM_SELECTION, (r.Candidate("A"),), count=2)


def test_lottery_plugs_into_the_draw_engine():
    engine = pytest.importorskip("trading.draws.engine")
    needs = r.random_selection(candidates("A", "B", "C"), STATE, PARAMS)
    frozen = engine.freeze(needs.draw_candidates())
    drawn = engine.draw(bytes(32), None, frozen, needs.count)
    assert r.selected_by_lottery(needs, drawn, M.RANDOM).winner_id in needs.ids


# --- lowest price (最低价中选) ----------------------------------------------------


def test_lowest_price_wins():
    result = r.lowest_price(quotes(300, 100, 200), STATE, PARAMS)
    assert result == r.Selected("Q1", M.LOWEST_PRICE, (("lowest_price_fen", "100"),))


def test_equal_lowest_prices_go_to_a_lottery():
    result = r.lowest_price(quotes(100, 300, 100), STATE, PARAMS)
    assert result.purpose is r.IntermediaryDrawPurpose.LOWEST_PRICE_TIE
    assert result.ids == ("Q0", "Q2")
    assert result.draw_candidates()[0]["attributes"] == {"price_fen": 100}


def test_lowest_price_state_funds_need_three_bids():
    assert isinstance(r.lowest_price(quotes(1, 2), STATE, PARAMS), r.Failed)
    assert isinstance(r.lowest_price(quotes(1, 2), PRIVATE, PARAMS), r.Selected)


def test_lowest_price_after_decline_goes_to_the_next():
    result = r.lowest_price(
        quotes(100, 200, 300, 400), STATE, PARAMS, frozenset({"Q0"})
    )
    assert result.winner_id == "Q1"


def test_one_quote_per_intermediary():
    with pytest.raises(r.DuplicateParticipant):
        r.lowest_price([r.Quote("A", 1), r.Quote("A", 2)], PRIVATE, PARAMS)


# --- best price (最优价中选) ----------------------------------------------------------


def test_coefficient_draw_offers_the_profile_percents():
    needs = r.coefficient_draw(PARAMS)
    assert needs.purpose is r.IntermediaryDrawPurpose.BEST_PRICE_COEFFICIENT
    assert needs.ids == ("95", "96", "97", "98")


@pytest.mark.parametrize(
    ("prices", "coef", "reference", "dropped"),
    [
        ([100, 200, 300, 400, 500], 95, "285", "Q0,Q4"),
        ([1000], 98, "980", ""),
        ([1000, 2000], 95, "1425", ""),  # ≤ 2 quotes: on the actual number
        ([100, 150, 200, 300, 300], 96, "208", "Q0"),  # 650 / 3 × 0.96 = 208: 200 wins
        ([10], 95, "10", ""),  # 9.5 分 rounds half up
        ([30], 95, "29", ""),  # 28.5 → 29
        ([1], 95, "1", ""),  # 0.95 → 1
    ],
)
def test_best_price_reference(prices, coef, reference, dropped):
    # The rule itself is trading.rules.best_price (tests/rules): here its evidence.
    evidence = dict(r.best_price(quotes(*prices), coef, PRIVATE, PARAMS).evidence)
    assert (evidence["reference_fen"], evidence["dropped"]) == (reference, dropped)


def test_best_price_closest_to_reference_wins():
    result = r.best_price(quotes(100, 200, 300, 400, 500), 95, STATE, PARAMS)
    assert result.winner_id == "Q2"  # 300 is 15 from 285
    assert dict(result.evidence) == {
        "reference_fen": "285",
        "coefficient_percent": "95",
        "dropped": "Q0,Q4",
    }


def test_dropped_quote_cannot_win_even_at_the_reference():
    # kept 1000 ×3 → reference 950; the dropped 950 is spot on but out of the running
    result = r.best_price(quotes(950, 1000, 1000, 1000, 1100), 95, STATE, PARAMS)
    assert result.purpose is r.IntermediaryDrawPurpose.BEST_PRICE_TIE
    assert result.ids == ("Q1", "Q2", "Q3")


def test_the_issue_cases_single_highest_dropped():
    # [90, 100, 100] × 96 %: 90 and one 100 dropped, reference 96.00, the two 100s draw
    tie = r.best_price(quotes(9000, 10000, 10000), 96, STATE, PARAMS)
    assert (tie.purpose, tie.ids) == (r.IntermediaryDrawPurpose.BEST_PRICE_TIE, ("Q1", "Q2"))
    won = r.best_price(quotes(9000, 10000, 10000), 96, STATE, PARAMS, drawn=[["Q2"]])
    assert won.winner_id == "Q2" and dict(won.evidence)["reference_fen"] == "9600"
    # [80, 95, 100, 110, 110] × 95 %: reference 96.58, 95 wins
    best = r.best_price(quotes(8000, 9500, 10000, 11000, 11000), 95, STATE, PARAMS)
    assert best.winner_id == "Q1" and dict(best.evidence)["reference_fen"] == "9658"


def test_best_price_all_equal_goes_to_a_lottery_of_all():
    result = r.best_price(quotes(500, 500, 500), 97, STATE, PARAMS)
    assert result.ids == ("Q0", "Q1", "Q2")


def test_best_price_equal_distance_above_and_below_is_a_tie():
    # kept 900, 1000, 1100 → mean 1000 → reference 950: 900 and 1000 both 50 away
    result = r.best_price(quotes(800, 900, 1000, 1100, 1200), 95, STATE, PARAMS)
    assert result.ids == ("Q1", "Q2")


def test_a_tie_with_a_half_dropped_lowest_draws_which_one_stays_first():
    # 900 ×2, 1000, 1100, 1200 → one 900 and 1200 dropped, reference 950: the counted 900
    # and 1000 tie, and one of the two 900s is out: first draw which 900 stays counted.
    q = quotes(900, 900, 1000, 1100, 1200)
    first = r.best_price(q, 95, STATE, PARAMS)
    assert (first.purpose, first.ids, first.count) == (
        r.IntermediaryDrawPurpose.BEST_PRICE_EXTREME, ("Q0", "Q1"), 1)
    second = r.best_price(q, 95, STATE, PARAMS, drawn=[["Q1"]])
    assert (second.purpose, second.ids) == (r.IntermediaryDrawPurpose.BEST_PRICE_TIE, ("Q1", "Q2"))
    with pytest.raises(r.InvalidDraw):
        r.best_price(q, 95, STATE, PARAMS, drawn=[["Q1"], ["Q0"]])
    done = r.best_price(q, 95, STATE, PARAMS, drawn=[["Q1"], ["Q1"]])
    assert done.winner_id == "Q1" and dict(done.evidence)["dropped"] == "Q0,Q4"


@pytest.mark.parametrize(
    ("prices", "funding", "outcome"),
    [
        ([1000, 2000], STATE, r.Failed),  # non-private with < 3 bids fails
        ([1000], PRIVATE, r.Selected),  # private with 1 bid: that bidder wins
        ([1000, 2000], PRIVATE, r.Selected),
        ([], PRIVATE, r.Failed),
    ],
)
def test_best_price_too_few_quotes(prices, funding, outcome):
    assert isinstance(r.best_price(quotes(*prices), 95, funding, PARAMS), outcome)


def test_best_price_refuses_a_coefficient_outside_the_set():
    with pytest.raises(r.InvalidCoefficient):
        r.best_price(quotes(1, 2, 3), 99, STATE, PARAMS)


def test_best_price_after_decline_recomputes_on_the_rest():
    result = r.best_price(
        quotes(100, 200, 300, 400, 500), 95, STATE, PARAMS, frozenset({"Q2"})
    )
    # rest 100, 200, 400, 500 → kept 200, 400 → reference 285 → 200 (85) beats 400
    assert result.winner_id == "Q1"


price_lists = st.lists(st.integers(0, 10_000), min_size=1, max_size=9)
coefficients = st.sampled_from(PARAMS.coef_set_best_price)


@given(price_lists, coefficients)
def test_best_price_winner_is_never_dropped_and_is_closest(prices, coef):
    qs = quotes(*prices)
    result = r.best_price(qs, coef, PRIVATE, PARAMS)
    drawn = []
    while isinstance(result, r.NeedsLottery):  # the first candidate of every draw
        drawn.append(list(result.ids[:result.count]))
        result = r.best_price(qs, coef, PRIVATE, PARAMS, drawn=drawn)
    evidence = dict(result.evidence)
    reference = int(evidence["reference_fen"])
    dropped = set(filter(None, evidence["dropped"].split(",")))
    assert result.winner_id not in dropped
    price = {q.intermediary_id: q.price_fen for q in qs}
    counted = sorted(prices)[1:-1] if len(prices) >= 3 else prices
    assert abs(price[result.winner_id] - reference) == min(abs(p - reference) for p in counted)


@given(price_lists, coefficients, st.randoms(use_true_random=False))
def test_price_methods_ignore_input_order(prices, coef, rnd):
    qs = quotes(*prices)
    shuffled = list(qs)
    rnd.shuffle(shuffled)
    assert r.best_price(shuffled, coef, STATE, PARAMS) == r.best_price(
        qs, coef, STATE, PARAMS
    )
    assert r.lowest_price(shuffled, PRIVATE, PARAMS) == r.lowest_price(
        qs, PRIVATE, PARAMS
    )


@given(st.lists(st.integers(0, 10_000), min_size=2, max_size=9))
def test_lowest_price_winner_has_the_minimum(prices):
    result = r.lowest_price(quotes(*prices), PRIVATE, PARAMS)
    winners = {result.winner_id} if isinstance(result, r.Selected) else set(result.ids)
    assert {int(w[1:]) for w in winners} == {
        i for i, p in enumerate(prices) if p == min(prices)
    }


# --- direct selection (直接选取) ------------------------------------------------------

SMALL = r.AmountTerms(r.AmountMode.FIXED, fixed_fen=4_999_999)
AT_CAP = r.AmountTerms(r.AmountMode.FIXED, fixed_fen=5_000_000)


def test_direct_selection_under_the_cap_with_justification():
    result = r.direct_selection(
        SMALL, "A", "only firm certified", candidates("A"), STATE, PARAMS
    )
    assert result == r.Selected(
        "A", M.DIRECT, (("justification", "only firm certified"),)
    )


def test_direct_selection_at_the_cap_is_refused():
    with pytest.raises(r.DirectSelectionRefused):
        r.direct_selection(AT_CAP, "A", "why", candidates("A"), STATE, PARAMS)


def test_direct_selection_private_exception_is_opt_in():
    open_private = dataclasses.replace(PARAMS, direct_selection_private_any_amount=True)
    with pytest.raises(r.DirectSelectionRefused):
        r.direct_selection(AT_CAP, "A", "why", candidates("A"), PRIVATE, PARAMS)
    r.direct_selection(AT_CAP, "A", "why", candidates("A"), PRIVATE, open_private)


@pytest.mark.parametrize("text", [None, "", "   "])
def test_direct_selection_needs_written_justification(text):
    with pytest.raises(r.MissingJustification):
        r.direct_selection(SMALL, "A", text, candidates("A"), STATE, PARAMS)


def test_direct_selection_of_an_ineligible_firm_is_refused():
    with pytest.raises(r.NotACandidate):
        r.direct_selection(SMALL, "Z", "why", candidates("A"), STATE, PARAMS)


# --- credit-best (信用择优选取) -------------------------------------------------------


def credit(*scores):
    return [r.CreditEntry(f"C{i}", Decimal(s)) for i, s in enumerate(scores)]


def test_long_list_keeps_ties_at_the_boundary():
    long_list = r.credit_long_list(credit(90, 80, 80, 70, 95), 2)
    assert [e.intermediary_id for e in long_list] == ["C4", "C0"]
    long_list = r.credit_long_list(credit(90, 80, 80, 70, 95), 3)
    assert [e.intermediary_id for e in long_list] == ["C4", "C0", "C1", "C2"]


def test_credit_short_list_is_drawn_from_the_long_list_by_weight():
    needs = r.credit_best_short_list(credit(90, 80, 70, 60, 50), 4, 2, STATE, PARAMS)
    assert needs.purpose is r.IntermediaryDrawPurpose.CREDIT_SHORT_LIST
    assert needs.ids == ("C0", "C1", "C2", "C3")
    assert needs.count == 2
    assert [c.weight for c in needs.candidates] == [9000, 8000, 7000, 6000]
    short = r.short_list_from_draw(needs, ["C2", "C0"])
    assert short == r.ShortList(("C0", "C2"), ("C0", "C1", "C2", "C3"))


def test_unweighted_credit_short_list():
    flat = dataclasses.replace(PARAMS, credit_short_list_weighted=False)
    needs = r.credit_best_short_list(credit(90, 80, 70), 3, 2, STATE, flat)
    assert "weight" not in needs.draw_candidates()[0]


def test_zero_credit_keeps_a_minimal_chance():
    needs = r.credit_best_short_list(credit(0, 0, 0), 3, 1, STATE, PARAMS)
    assert {c.weight for c in needs.candidates} == {1}


def test_small_long_list_is_the_short_list_without_a_draw():
    short = r.credit_best_short_list(credit(90, 80), 5, 3, STATE, PARAMS)
    assert short == r.ShortList(("C0", "C1"), ("C0", "C1"))


def test_credit_best_with_one_registrant_fails():
    failed = r.credit_best_short_list(credit(90), 5, 3, PRIVATE, PARAMS)
    assert failed.reason is r.IntermediaryFailureReason.TOO_FEW_REGISTRANTS


def test_credit_best_list_sizes_are_checked():
    with pytest.raises(r.InvalidParams):
        r.credit_best_short_list(credit(90, 80), 2, 3, STATE, PARAMS)


def test_owner_picks_only_from_the_short_list():
    short = r.ShortList(("C0", "C2"), ("C0", "C1", "C2"))
    assert r.pick_from_short_list(short, "C2").winner_id == "C2"
    with pytest.raises(r.NotACandidate):
        r.pick_from_short_list(short, "C1")
    with pytest.raises(r.NotACandidate):
        r.pick_from_short_list(short, "C2", declined=frozenset({"C2"}))


def test_short_list_from_draw_refuses_other_draws():
    needs = r.coefficient_draw(PARAMS)
    with pytest.raises(r.InvalidDraw):
        r.short_list_from_draw(needs, ["95"])


# --- plan-best (方案择优选取) ---------------------------------------------------------


def test_plan_best_records_the_owners_reasons():
    result = r.plan_best_pick(quotes(100, 200), "Q1", "best staff", STATE, PARAMS)
    assert result == r.Selected("Q1", M.PLAN_BEST, (("reasons", "best staff"),))


def test_plan_best_needs_reasons_and_a_live_quote():
    with pytest.raises(r.MissingJustification):
        r.plan_best_pick(quotes(100, 200), "Q1", " ", STATE, PARAMS)
    with pytest.raises(r.NotACandidate):
        r.plan_best_pick(quotes(1, 2, 3), "Q1", "x", STATE, PARAMS, frozenset({"Q1"}))


def test_plan_best_with_one_registrant_fails():
    assert isinstance(r.plan_best_pick(quotes(100), "Q0", "x", STATE, PARAMS), r.Failed)


# --- declines (§5.5) ------------------------------------------------------------------


def test_decline_until_the_confirmation_deadline():
    r.check_decline_time(DEADLINE, DEADLINE)
    with pytest.raises(r.DeclineWindowClosed):
        r.check_decline_time(DEADLINE + timedelta(microseconds=1), DEADLINE)


def test_decline_is_a_credit_event_unless_the_reason_is_accepted():
    assert r.decline_credit_event("A", ON, reason_accepted=True) is None
    event = r.decline_credit_event("A", ON, reason_accepted=False)
    assert event == r.CreditEvent("A", r.CreditEventKind.UNJUSTIFIED_DECLINE, ON)


# --- rating, credit, sanctions (§5.6) -------------------------------------------------


def rating(value=5, completed_on=date(2025, 3, 3), rated_on=date(2025, 3, 4), **over):
    scores = {d: value for d in r.RatingDimension} | over
    return r.Rating(completed_on, rated_on, tuple(scores.items()))


def test_valid_rating():
    r.validate_rating(rating(), PARAMS, CAL)


@pytest.mark.parametrize(
    "bad",
    [
        r.Rating(date(2025, 3, 3), date(2025, 3, 4), ()),
        rating(quality=6),
        rating(quality=0),
        rating(quality=Decimal(3)),
        rating(quality=True),
        r.Rating(
            date(2025, 3, 3),
            date(2025, 3, 4),
            rating().scores + ((r.RatingDimension.QUALITY, 3),),
        ),
    ],
)
def test_invalid_ratings(bad):
    with pytest.raises(r.InvalidRating):
        r.validate_rating(bad, PARAMS, CAL)


@pytest.mark.parametrize(
    ("rated_on", "ok"),
    [
        (date(2025, 3, 3), True),  # on completion day
        (date(2025, 3, 17), True),  # the 10th working day after Mon 3 March
        (date(2025, 3, 18), False),
        (date(2025, 3, 2), False),  # before completion
    ],
)
def test_rating_window(rated_on, ok):
    given_rating = rating(rated_on=rated_on)
    if ok:
        r.validate_rating(given_rating, PARAMS, CAL)
    else:
        with pytest.raises(r.RatingWindowClosed):
            r.validate_rating(given_rating, PARAMS, CAL)


@pytest.mark.parametrize(
    ("value", "score"),
    [(5, Decimal("100.00")), (1, Decimal("0.00")), (3, Decimal("50.00"))],
)
def test_rating_score(value, score):
    assert r.rating_score(rating(value), PARAMS) == score


def test_rating_score_weights_and_rounding():
    assert r.rating_score(rating(5, quality=4), PARAMS) == Decimal("93.75")
    assert r.rating_score(rating(5, quality=2, timeliness=4), PARAMS) == Decimal(
        "75.00"
    )


def event(kind, day):
    return r.CreditEvent("A", kind, day)


def test_credit_score():
    assert r.credit_score([], [], ON, PARAMS) == Decimal("80.00")
    ratings = [
        rating(5, rated_on=date(2025, 3, 4)),
        rating(3, rated_on=date(2025, 3, 4)),
    ]
    assert r.credit_score(ratings, [], ON, PARAMS) == Decimal("75.00")
    decline = event(r.CreditEventKind.UNJUSTIFIED_DECLINE, date(2025, 1, 1))
    assert r.credit_score(ratings, [decline], ON, PARAMS) == Decimal("65.00")
    fraud = event(r.CreditEventKind.FALSE_MATERIALS, date(2025, 1, 1))
    assert r.credit_score(ratings, [fraud], ON, PARAMS) == Decimal("0.00")


def test_credit_score_look_back_window():
    old = rating(1, rated_on=date(2024, 3, 10))  # exactly 12 months ago: out
    new = rating(5, rated_on=date(2024, 3, 11))
    assert r.credit_score([old, new], [], ON, PARAMS) == Decimal("100.00")


@pytest.mark.parametrize(
    ("days", "kind", "until"),
    [
        ([date(2025, 1, 10)], r.SanctionKind.SUSPENSION, date(2025, 4, 10)),
        (
            [date(2024, 9, 1), date(2025, 1, 10)],
            r.SanctionKind.SUSPENSION,
            date(2025, 7, 10),
        ),
        (
            [date(2023, 1, 1), date(2025, 1, 10)],
            r.SanctionKind.SUSPENSION,
            date(2025, 4, 10),
        ),
    ],
)
def test_suspension_grows_with_events_in_the_window(days, kind, until):
    events = [event(r.CreditEventKind.UNJUSTIFIED_DECLINE, d) for d in days]
    sanction = r.sanction_in_force(events, ON, PARAMS)
    assert (sanction.kind, sanction.since, sanction.until) == (kind, days[-1], until)


def test_suspension_ends_on_its_until_date():
    events = [event(r.CreditEventKind.MISSED_SERVICE_DEADLINE, date(2025, 1, 10))]
    assert r.sanction_in_force(events, date(2025, 4, 9), PARAMS) is not None
    assert r.sanction_in_force(events, date(2025, 4, 10), PARAMS) is None


def test_suspension_is_capped():
    days = [date(2024, 6, 1) + timedelta(days=7 * i) for i in range(6)]
    events = [event(r.CreditEventKind.FAILED_TO_SIGN, d) for d in days]
    sanction = r.sanction_in_force(events, days[-1], PARAMS)
    assert sanction.until == r.add_months(days[-1], 12)


def test_complaints_do_not_suspend_and_fraud_blacklists():
    complaint = event(r.CreditEventKind.COMPLAINT_UPHELD, date(2025, 1, 1))
    assert r.sanction_in_force([complaint], ON, PARAMS) is None
    collusion = event(r.CreditEventKind.COLLUSION, date(2020, 1, 1))
    sanction = r.sanction_in_force([complaint, collusion], ON, PARAMS)
    assert sanction == r.Sanction(
        r.SanctionKind.BLACKLIST, date(2020, 1, 1), None, (collusion,)
    )


def test_future_events_do_not_count_yet():
    later = event(r.CreditEventKind.COLLUSION, ON + timedelta(days=1))
    assert r.sanction_in_force([later], ON, PARAMS) is None


@settings(max_examples=examples(50))
@given(
    st.lists(
        st.tuples(st.sampled_from(r.CreditEventKind), st.dates(date(2023, 1, 1), ON)),
        max_size=6,
    ),
    st.randoms(use_true_random=False),
)
def test_sanctions_and_credit_ignore_event_order(pairs, rnd):
    events = [event(kind, day) for kind, day in pairs]
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert r.sanction_in_force(shuffled, ON, PARAMS) == r.sanction_in_force(
        events, ON, PARAMS
    )
    assert r.credit_score([], shuffled, ON, PARAMS) == r.credit_score(
        [], events, ON, PARAMS
    )
    assert Decimal(0) <= r.credit_score([], events, ON, PARAMS) <= Decimal(100)


@pytest.mark.parametrize("already", [("A", "A"), ("Z",)])
def test_already_drawn_must_come_from_the_list(already):
    pool = candidates("A", "B", "C", "D")
    with pytest.raises(r.InvalidDraw):
        r.random_selection(pool, PRIVATE, PARAMS, already_drawn=already)
