from ..errors import Conflict, DeadlinePassed, DomainError, NotFound, NotPermitted  # noqa: F401


class EnvelopeRefused(DomainError):
    """An upload that is not an acceptable sealed envelope for this lot; nothing kept."""

    code = "envelope_refused"
    status = 422


class OfferInvalid(DomainError):
    code = "offer_invalid"
    status = 422


class NotAccepting(Conflict):
    code = "not_accepting_bids"


class CustodyRefused(DomainError):
    code = "custody_refused"
    status = 409


class WrongPassphrase(DomainError):
    code = "wrong_passphrase"
    status = 403


class ShareRefused(DomainError):
    code = "share_refused"
    status = 422


class OpeningConflict(Conflict):
    code = "opening_conflict"
