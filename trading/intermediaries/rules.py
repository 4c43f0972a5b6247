"""中介超市 rules — pure functions for the intermediary-services marketplace.

Domain rules §5 (entry §5.2, announcement §5.3, selection §5.4, decline §5.5,
rating and credit §5.6) and the `supermarket.*` keys of §8.  No database, no
request, no clock, no randomness: every input is a plain value (ints, Decimals,
dates, aware datetimes, frozen dataclasses) and so is every output.

Conventions
-----------
* Money is integer 分 (`*_fen`).  Discount rates (下浮率) are percent
  `Decimal`s with at most 2 dp.  Scores and credit are `Decimal` quantized to
  2 dp, ROUND_HALF_UP.
* Every numeric parameter lives in `SupermarketParams` (defaults from §5/§8;
  the [P] ones must be confirmed with the trading center).  A `RuleProfile`
  row maps onto it.
* Errors subclass `RuleError` (a `trading.errors.DomainError` and a
  `ValueError`), each with a machine `code` for the API.
* Results never depend on input order: ids are sorted before anything is
  frozen.

How randomness is surfaced
--------------------------
Nothing here draws.  Where a rule needs chance — random selection (随机选取),
a price tie (最低价/最优价 并列), the best-price coefficient (95–98 %), the
credit short list (信用择优短名单) — the function returns `NeedsLottery`: the
purpose, the frozen candidate list (sorted by id, each with the attributes
that made it eligible), how many to draw and, on a re-draw after declines, the
ids already drawn (in draw order).  The service freezes
`NeedsLottery.draw_candidates()` with `trading.draws` (commit–reveal,
HMAC-DRBG) and feeds the drawn ids back through `resolve_lottery`,
`selected_by_lottery` or `short_list_from_draw`, which check them against the
frozen list.  The best-price coefficient is drawn first (`coefficient_draw`)
and passed to `best_price` as a plain int.

Selection outcomes are one of `Selected`, `NeedsLottery` or `Failed` (too few
registrants → the purchase fails and is republished).  A decline is handled by
calling the same method again: price and owner-choice methods take `declined=`
the ids that declined and recompute on the rest of the frozen quotes; random
selection takes `already_drawn=` every id drawn so far and re-draws from the
same frozen list (`draws.engine.continue_draw`).  Each method checks the
minimum count on what is left, so "remaining < minimum → republish" is the
same rule as the initial check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from trading.draws.lottery import (
    Candidate,
    Failed,
    InvalidDraw,
    NeedsLottery,
    Selected,
    add_months,
    resolve_lottery,
    within_months,
)
from trading.draws.lottery import (
    selected_by_lottery as selected_by_lottery,  # re-exported for the services
)
from trading.errors import RuleRefused
from trading.intermediaries.status import EntryStatus
from trading.rules import best_price as kernel

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


# --- errors ---------------------------------------------------------------------------


class RuleError(RuleRefused):
    """A rule of the supermarket refuses the input."""

    code = "intermediary_rule"


class InvalidParams(RuleError):
    code = "invalid_params"


class InvalidTerms(RuleError):
    code = "invalid_amount_terms"


class QuoteOutOfBounds(RuleError):
    code = "quote_out_of_bounds"


class MethodNotAllowed(RuleError):
    code = "method_not_allowed"


class DuplicateParticipant(RuleError):
    code = "duplicate_participant"


class DirectSelectionRefused(RuleError):
    code = "direct_selection_refused"


class MissingJustification(RuleError):
    code = "missing_justification"


class NotACandidate(RuleError):
    code = "not_a_candidate"


class InvalidCoefficient(RuleError):
    code = "invalid_coefficient"


class DeclineWindowClosed(RuleError):
    code = "decline_window_closed"


class InvalidRating(RuleError):
    code = "invalid_rating"


class RatingWindowClosed(RuleError):
    code = "rating_window_closed"


class RegistrationPeriodTooShort(RuleError):
    code = "registration_period_too_short"


class NaiveDatetime(RuleError):
    code = "naive_datetime"


class InvalidServiceTerm(RuleError):
    code = "invalid_service_term"


# --- vocabulary -----------------------------------------------------------------------


class FundingSource(StrEnum):
    STATE_FUNDS = "state_funds"  # 财政/国有资金
    PRIVATE = "private"  # 自有资金 (社会投资)


class SelectionMethod(StrEnum):
    RANDOM = "random"  # 随机选取
    LOWEST_PRICE = "lowest_price"  # 竞价选取 · 最低价中选
    BEST_PRICE = "best_price"  # 竞价选取 · 最优价中选
    DIRECT = "direct"  # 直接选取
    CREDIT_BEST = "credit_best"  # 信用择优选取
    PLAN_BEST = "plan_best"  # 方案择优选取


class AmountMode(StrEnum):
    FIXED = "fixed"  # 固定金额
    RANGE = "range"  # 价格区间 basePrice–highestPrice
    DISCOUNT_RATE = "discount_rate"  # 下浮率


class RefusalReason(StrEnum):
    REGISTRATION_CLOSED = "registration_closed"  # 报名已截止
    BLACKLISTED = "blacklisted"  # 黑名单/清退
    SUSPENDED = "suspended"  # 暂停报名资格
    NOT_ACTIVE = "not_active"  # 未完成入驻或已退出
    AVOIDANCE = "avoidance"  # 回避单位
    NO_QUALIFICATION = "no_qualification"  # 无该服务类型的资质线
    QUALIFICATION_NOT_YET_VALID = "qualification_not_yet_valid"  # 资质未生效
    QUALIFICATION_EXPIRED = "qualification_expired"  # 资质已过期


class IntermediaryDrawPurpose(StrEnum):
    RANDOM_SELECTION = "intermediary.random_selection"  # 随机选取
    LOWEST_PRICE_TIE = "intermediary.lowest_price_tie"  # 最低价并列
    BEST_PRICE_TIE = "intermediary.best_price_tie"  # 最优价并列
    BEST_PRICE_EXTREME = "intermediary.best_price_extreme"  # 并列最高/最低价去哪一个
    BEST_PRICE_COEFFICIENT = "intermediary.best_price_coefficient"  # 下浮系数
    CREDIT_SHORT_LIST = "intermediary.credit_short_list"  # 信用择优短名单


class IntermediaryFailureReason(StrEnum):
    TOO_FEW_REGISTRANTS = "too_few_registrants"  # 报名/报价不足 → 流标, 重新发布


class RatingDimension(StrEnum):
    QUALITY = "quality"  # 服务质量
    TIMELINESS = "timeliness"  # 服务时效
    ATTITUDE = "attitude"  # 服务态度
    FEE_COMPLIANCE = "fee_compliance"  # 收费规范


class CreditEventKind(StrEnum):
    UNJUSTIFIED_DECLINE = "unjustified_decline"  # 无正当理由放弃中选
    FAILED_TO_SIGN = "failed_to_sign"  # 未按时签订合同
    MISSED_SERVICE_DEADLINE = "missed_service_deadline"  # 服务超时
    COMPLAINT_UPHELD = "complaint_upheld"  # 投诉查实
    FALSE_MATERIALS = "false_materials"  # 提供虚假材料
    COLLUSION = "collusion"  # 串通/围标


class SanctionKind(StrEnum):
    SUSPENSION = "suspension"  # 暂停报名资格
    BLACKLIST = "blacklist"  # 清退并列入黑名单


# bad conduct that suspends (§5.6 "3–12 months") versus conduct that removes for good
SUSPENDING_EVENTS = frozenset(
    {
        CreditEventKind.UNJUSTIFIED_DECLINE,
        CreditEventKind.FAILED_TO_SIGN,
        CreditEventKind.MISSED_SERVICE_DEADLINE,
    }
)
BLACKLISTING_EVENTS = frozenset(
    {CreditEventKind.FALSE_MATERIALS, CreditEventKind.COLLUSION}
)


# --- parameters -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RatingScale:
    """The integer scale of one rating dimension and its weight in the rating score."""

    low: int = 1
    high: int = 5
    weight: Decimal = Decimal(1)


_DEFAULT_SCALES = tuple((d, RatingScale()) for d in RatingDimension)
_DEFAULT_PENALTIES = (
    (CreditEventKind.UNJUSTIFIED_DECLINE, Decimal(10)),
    (CreditEventKind.FAILED_TO_SIGN, Decimal(10)),
    (CreditEventKind.MISSED_SERVICE_DEADLINE, Decimal(10)),
    (CreditEventKind.COMPLAINT_UPHELD, Decimal(5)),
    (CreditEventKind.FALSE_MATERIALS, HUNDRED),
    (CreditEventKind.COLLUSION, HUNDRED),
)


@dataclass(frozen=True)
class SupermarketParams:
    """The supermarket part of a RuleProfile.

    Tags as in rules.md: [S] sourced, [P] our proposal, to confirm.
    """

    # §8 supermarket.min_registrants_state_funds: random and 竞价 methods [S]
    min_registrants_state_funds: int = 3
    # §5.4 common default for privately funded random/lowest-price purchases [P]
    min_registrants_private: int = 2
    # Haizhou 最优价: a privately funded purchase with one bid goes to it [S]
    min_registrants_private_best_price: int = 1
    # Guangdong 信用择优/方案择优: < 2 registrants fails, whatever the funds [S]
    min_registrants_owner_choice: int = 2
    # §8 supermarket.coef_set_best_price {95,96,97,98} % [S]
    coef_set_best_price: tuple[int, ...] = (95, 96, 97, 98)
    # 直接选取 only below 5 万元 [P]; optionally for any amount of the owner's own funds
    direct_selection_cap_fen: int = 5_000_000
    direct_selection_private_any_amount: bool = False
    # registration open ≥ 3 working days, ≥ 5 from 50 万元 [P]
    registration_working_days: int = 3
    registration_working_days_large: int = 5
    large_amount_fen: int = 50_000_000
    contract_working_days: int = 5  # §5.6 contract_days [P]
    # the selected intermediary confirms or declines within this many working days [P]
    confirm_working_days: int = 2
    eval_working_days: int = 10  # §5.6 eval_days [P]
    rating_scales: tuple[tuple[RatingDimension, RatingScale], ...] = _DEFAULT_SCALES
    credit_initial_score: Decimal = Decimal(80)  # no rating yet [P]
    credit_lookback_months: int = 12  # the credit year [P]
    event_penalties: tuple[tuple[CreditEventKind, Decimal], ...] = _DEFAULT_PENALTIES
    # credit-best short list drawn with chances proportional to credit (按比例分配号码)
    credit_short_list_weighted: bool = True
    # §5.6 "suspension 3–12 months": 3 months per suspending event in the
    # window, at most 12 [P]
    suspension_event_threshold: int = 1
    suspension_months_per_event: int = 3
    suspension_months_max: int = 12
    sanction_lookback_months: int = 12

    def __post_init__(self):
        _check_params(self)


def _check_params(p: SupermarketParams) -> None:
    minimums = (
        p.min_registrants_state_funds,
        p.min_registrants_private,
        p.min_registrants_private_best_price,
        p.min_registrants_owner_choice,
    )
    if any(m < 1 for m in minimums):
        raise InvalidParams("minimum registrant counts must be at least 1")
    if not p.coef_set_best_price or any(
        type(c) is not int or not 1 <= c <= 100 for c in p.coef_set_best_price
    ):
        raise InvalidParams(
            "best-price coefficients must be integer percents in 1..100"
        )
    if {d for d, _ in p.rating_scales} != set(RatingDimension):
        raise InvalidParams("rating_scales must cover every rating dimension once")
    if any(s.low >= s.high or s.weight <= 0 for _, s in p.rating_scales):
        raise InvalidParams("each rating scale needs low < high and a positive weight")
    if p.suspension_event_threshold < 1 or p.suspension_months_per_event < 1:
        raise InvalidParams("suspension threshold and months must be at least 1")


# --- calendar -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working days: Monday–Friday, minus public holidays, plus make-up days (调休)."""

    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def add_working_days(start: date, days: int, calendar: WorkCalendar) -> date:
    """The `days`-th working day after `start` (`start` itself does not count)."""
    day = start
    for _ in range(days):
        day += timedelta(days=1)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
    return day


