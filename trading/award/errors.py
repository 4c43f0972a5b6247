"""Refusals of the award domain: a code for the API, a Chinese message for people."""

from ..errors import Conflict, DomainError, NotFound, NotPermitted, Unprocessable  # noqa: F401


class AwardRefused(Conflict):
    """The step does not fit the project's procedure or its current stage."""

    code = "award_refused"


class OfferOutOfRange(Unprocessable):
    code = "offer_out_of_range"


class NonCandidateBallot(Unprocessable):
    """A ballot names someone who is not a candidate (the rule's NotACandidate)."""

    code = "not_a_candidate"


class BallotRefused(Unprocessable):
    """A ballot the round's rule refuses (the rule's InvalidBallot and the others)."""

    code = "invalid_ballot"


class InvalidAwardInput(DomainError):
    code = "invalid"
    status = 400


class BidOffStep(Unprocessable):
    """A descending-auction bid off the decrement-step grid."""

    code = "bid_off_step"


class BidBelowFloor(Unprocessable):
    code = "below_floor"


class BidNotBelowCurrent(Conflict):
    """Someone bid lower first (or the bid is not lower at all)."""

    code = "not_below_current"


class AlreadyLowest(Conflict):
    """The bidder already holds the lowest price (also: the same form sent twice)."""

    code = "already_lowest"
