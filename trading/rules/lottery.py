"""What a score or award rule returns when chance must decide (evaluation's and the
award's rules; trading.draws.lottery.resolve_tie checks the engine's answer to it)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidParameter
from .values import as_count, as_ids


@dataclass(frozen=True)
class TieNeedsLottery:
    """Chance must decide: draw ``draw_count`` of ``candidates`` with the draw engine.

    ``candidates`` is sorted so the frozen list does not depend on input order. A "tie"
    also covers deliberate ones: a direct lottery (all candidates equal by design) or a
    random coefficient (all allowed coefficients equal). ``reason`` goes into the draw
    record's purpose.
    """

    candidates: tuple[str, ...]
    draw_count: int = 1
    reason: str = ""

    def __post_init__(self) -> None:
        ids = as_ids(self.candidates, "lottery candidate")
        if list(ids) != sorted(ids):
            object.__setattr__(self, "candidates", tuple(sorted(ids)))
        as_count(self.draw_count, "draw_count", minimum=1)
        if self.draw_count > len(ids):
            raise InvalidParameter(
                f"cannot draw {self.draw_count} of {len(ids)} candidates"
            )
