"""Pure award rules (定标 / 成交): no database, no request, no I/O.

Covers the final-offer round (终次报价, §1), the 竞争性磋商 guards (§2), candidate
counts, and every 评定分离 award method (§3.3) with its vote counting. Section numbers
(§) refer to ``shared/domain/rules.md``.

Conventions are those of the rules kernel, ``trading.rules`` (money in int 分, Decimal scores
quantized once, exact Fraction arithmetic inside, string ids, ``RuleError`` subclasses
for invalid input). Randomness follows the same single design: a function that may end
in a lottery returns (or embeds) a :class:`TieNeedsLottery`; the service runs the
verifiable draw engine on it and calls the function again with the same inputs plus
``drawn=`` (the engine's ordered picks). Passing ``drawn`` when no lottery arises raises
``LotteryMismatch`` — a caller can never slip a draw into a decided result.

Voting is counted one round at a time. ``count_*`` functions receive the complete
ballots of a round and return what happens next: decided, a revote among the tied
(``Revote``), or a lottery. Driving rounds (collecting ballots, publishing tallies) is
the service's job::

    outcome = count_plurality(cands, round1, members=ms)
    if outcome.lottery:              # tie, no revotes allowed: draw, recount round 1
        outcome = count_plurality(cands, round1, members=ms,
                                  drawn=draw(outcome.lottery))
    while outcome.revote:            # revote among the tied, for the open seats
        r = outcome.revote
        ballots = collect_ballots(r.among)
        again = count_plurality(r.among, ballots, members=ms, seats=r.seats,
                                revote_no=r.revote_no)
        if again.lottery:            # still tied after the last revote: draw, recount
            again = count_plurality(r.among, ballots, members=ms, seats=r.seats,
                                    revote_no=r.revote_no, drawn=draw(again.lottery))
        outcome = merge_revote(outcome, again)
    assert outcome.decided
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import combinations

from trading.draws.lottery import LotteryMismatch, resolve_tie
from trading.evaluation.rules import (
    DEFAULT_CONSULTATION,
    ConsultationException,
    ConsultationParams,
    Procedure,
)
from trading.projects.kinds import Regime
from trading.rules import best_price
from trading.rules.errors import (
    EmptyInput,
    ForbiddenInRegime,
    InvalidParameter,
    InvalidValue,
    RuleError,
    UnknownParticipant,
)
from trading.rules.lottery import TieNeedsLottery
from trading.rules.values import as_count, as_ids, as_money, as_score, quantize

# --- errors ---------------------------------------------------------------------------


class OfferOutOfBounds(RuleError):
    """A final offer is below the floor, above the ceiling or above an earlier price."""


class IneligibleOffer(RuleError):
    """An offer comes from a bidder that is not eligible for the final round."""


class NotACandidate(RuleError):
    """A ballot, opinion or decision names someone who is not a candidate."""


class DuplicateBallot(RuleError):
    """A committee member voted a second time in the same round."""


class MissingBallot(RuleError):
    """The round is counted before every committee member has voted."""


class InvalidBallot(RuleError):
    """A ballot has the wrong number of choices, repeats a candidate, or abstains when
    abstention is not allowed."""


class TooFewCandidates(RuleError):
    """The method needs more candidates (or a smaller parameter) than given."""


class MissingDraw(RuleError):
    """A value that must come from the draw engine (a random coefficient) is missing."""


class InvalidAwardPlan(RuleError):
    """The award method or its two-stage combination breaks §3.3; see ``problems``."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


def _candidates(values: Iterable[str], *, minimum: int = 1) -> tuple[str, ...]:
    result = as_ids(values, "candidate")
    if len(result) < minimum:
        raise TooFewCandidates(
            f"need at least {minimum} candidate(s), got {len(result)}"
        )
    return result


def _no_draw_expected(drawn: Sequence[str] | None) -> None:
    if drawn is not None:
        raise LotteryMismatch("no lottery is needed here, but drawn picks were given")


def _lottery(
    candidates: Sequence[str], count: int, reason: str, drawn: Sequence[str] | None
) -> tuple[TieNeedsLottery, tuple[str, ...] | None]:
    """The lottery request and, when ``drawn`` is given, its checked picks."""
    request = TieNeedsLottery(tuple(candidates), count, reason)
    return request, None if drawn is None else resolve_tie(request, drawn)


# --- final offer round (终次报价, §1) -------------------------------------------------


class Reference(enum.StrEnum):
    MEAN_ALL = "mean_all"  # plain mean of all valid offers (Dongguan)
    TRIMMED_MEAN = "trimmed_mean"  # drop 1 highest + 1 lowest when n ≥ trim_min_n


class WinnerRule(enum.StrEnum):
    CLOSEST = "closest"  # closest to the reference (Dongguan)
    CLOSEST_NOT_ABOVE = "closest_not_above"  # highest offer ≤ reference
    LOWEST = "lowest"


class TieBreaker(enum.StrEnum):
    LOTTERY = "lottery"
    EARLIER_SUBMISSION = "earlier_submission"
    LOWER = "lower"
    HIGHER = "higher"


class NoOfferAction(enum.StrEnum):
    LOTTERY_AT_FLOOR = "lottery_at_floor"  # [P] draw among eligible bidders at the cap
    FAIL = "fail"
    FALLBACK = "fallback"  # use the previous-round price ranking


class TooFewAction(enum.StrEnum):
    FAIL = "fail"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class FinalOfferParams:
    """The final-offer part of a RuleProfile; defaults are §8 (Dongguan land).

    A procurement profile typically sets ``window_min=30``, ``min_offers=3`` (state
    funds) and ``too_few=FALLBACK``. The supermarket 最优价中选 variant sets
    ``reference=TRIMMED_MEAN``, ``trim_min_n=3`` and ``coefficient_set`` to 0.95–0.98.
    """

    pause_after_cap_min: int = 15
    eligibility_window_min: int = 5
    window_min: int = 10
    reference: Reference = Reference.MEAN_ALL
    trim_min_n: int = 4  # [I] Gansu drops extremes only with > 3 bids
    coefficient_set: tuple[Decimal, ...] = ()  # reference × K, K drawn from this set
    round_reference_to_fen: bool = False  # supermarket: reference price to 2 dp of 元
    winner_rule: WinnerRule = WinnerRule.CLOSEST
    tie_breaker: TieBreaker = TieBreaker.LOTTERY
    not_above_previous: bool = False  # offer may not exceed the bidder's earlier price
    min_offers: int = 1  # [P] land: a single offer wins; state-funded procurement: 3
    too_few: TooFewAction = TooFewAction.FAIL
    on_no_offer: NoOfferAction = NoOfferAction.LOTTERY_AT_FLOOR

    def __post_init__(self) -> None:
        for name in ("pause_after_cap_min", "eligibility_window_min", "window_min"):
            as_count(getattr(self, name), name, minimum=1)
        as_count(self.min_offers, "min_offers", minimum=1)
        as_count(self.trim_min_n, "trim_min_n", minimum=3)
        for k in self.coefficient_set:
            if not 0 < as_score(k, "coefficient") <= 2:
                raise InvalidParameter(f"coefficient {k} must lie in (0, 2]")
        if len(set(self.coefficient_set)) != len(self.coefficient_set):
            raise InvalidParameter("coefficient_set repeats a value")


DEFAULT_FINAL_OFFER = FinalOfferParams()
LAND_FINAL_OFFER = DEFAULT_FINAL_OFFER  # Dongguan land listing (§1.1–§1.3)
PROCUREMENT_FINAL_OFFER = FinalOfferParams(  # §1.4 table, state funds
    window_min=30,
    min_offers=3,
    too_few=TooFewAction.FALLBACK,
    on_no_offer=NoOfferAction.FALLBACK,
)
SUPERMARKET_BEST_PRICE = FinalOfferParams(  # 中介超市 竞价选取·最优价中选 (§1.4)
    window_min=30,
    reference=Reference.TRIMMED_MEAN,
    trim_min_n=3,
    coefficient_set=(
        Decimal("0.95"),
        Decimal("0.96"),
        Decimal("0.97"),
        Decimal("0.98"),
    ),
    round_reference_to_fen=True,
    min_offers=3,  # state funds; a privately funded purchase sets 1
)


