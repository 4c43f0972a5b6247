"""The draw status machine (抽取状态): a literal table, no I/O.

A draw is frozen (名单已冻结), then its seed is committed, then revealed; nothing goes
back, because the published commitment and result must never change. Only
`DrawService._move` sets ``draw.status``, after `check_transition`.
"""

from collections.abc import Mapping

from ..transitions import InvalidTransition as InvalidTransition  # re-exported
from ..transitions import StatusMachines
from .models import DrawStatus

_D = DrawStatus
DRAW_TRANSITIONS: Mapping[DrawStatus, frozenset[DrawStatus]] = {
    _D.FROZEN: frozenset({_D.COMMITTED}),
    _D.COMMITTED: frozenset({_D.REVEALED}),
    _D.REVEALED: frozenset(),
}

MACHINES = StatusMachines({DrawStatus: DRAW_TRANSITIONS})
check_transition = MACHINES.check_transition
