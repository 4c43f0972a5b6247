"""Errors raised by the draw engine and record builder (standard library only).

Every error is a `DrawError`, so a service can map the whole family to one domain error;
the input errors are also `ValueError`s because they reject a bad argument.
"""

from __future__ import annotations


class DrawError(Exception):
    """Base class of every draw error."""


class MalformedInput(DrawError, ValueError):
    """A value breaks the documented shape; `field` is its JSON path (`result[2]`)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"malformed field {field}: {reason}")
        self.field = field
        self.reason = reason


class EmptyCandidates(MalformedInput):
    """The frozen candidate list has nobody on it."""


class DuplicateCandidate(MalformedInput):
    """Two candidates share an id, so a pick would be ambiguous."""


class MalformedWeights(MalformedInput):
    """Weights are not all non-negative integers, are mixed with unweighted entries, or
    are all zero."""


class TooManyRequested(DrawError, ValueError):
    """More picks were asked for than there are drawable candidates."""


class NobodyLeft(DrawError):
    """A re-draw after declines asked for more than the candidates not yet drawn."""


class InvalidDecline(DrawError, ValueError):
    """A declined id was never drawn, or had already declined."""


class HistoryMismatch(DrawError, ValueError):
    """The picks passed to a continuation are not the prefix of this draw's order."""


class SeedMismatch(DrawError):
    """The revealed seed does not hash to the published commitment."""


class UnknownAlgorithm(DrawError):
    """The record names an algorithm version this code does not implement."""
