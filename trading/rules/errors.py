"""The rule errors every pure rule module builds on: each invalid input raises a subclass
of `RuleError` (itself a `ValueError`) with a message naming the offending value."""


class RuleError(ValueError):
    """Base of every rule violation raised by the pure rule modules."""


class InvalidValue(RuleError):
    """A value has the wrong type or sign (a float for money, a negative price, …)."""


class InvalidParameter(RuleError):
    """A profile parameter (weight, ratio, count) lies outside its legal range."""


class EmptyInput(RuleError):
    """A rule needs at least one value (bid, score, ballot) and got none."""


class DuplicateEntry(RuleError):
    """The same participant appears twice where one entry each is allowed."""


class UnknownParticipant(RuleError):
    """A value refers to an id that is not part of the computation."""


class ForbiddenInRegime(RuleError):
    """The rule is not allowed in this regime (e.g. averaging prices in 政府采购)."""
