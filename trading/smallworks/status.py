"""小额工程企业库 status machines — pure tables, no I/O.

* `RegistryStatus` — an enterprise's place in the registry (domain rules §6.3):
  ``APPLIED → (APPROVED | RETURNED) → ACTIVE ⇄ SUSPENDED → EXITED``; a returned
  application is corrected and submitted again.
* `AllocationStatus` — one small-works project's allocation: the center audits
  the amount (below the thresholds, not split), freezes and publishes the
  candidate pool, draws, gives the winner its decline window, publishes the
  result (≥ 3 days), then contract, completion and performance evaluation.
  A decline or a winner disqualified during publicity goes back to
  POOL_FROZEN: the next winner comes from the same frozen pool (§6.3).  A pool
  that is too small or exhausted ends in FAILED (the owner re-submits).

Only the service's ``transition`` method may set a status, after
`check_transition` (`trading.transitions`, shared by every domain's tables).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from trading.transitions import InvalidTransition as InvalidTransition  # re-exported
from trading.transitions import StatusMachines


class RegistryStatus(StrEnum):
    APPLIED = "applied"  # 已申请入库
    APPROVED = "approved"  # 审核通过
    RETURNED = "returned"  # 退回补正
    ACTIVE = "active"  # 在库
    SUSPENDED = "suspended"  # 暂停 (如 12 个月内 2 次无正当理由放弃)
    EXITED = "exited"  # 出库 / 清出


_R = RegistryStatus
REGISTRY_TRANSITIONS: Mapping[RegistryStatus, frozenset[RegistryStatus]] = (
    MappingProxyType(
        {
            _R.APPLIED: frozenset({_R.APPROVED, _R.RETURNED}),
            _R.RETURNED: frozenset({_R.APPLIED}),
            _R.APPROVED: frozenset({_R.ACTIVE}),
            _R.ACTIVE: frozenset({_R.SUSPENDED, _R.EXITED}),
            _R.SUSPENDED: frozenset({_R.ACTIVE, _R.EXITED}),
            _R.EXITED: frozenset(),
        }
    )
)


class AllocationStatus(StrEnum):
    DRAFT = "draft"  # 草稿
    SUBMITTED = "submitted"  # 已提交, 交易中心审核 (限额/拆分)
    RETURNED = "returned"  # 退回
    POOL_FROZEN = "pool_frozen"  # 候选库已锁定并公示 (摇号前)
    DRAWN = "drawn"  # 已抽取, 等待中选企业确认
    PUBLICITY = "publicity"  # 结果公示 (≥ 3 天)
    CONTRACTED = "contracted"  # 已签合同
    COMPLETED = "completed"  # 已竣工
    EVALUATED = "evaluated"  # 已履约评价
    FAILED = "failed"  # 流标 (候选不足或已抽完)
    CANCELLED = "cancelled"  # 撤销
    TERMINATED = "terminated"  # 合同解除


_A = AllocationStatus
ALLOCATION_TRANSITIONS: Mapping[AllocationStatus, frozenset[AllocationStatus]] = (
    MappingProxyType(
        {
            _A.DRAFT: frozenset({_A.SUBMITTED, _A.CANCELLED}),
            _A.SUBMITTED: frozenset({_A.RETURNED, _A.POOL_FROZEN, _A.CANCELLED}),
            _A.RETURNED: frozenset({_A.DRAFT, _A.CANCELLED}),
            _A.POOL_FROZEN: frozenset({_A.DRAWN, _A.FAILED, _A.CANCELLED}),
            # accepted in the decline window → publicity; declined → next draw
            _A.DRAWN: frozenset({_A.PUBLICITY, _A.POOL_FROZEN, _A.FAILED}),
            # an objection upheld during publicity also sends it back to the pool
            _A.PUBLICITY: frozenset({_A.CONTRACTED, _A.POOL_FROZEN}),
            _A.CONTRACTED: frozenset({_A.COMPLETED, _A.TERMINATED}),
            _A.COMPLETED: frozenset({_A.EVALUATED}),
            _A.EVALUATED: frozenset(),
            _A.FAILED: frozenset(),
            _A.CANCELLED: frozenset(),
            _A.TERMINATED: frozenset(),
        }
    )
)

MACHINES = StatusMachines(
    {RegistryStatus: REGISTRY_TRANSITIONS, AllocationStatus: ALLOCATION_TRANSITIONS}
)
allowed_transitions = MACHINES.allowed_transitions
is_terminal = MACHINES.is_terminal
check_transition = MACHINES.check_transition