def check_final_offer_use(
    params: FinalOfferParams, *, regime: Regime, award_step: bool = False
) -> None:
    """§1.4: in 政府采购 a closest-to-average final offer may only decide a 评定分离
    price-competition award step, never act as a price-scoring formula (87号令 Art 55,
    214号 Art 24)."""
    averaging = params.winner_rule is not WinnerRule.LOWEST
    if regime is Regime.GOVERNMENT_PROCUREMENT and averaging and not award_step:
        raise ForbiddenInRegime(
            "政府采购: an average-based final offer is only allowed as a 评定分离 "
            "price-competition award step"
        )


@dataclass(frozen=True)
class FinalOffer:
    """One sealed, one-shot final offer (网上最终一次性报价), read after the window."""

    bidder_id: str
    amount_fen: int
    submitted_at: datetime | None = None  # server receipt time, for EARLIER_SUBMISSION
    previous_fen: int | None = (
        None  # the bidder's earlier price, for not_above_previous
    )


class FinalOfferOutcome(enum.StrEnum):
    WINNER = "winner"
    LOTTERY = (
        "lottery"  # run ``lottery`` through the draw engine, call again with drawn
    )
    FAILED = "failed"  # the round fails (流标 / re-procure)
    FALLBACK = "fallback"  # decide on the previous-round prices instead


@dataclass(frozen=True)
class RejectedOffer:
    bidder_id: str
    reason: str


@dataclass(frozen=True)
class FinalOfferResult:
    outcome: FinalOfferOutcome
    winner_id: str | None = None  # 竞得入选人 / 成交人
    price_fen: int | None = None  # the winning offer (or the floor for a no-offer draw)
    reference: Decimal | None = (
        None  # reference price in 分, shown to 2 dp; compared exactly
    )
    counted: tuple[str, ...] = ()  # bidders whose offers formed the reference
    cannot_win: tuple[str, ...] = ()  # offers trimmed from the reference
    rejected: tuple[RejectedOffer, ...] = ()
    lottery: TieNeedsLottery | None = None


def coefficient_draw(params: FinalOfferParams) -> TieNeedsLottery:
    """The lottery that picks the reference coefficient K (§1.4 最优价中选)."""
    if not params.coefficient_set:
        raise InvalidParameter("this profile has no coefficient set")
    return TieNeedsLottery(
        tuple(str(k) for k in params.coefficient_set), 1, "reference coefficient K"
    )


def check_final_offer(
    amount_fen: int,
    *,
    floor_fen: int | None = None,
    ceiling_fen: int | None = None,
    previous_fen: int | None = None,
    params: FinalOfferParams = DEFAULT_FINAL_OFFER,
) -> int:
    """Raise ``OfferOutOfBounds`` unless floor ≤ offer ≤ ceiling (and ≤ earlier price).

    For offers visible on receipt. Sealed offers are only readable after the window, so
    :func:`final_offer_winner` rejects out-of-range ones with a reason instead.
    """
    reason = _range_problem(amount_fen, floor_fen, ceiling_fen, previous_fen, params)
    if reason:
        raise OfferOutOfBounds(reason)
    return amount_fen


def _range_problem(
    amount: int,
    floor: int | None,
    ceiling: int | None,
    previous: int | None,
    params: FinalOfferParams,
) -> str | None:
    as_money(amount, "final offer")
    if floor is not None and amount < as_money(floor, "floor", positive=False):
        return f"offer {amount} 分 is below the floor {floor} 分"
    if ceiling is not None and amount > as_money(ceiling, "ceiling"):
        return f"offer {amount} 分 is above the ceiling {ceiling} 分"
    if params.not_above_previous and previous is not None:
        if amount > as_money(previous, "previous price"):
            return (
                f"offer {amount} 分 is above the bidder's earlier price {previous} 分"
            )
    return None


def final_offer_winner(
    offers: Sequence[FinalOffer],
    params: FinalOfferParams = DEFAULT_FINAL_OFFER,
    *,
    floor_fen: int | None = None,
    ceiling_fen: int | None = None,
    eligible: Sequence[str] | None = None,
    coefficient: Decimal | None = None,
    drawn: Sequence[str] | None = None,
    draws: Sequence[Sequence[str]] = (),
) -> FinalOfferResult:
    """Winner of a final-offer round (§1.3/§1.4).

    Offers outside [floor, ceiling] are rejected (not counted in the reference);
    eligible bidders who offered nothing are simply absent. The reference is the exact
    mean (or trimmed mean) of the valid offers × ``coefficient`` when the profile has a
    coefficient set (draw it first with :func:`coefficient_draw`). Distances are
    compared exactly. Reference, trimming and winner are the one 最优价 rule of
    :mod:`trading.rules.best_price`: a trimmed mean drops exactly one highest and one
    lowest offer, and where it matters which of equal extreme offers was dropped, that is
    a lottery of its own before the tie. ``draws`` is every draw made so far, in order
    (``drawn`` is the one-draw shorthand: the last of them).
    """
    if floor_fen is not None and ceiling_fen is not None and floor_fen > ceiling_fen:
        raise InvalidParameter(
            f"floor {floor_fen} 分 is above ceiling {ceiling_fen} 分"
        )
    _check_offer_set(offers, eligible)
    draws = [*draws, *([drawn] if drawn is not None else [])]
    valid, rejected = _split_offers(offers, floor_fen, ceiling_fen, params)
    if not valid:
        return _no_offer(params, floor_fen, eligible, rejected, _one_draw(draws))
    if len(valid) < params.min_offers:
        _no_draw_expected(_one_draw(draws))
        return FinalOfferResult(_TOO_FEW_OUTCOME[params.too_few], rejected=rejected)
    return _priced(valid, params, _coefficient(params, coefficient), rejected, draws)


_TOO_FEW_OUTCOME = {
    TooFewAction.FAIL: FinalOfferOutcome.FAILED,
    TooFewAction.FALLBACK: FinalOfferOutcome.FALLBACK,
}


def _check_offer_set(
    offers: Sequence[FinalOffer], eligible: Sequence[str] | None
) -> None:
    bidders = as_ids((o.bidder_id for o in offers), "final-offer bidder")
    if eligible is None:
        return
    allowed = set(as_ids(eligible, "eligible bidder"))
    strangers = sorted(set(bidders) - allowed)
    if strangers:
        raise IneligibleOffer(f"not eligible for the final round: {', '.join(strangers)}")


def _split_offers(
    offers: Sequence[FinalOffer],
    floor: int | None,
    ceiling: int | None,
    params: FinalOfferParams,
) -> tuple[list[FinalOffer], tuple[RejectedOffer, ...]]:
    valid, rejected = [], []
    for offer in sorted(offers, key=lambda o: o.bidder_id):
        problem = _range_problem(
            offer.amount_fen, floor, ceiling, offer.previous_fen, params
        )
        if problem:
            rejected.append(RejectedOffer(offer.bidder_id, problem))
        else:
            valid.append(offer)
    return valid, tuple(rejected)


def _no_offer(
    params: FinalOfferParams,
    floor: int | None,
    eligible: Sequence[str] | None,
    rejected: tuple[RejectedOffer, ...],
    drawn: Sequence[str] | None,
) -> FinalOfferResult:
    """No valid final offer: [P] draw among the eligible at the floor (the cap)."""
    action = params.on_no_offer
    if action is NoOfferAction.LOTTERY_AT_FLOOR and eligible and floor is not None:
        if (
            len(eligible) == 1
        ):  # nothing to draw: the only eligible bidder takes the cap
            _no_draw_expected(drawn)
            return FinalOfferResult(
                FinalOfferOutcome.WINNER,
                winner_id=eligible[0],
                price_fen=floor,
                rejected=rejected,
            )
        request, picks = _lottery(eligible, 1, "no final offer: draw at the cap", drawn)
        if picks is None:
            return FinalOfferResult(
                FinalOfferOutcome.LOTTERY, rejected=rejected, lottery=request
            )
        return FinalOfferResult(
            FinalOfferOutcome.WINNER,
            winner_id=picks[0],
            price_fen=floor,
            rejected=rejected,
        )
    _no_draw_expected(drawn)
    outcome = (
        FinalOfferOutcome.FALLBACK
        if action is NoOfferAction.FALLBACK
        else FinalOfferOutcome.FAILED
    )
    return FinalOfferResult(outcome, rejected=rejected)


