"""The value conventions of the rules (rules §0.3): money is int 分, floats are refused,
scores and ratios are Decimal, a published score is rounded once (2 dp, ROUND_HALF_UP) by
`quantize`, an amount of 分 by `round_to_fen`; ids are non-empty, distinct str."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .errors import DuplicateEntry, InvalidValue

TWO_PLACES = Decimal("0.01")


def quantize(value: Decimal | Fraction | int) -> Decimal:
    """Round a score or ratio once, to 2 dp, ROUND_HALF_UP (half away from zero).

    Fractions are rounded exactly (no detour through a 28-digit Decimal division), so
    ``Fraction(1, 200)`` gives ``0.01`` and ``Fraction(-1, 200)`` gives ``-0.01``.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidValue(f"cannot quantize {value!r}: use Decimal, Fraction or int")
    if isinstance(value, Fraction):
        scaled = abs(value) * 100
        # floor(x + 1/2) on |x| == half away from zero on x
        hundredths = (2 * scaled.numerator + scaled.denominator) // (
            2 * scaled.denominator
        )
        return Decimal(hundredths if value >= 0 else -hundredths).scaleb(-2)
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def round_to_fen(value: Fraction | Decimal) -> int:
    """Round an exact amount of 分 to a whole 分, ROUND_HALF_UP."""
    exact = Fraction(value)
    rounded = (2 * abs(exact.numerator) + exact.denominator) // (2 * exact.denominator)
    return rounded if exact >= 0 else -rounded


def as_money(value: object, what: str, *, positive: bool = True) -> int:
    """Return ``value`` if it is an int amount of 分 (> 0; ≥ 0 if not positive)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{what} must be an int amount of 分, got {value!r}")
    if value < 0 or (positive and value == 0):
        sign = "> 0" if positive else ">= 0"
        raise InvalidValue(f"{what} must be {sign} 分, got {value}")
    return value


def as_score(value: object, what: str) -> Decimal:
    """Return ``value`` as a Decimal; accept Decimal or int, refuse float and bool."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidValue(f"{what} must be a Decimal, got {value!r}")
    result = Decimal(value)
    if not result.is_finite():
        raise InvalidValue(f"{what} must be finite, got {value!r}")
    return result


def as_count(value: object, what: str, *, minimum: int = 0) -> int:
    """Return ``value`` if it is an int ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidValue(f"{what} must be an int >= {minimum}, got {value!r}")
    return value


def as_ids(values: Iterable[str], what: str) -> tuple[str, ...]:
    """Check ids are non-empty strings without duplicates; keep their order."""
    result = tuple(values)
    for ident in result:
        if not isinstance(ident, str) or not ident:
            raise InvalidValue(f"{what} ids must be non-empty strings, got {ident!r}")
    dupes = sorted(i for i, n in Counter(result).items() if n > 1)
    if dupes:
        raise DuplicateEntry(f"{what} listed more than once: {', '.join(dupes)}")
    return result
