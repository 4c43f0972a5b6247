"""The sealed round's status machine (终次报价 / 磋商最后报价): a literal table, no I/O.

A round confirms its parties' eligibility, opens for sealed offers and is decided once its
window has closed and every offer is revealed. A round whose window the chronograph first
sees closed goes from eligibility straight to decided. Only `SealedRounds._move`
sets ``final_round.state``, after `check_transition`.
"""

from collections.abc import Mapping

from ..transitions import InvalidTransition as InvalidTransition  # re-exported
from ..transitions import StatusMachines
from .models import RoundState

_R = RoundState
ROUND_TRANSITIONS: Mapping[RoundState, frozenset[RoundState]] = {
    _R.ELIGIBILITY: frozenset({_R.OPEN, _R.DECIDED}),
    _R.OPEN: frozenset({_R.DECIDED}),
    _R.DECIDED: frozenset(),
}

MACHINES = StatusMachines({RoundState: ROUND_TRANSITIONS})
check_transition = MACHINES.check_transition
