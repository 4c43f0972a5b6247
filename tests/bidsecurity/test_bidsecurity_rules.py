"""Bid security rules (rules §10): cap, requirement, refund deadline, interest, reconciliation.
Cases worked by hand from rules.md; properties where one exists."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.bidsecurity import rules as r
from trading.intermediaries.rules import WorkCalendar
from trading.projects.kinds import Regime

T, GP = Regime.TENDERING, Regime.GOVERNMENT_PROCUREMENT
S = r.PaymentState
DEADLINE = datetime(2026, 6, 1, 1, 30, tzinfo=UTC)  # 09:30 Beijing
ACCOUNT = "6222020200001234567"


# --- cap and requirement -------------------------------------------------------------

def test_cap_is_two_percent_rounded_down():
    assert r.cap_fen(100_000_000, T) == 2_000_000  # 100 万元 → 2 万元
    assert r.cap_fen(100_000_000, GP) == 2_000_000
    assert r.cap_fen(149, T) == 2  # 2.98 分 → 2, never above 2 %
    assert r.cap_fen(0, GP) == 0


def test_fixed_amount_at_the_cap_is_kept_and_above_is_refused():
    assert r.required_fen(100_000_000, T, amount_fen=2_000_000) == 2_000_000
    with pytest.raises(r.AboveStatutoryCap) as refused:
        r.required_fen(100_000_000, T, amount_fen=2_000_001)
    assert refused.value.code == "security_above_cap"


def test_rate_rounds_half_up_to_the_fen():
    # 1 % of 12 345 分 = 123.45 → 123; 1.5 % of 1 030 = 15.45 → 15; 0.5 % of 1 010 = 5.05 → 5
    assert r.required_fen(12_345, T, rate=Decimal("0.01")) == 123
    # 1 % of 12 350 = 123.5 → 124 (half up)
    assert r.required_fen(12_350, GP, rate=Decimal("0.01")) == 124


def test_rate_at_the_cap_never_rounds_above_it():
    # 2 % of 149 = 2.98 → half up 3, but the cap is 2
    assert r.required_fen(149, T, rate=Decimal("0.02")) == 2


def test_rate_above_the_cap_is_refused():
    with pytest.raises(r.AboveStatutoryCap):
        r.required_fen(100_000_000, GP, rate=Decimal("0.0201"))


@pytest.mark.parametrize("kwargs", [
    {},  # neither
    {"amount_fen": 1, "rate": Decimal("0.01")},  # both
    {"amount_fen": -1},
    {"amount_fen": 1.0},
    {"amount_fen": True},
    {"rate": 0.01},  # float
    {"rate": Decimal("-0.01")},
    {"rate": Decimal("NaN")},
])
def test_malformed_requirements_are_refused(kwargs):
    with pytest.raises(r.RequirementInvalid):
        r.required_fen(1_000_000, T, **kwargs)


def test_negative_base_is_refused():
    with pytest.raises(r.RequirementInvalid):
        r.cap_fen(-1, T)


@given(base=st.integers(0, 10**14), permyriad=st.integers(0, 200),
       regime=st.sampled_from(list(Regime)))
def test_requirement_never_exceeds_two_percent(base, permyriad, regime):
    rate = Decimal(permyriad) / 10_000
    amount = r.required_fen(base, regime, rate=rate)
    assert 0 <= amount * 100 <= base * 2
    exact = Fraction(base) * Fraction(rate)
    assert abs(amount - exact) <= Fraction(1, 2) or amount == r.cap_fen(base, regime)


@given(base=st.integers(0, 10**12), extra=st.integers(0, 10**6),
       permyriad=st.integers(0, 200))
def test_requirement_is_monotone_in_the_base(base, extra, permyriad):
    rate = Decimal(permyriad) / 10_000
    assert r.required_fen(base, T, rate=rate) <= r.required_fen(base + extra, T, rate=rate)


# --- refund deadline ----------------------------------------------------------------

def test_tendering_refunds_five_calendar_days_after_the_contract_for_everyone():
    events = r.RefundEvents(award_notice=date(2026, 6, 10), contract=date(2026, 6, 19))
    for cause in (r.RefundCause.WON, r.RefundCause.LOST):
        assert r.refund_deadline(T, cause, events) == date(2026, 6, 24)  # weekend counts


def test_procurement_losers_wait_for_the_award_notice_winner_for_the_contract():
    events = r.RefundEvents(award_notice=date(2026, 6, 5), contract=date(2026, 6, 12))
    # Friday 5 June + 5 working days = Friday 12 June
    assert r.refund_deadline(GP, r.RefundCause.LOST, events) == date(2026, 6, 12)
    # Friday 12 June + 5 working days = Friday 19 June
    assert r.refund_deadline(GP, r.RefundCause.WON, events) == date(2026, 6, 19)


def test_procurement_working_days_skip_holidays():
    calendar = WorkCalendar(holidays=frozenset({date(2026, 6, 19)}))  # 端午节, a Friday
    events = r.RefundEvents(contract=date(2026, 6, 12))
    assert r.refund_deadline(GP, r.RefundCause.WON, events, calendar) == date(2026, 6, 22)


def test_withdrawal_before_the_deadline_starts_its_own_clock():
    events = r.RefundEvents(withdrawal=date(2026, 5, 29))  # a Friday
    assert r.refund_deadline(T, r.RefundCause.WITHDRAWN, events) == date(2026, 6, 3)
    assert r.refund_deadline(GP, r.RefundCause.WITHDRAWN, events) == date(2026, 6, 5)


def test_no_deadline_before_the_starting_event():
    awarded_only = r.RefundEvents(award_notice=date(2026, 6, 5))
    assert r.refund_deadline(T, r.RefundCause.LOST, awarded_only) is None
    assert r.refund_deadline(GP, r.RefundCause.WON, awarded_only) is None
    assert r.refund_deadline(GP, r.RefundCause.WITHDRAWN, awarded_only) is None


# --- interest ------------------------------------------------------------------------

def test_interest_by_hand():
    # 2 万元 = 2 000 000 分 × 0.35 % × 30 / 365 = 575.342… → 575 分
    assert r.interest_fen(2_000_000, date(2026, 6, 1), date(2026, 7, 1)) == 575
    # 1 000 000 × 0.35 % × 73 / 365 = 700 exactly
    assert r.interest_fen(1_000_000, date(2026, 1, 1), date(2026, 3, 15)) == 700
    # 50 分 × 3.65 % × 1 / 365 = 0.005 → 0
    assert r.interest_fen(50, date(2026, 1, 1), date(2026, 1, 2), Decimal("0.0365")) == 0
    # 50 000 分 × 0.365 % × 1 / 365 = 0.5 → 1 (half up)
    assert r.interest_fen(50_000, date(2026, 1, 1), date(2026, 1, 2), Decimal("0.00365")) == 1


def test_same_day_refund_earns_nothing_and_backwards_is_refused():
    assert r.interest_fen(9_999_999, date(2026, 6, 1), date(2026, 6, 1)) == 0
    with pytest.raises(r.RefundDateInvalid):
        r.interest_fen(100, date(2026, 6, 2), date(2026, 6, 1))


def test_interest_counts_the_leap_day():
    # 2028-02-01 → 2028-03-01 is 29 days
    assert r.interest_fen(3_650_000, date(2028, 2, 1), date(2028, 3, 1), Decimal("0.01")) == 2900


@pytest.mark.parametrize("rate", [0.0035, Decimal("-0.001"), Decimal("Infinity")])
def test_interest_refuses_a_bad_rate(rate):
    with pytest.raises(r.RequirementInvalid):
        r.interest_fen(100, date(2026, 1, 1), date(2026, 2, 1), rate)


@given(principal=st.integers(0, 10**11), days=st.integers(0, 3 * 366),
       more=st.integers(0, 400), permyriad=st.integers(0, 500))
def test_interest_is_exact_and_monotone_in_days(principal, days, more, permyriad):
    rate = Decimal(permyriad) / 10_000
    start = date(2026, 1, 1)
    got = r.interest_fen(principal, start, start + timedelta(days=days), rate)
    exact = Fraction(principal) * Fraction(rate) * days / 365
    assert -Fraction(1, 2) < got - exact <= Fraction(1, 2)
    assert got <= r.interest_fen(principal, start, start + timedelta(days=days + more), rate)


# --- reconciliation ------------------------------------------------------------------

def note(**changes):
    fields = dict(reference="95588000100012", amount_fen=2_000_000, payer_name="甲建设有限公司",
                  payer_account=ACCOUNT, paid_at=DEADLINE - timedelta(hours=1))
    fields.update(changes)
    return r.Notification(**fields)


EXPECT = r.Expectation(required_fen=2_000_000, deadline=DEADLINE,
                       payer_accounts=frozenset({ACCOUNT}))


def test_paid_in_full_and_more():
    assert r.reconcile(note(), EXPECT) is S.PAID
    assert r.reconcile(note(amount_fen=2_000_001), EXPECT) is S.PAID
    assert r.counts(S.PAID)


@pytest.mark.parametrize(("changes", "expected", "state"), [
    ({"amount_fen": 1_999_999}, {}, S.SHORT),
    ({"paid_at": DEADLINE}, {}, S.LATE),  # at the deadline is already late
    ({"paid_at": DEADLINE, "amount_fen": 1}, {}, S.LATE),
    ({"payer_account": "6222000000000000000"}, {}, S.WRONG_ACCOUNT),
    ({}, {"already_paid": True}, S.DUPLICATE),
])
def test_each_failure_has_its_own_state(changes, expected, state):
    expectation = r.Expectation(**{**dict(required_fen=2_000_000, deadline=DEADLINE,
                                          payer_accounts=frozenset({ACCOUNT})), **expected})
    assert r.reconcile(note(**changes), expectation) is state
    assert not r.counts(state)


def test_unknown_reference():
    assert r.reconcile(note(), None) is S.UNKNOWN_REFERENCE


def test_naive_times_are_refused():
    with pytest.raises(r.RequirementInvalid):
        r.reconcile(note(paid_at=datetime(2026, 6, 1)), EXPECT)


def test_every_state_and_form_has_a_chinese_label():
    for enum_cls, labels in ((S, r.PAYMENT_LABELS), (r.SecurityForm, r.FORM_LABELS),
                             (r.RefundCause, r.CAUSE_LABELS)):
        assert set(labels) == set(enum_cls)
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels.values())


@given(amount=st.integers(0, 10**9), required=st.integers(0, 10**9),
       minutes=st.integers(-10_000, 10_000), own=st.booleans(), dup=st.booleans())
def test_paid_exactly_when_every_condition_holds(amount, required, minutes, own, dup):
    n = note(amount_fen=amount, paid_at=DEADLINE + timedelta(minutes=minutes),
             payer_account=ACCOUNT if own else "1")
    e = r.Expectation(required_fen=required, deadline=DEADLINE,
                      payer_accounts=frozenset({ACCOUNT}), already_paid=dup)
    ok = amount >= required and minutes < 0 and own and not dup
    assert (r.reconcile(n, e) is S.PAID) == ok


# --- forfeiture grounds ---------------------------------------------------------------

G, C = r.ForfeitureGround, r.RefundCause
WHY = "中标人收到中标通知书后书面表示拒绝签订合同"


@pytest.mark.parametrize(("ground", "cause"), [
    (G.REFUSED_CONTRACT, C.WON), (G.NO_PERFORMANCE_SECURITY, C.WON),
    (G.WITHDRAWN_AFTER_DEADLINE, C.LOST), (G.WITHDRAWN_AFTER_DEADLINE, C.WON),
    (G.TENDER_DOCUMENT_GROUND, C.LOST),
])
def test_listed_grounds_are_accepted(ground, cause):
    assert r.forfeitable(str(ground), cause, WHY) is ground


@pytest.mark.parametrize(("ground", "cause", "statement"), [
    ("late_documents", C.LOST, WHY),  # not a listed ground
    (G.REFUSED_CONTRACT, C.LOST, WHY),  # only the winner refuses a contract
    (G.NO_PERFORMANCE_SECURITY, C.WITHDRAWN, WHY),
    (G.WITHDRAWN_AFTER_DEADLINE, C.WITHDRAWN, WHY),  # withdrawn in time: refunded
    (G.TENDER_DOCUMENT_GROUND, C.NOT_COUNTED, WHY),  # never counted: only refunded
    (G.REFUSED_CONTRACT, C.WON, "拒签"),  # a statement of facts is required
])
def test_other_forfeitures_are_refused(ground, cause, statement):
    with pytest.raises(r.ForfeitureRefused) as refused:
        r.forfeitable(str(ground), cause, statement)
    assert refused.value.code == "forfeiture_refused"


def test_every_ground_has_a_chinese_label():
    assert set(r.GROUND_LABELS) == set(r.ForfeitureGround)
