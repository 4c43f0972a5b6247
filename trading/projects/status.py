"""The project status machine (交易项目状态): a literal transition table, no I/O.

Only `ProjectService.transition` changes `project.status`; tests walk every (from, to) pair
of this table, so the table is the specification. The check is the one every status table
goes through (`trading.transitions`).
"""

import enum
from collections.abc import Mapping

from ..transitions import InvalidTransition as InvalidTransition  # re-exported
from ..transitions import StatusMachines
from ..words import N_


class ProjectStatus(enum.StrEnum):
    DRAFT = "draft"  # 草稿
    PENDING_REVIEW = "pending_review"  # 待审核
    RETURNED = "returned"  # 已退回
    PUBLISHED = "published"  # 已发布（公告期，尚未开始报名）
    BIDDING = "bidding"  # 报名/投标中
    OPENING = "opening"  # 开标中
    EVALUATION = "evaluation"  # 评标中
    CANDIDATES_PUBLICISED = "candidates_publicised"  # 中标候选人公示
    AWARDED = "awarded"  # 已定标
    CONTRACTED = "contracted"  # 已签约
    ARCHIVED = "archived"  # 已归档
    CANCELLED = "cancelled"  # 已终止
    FAILED = "failed"  # 流标


S = ProjectStatus

TRANSITIONS: Mapping[ProjectStatus, frozenset[ProjectStatus]] = {
    S.DRAFT: frozenset({S.PENDING_REVIEW, S.CANCELLED}),
    S.PENDING_REVIEW: frozenset({S.PUBLISHED, S.BIDDING, S.RETURNED, S.CANCELLED}),
    S.RETURNED: frozenset({S.PENDING_REVIEW, S.CANCELLED}),
    S.PUBLISHED: frozenset({S.BIDDING, S.CANCELLED}),
    S.BIDDING: frozenset({S.OPENING, S.FAILED, S.CANCELLED}),
    S.OPENING: frozenset({S.EVALUATION, S.FAILED, S.CANCELLED}),
    S.EVALUATION: frozenset({S.CANDIDATES_PUBLICISED, S.FAILED, S.CANCELLED}),
    S.CANDIDATES_PUBLICISED: frozenset({S.AWARDED, S.EVALUATION, S.FAILED, S.CANCELLED}),
    S.AWARDED: frozenset({S.CONTRACTED, S.CANDIDATES_PUBLICISED, S.FAILED}),
    S.CONTRACTED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
    S.CANCELLED: frozenset({S.ARCHIVED}),
    S.FAILED: frozenset({S.ARCHIVED}),
}

# Statuses in which the project is visible to the public.
PUBLIC = frozenset(TRANSITIONS) - {S.DRAFT, S.PENDING_REVIEW, S.RETURNED}
# Statuses in which the owner may still edit the posting.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
# Final statuses: the archive job takes over (architecture §9).
FINAL = frozenset({S.CONTRACTED, S.CANCELLED, S.FAILED})

LABELS = {
    S.DRAFT: N_("草稿"), S.PENDING_REVIEW: N_("待审核"), S.RETURNED: N_("已退回"),
    S.PUBLISHED: N_("已发布"),
    S.BIDDING: N_("投标中"), S.OPENING: N_("开标中"), S.EVALUATION: N_("评标中"),
    S.CANDIDATES_PUBLICISED: N_("候选人公示"), S.AWARDED: N_("已定标"), S.CONTRACTED: N_("已签约"),
    S.ARCHIVED: N_("已归档"), S.CANCELLED: N_("已终止"), S.FAILED: N_("流标"),
}


MACHINES = StatusMachines({ProjectStatus: TRANSITIONS}, labels=LABELS,
                          nouns={ProjectStatus: "项目"})
allowed_transitions = MACHINES.allowed_transitions
check_transition = MACHINES.check_transition
