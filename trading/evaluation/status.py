"""Evaluation's status machines (评标): literal tables, no I/O.

* `ExpertStatus` — the center suspends, blacklists or reinstates an expert of the pool
  at any time (a reason is required for anything but reinstating); a status kept with a
  new reason is written again.
* `CommitteeStatus` — forming (draws, answers, sign-in) → sitting → done when every lot's
  report is signed; an approved unlock sends a done committee back to sitting.
* `MemberState` — a drawn reserve is notified when a seat frees; a notified expert accepts,
  declines or does not answer; an accepted one signs in or is excluded (回避), and a
  signed-in one may still be excluded when the bidders are known.
* `SheetState` — a score sheet is submitted (locked) and reopened by an approved unlock.
* `ReportState` — a report is signed by all (locked) or voided by an unlock, signed or not;
  an unlocked report stays on record and a new one is issued.

Each table has one writer, which sets the status after `check_transition`:
`ExpertPoolService.set_status`, `committee.move_committee`,
`EvaluationCommitteeService._move_member`, `scoring.move_sheet` and `EvaluationWork._move_report`.
"""

from collections.abc import Mapping

from ..transitions import InvalidTransition as InvalidTransition  # re-exported
from ..transitions import StatusMachines
from .models import CommitteeStatus, ExpertStatus, MemberState, ReportState, SheetState

_E = ExpertStatus
EXPERT_TRANSITIONS: Mapping[ExpertStatus, frozenset[ExpertStatus]] = {
    _E.ACTIVE: frozenset({_E.ACTIVE, _E.SUSPENDED, _E.BLACKLISTED}),
    _E.SUSPENDED: frozenset({_E.ACTIVE, _E.SUSPENDED, _E.BLACKLISTED}),
    _E.BLACKLISTED: frozenset({_E.ACTIVE, _E.SUSPENDED, _E.BLACKLISTED}),
}

_C = CommitteeStatus
COMMITTEE_TRANSITIONS: Mapping[CommitteeStatus, frozenset[CommitteeStatus]] = {
    _C.FORMING: frozenset({_C.SITTING}),
    _C.SITTING: frozenset({_C.DONE}),
    _C.DONE: frozenset({_C.SITTING}),  # an approved unlock (解锁重评)
}

_M = MemberState
MEMBER_TRANSITIONS: Mapping[MemberState, frozenset[MemberState]] = {
    _M.RESERVE: frozenset({_M.NOTIFIED}),
    _M.NOTIFIED: frozenset({_M.ACCEPTED, _M.DECLINED, _M.NO_ANSWER}),
    _M.ACCEPTED: frozenset({_M.SIGNED_IN, _M.EXCLUDED}),
    _M.SIGNED_IN: frozenset({_M.EXCLUDED}),
    _M.DECLINED: frozenset(),
    _M.NO_ANSWER: frozenset(),
    _M.EXCLUDED: frozenset(),
}

_S = SheetState
SHEET_TRANSITIONS: Mapping[SheetState, frozenset[SheetState]] = {
    _S.DRAFT: frozenset({_S.SUBMITTED}),
    _S.SUBMITTED: frozenset({_S.DRAFT}),  # an approved unlock
}

_R = ReportState
REPORT_TRANSITIONS: Mapping[ReportState, frozenset[ReportState]] = {
    _R.SIGNING: frozenset({_R.SIGNED, _R.UNLOCKED}),
    _R.SIGNED: frozenset({_R.UNLOCKED}),
    _R.UNLOCKED: frozenset(),
}

MACHINES = StatusMachines({
    ExpertStatus: EXPERT_TRANSITIONS, CommitteeStatus: COMMITTEE_TRANSITIONS,
    MemberState: MEMBER_TRANSITIONS, SheetState: SHEET_TRANSITIONS,
    ReportState: REPORT_TRANSITIONS,
})
check_transition = MACHINES.check_transition