def _one_draw(draws: list[Sequence[str]]) -> Sequence[str] | None:
    if len(draws) > 1:
        raise LotteryMismatch("only one draw can answer this outcome")
    return draws[0] if draws else None


def _priced(valid: list[FinalOffer], params: FinalOfferParams, coefficient: Fraction,
            rejected: tuple[RejectedOffer, ...], draws: list) -> FinalOfferResult:
    """Reference and winner by the one 最优价 rule (trading.rules.best_price)."""
    by_id = {o.bidder_id: o for o in valid}
    trims = params.reference is Reference.TRIMMED_MEAN
    try:
        priced = best_price.best_price(
            [best_price.Quote(o.bidder_id, o.amount_fen) for o in valid],
            coefficient=coefficient, trim_min_n=params.trim_min_n if trims else None,
            reference_to_fen=params.round_reference_to_fen,
            prefer=_PREFER[params.winner_rule],
            narrow=_narrow(by_id, params.tie_breaker), drawn=draws)
    except best_price.DrawMismatch as error:
        raise LotteryMismatch(str(error)) from None
    result = FinalOfferResult(FinalOfferOutcome.WINNER, reference=quantize(priced.reference),
                              counted=priced.counted, cannot_win=priced.barred,
                              rejected=rejected)
    if priced.lottery is not None:
        lottery = priced.lottery
        request = TieNeedsLottery(lottery.candidates, lottery.keep, _WHY[lottery.kind])
        return replace(result, outcome=FinalOfferOutcome.LOTTERY, lottery=request)
    winner = by_id[priced.winner]
    return replace(result, winner_id=winner.bidder_id, price_fen=winner.amount_fen)


_WHY = {
    best_price.LotteryKind.EXTREME: "equal extreme final offers: which stay counted",
    best_price.LotteryKind.WINNER: "final offers equally close",
}


def _closest_not_above(amounts: tuple[int, ...], reference: Fraction) -> list[int]:
    """The highest amount ≤ the reference; [P] none (a coefficient < 1 can do that): the
    lowest, i.e. the closest from above."""
    not_above = [a for a in amounts if a <= reference]
    return [max(not_above)] if not_above else [min(amounts)]


_PREFER = {
    WinnerRule.CLOSEST: best_price.closest,
    WinnerRule.CLOSEST_NOT_ABOVE: _closest_not_above,
    WinnerRule.LOWEST: lambda amounts, reference: [min(amounts)],
}


def _narrow(by_id: Mapping[str, FinalOffer], breaker: TieBreaker):
    """The profile's deterministic tie-breaker over party ids; None for a lottery."""
    if breaker is TieBreaker.LOTTERY:
        return None
    key = {TieBreaker.LOWER: lambda o: o.amount_fen,
           TieBreaker.HIGHER: lambda o: -o.amount_fen,
           TieBreaker.EARLIER_SUBMISSION: _submitted}[breaker]

    def narrow(tied):
        best = min(key(by_id[i]) for i in tied)
        return [i for i in tied if key(by_id[i]) == best]

    return narrow


def _submitted(offer: FinalOffer) -> datetime:
    if offer.submitted_at is None:
        raise InvalidValue("earlier_submission needs every offer's submitted_at")
    return offer.submitted_at


def _coefficient(params: FinalOfferParams, coefficient: Decimal | None) -> Fraction:
    if not params.coefficient_set:
        if coefficient is not None:
            raise InvalidParameter("this profile uses no coefficient")
        return Fraction(1)
    if coefficient is None:
        raise MissingDraw("draw the reference coefficient first (coefficient_draw)")
    if as_score(coefficient, "coefficient") not in params.coefficient_set:
        raise InvalidParameter(f"coefficient {coefficient} is not in the profile's set")
    return Fraction(coefficient)


# --- 评定分离 parameters and candidate counts (§3) ------------------------------------

BALLOT_NAMES = ("named", "anonymous")


@dataclass(frozen=True)
class AwardParams:
    """The award part of a RuleProfile (§8 ``award.*``; confirm the [P] fields)."""

    n_candidates: int = 3  # 定标候选人 (Shenzhen GP: exactly 3)
    revote_max_before_lottery: int = 2
    elimination_min_rounds: int = 2  # 逐轮票决: rounds parameter, min 2
    nth_lowest_default: int = 3  # 第N低价法
    finalists_default: int = 3  # 票决抽签: vote down to k, then draw
    abstention_allowed: bool = (
        True  # an empty ballot counts as invalid, not as an error
    )
    committee_min_size: int = 5  # [P] 定标委员会, odd
    roster_factor_min: int = 2  # [P] roster ≥ 2 × committee size
    ranked_max_candidates: int = 3  # 实施条例 Art 53: at most 3 ranked candidates
    # §3.2: the 定标报告 shows each member's ballots "named or anonymous per profile".
    ballot_names: str = "named"

    def __post_init__(self) -> None:
        if self.ballot_names not in BALLOT_NAMES:
            raise InvalidParameter(
                f"ballot_names must be one of {', '.join(BALLOT_NAMES)}, "
                f"not {self.ballot_names!r}"
            )
        for name in (
            "n_candidates",
            "elimination_min_rounds",
            "nth_lowest_default",
            "finalists_default",
            "committee_min_size",
            "roster_factor_min",
            "ranked_max_candidates",
        ):
            as_count(getattr(self, name), name, minimum=1)
        as_count(self.revote_max_before_lottery, "revote_max_before_lottery")


DEFAULT_AWARD = AwardParams()

PROFILE_KEYS = {  # §8 key -> (params class, field)
    "final_offer.pause_after_cap_min": ("FinalOfferParams", "pause_after_cap_min"),
    "final_offer.eligibility_window_min": (
        "FinalOfferParams",
        "eligibility_window_min",
    ),
    "final_offer.window_min": ("FinalOfferParams", "window_min"),
    "final_offer.reference": ("FinalOfferParams", "reference"),
    "final_offer.tie_breaker": ("FinalOfferParams", "tie_breaker"),
    "consult.min_final_suppliers": ("ConsultationParams", "min_final_suppliers"),
    "award.n_candidates": ("AwardParams", "n_candidates"),
    "award.revote_max_before_lottery": ("AwardParams", "revote_max_before_lottery"),
    "award.ballot_names": ("AwardParams", "ballot_names"),
    "supermarket.coef_set_best_price": ("FinalOfferParams", "coefficient_set"),
}


def check_candidate_count(
    count: int,
    *,
    qualified: int,
    regime: Regime,
    procedure: Procedure,
    separated: bool = False,
    exception: ConsultationException | None = None,
    award_params: AwardParams = DEFAULT_AWARD,
    consultation_params: ConsultationParams = DEFAULT_CONSULTATION,
) -> int:
    """How many candidates the committee may recommend.

    评定分离: exactly ``n_candidates`` (unranked); 磋商: ≥ 3 ranked (2 under an
    exception); works tender, ranked: 1–3 (实施条例 Art 53); never more than the
    qualified bids.
    """
    as_count(count, "candidate count", minimum=1)
    if count > as_count(qualified, "qualified bids"):
        raise TooFewCandidates(
            f"{count} candidates but only {qualified} qualified bids"
        )
    if separated:
        if count != award_params.n_candidates:
            raise InvalidParameter(
                f"评定分离 needs exactly {award_params.n_candidates} "
                f"candidates, not {count}"
            )
    elif procedure is Procedure.CONSULTATION:
        minimum = (
            consultation_params.min_candidates
            if exception is None
            else consultation_params.min_candidates_exception
        )
        if count < minimum:
            raise TooFewCandidates(
                f"磋商 needs at least {minimum} candidates, got {count}"
            )
    elif regime is Regime.TENDERING and count > award_params.ranked_max_candidates:
        raise InvalidParameter(
            f"{count} ranked candidates, at most "
            f"{award_params.ranked_max_candidates} allowed (实施条例 Art 53)"
        )
    return count


