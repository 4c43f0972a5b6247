"""Pure rules of bid security (投标保证金, rules §10): the requirement and its statutory cap,
the refund deadline, the interest on a refund, and how one bank notification reconciles
against the requirement. No I/O, no clock: every instant is an argument.

Money is integer 分; a rate is a `Decimal` fraction (``Decimal("0.02")`` is 2 %), never a
float; every division is exact (`fractions.Fraction`) and rounded once, ROUND_HALF_UP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from ..errors import RuleRefused
from ..intermediaries.rules import WorkCalendar, add_working_days
from ..projects.kinds import Regime

# 实施条例 第二十六条 (招投标) and 87号令 第三十八条 / 财库〔2014〕214号 (政府采购): 2 %.
STATUTORY_CAP = MappingProxyType({
    Regime.TENDERING: Decimal("0.02"),
    Regime.GOVERNMENT_PROCUREMENT: Decimal("0.02"),
})
# 实施条例 第五十七条: 5 days; 87号令 第三十八条: 5 working days (rules §10.2).
REFUND_DAYS = 5
# rules §10.2 [P]: the bank's demand-deposit rate, simple interest on exact days / 365.
DEFAULT_ANNUAL_RATE = Decimal("0.0035")
DAY_BASIS = 365
WEEKDAYS_ONLY = WorkCalendar()  # until the center's holiday calendar is configured


class SecurityForm(StrEnum):
    NONE = "none"  # 不要求
    DEPOSIT = "deposit"  # 保证金（转账至子账号）
    GUARANTEE = "guarantee"  # 电子保函
    EITHER = "either"  # 保证金或电子保函


class RefundCause(StrEnum):
    """Why a bidder's security becomes refundable (rules §10.2)."""

    LOST = "lost"  # 未中标
    WON = "won"  # 中标
    WITHDRAWN = "withdrawn"  # 截止前撤回投标
    NOT_COUNTED = "not_counted"  # 缴款不计入（金额不足、逾期、账户不符、重复、未投标）


class PaymentState(StrEnum):
    """One bank notification reconciled against the requirement (rules §10.4)."""

    PAID = "paid"  # 已足额到账
    SHORT = "short"  # 金额不足
    LATE = "late"  # 截止后到账
    WRONG_ACCOUNT = "wrong_account"  # 非投标人账户缴纳
    DUPLICATE = "duplicate"  # 重复缴纳
    UNKNOWN_REFERENCE = "unknown_reference"  # 无法识别的子账号


FORM_LABELS = MappingProxyType({
    SecurityForm.NONE: "不要求",
    SecurityForm.DEPOSIT: "保证金",
    SecurityForm.GUARANTEE: "电子保函",
    SecurityForm.EITHER: "保证金或电子保函",
})
CAUSE_LABELS = MappingProxyType({
    RefundCause.LOST: "未中标",
    RefundCause.WON: "中标",
    RefundCause.WITHDRAWN: "截止前撤回投标",
    RefundCause.NOT_COUNTED: "缴款不计入保证金",
})
PAYMENT_LABELS = MappingProxyType({
    PaymentState.PAID: "已足额到账",
    PaymentState.SHORT: "金额不足",
    PaymentState.LATE: "截止后到账",
    PaymentState.WRONG_ACCOUNT: "非投标人账户缴纳",
    PaymentState.DUPLICATE: "重复缴纳",
    PaymentState.UNKNOWN_REFERENCE: "无法识别的子账号",
})


class RequirementInvalid(RuleRefused):
    code = "security_requirement_invalid"


class AboveStatutoryCap(RuleRefused):
    code = "security_above_cap"


class RefundDateInvalid(RuleRefused):
    code = "refund_date_invalid"


def _round_half_up(value: Fraction) -> int:
    """A non-negative exact value rounded to the nearest integer, half up."""
    quotient, remainder = divmod(value.numerator, value.denominator)
    return quotient + (1 if 2 * remainder >= value.denominator else 0)


def _check_rate(rate: object, name: str) -> Fraction:
    # bool is an int and a float is inexact: both are programming errors here.
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0:
        raise RequirementInvalid(f"{name} 必须是非负的 Decimal 比例", field=name)
    return Fraction(rate)


