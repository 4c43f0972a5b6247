"""Bidding's status machines (投标 / 开标): literal tables, no I/O.

* `BidState` — a bid is submitted again (a new version) or withdrawn before the deadline,
  and a withdrawn bid may be submitted again while the deadline has not passed.
* `OpeningState` — the opening waits for the keys (custodians' releases, bidders'
  decryption) and then is done; its record is final.
* `LineStatus` — a line of the opening record: pending until its envelope is opened (or
  not opened: too few bidders); a decrypted bid may still be found invalid afterwards
  (a BidsOpened subscriber, e.g. its bid security). Every other result is final.

Each table has one writer (`BidService._move`, `OpeningService._move`,
`OpeningService._move_line`), which sets the status after `check_transition`.
"""

from collections.abc import Mapping

from ..transitions import InvalidTransition as InvalidTransition  # re-exported
from ..transitions import StatusMachines
from .models import BidState, LineStatus, OpeningState

_B = BidState
BID_TRANSITIONS: Mapping[BidState, frozenset[BidState]] = {
    _B.SUBMITTED: frozenset({_B.SUBMITTED, _B.WITHDRAWN}),  # SUBMITTED again: a new version
    _B.WITHDRAWN: frozenset({_B.SUBMITTED}),
}

_O = OpeningState
OPENING_TRANSITIONS: Mapping[OpeningState, frozenset[OpeningState]] = {
    _O.WAITING: frozenset({_O.DONE}),
    _O.DONE: frozenset(),
}

_L = LineStatus
LINE_TRANSITIONS: Mapping[LineStatus, frozenset[LineStatus]] = {
    _L.PENDING: frozenset({_L.DECRYPTED, _L.INVALID, _L.REVOKED, _L.SYSTEM_FAILED,
                           _L.NOT_OPENED}),
    _L.DECRYPTED: frozenset({_L.INVALID}),
    _L.INVALID: frozenset(),
    _L.REVOKED: frozenset(),
    _L.SYSTEM_FAILED: frozenset(),
    _L.NOT_OPENED: frozenset(),
}

MACHINES = StatusMachines({BidState: BID_TRANSITIONS, OpeningState: OPENING_TRANSITIONS,
                           LineStatus: LINE_TRANSITIONS})
check_transition = MACHINES.check_transition