def next_candidate(order: Sequence[str], unavailable: Iterable[str]) -> str | None:
    """Winner declines / bond missing: the next-ranked candidate still available, or
    None (then re-tender; 实施条例 Art 55, 87号令 Art 68)."""
    gone = set(unavailable)
    return next((c for c in _candidates(order) if c not in gone), None)


def check_award_committee(
    size: int, roster_size: int, params: AwardParams = DEFAULT_AWARD
) -> None:
    """定标委员会: odd, ≥ the minimum, drawn from a roster ≥ factor × size. [P]"""
    as_count(size, "committee size")
    as_count(roster_size, "roster size")
    problems = []
    if size < params.committee_min_size:
        problems.append(
            f"{size} members, at least {params.committee_min_size} required"
        )
    if size % 2 == 0:
        problems.append(f"{size} members, the award committee must be odd")
    if roster_size < params.roster_factor_min * size:
        problems.append(
            f"roster of {roster_size} is below {params.roster_factor_min} × {size}"
        )
    if problems:
        raise InvalidAwardPlan(problems)


def award_chair(heads: Sequence[str], excluded: Mapping[str, Sequence[str]],
                requested: str | None = None) -> str:
    """Who chairs the 定标委员会 (§3.2: the legal representative or head may sit as chair).

    ``heads`` are the roster members marked as such, ``excluded`` the members withdrawn
    for a conflict (with reasons). The requested head, or the only eligible one; a
    conflicted head never chairs.
    """
    roster = as_ids(heads, "head")
    if requested is not None:
        if requested not in roster:
            raise InvalidParameter(
                f"{requested!r} is not a legal representative or head on the roster"
            )
        if requested in excluded:
            raise InvalidParameter(
                f"{requested!r} must withdraw: {'; '.join(excluded[requested])}"
            )
        return requested
    eligible = [h for h in roster if h not in excluded]
    if len(eligible) != 1:
        raise InvalidParameter(
            "no eligible legal representative or head on the roster" if not eligible
            else f"{len(eligible)} eligible heads: choose the chair"
        )
    return eligible[0]


# --- ballots and vote counting (§3.3 a, c, d, e) --------------------------------------


@dataclass(frozen=True)
class MemberBallot:
    """One member's ballot in one round; empty ``choices`` is an abstention (弃权).

    Plurality: one choice. Multi-vote elimination: exactly m distinct choices.
    Cumulative voting: a candidate repeated n times receives n stacked votes.
    """

    member_id: str
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A bare string would be read letter by letter as several votes.
        if isinstance(self.choices, str):
            raise InvalidBallot(f"member {self.member_id!r}: choices must be a tuple")
        object.__setattr__(self, "choices", tuple(self.choices))


@dataclass(frozen=True)
class Revote:
    among: tuple[str, ...]  # the tied candidates, sorted
    seats: int  # how many of them the revote must choose
    revote_no: int  # pass this as ``revote_no`` when counting the revote


@dataclass(frozen=True)
class VoteOutcome:
    tally: tuple[tuple[str, int], ...]  # every candidate, most votes first, then by id
    invalid: int  # abstentions
    seats: int
    selected: tuple[str, ...]  # chosen so far, best first
    revote: Revote | None = None
    lottery: TieNeedsLottery | None = None

    @property
    def decided(self) -> bool:
        return len(self.selected) == self.seats

    @property
    def winner(self) -> str | None:
        return self.selected[0] if self.decided and self.seats == 1 else None


def _count_round(
    candidates: Sequence[str],
    ballots: Sequence[MemberBallot],
    members: Sequence[str],
    *,
    max_choices: int,
    exact: bool,
    stacking: bool,
    params: AwardParams,
) -> tuple[Counter, int]:
    """Validate a complete round of ballots and count the votes."""
    cands = set(_candidates(candidates))
    roster = set(as_ids(members, "committee member"))
    if not roster:
        raise EmptyInput("the award committee has no members")
    tally: Counter = Counter(dict.fromkeys(cands, 0))
    voted: set[str] = set()
    invalid = 0
    for ballot in ballots:
        _check_voter(ballot, roster, voted)
        if not ballot.choices:
            if not params.abstention_allowed:
                raise InvalidBallot(
                    f"member {ballot.member_id!r} must vote (no abstention)"
                )
            invalid += 1
            continue
        _check_choices(ballot, cands, max_choices, exact, stacking)
        tally.update(ballot.choices)
    missing = sorted(roster - voted)
    if missing:
        raise MissingBallot(f"members still to vote: {', '.join(missing)}")
    return tally, invalid


def _check_voter(ballot: MemberBallot, roster: set[str], voted: set[str]) -> None:
    if ballot.member_id not in roster:
        raise UnknownParticipant(f"{ballot.member_id!r} is not on the award committee")
    if ballot.member_id in voted:
        raise DuplicateBallot(
            f"member {ballot.member_id!r} already voted in this round"
        )
    voted.add(ballot.member_id)


def _check_choices(
    ballot: MemberBallot, cands: set[str], max_choices: int, exact: bool, stacking: bool
) -> None:
    strangers = sorted(set(ballot.choices) - cands)
    if strangers:
        raise NotACandidate(
            f"member {ballot.member_id!r} voted for non-candidate(s) "
            f"{', '.join(strangers)}"
        )
    if not stacking and len(set(ballot.choices)) != len(ballot.choices):
        raise InvalidBallot(f"member {ballot.member_id!r} named a candidate twice")
    n = len(ballot.choices)
    if n > max_choices or (exact and n != max_choices):
        expected = f"exactly {max_choices}" if exact else f"at most {max_choices}"
        raise InvalidBallot(
            f"member {ballot.member_id!r} cast {n} votes, {expected} allowed"
        )


def _levels(scores: Mapping[str, int | Fraction]) -> list[list[str]]:
    """Candidates grouped by equal score, highest first, ids sorted in a group."""
    by_score: dict = {}
    for cand, score in scores.items():
        by_score.setdefault(score, []).append(cand)
    return [sorted(by_score[s]) for s in sorted(by_score, reverse=True)]


def _split_seats(
    scores: Mapping[str, int | Fraction], seats: int
) -> tuple[tuple[str, ...], tuple[str, ...], int]:
    """(sure of a seat, tied at the boundary, seats left for the tied group)."""
    sure: list[str] = []
    for level in _levels(scores):
        if len(sure) + len(level) <= seats:
            sure += level
            if len(sure) == seats:
                break
        else:
            return tuple(sure), tuple(level), seats - len(sure)
    return tuple(sure), (), 0


def _sorted_tally(tally: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))


def _vote_outcome(
    tally: Mapping[str, int],
    invalid: int,
    *,
    seats: int,
    revote_no: int,
    drawn: Sequence[str] | None,
    params: AwardParams,
) -> VoteOutcome:
    """Seats go to the most votes; a boundary tie is revoted, then drawn (§3.3 a)."""
    if not 1 <= seats <= len(tally):
        raise InvalidParameter(
            f"cannot fill {seats} seat(s) from {len(tally)} candidates"
        )
    sure, tied, left = _split_seats(tally, seats)
    base = VoteOutcome(_sorted_tally(tally), invalid, seats, sure)
    if not tied:
        _no_draw_expected(drawn)
        return base
    if revote_no < params.revote_max_before_lottery:
        _no_draw_expected(drawn)
        return replace(base, revote=Revote(tied, left, revote_no + 1))
    request, picks = _lottery(tied, left, "vote tie after the last revote", drawn)
    if picks is None:
        return replace(base, lottery=request)
    return replace(base, selected=sure + picks)


def count_plurality(
    candidates: Sequence[str],
    ballots: Sequence[MemberBallot],
    *,
    members: Sequence[str],
    seats: int = 1,
    revote_no: int = 0,
    drawn: Sequence[str] | None = None,
    params: AwardParams = DEFAULT_AWARD,
) -> VoteOutcome:
    """直接票决 / 简单多数法: one vote each; the most votes win ``seats`` (1, or k for
    票决抽签 finalists). Ties at the boundary: revote among the tied (up to
    ``revote_max_before_lottery`` times, count ``revote_no``), then a lottery."""
    as_count(revote_no, "revote_no")
    tally, invalid = _count_round(
        candidates,
        ballots,
        members,
        max_choices=1,
        exact=False,
        stacking=False,
        params=params,
    )
    return _vote_outcome(
        tally, invalid, seats=seats, revote_no=revote_no, drawn=drawn, params=params
    )


