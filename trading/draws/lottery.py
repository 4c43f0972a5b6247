"""What a pure rule returns when chance must decide, and the check of the engine's answer.

The rules modules (small works, intermediaries, evaluation, award) never draw: a rule that
needs chance returns `NeedsLottery`; the service freezes `draw_candidates()` with
`DrawService` (commit–reveal, HMAC-DRBG), then feeds the drawn ids back through
`resolve_lottery` or `selected_by_lottery`, which refuse any answer that is not a draw of
that frozen list. Standard library only, like the engine beside it.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from trading.errors import RuleRefused
from trading.rules.errors import RuleError
from trading.rules.lottery import TieNeedsLottery


class InvalidDraw(RuleRefused):
    """The drawn ids do not answer the lottery that was asked for."""

    code = "invalid_draw"


class DrawCandidate(Protocol):
    id: str

    def draw_candidate(self) -> dict: ...


@dataclass(frozen=True, slots=True)
class Candidate:
    """One entry of a frozen draw list: id, why it is on the list, optional weight."""

    id: str
    attributes: tuple[tuple[str, str | int], ...] = ()
    weight: int | None = None

    def draw_candidate(self) -> dict:
        """The `trading.draws` candidate object (canonical-JSON types only)."""
        entry: dict = {"id": self.id, "attributes": dict(self.attributes)}
        if self.weight is not None:
            entry["weight"] = self.weight
        return entry


@dataclass(frozen=True, slots=True)
class NeedsLottery:
    """A draw is needed: freeze `candidates`, draw `count`, feed the ids back."""

    purpose: StrEnum
    candidates: tuple[DrawCandidate, ...]
    count: int = 1
    # ids already drawn from this frozen list, in draw order (re-draw after declines)
    already_drawn: tuple[str, ...] = ()

    def __post_init__(self):
        drawn = set(self.already_drawn)
        if len(drawn) != len(self.already_drawn) or not drawn <= set(self.ids):
            raise InvalidDraw("already-drawn ids must be distinct and on the list")
        drawable = len(self.candidates) - len(self.already_drawn)
        if not 1 <= self.count <= drawable:
            raise InvalidDraw(f"cannot draw {self.count} of {drawable} candidate(s)")

    def draw_candidates(self) -> list[dict]:
        return [c.draw_candidate() for c in self.candidates]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.candidates)


@dataclass(frozen=True, slots=True)
class Selected:
    """The winner and the figures that decided it, for the result notice."""

    winner_id: str
    method: StrEnum
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Failed:
    """Nobody can be selected; `republish` tells the service to announce it again."""

    reason: StrEnum
    detail: str
    republish: bool = True


def check_picks(drawn: Sequence[str], count: int, drawable: Sequence[str]) -> tuple[str, ...]:
    """`drawn` must be `count` distinct ids among `drawable`; returned in engine order."""
    picks = tuple(drawn)
    if len(picks) != count or len(set(picks)) != len(picks):
        raise InvalidDraw(f"expected {count} distinct id(s), got {list(picks)}")
    allowed = set(drawable)
    strangers = [i for i in picks if i not in allowed]
    if strangers:
        raise InvalidDraw(f"drawn id(s) {strangers} are not drawable in this list")
    return picks


def resolve_lottery(needs: NeedsLottery, drawn: Sequence[str]) -> tuple[str, ...]:
    """Check the draw engine's result against the frozen list and return it."""
    drawable = set(needs.ids) - set(needs.already_drawn)
    return check_picks(drawn, needs.count, tuple(drawable))


def selected_by_lottery(needs: NeedsLottery, drawn: Sequence[str], method: StrEnum) -> Selected:
    """The winner of a one-out draw (a random selection or a tie)."""
    (winner,) = resolve_lottery(needs, drawn)
    return Selected(winner, method, (("decided_by", needs.purpose.value),))


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the month's end (Jan 31 + 1 = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def within_months(day: date, on: date, months: int) -> bool:
    """`day` in the `months` months up to and including `on` (look-back windows)."""
    return add_months(on, -months) < day <= on


class LotteryMismatch(RuleError, InvalidDraw):
    """The ``drawn`` picks passed back do not answer the requested lottery."""


def resolve_tie(request: TieNeedsLottery, drawn: Sequence[str]) -> tuple[str, ...]:
    """Check the engine's ordered picks answer a score or award rule's `TieNeedsLottery`;
    return them."""
    try:
        return check_picks(drawn, request.draw_count, request.candidates)
    except InvalidDraw as error:
        raise LotteryMismatch(error.message) from None
