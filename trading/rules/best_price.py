"""最优价 — the trimmed reference price and who may win it (rules §1.4, §5.4).

The one implementation of the rule, called by the 中介超市 selection (竞价选取·最优价中选)
and by the award's final-offer round when its reference is the trimmed mean.

The rule, as the rulebook states it: drop the single highest and the single lowest quote
(去掉一个最高、一个最低); the mean of the rest × the coefficient is the reference price
(2 dp of 元 where the profile rounds it); the quote closest to the reference wins; a dropped
quote cannot win; ties are decided by lottery. Read literally, that settles equal quotes:

* **Exactly one** quote is dropped at each end, whatever the ties: [90, 100, 100] keeps one
  100 and the reference is 100 × K; [80, 95, 100, 110, 110] keeps 95, 100 and one 110.
* The winner is one of the **counted** quotes (a preferred amount among them, closest by
  default). Two equal extreme quotes are the same amount, so the reference does not depend
  on which of them was dropped; only who may win does, and that is a tie: a lottery decides.
* When the preferred amount is the only one, one lottery among everyone quoting it decides
  (dropping one of them by lottery and then drawing among the rest gives everyone the same
  chance). When two amounts are equally good and one of them lost a quote to the trim, two
  draws keep the dropped quote out: first which of the equal extreme quotes stay counted
  (`LotteryKind.EXTREME`), then the winner among the counted (`LotteryKind.WINNER`).
* With fewer than ``trim_min_n`` quotes (at least 3) nothing is dropped ("computed on the
  actual number", §5.4); ``trim_min_n=None`` never drops (the plain mean of §1.3).

Money is integer 分; the reference is an exact `Fraction` (rounded half up to the 分 when
``reference_to_fen``); distances are compared exactly. Nothing here draws: a result that
needs chance carries a `Lottery`; the caller draws it (equal chances, the draw engine's
ordered picks, the first ``keep`` of them) and calls again with every draw so far in
``drawn``. Input order never matters.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from numbers import Rational

# A winner rule: the preferred amounts (all equally good) among the distinct counted amounts.
Prefer = Callable[[tuple[int, ...], Fraction], Sequence[int]]
# A deterministic tie-breaker: the parties it keeps among the tied (a non-empty subset).
Narrow = Callable[[tuple[str, ...]], Sequence[str]]


class BestPriceError(ValueError):
    """The quotes or parameters cannot be priced (empty, repeated party, bad amount)."""


class DrawMismatch(ValueError):
    """The drawn picks do not answer the lotteries this rule asked for."""


@dataclass(frozen=True, slots=True)
class Quote:
    party: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Trim:
    """去掉一个最高、一个最低: the amounts averaged (ascending) and the two dropped."""

    counted: tuple[int, ...]
    dropped: tuple[int, ...] = ()  # () or (lowest, highest)


class LotteryKind(enum.StrEnum):
    EXTREME = "extreme"  # which of equal extreme quotes stay counted (the others dropped)
    WINNER = "winner"  # equally good counted quotes: the first drawn wins


@dataclass(frozen=True, slots=True)
class Lottery:
    """Equal chances among ``candidates`` (sorted); the first ``keep`` drawn are kept."""

    kind: LotteryKind
    candidates: tuple[str, ...]
    keep: int
    amount_fen: int  # the amount the candidates quoted (EXTREME) or the first tied amount


@dataclass(frozen=True, slots=True)
class BestPrice:
    reference: Fraction  # 分, exact (a whole 分 when rounded)
    trim: Trim
    counted: tuple[str, ...]  # parties whose quote is known to be in the mean
    barred: tuple[str, ...]  # parties whose quote is known to be dropped: they cannot win
    winner: str | None = None
    lottery: Lottery | None = None  # draw it, then call again with the picks in `drawn`


def drop_extremes(values: Sequence) -> list:
    """The values without one lowest and one highest (sorted); for any ordered values."""
    return sorted(values)[1:-1]


def trim(amounts: Sequence[int], *, min_n: int | None = 3) -> Trim:
    """Drop one lowest and one highest amount once there are at least ``min_n``."""
    if min_n is not None and min_n < 3:
        raise BestPriceError(f"trim_min_n must be at least 3, got {min_n}")
    ordered = sorted(amounts)
    if min_n is None or len(ordered) < min_n:
        return Trim(tuple(ordered))
    return Trim(tuple(drop_extremes(ordered)), (ordered[0], ordered[-1]))


def round_half_up(value: Fraction) -> int:
    """To the nearest whole 分, halves up (amounts are never negative)."""
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def reference_price(counted: Sequence[int], coefficient: Rational = 1, *,
                    to_fen: bool = True) -> Fraction:
    """Mean of the counted amounts × the coefficient; rounded half up to the 分 if asked."""
    exact = Fraction(sum(counted), len(counted)) * Fraction(coefficient)
    return Fraction(round_half_up(exact)) if to_fen else exact


def closest(amounts: tuple[int, ...], reference: Fraction) -> tuple[int, ...]:
    """最优价: the amounts nearest the reference (two when equally far above and below)."""
    best = min(abs(a - reference) for a in amounts)
    return tuple(a for a in amounts if abs(a - reference) == best)


def best_price(quotes: Sequence[Quote], *, coefficient: Rational = 1,
               trim_min_n: int | None = 3,
               reference_to_fen: bool = True, prefer: Prefer = closest,
               narrow: Narrow | None = None,
               drawn: Sequence[Sequence[str]] = ()) -> BestPrice:
    """The reference and the winner, or the next lottery to draw (see the module text).

    ``narrow``, when given, is the profile's deterministic tie-breaker (earlier submission,
    lower or higher amount), applied to the counted quotes of the preferred amounts before
    any winner lottery; which equal extreme quote was dropped is still drawn first.
    """
    quotes = _checked(quotes, coefficient)
    trimmed = trim([q.amount_fen for q in quotes], min_n=trim_min_n)
    reference = reference_price(trimmed.counted, coefficient, to_fen=reference_to_fen)
    slots = Counter(trimmed.counted)
    holders = _holders(quotes)
    barred = [q.party for q in quotes if q.amount_fen not in slots]
    counted = [p for amount, parties in holders.items() if len(parties) == slots[amount]
               for p in parties]
    preferred = _preferred(prefer, tuple(sorted(slots)), reference)
    draws = _Draws(drawn)
    # A dropped quote among the preferred amounts matters only if another amount is as
    # good, or a deterministic tie-breaker will look at who is left.
    separate = narrow is not None or len(preferred) > 1
    contenders: list[str] = []
    for amount in preferred:
        parties = holders[amount]
        if separate and len(parties) > slots[amount]:
            picks = draws.next(Lottery(LotteryKind.EXTREME, parties, slots[amount], amount))
            if picks is None:
                return _pending(reference, trimmed, counted, barred, draws)
            barred += [p for p in parties if p not in picks]
            parties = tuple(sorted(picks))
            counted += parties
        contenders += parties
    tied = _narrowed(narrow, tuple(sorted(contenders)))
    if len(tied) == 1:
        return draws.done(_known(reference, trimmed, counted, barred, winner=tied[0]))
    picks = draws.next(Lottery(LotteryKind.WINNER, tied, 1, preferred[0]))
    if picks is None:
        return _pending(reference, trimmed, counted, barred, draws)
    return draws.done(_known(reference, trimmed, counted, barred, winner=picks[0]))


class _Draws:
    """Replays the draws already made against the lotteries the rule asks for, in order."""

    def __init__(self, drawn: Sequence[Sequence[str]]):
        self._drawn: Iterator[Sequence[str]] = iter(tuple(drawn))
        self.asked: Lottery | None = None

    def next(self, lottery: Lottery) -> tuple[str, ...] | None:
        picks = next(self._drawn, None)
        if picks is None:
            self.asked = lottery
            return None
        picks = tuple(picks)
        if (len(picks) != lottery.keep or len(set(picks)) != len(picks)
                or not set(picks) <= set(lottery.candidates)):
            raise DrawMismatch(f"expected {lottery.keep} of {list(lottery.candidates)}, "
                               f"got {list(picks)}")
        return picks

    def done(self, result: BestPrice) -> BestPrice:
        if next(self._drawn, None) is not None:
            raise DrawMismatch("more draws were given than this rule asked for")
        return result


def _known(reference, trimmed, counted, barred, **outcome) -> BestPrice:
    return BestPrice(reference, trimmed, tuple(sorted(counted)), tuple(sorted(barred)),
                     **outcome)


def _pending(reference, trimmed, counted, barred, draws: _Draws) -> BestPrice:
    return _known(reference, trimmed, counted, barred, lottery=draws.asked)


def _checked(quotes: Sequence[Quote], coefficient: Rational) -> tuple[Quote, ...]:
    quotes = tuple(quotes)
    if not quotes:
        raise BestPriceError("no quotes to price")
    for q in quotes:
        if not isinstance(q.party, str) or not q.party:
            raise BestPriceError(f"party ids must be non-empty strings, got {q.party!r}")
        if type(q.amount_fen) is not int or q.amount_fen < 0:
            raise BestPriceError(f"amount of {q.party!r} must be whole 分 ≥ 0")
    parties = [q.party for q in quotes]
    if len(set(parties)) != len(parties):
        raise BestPriceError("a party has more than one quote")
    if not isinstance(coefficient, Rational) or isinstance(coefficient, bool) \
            or coefficient <= 0:
        raise BestPriceError(f"coefficient must be a positive exact number: {coefficient!r}")
    return tuple(sorted(quotes, key=lambda q: q.party))


def _holders(quotes: tuple[Quote, ...]) -> dict[int, tuple[str, ...]]:
    held: dict[int, list[str]] = {}
    for q in quotes:
        held.setdefault(q.amount_fen, []).append(q.party)
    return {amount: tuple(sorted(parties)) for amount, parties in held.items()}


def _preferred(prefer: Prefer, amounts: tuple[int, ...], reference: Fraction):
    chosen = tuple(sorted(set(prefer(amounts, reference))))
    if not chosen or not set(chosen) <= set(amounts):
        raise BestPriceError("the winner rule must prefer some of the counted amounts")
    return chosen


def _narrowed(narrow: Narrow | None, tied: tuple[str, ...]) -> tuple[str, ...]:
    if narrow is None or len(tied) == 1:
        return tied
    kept = tuple(sorted(set(narrow(tied))))
    if not kept or not set(kept) <= set(tied):
        raise BestPriceError("the tie-breaker must keep some of the tied parties")
    return kept
