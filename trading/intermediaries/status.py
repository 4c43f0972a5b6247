"""中介超市 status machines — pure tables, no I/O.

Two machines live here:

* `EntryStatus` — an intermediary's entry into the supermarket (入驻),
  domain rules §5.2: ``REGISTERED → REAL_NAME_VERIFIED → ENTRY_SUBMITTED →
  (APPROVED | RETURNED_FOR_CORRECTION) → ACTIVE ⇄ SUSPENDED → EXITED``.
* `PurchaseStatus` — a purchase announcement and its selection (采购公告/选取),
  §5.5, after the Augurit Guangdong supermarket.  The source gives ``auditFlag``
  11 two meanings; we pick **11 = BIDDING (竞价中)** and give 待选取 its own
  state `WAIT_CHOOSE` without a legacy code.  `LEGACY_AUDIT_FLAG` keeps the
  Augurit numbers for imports and cross-checks only.

Additions to the literal §5.5 diagram, each marked ``# added:`` in the table,
because a real purchase needs them: REGISTRATION may skip the bidding period
for methods without quotes and may fail at once when too few registered; a
decline re-runs the selection (SELECTED → SELECTION_START / WAIT_CHOOSE) or
fails it; a draft can be abandoned (INVALID).  A failed purchase (EXPIRED) is
terminal: republication creates a new purchase, so the failed round's records
stay as they were.

Only the service's ``transition`` method may set a status, after
`check_transition` (`trading.transitions`, shared by every domain's tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from trading.transitions import InvalidTransition as InvalidTransition  # re-exported
from trading.transitions import StatusMachines


class EntryStatus(StrEnum):
    REGISTERED = "registered"  # 已注册
    REAL_NAME_VERIFIED = "real_name_verified"  # 已实名认证
    ENTRY_SUBMITTED = "entry_submitted"  # 入驻申请已提交
    APPROVED = "approved"  # 审核通过
    RETURNED_FOR_CORRECTION = "returned_for_correction"  # 退回修改
    ACTIVE = "active"  # 已入驻 (可报名)
    SUSPENDED = "suspended"  # 暂停 (资质过期或处罚)
    EXITED = "exited"  # 已退出 / 清退


_E = EntryStatus
ENTRY_TRANSITIONS: Mapping[EntryStatus, frozenset[EntryStatus]] = MappingProxyType(
    {
        _E.REGISTERED: frozenset({_E.REAL_NAME_VERIFIED}),
        _E.REAL_NAME_VERIFIED: frozenset({_E.ENTRY_SUBMITTED}),
        _E.ENTRY_SUBMITTED: frozenset({_E.APPROVED, _E.RETURNED_FOR_CORRECTION}),
        # the applicant corrects the materials and submits again
        _E.RETURNED_FOR_CORRECTION: frozenset({_E.ENTRY_SUBMITTED}),
        _E.APPROVED: frozenset({_E.ACTIVE}),
        _E.ACTIVE: frozenset({_E.SUSPENDED, _E.EXITED}),
        _E.SUSPENDED: frozenset({_E.ACTIVE, _E.EXITED}),
        _E.EXITED: frozenset(),
    }
)


class PurchaseStatus(StrEnum):
    DRAFT = "draft"  # 未提交 (0)
    UNDER_REVIEW = "under_review"  # 审核中 (4)
    RETURNED = "returned"  # 退回 (5)
    REGISTRATION = "registration"  # 报名中 (6)
    BIDDING = "bidding"  # 竞价中 (11)
    SELECTING = "selecting"  # 选取中 (7)
    SELECTION_START = "selection_start"  # 选取开始 (8)
    WAIT_CHOOSE = "wait_choose"  # 待选取 (owner-choice methods; 重新选取中介机构)
    SELECTED = "selected"  # 已选取 (9), 待确认中介机构
    CONTRACT_UPLOAD = "contract_upload"  # 中介已确认, 上传合同
    CONTRACT_CONFIRM = "contract_confirm"  # 业主确认合同
    SERVICE_IN_PROGRESS = "service_in_progress"  # 服务中 (1)
    SERVICE_RESULT_UPLOADED = "service_result_uploaded"  # 服务成果已上传
    SERVICE_FINISHED = "service_finished"  # 服务完成 (2)
    EVALUATED = "evaluated"  # 已评价
    EXPIRED = "expired"  # 已过时 (12): failed, republish as a new purchase
    INVALID = "invalid"  # 无效 (10): abandoned by the owner
    TERMINATED = "terminated"  # 服务中止 (3)


_P = PurchaseStatus
_TERMINAL_PURCHASE = frozenset({_P.EVALUATED, _P.EXPIRED, _P.INVALID, _P.TERMINATED})
_PURCHASE_EDGES: dict[PurchaseStatus, frozenset[PurchaseStatus]] = {
    _P.DRAFT: frozenset({_P.UNDER_REVIEW, _P.INVALID}),  # added: INVALID
    _P.UNDER_REVIEW: frozenset({_P.RETURNED, _P.REGISTRATION}),
    _P.RETURNED: frozenset({_P.DRAFT, _P.INVALID}),  # added: INVALID
    # added: SELECTING (no bidding period for random/direct/credit methods) and
    # EXPIRED (too few registrants at the registration deadline)
    _P.REGISTRATION: frozenset({_P.BIDDING, _P.SELECTING, _P.EXPIRED}),
    _P.BIDDING: frozenset({_P.SELECTING}),
    _P.SELECTING: frozenset({_P.EXPIRED, _P.SELECTION_START}),
    # random/automatic methods pick the winner; owner-choice methods wait for the owner
    _P.SELECTION_START: frozenset({_P.SELECTED, _P.WAIT_CHOOSE}),
    # added: EXPIRED (the owner did not choose in time; the project is voided)
    _P.WAIT_CHOOSE: frozenset({_P.SELECTED, _P.EXPIRED}),
    # confirm → contract; decline → re-select among the rest (added: automatic re-run
    # via SELECTION_START, and EXPIRED when fewer than the minimum remain)
    _P.SELECTED: frozenset(
        {_P.CONTRACT_UPLOAD, _P.WAIT_CHOOSE, _P.SELECTION_START, _P.EXPIRED}
    ),
    _P.CONTRACT_UPLOAD: frozenset({_P.CONTRACT_CONFIRM}),
    # the owner finds the contract invalid → the intermediary uploads it again
    _P.CONTRACT_CONFIRM: frozenset({_P.SERVICE_IN_PROGRESS, _P.CONTRACT_UPLOAD}),
    _P.SERVICE_IN_PROGRESS: frozenset({_P.SERVICE_RESULT_UPLOADED}),
    _P.SERVICE_RESULT_UPLOADED: frozenset({_P.SERVICE_FINISHED}),
    _P.SERVICE_FINISHED: frozenset({_P.EVALUATED}),
}
# §5.5 "any -> SUSPENDED(3) on termination": every non-terminal state may be terminated.
PURCHASE_TRANSITIONS: Mapping[PurchaseStatus, frozenset[PurchaseStatus]] = (
    MappingProxyType(
        {
            status: _PURCHASE_EDGES.get(status, frozenset())
            | (frozenset() if status in _TERMINAL_PURCHASE else {_P.TERMINATED})
            for status in PurchaseStatus
        }
    )
)

# Augurit `auditFlag` codes, for imports and cross-checks only (never stored as state).
LEGACY_AUDIT_FLAG: Mapping[PurchaseStatus, int] = MappingProxyType(
    {
        _P.DRAFT: 0,
        _P.UNDER_REVIEW: 4,
        _P.RETURNED: 5,
        _P.REGISTRATION: 6,
        _P.BIDDING: 11,
        _P.SELECTING: 7,
        _P.SELECTION_START: 8,
        _P.SELECTED: 9,
        _P.INVALID: 10,
        _P.EXPIRED: 12,
        _P.SERVICE_IN_PROGRESS: 1,
        _P.SERVICE_FINISHED: 2,
        _P.TERMINATED: 3,
    }
)

MACHINES = StatusMachines({EntryStatus: ENTRY_TRANSITIONS, PurchaseStatus: PURCHASE_TRANSITIONS})
allowed_transitions = MACHINES.allowed_transitions
is_terminal = MACHINES.is_terminal
check_transition = MACHINES.check_transition