def count_cumulative(
    candidates: Sequence[str],
    ballots: Sequence[MemberBallot],
    *,
    members: Sequence[str],
    votes_per_member: int | None = None,
    seats: int = 1,
    revote_no: int = 0,
    drawn: Sequence[str] | None = None,
    params: AwardParams = DEFAULT_AWARD,
) -> VoteOutcome:
    """累积投票法: each member has V votes (default candidates − 1) to spread or stack;
    the highest total wins; ties as in plurality (revote, then lottery)."""
    cands = _candidates(candidates, minimum=2)
    v = len(cands) - 1 if votes_per_member is None else votes_per_member
    as_count(v, "votes_per_member", minimum=1)
    as_count(revote_no, "revote_no")
    tally, invalid = _count_round(
        cands,
        ballots,
        members,
        max_choices=v,
        exact=False,
        stacking=True,
        params=params,
    )
    return _vote_outcome(
        tally, invalid, seats=seats, revote_no=revote_no, drawn=drawn, params=params
    )


def merge_revote(first: VoteOutcome, revote: VoteOutcome) -> VoteOutcome:
    """Fold a revote's result back into the vote that asked for it."""
    if first.revote is None:
        raise InvalidParameter("the first outcome asked for no revote")
    if set(c for c, _ in revote.tally) != set(first.revote.among):
        raise InvalidParameter("the revote was not held among the tied candidates")
    if revote.seats != first.revote.seats:
        raise InvalidParameter("the revote filled a different number of seats")
    return replace(
        revote,
        seats=first.seats,
        selected=first.selected + revote.selected,
    )


class ElimNext(enum.StrEnum):
    DONE = "done"  # ``remaining`` has exactly ``target`` candidates
    NEXT_ROUND = "next_round"
    REVOTE = "revote"  # vote among ``revote.among`` (count_plurality) for its seats
    LOTTERY = "lottery"
    FINAL_PLURALITY = "final_plurality"  # rounds used up: plurality among the rest


@dataclass(frozen=True)
class EliminationOutcome:
    tally: tuple[tuple[str, int], ...]
    invalid: int
    eliminated: tuple[str, ...]
    remaining: tuple[str, ...]
    next: ElimNext
    revote: Revote | None = None
    lottery: TieNeedsLottery | None = None


def count_elimination_round(
    candidates: Sequence[str],
    ballots: Sequence[MemberBallot],
    *,
    members: Sequence[str],
    target: int = 1,
    votes_per_member: int = 1,
    round_no: int = 1,
    max_rounds: int | None = None,
    drawn: Sequence[str] | None = None,
    params: AwardParams = DEFAULT_AWARD,
) -> EliminationOutcome:
    """逐轮票决 / 逐轮淘汰: one round; the fewest-voted are eliminated (§3.3 c).

    If eliminating every fewest-voted candidate would leave fewer than ``target``,
    nobody is eliminated and the tied group is revoted (count_plurality with
    ``revote.seats``, then :func:`survivors_after_revote`) — or drawn when no revotes
    are allowed.
    """
    cands = _candidates(candidates, minimum=2)
    as_count(target, "target", minimum=1)
    if target >= len(cands):
        raise TooFewCandidates(f"{len(cands)} candidates cannot be reduced to {target}")
    if not 1 <= votes_per_member < len(cands):
        raise InvalidParameter(f"votes per member must lie in [1, {len(cands) - 1}]")
    _check_rounds(round_no, max_rounds, params)
    tally, invalid = _count_round(
        cands,
        ballots,
        members,
        max_choices=votes_per_member,
        exact=True,
        stacking=False,
        params=params,
    )
    fewest = _levels(tally)[-1]
    kept = tuple(sorted(c for c in cands if c not in fewest))
    result = EliminationOutcome(
        _sorted_tally(tally), invalid, (), tuple(sorted(cands)), ElimNext.REVOTE
    )
    if len(kept) >= target:
        _no_draw_expected(drawn)
        step = _after_elimination(len(kept), target, round_no, max_rounds)
        return replace(result, eliminated=tuple(fewest), remaining=kept, next=step)
    return _elimination_tie(result, fewest, kept, target - len(kept), drawn, params)


def _elimination_tie(
    result: EliminationOutcome,
    fewest: list[str],
    kept: tuple[str, ...],
    keep: int,
    drawn: Sequence[str] | None,
    params: AwardParams,
) -> EliminationOutcome:
    """Only ``keep`` of the fewest-voted may survive: revote among them, or draw."""
    if params.revote_max_before_lottery > 0:
        _no_draw_expected(drawn)
        return replace(result, revote=Revote(tuple(fewest), keep, 1))
    request, picks = _lottery(fewest, keep, "elimination tie", drawn)
    if picks is None:
        return replace(result, next=ElimNext.LOTTERY, lottery=request)
    return replace(
        result,
        eliminated=tuple(c for c in fewest if c not in picks),
        remaining=tuple(sorted(kept + picks)),
        next=ElimNext.DONE,
    )


def _check_rounds(round_no: int, max_rounds: int | None, params: AwardParams) -> None:
    as_count(round_no, "round_no", minimum=1)
    if max_rounds is None:
        return
    if as_count(max_rounds, "max_rounds") < params.elimination_min_rounds:
        raise InvalidParameter(
            f"逐轮票决 needs at least {params.elimination_min_rounds} rounds, "
            f"not {max_rounds}"
        )
    if round_no > max_rounds:
        raise InvalidParameter(f"round {round_no} is past the last round {max_rounds}")


def _after_elimination(
    remaining: int, target: int, round_no: int, max_rounds: int | None
) -> ElimNext:
    if remaining == target:
        return ElimNext.DONE
    if max_rounds is not None and round_no >= max_rounds:
        return ElimNext.FINAL_PLURALITY
    return ElimNext.NEXT_ROUND


def survivors_after_revote(
    step: EliminationOutcome, revote: VoteOutcome
) -> tuple[str, ...]:
    """Remaining candidates once the revote of an elimination tie is decided."""
    if step.revote is None or not revote.decided:
        raise InvalidParameter("need an elimination revote and its decided result")
    if set(c for c, _ in revote.tally) != set(step.revote.among):
        raise InvalidParameter("the revote was not held among the tied candidates")
    safe = [c for c in step.remaining if c not in step.revote.among]
    return tuple(sorted(safe + list(revote.selected)))


# --- 一对一比较法 (pairwise comparison, §3.3 b) ---------------------------------------


@dataclass(frozen=True)
class PairPreference:
    member_id: str
    first: str
    second: str
    preferred: str  # first or second


@dataclass(frozen=True)
class PairResult:
    first: str  # the smaller id of the pair
    second: str
    first_votes: int
    second_votes: int
    winner: str | None  # None when the pair is split evenly (even committee)


@dataclass(frozen=True)
class PairwiseOutcome:
    wins: tuple[tuple[str, int], ...]  # pairs won, most first
    pairs: tuple[PairResult, ...]
    winner: str | None = None
    lottery: TieNeedsLottery | None = None
    selected: tuple[str, ...] = ()  # as a first stage: the finalists that go on


def count_pairwise(
    candidates: Sequence[str],
    preferences: Sequence[PairPreference],
    *,
    members: Sequence[str],
    drawn: Sequence[str] | None = None,
) -> PairwiseOutcome:
    """Each member prefers one of every pair; a pair goes to its majority; the most
    pairs won wins. Equal wins: pairs won among the tied only (head-to-head), then
    a lottery."""
    cands = tuple(sorted(_candidates(candidates, minimum=2)))
    roster = as_ids(members, "committee member")
    if not roster:
        raise EmptyInput("the award committee has no members")
    votes = _pair_votes(cands, preferences, set(roster))
    pairs = tuple(
        _pair_result(a, b, votes, len(roster)) for a, b in combinations(cands, 2)
    )
    wins = _wins(cands, pairs)
    top = _levels(wins)[0]
    if len(top) > 1:  # head-to-head among the tied
        top = _levels(
            _wins(top, [p for p in pairs if {p.first, p.second} <= set(top)])
        )[0]
    outcome = PairwiseOutcome(_sorted_tally(wins), pairs)
    if len(top) == 1:
        _no_draw_expected(drawn)
        return replace(outcome, winner=top[0])
    request, picks = _lottery(top, 1, "pairwise comparison tie", drawn)
    if picks is None:
        return replace(outcome, lottery=request)
    return replace(outcome, winner=picks[0])


