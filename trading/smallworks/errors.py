"""Refusals of the small-works service: a Chinese message, an API code, nothing changed."""

from ..errors import Conflict, DeadlinePassed, DomainError, InvalidTransition, NotPermitted


class ApplicationInvalid(DomainError):
    code = "application_invalid"


class DuplicateCreditCode(Conflict):
    """统一社会信用代码 already in the registry: one entry per legal entity."""

    code = "duplicate_credit_code"


class AtOrAboveThreshold(DomainError):
    """必须招标: at or above the national threshold it is not a small work."""

    code = "above_tender_threshold"


class DirectAwardRefused(NotPermitted):
    """The owner may never name the contractor: only the draw or the queue decides."""

    code = "direct_award_refused"


class SplitDecisionMissing(DomainError):
    code = "split_decision_missing"


class NotNow(InvalidTransition):
    """The step does not apply in the current status."""

    code = "invalid_transition"


class ResponseClosed(DeadlinePassed):
    """The drawn enterprise's confirmation window (确认期限) has closed."""

    code = "response_closed"


class NotTheWinner(NotPermitted):
    code = "not_the_winner"