def _require_aware(moment: datetime, name: str) -> None:
    # A naive datetime cannot be compared with the UTC deadlines the services store.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(f"{name} must be timezone-aware", field=name)


def _round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, exact (both non-negative integers)."""
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def quantize2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- entry and registration (入驻, 报名) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class QualificationLine:
    """资质线: the right to serve one service type on [valid_from, valid_until]."""

    service_type: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True, slots=True)
class Intermediary:
    id: str
    credit_code: str  # 统一社会信用代码, also matched against the avoidance list
    status: EntryStatus
    lines: tuple[QualificationLine, ...] = ()
    blacklisted: bool = False
    # a sanction in force even before a job flips `status` (deadlines live in services)
    suspended_until: date | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: RefusalReason
    detail: str


@dataclass(frozen=True, slots=True)
class CandidateList:
    """Eligible candidates (sorted by id) and the excluded ones with their refusal."""

    eligible: tuple[Candidate, ...]
    excluded: tuple[tuple[str, Refusal], ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.eligible)


def standing_refusal(
    who: Intermediary, service_type: str, avoid: frozenset[str], on: date
) -> Refusal | None:
    """Why `who` may not take part in a purchase of `service_type` on `on`, or None.

    Checked in this order, first failure reported: blacklist, entry status, suspension,
    avoidance list (回避单位, by id or credit code), then a qualification line for the
    service type valid on `on`.
    """
    if who.blacklisted:
        return Refusal(RefusalReason.BLACKLISTED, "on the blacklist")
    if who.status is EntryStatus.SUSPENDED or _suspended_on(who, on):
        until = who.suspended_until or "reinstated"
        return Refusal(RefusalReason.SUSPENDED, f"suspended until {until}")
    if who.status is not EntryStatus.ACTIVE:
        return Refusal(RefusalReason.NOT_ACTIVE, f"entry status is {who.status.value}")
    if who.id in avoid or who.credit_code in avoid:
        return Refusal(RefusalReason.AVOIDANCE, "on the purchase's avoidance list")
    return _qualification_refusal(who.lines, service_type, on)


def _suspended_on(who: Intermediary, on: date) -> bool:
    return who.suspended_until is not None and on < who.suspended_until


def _qualification_refusal(
    lines: Iterable[QualificationLine], service_type: str, on: date
) -> Refusal | None:
    matching = [line for line in lines if line.service_type == service_type]
    if not matching:
        return Refusal(RefusalReason.NO_QUALIFICATION, f"no line for {service_type!r}")
    if any(line.valid_from <= on <= line.valid_until for line in matching):
        return None
    if all(on < line.valid_from for line in matching):
        first = min(line.valid_from for line in matching)
        return Refusal(RefusalReason.QUALIFICATION_NOT_YET_VALID, f"valid from {first}")
    last = max(line.valid_until for line in matching)
    return Refusal(RefusalReason.QUALIFICATION_EXPIRED, f"expired on {last}")


def registration_refusal(
    who: Intermediary,
    service_type: str,
    avoid: frozenset[str],
    *,
    registered_at: datetime,
    deadline: datetime,
    on: date,
) -> Refusal | None:
    """Why a registration (报名) is refused, or None.  `on` is its local date.

    The deadline is exclusive: a registration at the deadline instant is late.
    """
    _require_aware(registered_at, "registered_at")
    _require_aware(deadline, "deadline")
    if registered_at >= deadline:
        return Refusal(RefusalReason.REGISTRATION_CLOSED, f"deadline was {deadline}")
    return standing_refusal(who, service_type, avoid, on)


def build_candidates(
    registrants: Iterable[Intermediary],
    service_type: str,
    avoid: frozenset[str],
    on: date,
) -> CandidateList:
    """Re-check every registrant on the selection date; split eligible from excluded."""
    eligible, excluded = [], []
    for who in _unique_sorted(registrants):
        refusal = standing_refusal(who, service_type, avoid, on)
        if refusal is None:
            eligible.append(_registrant_candidate(who, service_type, on))
        else:
            excluded.append((who.id, refusal))
    return CandidateList(tuple(eligible), tuple(excluded))


def _unique_sorted(registrants: Iterable[Intermediary]) -> list[Intermediary]:
    ordered = sorted(registrants, key=lambda who: who.id)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.id == after.id:
            raise DuplicateParticipant(f"intermediary {after.id!r} appears twice")
    return ordered


def _registrant_candidate(who: Intermediary, service_type: str, on: date) -> Candidate:
    line = max(
        (
            ln
            for ln in who.lines
            if ln.service_type == service_type and ln.valid_from <= on <= ln.valid_until
        ),
        key=lambda ln: ln.valid_until,
    )
    return Candidate(
        who.id,
        (
            ("credit_code", who.credit_code),
            ("service_type", service_type),
            ("qualification_valid_until", line.valid_until.isoformat()),
        ),
    )


# --- announcement terms and quotes (采购公告, 报价) ---------------------------------


@dataclass(frozen=True, slots=True)
class AmountTerms:
    """How the price is set (§5.3): fixed, a range, or a discount rate off a base."""

    mode: AmountMode
    fixed_fen: int | None = None
    base_fen: int | None = None  # RANGE: 最低限价 (basePrice)
    highest_fen: int | None = None  # RANGE: 最高限价 (highestPrice)
    rate_base_fen: int | None = None  # DISCOUNT_RATE: the amount the rate applies to
    min_rate: Decimal | None = None  # percent, e.g. Decimal("5.00") = 5 % 下浮
    max_rate: Decimal | None = None

    def __post_init__(self):
        _TERMS_CHECKS[self.mode](self)

    @property
    def ceiling_fen(self) -> int:
        """The most the owner can pay: the amount used for caps and periods."""
        if self.mode is AmountMode.FIXED:
            return self.fixed_fen
        if self.mode is AmountMode.RANGE:
            return self.highest_fen
        return self.rate_base_fen


def _is_money(value) -> bool:
    return type(value) is int and value >= 0


def _check_fixed(t: AmountTerms) -> None:
    if not _is_money(t.fixed_fen) or t.fixed_fen == 0:
        raise InvalidTerms("a fixed amount must be a positive integer of 分")


def _check_range(t: AmountTerms) -> None:
    if not (_is_money(t.base_fen) and _is_money(t.highest_fen)):
        raise InvalidTerms("a price range needs integer 分 bounds")
    if not 0 <= t.base_fen <= t.highest_fen or t.highest_fen == 0:
        raise InvalidTerms("a price range needs 0 ≤ base ≤ highest, highest > 0")


def _check_rate(t: AmountTerms) -> None:
    if not _is_money(t.rate_base_fen) or t.rate_base_fen == 0:
        raise InvalidTerms("a discount-rate purchase needs a positive base amount")
    if not (_is_rate(t.min_rate) and _is_rate(t.max_rate)):
        raise InvalidTerms("discount-rate bounds must be Decimals with at most 2 dp")
    if not 0 <= t.min_rate <= t.max_rate < HUNDRED:
        raise InvalidTerms("discount-rate bounds need 0 ≤ min ≤ max < 100")


def _is_rate(value) -> bool:
    return (
        isinstance(value, Decimal) and value.is_finite() and value == quantize2(value)
    )


_TERMS_CHECKS = {
    AmountMode.FIXED: _check_fixed,
    AmountMode.RANGE: _check_range,
    AmountMode.DISCOUNT_RATE: _check_rate,
}


def quote_price(terms: AmountTerms, value: int | Decimal | None) -> int:
    """The price in 分 that a quote stands for, or QuoteOutOfBounds.

    FIXED: no quote (None) or exactly the fixed amount.  RANGE: integer 分 within
    [base, highest], both inclusive.  DISCOUNT_RATE: a percent within [min, max],
    at most 2 dp; the price is base × (100 − rate) / 100 rounded half up to the
    分, so every price method compares 分 whatever the amount mode.
    """
    if terms.mode is AmountMode.FIXED:
        if value is not None and value != terms.fixed_fen:
            raise QuoteOutOfBounds("this purchase has a fixed amount", field="quote")
        return terms.fixed_fen
    if terms.mode is AmountMode.RANGE:
        return _range_price(terms, value)
    return _rate_price(terms, value)


def _range_price(terms: AmountTerms, value) -> int:
    if type(value) is not int:
        raise QuoteOutOfBounds("quote an integer amount of 分", field="quote")
    if not terms.base_fen <= value <= terms.highest_fen:
        raise QuoteOutOfBounds(
            f"quote {value} outside [{terms.base_fen}, {terms.highest_fen}] 分",
            field="quote",
        )
    return value


def _rate_price(terms: AmountTerms, rate) -> int:
    if not _is_rate(rate):
        raise QuoteOutOfBounds("quote a discount rate with at most 2 dp", field="quote")
    if not terms.min_rate <= rate <= terms.max_rate:
        raise QuoteOutOfBounds(
            f"discount rate {rate} % outside [{terms.min_rate}, {terms.max_rate}] %",
            field="quote",
        )
    # rate has ≤ 2 dp, so base × (10000 − 100·rate) / 10000 is an exact integer ratio
    keep = 10_000 - int(rate * 100)
    return _round_half_up_div(terms.rate_base_fen * keep, 10_000)


# methods that compete on price need a quote; random selection needs a fixed price
_PRICE_MODES = frozenset({AmountMode.RANGE, AmountMode.DISCOUNT_RATE})
_METHOD_MODES = {
    SelectionMethod.RANDOM: frozenset({AmountMode.FIXED}),
    SelectionMethod.LOWEST_PRICE: _PRICE_MODES,
    SelectionMethod.BEST_PRICE: _PRICE_MODES,
    SelectionMethod.PLAN_BEST: _PRICE_MODES,
    SelectionMethod.CREDIT_BEST: frozenset(AmountMode),
    SelectionMethod.DIRECT: frozenset(AmountMode),
}


def check_method_terms(method: SelectionMethod, terms: AmountTerms) -> None:
    """§5.4: random selection at a fixed price; 竞价/方案择优 need quotes."""
    if terms.mode not in _METHOD_MODES[method]:
        raise MethodNotAllowed(
            f"{method.value} cannot be used with amount mode {terms.mode.value}",
            field="selection_method",
        )


def earliest_registration_deadline(
    published_on: date, terms: AmountTerms, params: SupermarketParams, cal: WorkCalendar
) -> date:
    """The first day registration may close: ≥ 3 working days, ≥ 5 from 50 万."""
    days = params.registration_working_days
    if terms.ceiling_fen >= params.large_amount_fen:
        days = params.registration_working_days_large
    return add_working_days(published_on, days, cal)


def check_registration_period(
    published_on: date,
    deadline_on: date,
    terms: AmountTerms,
    params: SupermarketParams,
    cal: WorkCalendar,
) -> None:
    earliest = earliest_registration_deadline(published_on, terms, params, cal)
    if deadline_on < earliest:
        raise RegistrationPeriodTooShort(
            f"registration may close on {earliest} at the earliest",
            field="registration_deadline",
        )


def contract_due(
    selected_on: date, params: SupermarketParams, cal: WorkCalendar
) -> date:
    """§5.6: the contract is signed or uploaded within `contract_working_days`."""
    return add_working_days(selected_on, params.contract_working_days, cal)


# --- the service time limit (服务时限, §5.3, §5.6) --------------------------------------

MAX_SERVICE_DAYS = 1825  # five years: longer is a typing error, not a service


@dataclass(frozen=True, slots=True)
class ServiceTerm:
    """服务时限: `days` (calendar, or working days when `working`) counted from the day
    the owner confirms the contract (服务开始), or a fixed `due_on` date; exactly one."""

    days: int | None = None
    working: bool = False
    due_on: date | None = None


_WORKING = re.compile(r"(\d{1,5})\s*个?\s*工作日")
_CALENDAR = re.compile(r"(\d{1,5})\s*个?\s*(?:日历天|自然日|天|日)(?!期)")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def parse_time_limit(text: str) -> ServiceTerm | None:
    """The structured limit in a free-text 服务时限 ("30日历天", "20个工作日", "2026-09-30
    前完成"), or None when the text names none: what older purchases and callers that only
    give the text are read with."""
    text = text or ""
    if found := _WORKING.search(text):
        return ServiceTerm(days=int(found.group(1)), working=True)
    if found := _DATE.search(text):
        try:
            return ServiceTerm(due_on=date(*(int(g) for g in found.groups())))
        except ValueError:
            return None
    if found := _CALENDAR.search(text):
        return ServiceTerm(days=int(found.group(1)))
    return None


def check_service_term(term: ServiceTerm | None, selection_on: date) -> ServiceTerm:
    """Exactly one of a day count (1 … MAX_SERVICE_DAYS) or a due date after selection."""
    if term is None or (term.days is None) == (term.due_on is None):
        raise InvalidServiceTerm("give the service days or a due date (exactly one)",
                                 field="service_days")
    if term.days is not None and not 1 <= term.days <= MAX_SERVICE_DAYS:
        raise InvalidServiceTerm(f"service days must be 1..{MAX_SERVICE_DAYS}",
                                 field="service_days")
    if term.due_on is not None and term.due_on <= selection_on:
        raise InvalidServiceTerm("the due date must be after the selection day",
                                 field="service_due_on")
    return term


def describe_service_term(term: ServiceTerm) -> str:
    """The text a user reads when the owner gave no wording of their own."""
    if term.due_on is not None:
        return f"{term.due_on.isoformat()} 前完成"
    unit = "个工作日" if term.working else "日历天"
    return f"合同确认后 {term.days} {unit}内完成"


def service_due(started_on: date, term: ServiceTerm, cal: WorkCalendar) -> date:
    """The last day of the service: the fixed date, or the days after it started."""
    if term.due_on is not None:
        return term.due_on
    if term.working:
        return add_working_days(started_on, term.days, cal)
    return started_on + timedelta(days=term.days)


@dataclass(frozen=True, slots=True)
class Quote:
    """A registrant's price in 分 (already through `quote_price`)."""

    intermediary_id: str
    price_fen: int


# --- minimum registrants (§5.4, §8) ---------------------------------------------------


def minimum_registrants(
    method: SelectionMethod, funding: FundingSource, params: SupermarketParams
) -> int:
    """The fewest registrants (or valid quotes) with which `method` may proceed."""
    if method is SelectionMethod.DIRECT:
        return 1
    if method in (SelectionMethod.CREDIT_BEST, SelectionMethod.PLAN_BEST):
        return params.min_registrants_owner_choice
    if funding is FundingSource.STATE_FUNDS:
        return params.min_registrants_state_funds
    if method is SelectionMethod.BEST_PRICE:
        return params.min_registrants_private_best_price
    return params.min_registrants_private


def registrant_shortfall(
    count: int,
    method: SelectionMethod,
    funding: FundingSource,
    params: SupermarketParams,
) -> Failed | None:
    """Failed (republish) when fewer than the minimum take part, else None."""
    needed = minimum_registrants(method, funding, params)
    if count >= needed:
        return None
    return Failed(
        IntermediaryFailureReason.TOO_FEW_REGISTRANTS,
        f"{count} registrant(s); {method.value} with {funding.value} needs {needed}",
    )


# --- selection methods (§5.4) ---------------------------------------------------------


def random_selection(
    candidates: CandidateList,
    funding: FundingSource,
    params: SupermarketParams,
    already_drawn: Sequence[str] = (),
) -> NeedsLottery | Failed:
    """随机选取: one winner drawn among the eligible registrants.

    After a decline, pass every id drawn so far (`already_drawn`, in draw order): the
    re-draw continues on the same frozen list, so nobody can steer the replacement.
    """
    remaining = len(candidates.eligible) - len(already_drawn)
    failed = registrant_shortfall(remaining, SelectionMethod.RANDOM, funding, params)
    if failed:
        return failed
    return NeedsLottery(
        IntermediaryDrawPurpose.RANDOM_SELECTION, candidates.eligible, 1, tuple(already_drawn)
    )


def _live_quotes(quotes: Iterable[Quote], declined: frozenset[str]) -> list[Quote]:
    ordered = sorted(quotes, key=lambda q: q.intermediary_id)
    ids = [q.intermediary_id for q in ordered]
    if len(set(ids)) != len(ids):
        raise DuplicateParticipant("an intermediary has more than one quote")
    return [q for q in ordered if q.intermediary_id not in declined]


def _price_candidates(quotes: Iterable[Quote]) -> tuple[Candidate, ...]:
    return tuple(
        Candidate(q.intermediary_id, (("price_fen", q.price_fen),)) for q in quotes
    )


def _one_or_lottery(
    tied: list[Quote],
    method: SelectionMethod,
    purpose: IntermediaryDrawPurpose,
    evidence: tuple[tuple[str, str], ...],
) -> Selected | NeedsLottery:
    if len(tied) == 1:
        return Selected(tied[0].intermediary_id, method, evidence)
    return NeedsLottery(purpose, _price_candidates(tied))


def lowest_price(
    quotes: Iterable[Quote],
    funding: FundingSource,
    params: SupermarketParams,
    declined: frozenset[str] = frozenset(),
) -> Selected | NeedsLottery | Failed:
    """最低价中选: the lowest price wins; equal lowest prices go to a lottery."""
    live = _live_quotes(quotes, declined)
    method = SelectionMethod.LOWEST_PRICE
    failed = registrant_shortfall(len(live), method, funding, params)
    if failed:
        return failed
    lowest = min(q.price_fen for q in live)
    tied = [q for q in live if q.price_fen == lowest]
    evidence = (("lowest_price_fen", str(lowest)),)
    return _one_or_lottery(tied, method, IntermediaryDrawPurpose.LOWEST_PRICE_TIE, evidence)


def coefficient_draw(params: SupermarketParams) -> NeedsLottery:
    """The draw of the 最优价 coefficient among the profile's percents (95–98 %)."""
    options = tuple(
        Candidate(str(pct), (("coefficient_percent", pct),))
        for pct in sorted(set(params.coef_set_best_price))
    )
    return NeedsLottery(IntermediaryDrawPurpose.BEST_PRICE_COEFFICIENT, options)


def best_price(
    quotes: Iterable[Quote],
    coefficient_percent: int,
    funding: FundingSource,
    params: SupermarketParams,
    declined: frozenset[str] = frozenset(),
    drawn: Sequence[Sequence[str]] = (),
) -> Selected | NeedsLottery | Failed:
    """最优价中选 by the one rule of `trading.rules.best_price` (§5.4): one highest and one
    lowest quote dropped, reference = mean of the rest × coefficient to the 分, the closest
    counted quote wins, a dropped quote cannot win, ties by lottery.

    `coefficient_percent` is the outcome of `coefficient_draw`; after a decline the same
    coefficient is reused and the reference recomputed on the remaining quotes. A tie
    comes back as `NeedsLottery` — `BEST_PRICE_EXTREME` (which of equal extreme quotes
    stay counted, only when that decides who may win) or `BEST_PRICE_TIE`; draw it and
    call again with every draw so far, in order, in `drawn`.
    """
    if coefficient_percent not in params.coef_set_best_price:
        raise InvalidCoefficient(
            f"{coefficient_percent} % is not one of {params.coef_set_best_price}"
        )
    live = _live_quotes(quotes, declined)
    method = SelectionMethod.BEST_PRICE
    failed = registrant_shortfall(len(live), method, funding, params)
    if failed:
        return failed
    try:
        priced = kernel.best_price(
            [kernel.Quote(q.intermediary_id, q.price_fen) for q in live],
            coefficient=Fraction(coefficient_percent, 100), drawn=drawn)
    except kernel.DrawMismatch as error:
        raise InvalidDraw(str(error)) from None
    if priced.lottery is not None:
        return _best_price_lottery(priced.lottery, live)
    evidence = (
        ("reference_fen", str(priced.reference)),
        ("coefficient_percent", str(coefficient_percent)),
        ("dropped", ",".join(priced.barred)),
    )
    if drawn:
        evidence += (("decided_by", IntermediaryDrawPurpose.BEST_PRICE_TIE.value),)
    return Selected(priced.winner, method, evidence)


def _best_price_lottery(lottery: kernel.Lottery, live: list[Quote]) -> NeedsLottery:
    extreme = lottery.kind is kernel.LotteryKind.EXTREME
    purpose = (IntermediaryDrawPurpose.BEST_PRICE_EXTREME if extreme
               else IntermediaryDrawPurpose.BEST_PRICE_TIE)
    tied = [q for q in live if q.intermediary_id in set(lottery.candidates)]
    return NeedsLottery(purpose, _price_candidates(tied), count=lottery.keep)


def _require_text(text: str | None, what: str) -> str:
    if text is None or not text.strip():
        raise MissingJustification(f"{what} must be given in writing", field=what)
    return text.strip()


def check_direct_cap(
    terms: AmountTerms, funding: FundingSource, params: SupermarketParams
) -> None:
    """直接选取 only below the profile's cap (or for own funds when the profile allows)."""
    private_ok = (
        funding is FundingSource.PRIVATE and params.direct_selection_private_any_amount
    )
    if terms.ceiling_fen >= params.direct_selection_cap_fen and not private_ok:
        cap = params.direct_selection_cap_fen
        raise DirectSelectionRefused(
            f"direct selection needs an amount below {cap} 分", field="selection_method"
        )


def direct_selection(
    terms: AmountTerms,
    chosen_id: str,
    justification: str | None,
    candidates: CandidateList,
    funding: FundingSource,
    params: SupermarketParams,
) -> Selected:
    """直接选取: under the profile's cap, justified in writing, an eligible firm."""
    check_direct_cap(terms, funding, params)
    reason = _require_text(justification, "justification")
    if chosen_id not in candidates.ids:
        raise NotACandidate(f"{chosen_id!r} is not an eligible intermediary")
    return Selected(chosen_id, SelectionMethod.DIRECT, (("justification", reason),))


@dataclass(frozen=True, slots=True)
class CreditEntry:
    intermediary_id: str
    credit_score: Decimal


@dataclass(frozen=True, slots=True)
class ShortList:
    """信用择优: the short list the owner picks from, and the long list it came from."""

    ids: tuple[str, ...]
    long_list: tuple[str, ...]


def credit_long_list(
    entries: Iterable[CreditEntry], long_size: int
) -> tuple[CreditEntry, ...]:
    """The top `long_size` by credit score; everyone tied with the last place stays in,
    because cutting a tie at the boundary would need a draw the rules do not provide."""
    ranked = sorted(entries, key=lambda e: (-e.credit_score, e.intermediary_id))
    if len(ranked) <= long_size:
        return tuple(ranked)
    floor = ranked[long_size - 1].credit_score
    return tuple(e for e in ranked if e.credit_score >= floor)


def credit_best_short_list(
    entries: Iterable[CreditEntry],
    long_size: int,
    short_size: int,
    funding: FundingSource,
    params: SupermarketParams,
    declined: frozenset[str] = frozenset(),
) -> ShortList | NeedsLottery | Failed:
    """信用择优选取 step 1: long list by credit, then a random short list.

    When the long list is no longer than the short list everyone is short-listed
    without a draw.  Weights (credit × 100) make chances proportional to credit when the
    profile says so.  After the whole short list declined, call again with `declined`.
    """
    if not 1 <= short_size <= long_size:
        raise InvalidParams("need 1 ≤ short list size ≤ long list size")
    live = _unique_entries(entries, declined)
    method = SelectionMethod.CREDIT_BEST
    failed = registrant_shortfall(len(live), method, funding, params)
    if failed:
        return failed
    long_list = credit_long_list(live, long_size)
    long_ids = tuple(sorted(e.intermediary_id for e in long_list))
    if len(long_list) <= short_size:
        return ShortList(long_ids, long_ids)
    return NeedsLottery(
        IntermediaryDrawPurpose.CREDIT_SHORT_LIST,
        tuple(
            _credit_candidate(e, params)
            for e in sorted(long_list, key=lambda e: e.intermediary_id)
        ),
        short_size,
    )


def _unique_entries(
    entries: Iterable[CreditEntry], declined: frozenset[str]
) -> list[CreditEntry]:
    entries = list(entries)
    ids = [e.intermediary_id for e in entries]
    if len(set(ids)) != len(ids):
        raise DuplicateParticipant("an intermediary has more than one credit entry")
    return [e for e in entries if e.intermediary_id not in declined]


def _credit_candidate(entry: CreditEntry, params: SupermarketParams) -> Candidate:
    score = quantize2(entry.credit_score)
    weight = None
    if params.credit_short_list_weighted:
        # integer weights; a zero score keeps a minimal chance rather than none
        weight = max(1, int(score * 100))
    return Candidate(entry.intermediary_id, (("credit_score", str(score)),), weight)


def short_list_from_draw(needs: NeedsLottery, drawn: Sequence[str]) -> ShortList:
    """The short list once the draw engine has drawn it from the long list."""
    if needs.purpose is not IntermediaryDrawPurpose.CREDIT_SHORT_LIST:
        raise InvalidDraw(f"{needs.purpose.value} is not a short-list draw")
    return ShortList(tuple(sorted(resolve_lottery(needs, drawn))), needs.ids)


def pick_from_short_list(
    short_list: ShortList, picked_id: str, declined: frozenset[str] = frozenset()
) -> Selected:
    """信用择优选取 step 2: the owner picks freely, but only from the short list."""
    if picked_id not in short_list.ids or picked_id in declined:
        raise NotACandidate(f"{picked_id!r} is not on the short list", field="picked")
    return Selected(
        picked_id,
        SelectionMethod.CREDIT_BEST,
        (("short_list", ",".join(short_list.ids)),),
    )


def plan_best_pick(
    quotes: Iterable[Quote],
    picked_id: str,
    reasons: str | None,
    funding: FundingSource,
    params: SupermarketParams,
    declined: frozenset[str] = frozenset(),
) -> Selected | Failed:
    """方案择优选取: the owner compares plans, staff and price, and records why."""
    live = _live_quotes(quotes, declined)
    method = SelectionMethod.PLAN_BEST
    failed = registrant_shortfall(len(live), method, funding, params)
    if failed:
        return failed
    reason = _require_text(reasons, "reasons")
    if picked_id not in {q.intermediary_id for q in live}:
        raise NotACandidate(f"{picked_id!r} has no live plan and quote", field="picked")
    return Selected(picked_id, method, (("reasons", reason),))


# --- declines (§5.5) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreditEvent:
    """A bad-conduct record (不良行为记录) that feeds credit and sanctions."""

    intermediary_id: str
    kind: CreditEventKind
    occurred_on: date


def check_decline_time(declined_at: datetime, confirm_deadline: datetime) -> None:
    """A decline is accepted only until the confirmation deadline (inclusive)."""
    _require_aware(declined_at, "declined_at")
    _require_aware(confirm_deadline, "confirm_deadline")
    if declined_at > confirm_deadline:
        raise DeclineWindowClosed(
            f"the confirmation deadline {confirm_deadline} has passed; "
            "the intermediary is bound or in default, it can no longer decline"
        )


def decline_credit_event(
    intermediary_id: str, declined_on: date, reason_accepted: bool
) -> CreditEvent | None:
    """A decline is bad conduct unless the owner or operator accepted its reason."""
    if reason_accepted:
        return None
    return CreditEvent(
        intermediary_id, CreditEventKind.UNJUSTIFIED_DECLINE, declined_on
    )


# --- rating, credit, sanctions (§5.6) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rating:
    """服务评价 by the owner: one integer per dimension."""

    completed_on: date
    rated_on: date
    scores: tuple[tuple[RatingDimension, int], ...]


def _scales(params: SupermarketParams) -> dict[RatingDimension, RatingScale]:
    return dict(params.rating_scales)


def rating_due(
    completed_on: date, params: SupermarketParams, cal: WorkCalendar
) -> date:
    """The last day to rate: `eval_working_days` working days after completion."""
    return add_working_days(completed_on, params.eval_working_days, cal)


def validate_rating(
    rating: Rating, params: SupermarketParams, cal: WorkCalendar
) -> None:
    """Every dimension once, an integer on its scale, rated within the window."""
    scales = _scales(params)
    given = [d for d, _ in rating.scores]
    if sorted(given) != sorted(scales):
        raise InvalidRating("rate every dimension exactly once", field="scores")
    for dimension, value in rating.scores:
        scale = scales[dimension]
        if type(value) is not int or not scale.low <= value <= scale.high:
            raise InvalidRating(
                f"{dimension.value} must be an integer {scale.low}..{scale.high}",
                field=dimension.value,
            )
    due = rating_due(rating.completed_on, params, cal)
    if not rating.completed_on <= rating.rated_on <= due:
        raise RatingWindowClosed(
            f"rate between {rating.completed_on} and {due}", field="rated_on"
        )


def rating_score(rating: Rating, params: SupermarketParams) -> Decimal:
    """0–100: each dimension mapped linearly from its scale, weighted mean, 2 dp."""
    scales = _scales(params)
    total = weights = Decimal(0)
    for dimension, value in rating.scores:
        scale = scales[dimension]
        total += scale.weight * HUNDRED * (value - scale.low) / (scale.high - scale.low)
        weights += scale.weight
    return quantize2(total / weights)


def credit_score(
    ratings: Iterable[Rating],
    events: Iterable[CreditEvent],
    on: date,
    params: SupermarketParams,
) -> Decimal:
    """Credit on `on`: mean rating score of the look-back window (initial score when
    there is none) minus the penalty of each bad-conduct event in it, clamped to 0–100.

    Ratings must have passed `validate_rating`.  The 70/10/20 municipal weighting
    (sector assessment / enterprise credit / social evaluation) needs inputs the
    platform does not hold, so the rating part stands for "social evaluation" here.
    """
    months = params.credit_lookback_months
    recent = [
        rating_score(r, params) for r in ratings if within_months(r.rated_on, on, months)
    ]
    base = sum(recent) / len(recent) if recent else params.credit_initial_score
    penalties = dict(params.event_penalties)
    penalty = sum(
        (penalties[e.kind] for e in events if within_months(e.occurred_on, on, months)),
        Decimal(0),
    )
    return quantize2(min(HUNDRED, max(Decimal(0), base - penalty)))


@dataclass(frozen=True, slots=True)
class Sanction:
    kind: SanctionKind
    since: date
    until: date | None  # exclusive; None for the blacklist
    events: tuple[CreditEvent, ...]


def sanction_in_force(
    events: Iterable[CreditEvent], on: date, params: SupermarketParams
) -> Sanction | None:
    """The sanction in force on `on` for one intermediary's events, if any.

    Blacklist: any false-materials or collusion event, for good.  Suspension: at each
    suspending event (unjustified decline, failure to sign, missed deadline) count the
    suspending events of the look-back window ending that day; at the threshold the firm
    is suspended from that day for `months_per_event × count` months (≤ the maximum).
    """
    past = sorted((e for e in events if e.occurred_on <= on), key=_event_key)
    worst = [e for e in past if e.kind in BLACKLISTING_EVENTS]
    if worst:
        return Sanction(
            SanctionKind.BLACKLIST, worst[0].occurred_on, None, tuple(worst)
        )
    suspensions = [_suspension_at(e, past, params) for e in past]
    live = [s for s in suspensions if s is not None and on < s.until]
    return max(live, key=lambda s: (s.until, s.since), default=None)


def _event_key(event: CreditEvent) -> tuple:
    return (event.occurred_on, event.kind.value, event.intermediary_id)


def _suspension_at(
    trigger: CreditEvent, past: list[CreditEvent], params: SupermarketParams
) -> Sanction | None:
    if trigger.kind not in SUSPENDING_EVENTS:
        return None
    day = trigger.occurred_on
    window = tuple(
        e
        for e in past
        if e.kind in SUSPENDING_EVENTS
        and within_months(e.occurred_on, day, params.sanction_lookback_months)
    )
    if len(window) < params.suspension_event_threshold:
        return None
    months = min(
        params.suspension_months_max, params.suspension_months_per_event * len(window)
    )
    return Sanction(SanctionKind.SUSPENSION, day, add_months(day, months), window)