def count_pairwise_finalists(
    candidates: Sequence[str],
    preferences: Sequence[PairPreference],
    *,
    members: Sequence[str],
    seats: int,
    drawn: Sequence[str] | None = None,
) -> PairwiseOutcome:
    """一对一比较法 as a first stage: the ``seats`` candidates with the most pairs won go
    on (``selected``). A tie across the cut is settled by the pairs won among the tied
    only (head-to-head), then by a lottery — the same order as for a single winner."""
    cands = tuple(sorted(_candidates(candidates, minimum=2)))
    if not 1 <= as_count(seats, "seats") < len(cands):
        raise InvalidParameter(f"{seats} finalists out of {len(cands)} candidates")
    roster = as_ids(members, "committee member")
    if not roster:
        raise EmptyInput("the award committee has no members")
    votes = _pair_votes(cands, preferences, set(roster))
    pairs = tuple(
        _pair_result(a, b, votes, len(roster)) for a, b in combinations(cands, 2)
    )
    wins = _wins(cands, pairs)
    outcome = PairwiseOutcome(_sorted_tally(wins), pairs)
    sure, tied, left = _split_seats(wins, seats)
    if tied:
        among = [p for p in pairs if {p.first, p.second} <= set(tied)]
        more, tied, left = _split_seats(_wins(tied, among), left)
        sure += more
    if not tied:
        _no_draw_expected(drawn)
        return replace(outcome, selected=sure)
    request, picks = _lottery(tied, left, "pairwise comparison tie at the cut", drawn)
    if picks is None:
        return replace(outcome, selected=sure, lottery=request)
    return replace(outcome, selected=sure + picks)


def _pair_votes(
    cands: tuple[str, ...], preferences: Sequence[PairPreference], roster: set[str]
) -> Counter:
    """Validate: every member states exactly one preference on every pair."""
    seen: set[tuple[str, frozenset]] = set()
    votes: Counter = Counter()
    for p in preferences:
        if p.member_id not in roster:
            raise UnknownParticipant(f"{p.member_id!r} is not on the award committee")
        pair = frozenset((p.first, p.second))
        strangers = sorted(pair - set(cands))
        if len(pair) != 2 or strangers:
            raise NotACandidate(
                f"{p.member_id!r} compared a non-candidate pair {sorted(pair)}"
            )
        if p.preferred not in pair:
            raise InvalidBallot(
                f"{p.member_id!r} preferred {p.preferred!r} outside its pair"
            )
        if (p.member_id, pair) in seen:
            raise DuplicateBallot(f"{p.member_id!r} compared {sorted(pair)} twice")
        seen.add((p.member_id, pair))
        votes[(pair, p.preferred)] += 1
    expected = len(roster) * len(cands) * (len(cands) - 1) // 2
    if len(seen) != expected:
        raise MissingBallot(
            f"{expected - len(seen)} pairwise preference(s) still missing"
        )
    return votes


def _pair_result(a: str, b: str, votes: Counter, n_members: int) -> PairResult:
    pair = frozenset((a, b))
    va, vb = votes[(pair, a)], votes[(pair, b)]
    winner = a if 2 * va > n_members else b if 2 * vb > n_members else None
    return PairResult(a, b, va, vb, winner)


def _wins(cands: Iterable[str], pairs: Iterable[PairResult]) -> dict[str, int]:
    wins = dict.fromkeys(cands, 0)
    for p in pairs:
        if p.winner is not None:
            wins[p.winner] += 1
    return wins


# --- lotteries (§3.3 e, f) ------------------------------------------------------------


@dataclass(frozen=True)
class LotteryOutcome:
    selected: tuple[str, ...] = ()  # in draw order
    lottery: TieNeedsLottery | None = None

    @property
    def decided(self) -> bool:
        return self.lottery is None


def direct_lottery(
    candidates: Sequence[str],
    *,
    draw_count: int = 1,
    second_stage: bool = False,
    drawn: Sequence[str] | None = None,
) -> LotteryOutcome:
    """直接抽签法: draw ``draw_count`` (< candidates; > 1 before a second stage)."""
    cands = _candidates(candidates, minimum=2)
    as_count(draw_count, "draw_count", minimum=1)
    if draw_count >= len(cands):
        raise InvalidParameter(
            f"draw count {draw_count} must be smaller than the {len(cands)} candidates"
        )
    if second_stage and draw_count <= 1:
        raise InvalidParameter("a lottery before a second stage must draw more than 1")
    request, picks = _lottery(cands, draw_count, "direct lottery (直接抽签)", drawn)
    return LotteryOutcome(lottery=request) if picks is None else LotteryOutcome(picks)


def finalists_lottery(
    finalists: Sequence[str], *, drawn: Sequence[str] | None = None
) -> LotteryOutcome:
    """票决抽签, second half: draw the winner among the finalists the vote produced."""
    return direct_lottery(finalists, draw_count=1, drawn=drawn)


# --- 价格竞争定标 (price competition, §3.3 g) -----------------------------------------


class PriceMethod(enum.StrEnum):
    LOWEST = "lowest"  # 最低投标价法
    SECOND_LOWEST = "second_lowest"  # 次低价法
    CLOSEST_TO_MEAN = "closest_to_mean"  # 平均值法
    NTH_LOWEST = "nth_lowest"  # 第N低价法


@dataclass(frozen=True)
class PriceAwardResult:
    winner: str | None
    price_fen: int | None
    tied: tuple[str, ...]  # candidates the rule could not separate (before the draw)
    reference: Decimal | None = None  # the mean, for CLOSEST_TO_MEAN (分, 2 dp)
    lottery: TieNeedsLottery | None = None


def price_competition(
    prices: Mapping[str, int],
    method: PriceMethod,
    *,
    n: int | None = None,
    drawn: Sequence[str] | None = None,
    params: AwardParams = DEFAULT_AWARD,
) -> PriceAwardResult:
    """Pick the winner by price among candidates; equal prices → lottery.

    N-th lowest is positional: sort all prices, take the N-th; every candidate offering
    that price is tied (100, 100, 120 → the 2nd lowest price is 100). Abnormally low
    prices must have passed the §4.7 review before this is called.
    """
    checked = _prices(prices)
    reference = None
    if method is PriceMethod.CLOSEST_TO_MEAN:
        mean = Fraction(sum(checked.values()), len(checked))
        reference = quantize(mean)
        distance = {c: abs(p - mean) for c, p in checked.items()}
        best = min(distance.values())
        tied = [c for c in checked if distance[c] == best]
    else:
        position = _position(method, n, len(checked), params)
        target = sorted(checked.values())[position - 1]
        tied = [c for c, p in checked.items() if p == target]
    tied = sorted(tied)
    result = PriceAwardResult(None, None, tuple(tied), reference)
    if len(tied) > 1:
        request, picks = _lottery(tied, 1, f"price competition tie ({method})", drawn)
        if picks is None:
            return replace(result, lottery=request)
        tied = list(picks)
    else:
        _no_draw_expected(drawn)
    return replace(result, winner=tied[0], price_fen=checked[tied[0]])


def _prices(prices: Mapping[str, int]) -> dict[str, int]:
    _candidates(prices.keys())
    return {c: as_money(p, f"price of {c!r}") for c, p in prices.items()}


def _position(
    method: PriceMethod, n: int | None, count: int, params: AwardParams
) -> int:
    position = {
        PriceMethod.LOWEST: 1,
        PriceMethod.SECOND_LOWEST: 2,
        PriceMethod.NTH_LOWEST: params.nth_lowest_default if n is None else n,
    }[method]
    as_count(position, "N", minimum=1)
    if position > count:
        raise TooFewCandidates(
            f"{method} needs at least {position} candidates, got {count}"
        )
    return position


