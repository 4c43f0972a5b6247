"""Bid security's status machines (投标保证金): literal tables, no I/O.

* `PaymentState` — a bank notification's classification, written once when its payment
  is reconciled (the column is empty until then): every state is final.
* `SecurityStatus` — a bid's security at the opening, in the opening record: written
  when the check is made, never changed.
* `RefundStatus` — the way back of a payment or a guarantee: waiting for its condition
  (award notice, contract), due, retried while the bank (or guarantor) does not confirm,
  refunded; a center's forfeiture proposal holds it until a supervisor forfeits it or
  lets it go back to due (or waiting, when its day is not known yet).
* `ForfeitureStatus` — a proposal is approved or rejected, once.

Each changing table has one writer (`BidSecurityService._classify`, `._move_refund`,
`._move_forfeiture`), which sets the status after `check_transition`.
"""

from collections.abc import Mapping

from ..transitions import InvalidTransition as InvalidTransition  # re-exported
from ..transitions import StatusMachines
from .models import ForfeitureStatus, RefundStatus, SecurityStatus
from .rules import PaymentState

PAYMENT_TRANSITIONS: Mapping[PaymentState, frozenset[PaymentState]] = {
    PaymentState.PAID: frozenset(),
    PaymentState.SHORT: frozenset(),
    PaymentState.LATE: frozenset(),
    PaymentState.WRONG_ACCOUNT: frozenset(),
    PaymentState.DUPLICATE: frozenset(),
    PaymentState.UNKNOWN_REFERENCE: frozenset(),
}

SECURITY_TRANSITIONS: Mapping[SecurityStatus, frozenset[SecurityStatus]] = {
    SecurityStatus.SATISFIED: frozenset(),
    SecurityStatus.MISSING: frozenset(),
    SecurityStatus.NOT_REQUIRED: frozenset(),
    SecurityStatus.UNVERIFIED: frozenset(),
    SecurityStatus.UNKNOWN: frozenset(),
}

_R = RefundStatus
REFUND_TRANSITIONS: Mapping[RefundStatus, frozenset[RefundStatus]] = {
    _R.WAITING: frozenset({_R.DUE, _R.HELD}),
    _R.DUE: frozenset({_R.RETRYING, _R.REFUNDED, _R.HELD}),
    _R.RETRYING: frozenset({_R.RETRYING, _R.REFUNDED, _R.HELD}),  # RETRYING: one more failure
    _R.HELD: frozenset({_R.FORFEITED, _R.DUE, _R.WAITING}),
    _R.REFUNDED: frozenset(),
    _R.FORFEITED: frozenset(),
}

_F = ForfeitureStatus
FORFEITURE_TRANSITIONS: Mapping[ForfeitureStatus, frozenset[ForfeitureStatus]] = {
    _F.PROPOSED: frozenset({_F.APPROVED, _F.REJECTED}),
    _F.APPROVED: frozenset(),
    _F.REJECTED: frozenset(),
}

MACHINES = StatusMachines({
    PaymentState: PAYMENT_TRANSITIONS, SecurityStatus: SECURITY_TRANSITIONS,
    RefundStatus: REFUND_TRANSITIONS, ForfeitureStatus: FORFEITURE_TRANSITIONS,
})
check_transition = MACHINES.check_transition