def _check_fen(value: object, name: str) -> int:
    if type(value) is not int or value < 0:
        raise RequirementInvalid(f"{name} 必须是非负整数（分）", field=name)
    return value


def cap_fen(base_fen: int, regime: Regime) -> int:
    """The largest deposit the law allows: 2 % of the estimate or budget, rounded *down*
    so that no rounding can ever exceed the cap."""
    base = _check_fen(base_fen, "base_fen")
    exact = Fraction(STATUTORY_CAP[Regime(regime)]) * base
    return exact.numerator // exact.denominator


def required_fen(base_fen: int, regime: Regime, *, amount_fen: int | None = None,
                 rate: Decimal | None = None) -> int:
    """The security required of each bidder for one lot (rules §10.1).

    ``base_fen`` is the lot's estimated price (招投标) or budget (政府采购). Exactly one of a
    fixed ``amount_fen`` or a ``rate`` of the base; a rate is rounded half up to the 分 and
    then held to the cap; a fixed amount or a rate above the cap is refused, never cut.
    """
    base = _check_fen(base_fen, "base_fen")
    if (amount_fen is None) == (rate is None):
        raise RequirementInvalid("保证金须给定金额或比例之一", field="amount_fen")
    cap = cap_fen(base, regime)
    limit = STATUTORY_CAP[Regime(regime)]
    if amount_fen is not None:
        amount = _check_fen(amount_fen, "amount_fen")
        if amount > cap:
            raise AboveStatutoryCap(
                f"保证金 {amount} 分超过法定上限 {cap} 分（估算价的 {limit:%}）",
                field="amount_fen")
        return amount
    fraction = _check_rate(rate, "rate")
    if fraction > Fraction(limit):
        raise AboveStatutoryCap(f"保证金比例 {rate} 超过法定上限 {limit}", field="rate")
    return min(_round_half_up(fraction * base), cap)


@dataclass(frozen=True, slots=True)
class RefundEvents:
    """The dates (Beijing calendar days) that start a refund clock; None: not yet."""

    award_notice: date | None = None  # 中标/成交通知书发出
    contract: date | None = None  # 书面合同签订
    withdrawal: date | None = None  # 书面撤回通知 (before the deadline)
    opening: date | None = None  # 开标 (the payer list is known from then on)


def refund_deadline(regime: Regime, cause: RefundCause, events: RefundEvents,
                    calendar: WorkCalendar = WEEKDAYS_ONLY) -> date | None:
    """The last day a refund is on time, or None while the starting event is missing.

    招投标 (实施条例 第五十七条/第三十五条): 5 calendar days after the contract, for winner and
    losers alike; 5 days after a withdrawal. 政府采购 (87号令 第三十八条): 5 working days after
    the award notice for the losers, after the contract for the winner, after the
    withdrawal notice for a withdrawal. A payment that does not count as security (short,
    late, from another account, a duplicate, or from a firm that did not bid) is the
    platform's to return within the same days from the opening [P].
    """
    regime, cause = Regime(regime), RefundCause(cause)
    if cause is RefundCause.NOT_COUNTED:
        start = events.opening
    elif cause is RefundCause.WITHDRAWN:
        start = events.withdrawal
    elif regime is Regime.GOVERNMENT_PROCUREMENT and cause is RefundCause.LOST:
        start = events.award_notice
    else:
        start = events.contract
    if start is None:
        return None
    if regime is Regime.GOVERNMENT_PROCUREMENT:
        return add_working_days(start, REFUND_DAYS, calendar)
    return date.fromordinal(start.toordinal() + REFUND_DAYS)


def interest_fen(principal_fen: int, received: date, refunded: date,
                 annual_rate: Decimal = DEFAULT_ANNUAL_RATE) -> int:
    """Simple interest for the exact days held, ``principal × rate × days / 365``, rounded
    half up to the 分 once (rules §10.2 [P]). The day of receipt counts, the day of refund
    does not: money received and refunded the same day earns nothing."""
    principal = _check_fen(principal_fen, "principal_fen")
    rate = _check_rate(annual_rate, "annual_rate")
    days = (refunded - received).days
    if days < 0:
        raise RefundDateInvalid("退还日期早于到账日期", field="refunded")
    return _round_half_up(principal * rate * days / DAY_BASIS)