def lowest_n(
    prices: Mapping[str, int], n: int, *, drawn: Sequence[str] | None = None
) -> LotteryOutcome:
    """第N低价 as stage 1: the N lowest prices go on; a tie across the cut is drawn."""
    checked = _prices(prices)
    as_count(n, "N", minimum=1)
    if n > len(checked):
        raise TooFewCandidates(f"cannot keep the {n} lowest of {len(checked)} prices")
    sure, tied, left = _split_seats({c: -p for c, p in checked.items()}, n)
    if not tied:
        _no_draw_expected(drawn)
        return LotteryOutcome(sure)
    request, picks = _lottery(tied, left, "tie at the N-th lowest price", drawn)
    return (
        LotteryOutcome(sure, request) if picks is None else LotteryOutcome(sure + picks)
    )


def check_decrement_step(step_fen: int, prices: Mapping[str, int]) -> int:
    """Descending auction 降幅: positive 分, smaller than every candidate price."""
    step = as_money(step_fen, "decrement step")
    checked = _prices(prices)
    if step >= min(checked.values()):
        raise InvalidParameter(
            f"decrement step {step} 分 must be smaller than every price "
            f"(lowest {min(checked.values())} 分)"
        )
    return step



# --- 降价竞价: timed online descending auction (§3.3 g, §1.4) ------------------------


class AuctionRefused(RuleError):
    """A bid the auction cannot take (the subclass says why)."""


class AuctionClosed(AuctionRefused):
    pass


class OffStepGrid(AuctionRefused):
    pass


class BelowFloor(AuctionRefused):
    pass


class NotBelowCurrent(AuctionRefused):
    pass


class AlreadyLowestBid(AuctionRefused):
    pass


@dataclass(frozen=True)
class AuctionParams:
    """The auction part of a RuleProfile [P: confirm with the trading center]."""

    idle_minutes: int = 5  # the auction ends this long after the last bid (or the start)
    max_minutes: int = 60  # and never later than this after the start
    floor_permille: int = 800  # no bid below this share of the starting price

    def __post_init__(self) -> None:
        as_count(self.idle_minutes, "idle_minutes", minimum=1)
        as_count(self.max_minutes, "max_minutes", minimum=1)
        if self.idle_minutes > self.max_minutes:
            raise InvalidParameter("idle_minutes cannot exceed max_minutes")
        if not 0 <= as_count(self.floor_permille, "floor_permille") < 1000:
            raise InvalidParameter("floor_permille must be 0..999")


DEFAULT_AUCTION = AuctionParams()


@dataclass(frozen=True)
class AuctionBid:
    bidder: str
    amount_fen: int
    at: datetime


@dataclass(frozen=True)
class Auction:
    """The auction as the rules see it: prices start at the lowest opened candidate
    price and only go down, by whole decrement steps, to the floor."""

    candidates: tuple[str, ...]
    start_fen: int
    step_fen: int
    floor_fen: int
    opened_at: datetime
    hard_end: datetime
    idle: timedelta
    bids: tuple[AuctionBid, ...] = ()

    @property
    def current_fen(self) -> int:
        return self.bids[-1].amount_fen if self.bids else self.start_fen

    @property
    def leader(self) -> str | None:
        return self.bids[-1].bidder if self.bids else None

    @property
    def ends_at(self) -> datetime:
        last = self.bids[-1].at if self.bids else self.opened_at
        return min(last + self.idle, self.hard_end)


