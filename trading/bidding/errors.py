from ..errors import Conflict, DeadlinePassed, DomainError, NotFound, NotPermitted, Unprocessable  # noqa: F401


class EnvelopeRefused(Unprocessable):
    """An upload that is not an acceptable sealed envelope for this lot; nothing kept."""

    code = "envelope_refused"


class OfferInvalid(Unprocessable):
    code = "offer_invalid"


class NotAccepting(Conflict):
    code = "not_accepting_bids"


class CustodyRefused(DomainError):
    code = "custody_refused"
    status = 409


class ReleaseInvalid(Unprocessable):
    """A custodian's release file that is malformed, early, foreign or replayed."""

    code = "release_refused"


class ShareRefused(Unprocessable):
    code = "share_refused"


class OpeningConflict(Conflict):
    code = "opening_conflict"
