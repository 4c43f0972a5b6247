"""Refusals of a sealed round: a code for the API, a Chinese message for people."""

from ..errors import Conflict, DeadlinePassed


class RoundRefused(Conflict):
    """The step does not fit the round's stage. The code is the one the API gave when
    rounds were part of the award domain, kept so clients see no change."""

    code = "award_refused"


class OffersNotLogged(RoundRefused):
    """The round's submitted offers are not the logged ones (issue #17 pt 4): one
    without an entry, a logged one missing, or another envelope than logged."""

    code = "offers_not_logged"


class RevealInProgress(Conflict):
    """The worker holds the project's chronograph lock: the reveal is being made now."""

    code = "reveal_in_progress"


class NotEligible(Conflict):
    """Not a party of this round (the door is open to bidders; the round is not)."""

    code = "not_eligible"


class WindowClosed(DeadlinePassed):
    code = "window_closed"


class WindowNotOpen(Conflict):
    code = "window_not_open"


class AlreadySubmitted(Conflict):
    code = "already_submitted"