def open_auction(
    prices: Mapping[str, int],
    step_fen: int,
    opened_at: datetime,
    params: AuctionParams = DEFAULT_AUCTION,
) -> Auction:
    """Start at the lowest opened price; the step must be smaller than every price."""
    checked = _prices(prices)
    if len(checked) < 2:
        raise TooFewCandidates("a descending auction needs at least 2 candidates")
    step = check_decrement_step(step_fen, checked)
    start = min(checked.values())
    floor = max(step, start * params.floor_permille // 1000)
    return Auction(candidates=tuple(sorted(checked)), start_fen=start, step_fen=step,
                   floor_fen=floor, opened_at=opened_at,
                   hard_end=opened_at + timedelta(minutes=params.max_minutes),
                   idle=timedelta(minutes=params.idle_minutes))


def place_bid(auction: Auction, bidder: str, amount_fen: int, at: datetime) -> Auction:
    """A valid bid is current − k × step (k ≥ 1), not below the floor, by a candidate
    that does not already hold the lowest price, before the auction ends."""
    if bidder not in auction.candidates:
        raise NotACandidate(f"{bidder!r} is not a candidate of this auction")
    amount = as_money(amount_fen, "bid")
    if at >= auction.ends_at:
        raise AuctionClosed(f"the auction ended at {auction.ends_at.isoformat()}")
    if bidder == auction.leader:
        raise AlreadyLowestBid(f"{bidder!r} already holds the lowest price")
    current = auction.current_fen
    if amount >= current:
        raise NotBelowCurrent(f"{amount} 分 is not below the current price {current} 分")
    if (current - amount) % auction.step_fen:
        raise OffStepGrid(
            f"{amount} 分 is not the current price {current} 分 minus a whole number of "
            f"steps of {auction.step_fen} 分"
        )
    if amount < auction.floor_fen:
        raise BelowFloor(f"{amount} 分 is below the floor {auction.floor_fen} 分")
    return replace(auction, bids=(*auction.bids, AuctionBid(bidder, amount, at)))


def auction_is_over(auction: Auction, now: datetime) -> bool:
    return now >= auction.ends_at


def auction_prices(auction: Auction, opened: Mapping[str, int]) -> dict[str, int]:
    """Each candidate's final price: its lowest auction bid, else its opened price. The
    stage's price method (lowest, second lowest, …) is then applied to these."""
    final = dict(_prices(opened))
    for bid in auction.bids:
        final[bid.bidder] = min(final[bid.bidder], bid.amount_fen)
    return final


# --- 集体议事法 (collective deliberation, §3.3 h) -------------------------------------


@dataclass(frozen=True)
class Opinion:
    member_id: str
    candidate_id: str
    reason: str


@dataclass(frozen=True)
class CollectiveDecision:
    winner: str
    chair_id: str
    opinions: tuple[Opinion, ...]  # every member's recorded opinion, by member id


def collective_decision(
    candidates: Sequence[str],
    opinions: Sequence[Opinion],
    *,
    members: Sequence[str],
    chair_id: str,
    chair_choice: str,
) -> CollectiveDecision:
    """Every member records an opinion with reasons; the chair decides and signs."""
    cands = set(_candidates(candidates))
    roster = set(as_ids(members, "committee member"))
    if chair_id not in roster:
        raise UnknownParticipant(f"chair {chair_id!r} is not on the award committee")
    if chair_choice not in cands:
        raise NotACandidate(f"the chair chose {chair_choice!r}, not a candidate")
    by_member: dict[str, Opinion] = {}
    for op in opinions:
        if op.member_id not in roster:
            raise UnknownParticipant(f"{op.member_id!r} is not on the award committee")
        if op.member_id in by_member:
            raise DuplicateBallot(f"member {op.member_id!r} recorded two opinions")
        if op.candidate_id not in cands:
            raise NotACandidate(
                f"{op.member_id!r} supports non-candidate {op.candidate_id!r}"
            )
        if not op.reason or not op.reason.strip():
            raise InvalidBallot(f"member {op.member_id!r} gave no reason")
        by_member[op.member_id] = op
    missing = sorted(roster - set(by_member))
    if missing:
        raise MissingBallot(f"opinions still missing from: {', '.join(missing)}")
    ordered = tuple(by_member[m] for m in sorted(by_member))
    return CollectiveDecision(winner=chair_choice, chair_id=chair_id, opinions=ordered)


# --- award methods and two-stage plans (§3.3) -----------------------------------------


class DecisionMethod(enum.StrEnum):
    """定标方法: how a 评定分离 committee picks the winner among the candidates (§3.3);
    whether the project separates award from evaluation is `projects.kinds.AwardMethod`."""

    DIRECT_LOTTERY = "direct_lottery"  # 直接抽签法
    PLURALITY = "plurality"  # 直接票决法 / 简单多数法
    PAIRWISE = "pairwise"  # 一对一比较法
    ROUND_ELIMINATION = "round_elimination"  # 逐轮票决法 / 逐轮淘汰
    CUMULATIVE = "cumulative"  # 累积投票法
    VOTE_THEN_LOTTERY = "vote_then_lottery"  # 票决抽签
    PRICE_LOWEST = "price_lowest"  # 最低投标价法
    PRICE_SECOND_LOWEST = "price_second_lowest"  # 次低价法
    PRICE_CLOSEST_TO_MEAN = "price_closest_to_mean"  # 平均值法
    PRICE_NTH_LOWEST = "price_nth_lowest"  # 第N低价法
    COLLECTIVE = "collective"  # 集体议事法


class BallotKind(enum.StrEnum):
    """What a member fills in for one round of a vote method (a round's `kind`)."""

    PLURALITY = "plurality"  # 选择候选人（直接票决、票决抽签、重新投票）
    CUMULATIVE = "cumulative"  # 累积票：每人 n−1 票
    ELIMINATION = "elimination"  # 逐轮票决：淘汰得票最少者
    PAIRWISE = "pairwise"  # 一对一比较：每对选一
    COLLECTIVE = "collective"  # 集体议事：意见与理由，主任委员决定


_VOTE_METHODS = {
    DecisionMethod.PLURALITY,
    DecisionMethod.PAIRWISE,
    DecisionMethod.ROUND_ELIMINATION,
    DecisionMethod.CUMULATIVE,
}
_PRICE_METHODS = {
    DecisionMethod.PRICE_LOWEST,
    DecisionMethod.PRICE_SECOND_LOWEST,
    DecisionMethod.PRICE_CLOSEST_TO_MEAN,
    DecisionMethod.PRICE_NTH_LOWEST,
}
_SINGLE_WINNER_PRICE = {
    DecisionMethod.PRICE_LOWEST,
    DecisionMethod.PRICE_SECOND_LOWEST,
    DecisionMethod.PRICE_CLOSEST_TO_MEAN,
}


@dataclass(frozen=True)
class AwardStage:
    """One stage of the award method set in the tender documents."""

    method: DecisionMethod
    draw_count: int = 1  # DIRECT_LOTTERY: how many to draw
    n: int | None = None  # PRICE_NTH_LOWEST: N (default AwardParams.nth_lowest_default)
    rounds: int | None = None  # ROUND_ELIMINATION: maximum rounds (≥ 2)
    finalists: int | None = (
        None  # vote methods before a 2nd stage / VOTE_THEN_LOTTERY: k
    )
    descending_auction: bool = False  # price methods run as a timed descending auction
    step_fen: int | None = None  # the auction's decrement step (降幅), 分


def check_award_plan(
    stage1: AwardStage,
    stage2: AwardStage | None = None,
    *,
    n_candidates: int,
    params: AwardParams = DEFAULT_AWARD,
) -> int:
    """Validate an award method or two-stage combination; return how many candidates the
    final stage chooses among. All problems are reported together (InvalidAwardPlan)."""
    if as_count(n_candidates, "n_candidates") < 2:
        raise TooFewCandidates("an award method needs at least 2 candidates")
    problems: list[str] = []
    if stage2 is None:
        _stage_problems(stage1, n_candidates, final=True, params=params, out=problems)
        entrants = n_candidates
    else:
        entrants = _stage_problems(
            stage1, n_candidates, final=False, params=params, out=problems
        )
        if stage2.method is stage1.method:
            problems.append("the two stages must use different methods")
        if entrants >= 2:
            _stage_problems(stage2, entrants, final=True, params=params, out=problems)
    if problems:
        raise InvalidAwardPlan(problems)
    return entrants


def _stage_problems(
    stage: AwardStage, n: int, *, final: bool, params: AwardParams, out: list[str]
) -> int:
    """Append the stage's problems to ``out``; return how many it passes on."""
    m = stage.method
    if m is DecisionMethod.ROUND_ELIMINATION and stage.rounds is not None:
        if stage.rounds < params.elimination_min_rounds:
            out.append(
                f"逐轮票决 needs at least {params.elimination_min_rounds} rounds"
            )
    if stage.descending_auction and not final:
        out.append("a price auction in stage 1 settles the award: no second stage")
        return 0
    if stage.descending_auction and m not in _PRICE_METHODS:
        out.append(f"a descending auction runs with a price method, not {m}")
    if stage.descending_auction and (
        isinstance(stage.step_fen, bool)
        or not isinstance(stage.step_fen, int)
        or stage.step_fen <= 0
    ):
        out.append("a descending auction needs a decrement step: a positive integer of 分")
    if m is DecisionMethod.DIRECT_LOTTERY:
        return _lottery_stage(stage.draw_count, n, final, out)
    if m is DecisionMethod.PRICE_NTH_LOWEST:
        return _nth_stage(stage.n or params.nth_lowest_default, n, final, out)
    if final:
        if m is DecisionMethod.VOTE_THEN_LOTTERY:
            _finalists_ok(stage.finalists or params.finalists_default, n, out)
        return 1
    if m in _SINGLE_WINNER_PRICE or m in (
        DecisionMethod.COLLECTIVE,
        DecisionMethod.VOTE_THEN_LOTTERY,
    ):
        out.append(f"{m} picks a single winner and cannot precede a second stage")
    elif m in _VOTE_METHODS:
        k = stage.finalists or params.finalists_default
        return k if _finalists_ok(k, n, out) else 0
    return 0


def _lottery_stage(draw_count: int, n: int, final: bool, out: list[str]) -> int:
    if draw_count >= n:
        out.append(
            f"the lottery must draw fewer than the {n} candidates, not {draw_count}"
        )
    if final and draw_count != 1:
        out.append("a final lottery draws exactly 1 winner")
    if not final and draw_count <= 1:
        out.append("a lottery before a second stage must draw more than 1")
    return draw_count


def _nth_stage(nth: int, n: int, final: bool, out: list[str]) -> int:
    # A stage-2 第N低价 after a lottery of k needs N ≤ k; n is k here.
    if not 1 <= nth <= n:
        out.append(f"第N低价 needs 1 <= N <= {n} candidates, got N={nth}")
    if not final and nth < 2:
        out.append("第N低价 before a second stage must keep at least 2 (N >= 2)")
    return nth


def _finalists_ok(k: int, n: int, out: list[str]) -> bool:
    if not 2 <= k < n:
        out.append(
            f"the vote must narrow {n} candidates to 2..{n - 1} finalists, not {k}"
        )
        return False
    return True


# --- reading a stored RuleProfile ---------------------------------------------------

_FINAL_OFFER_FIELDS = {  # profile key suffix -> converter
    "pause_after_cap_min": int,
    "eligibility_window_min": int,
    "window_min": int,
    "reference": Reference,
    "trim_min_n": int,
    "coefficient_set": lambda values: tuple(Decimal(str(v)) for v in values),
    "round_reference_to_fen": bool,
    "winner_rule": WinnerRule,
    "tie_breaker": TieBreaker,
    "not_above_previous": bool,
    "min_offers": int,
    "too_few": TooFewAction,
    "on_no_offer": NoOfferAction,
}


def final_offer_params_from(
    profile: Mapping[str, object], base: FinalOfferParams = PROCUREMENT_FINAL_OFFER
) -> FinalOfferParams:
    """FinalOfferParams from a profile's ``final_offer.*`` keys over ``base``.

    Unknown ``final_offer.*`` keys are ignored (they belong to the service, e.g. the
    floor ratio); a bad value raises ``InvalidParameter`` naming the key.
    """
    values = {}
    for key, raw in profile.items():
        name = key.removeprefix("final_offer.")
        if name == key or name not in _FINAL_OFFER_FIELDS:
            continue
        try:
            values[name] = _FINAL_OFFER_FIELDS[name](raw)
        except (TypeError, ValueError, ArithmeticError):
            raise InvalidParameter(f"profile key {key} has a bad value {raw!r}") from None
    return replace(base, **values)