@dataclass(frozen=True, slots=True)
class Notification:
    """What a bank's notification says (the fields the bank signs)."""

    reference: str  # 子账号
    amount_fen: int
    payer_name: str
    payer_account: str
    paid_at: datetime  # the bank's booking time, aware


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the platform expects on one sub-account; None when the reference is unknown."""

    required_fen: int
    deadline: datetime
    payer_accounts: frozenset[str]  # the bidder organisation's accounts (基本账户)
    already_paid: bool = False  # an earlier notification on it reconciled as PAID


def reconcile(note: Notification, expected: Expectation | None) -> PaymentState:
    """Classify one notification. The order matters: a payment that is both late and short
    is late, since lateness alone already makes it not count (rules §10.4)."""
    if expected is None:
        return PaymentState.UNKNOWN_REFERENCE
    if note.paid_at.tzinfo is None or expected.deadline.tzinfo is None:
        raise RequirementInvalid("到账时间和截止时间必须带时区", field="paid_at")
    if note.paid_at >= expected.deadline:
        return PaymentState.LATE
    if note.payer_account not in expected.payer_accounts:
        return PaymentState.WRONG_ACCOUNT
    if expected.already_paid:
        return PaymentState.DUPLICATE
    if note.amount_fen < expected.required_fen:
        return PaymentState.SHORT
    return PaymentState.PAID


class ForfeitureGround(StrEnum):
    """The only grounds to keep a deposit (rules §10.3)."""

    WITHDRAWN_AFTER_DEADLINE = "withdrawn_after_deadline"  # 截止后撤销投标（第三十五条）
    REFUSED_CONTRACT = "refused_contract"  # 中标人无正当理由不签合同（第七十四条）
    NO_PERFORMANCE_SECURITY = "no_performance_security"  # 未按要求提交履约保证金（第七十四条）
    TENDER_DOCUMENT_GROUND = "tender_document_ground"  # 招标文件载明且法律允许的其他情形


GROUND_LABELS = MappingProxyType({
    ForfeitureGround.WITHDRAWN_AFTER_DEADLINE: "投标截止后撤销投标文件（实施条例第三十五条）",
    ForfeitureGround.REFUSED_CONTRACT: "中标人无正当理由不与招标人订立合同（实施条例第七十四条）",
    ForfeitureGround.NO_PERFORMANCE_SECURITY:
        "中标人未按招标文件要求提交履约保证金（实施条例第七十四条）",
    ForfeitureGround.TENDER_DOCUMENT_GROUND: "招标文件载明且法律允许的其他情形",
})


def forfeitable(ground: str, cause: RefundCause, statement: str) -> ForfeitureGround:
    """The ground, if it may be applied to a deposit refundable for ``cause``; refused
    otherwise. The two 第七十四条 grounds concern only the winner; a payment that never
    counted as security cannot be kept; an "other" ground must cite the tender document."""
    try:
        ground = ForfeitureGround(ground)
    except ValueError:
        raise ForfeitureRefused("没收理由不在法定情形之内", field="ground") from None
    cause = RefundCause(cause)
    if cause is RefundCause.NOT_COUNTED:
        raise ForfeitureRefused("未计入保证金的缴款只能退还，不能没收", field="ground")
    winner_only = (ForfeitureGround.REFUSED_CONTRACT, ForfeitureGround.NO_PERFORMANCE_SECURITY)
    if ground in winner_only and cause is not RefundCause.WON:
        raise ForfeitureRefused("该理由只适用于中标人", field="ground")
    if ground is ForfeitureGround.WITHDRAWN_AFTER_DEADLINE and cause is RefundCause.WITHDRAWN:
        raise ForfeitureRefused("截止前撤回投标的，保证金应当退还", field="ground")
    if len(statement.strip()) < 10:
        raise ForfeitureRefused("请写明事实和依据（至少 10 个字）", field="statement")
    return ground


class ForfeitureRefused(RuleRefused):
    code = "forfeiture_refused"


def counts(state: PaymentState) -> bool:
    """Only a PAID notification satisfies the requirement; the others are refunded."""
    return PaymentState(state) is PaymentState.PAID
