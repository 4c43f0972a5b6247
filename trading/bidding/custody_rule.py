"""Who may hold the shares of a `custodians` project (密钥保管人规则): a pure rule.

k-of-n custody only keeps the operator out if no one body can gather k shares alone. So
the custodians come from at least two organisations and two roles, no organisation holds
k shares, and neither does the organisation of the person who designated them (the
designator could otherwise name only people it can instruct).

Trading-center staff and supervisors have no registered organisation: each of those roles
is one body (the center, the supervision authority), which is how they act.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..accounts.models import Role

ROLE_NAMES = {Role.CENTER: "交易中心", Role.SUPERVISOR: "监管部门", Role.OWNER: "项目业主"}


@dataclass(frozen=True)
class Member:
    """A custodian (or the designator) as the rule sees it."""

    role: Role
    organisation_id: int | None

    @property
    def body(self) -> str:
        """The organisation that can instruct this person."""
        if self.organisation_id is not None:
            return f"org:{self.organisation_id}"
        return f"role:{self.role}"


def custody_problem(custodians: Sequence[Member], threshold: int,
                    designator: Member | None = None) -> str | None:
    """Why these custodians with this k are not allowed (Chinese), or None."""
    if not 2 <= threshold <= len(custodians) <= 255:
        return "至少指定2名保管人，开启所需人数 k 应在2与保管人数之间"
    bodies = Counter(member.body for member in custodians)
    if len(bodies) < 2:
        return "保管人须来自至少两个不同的单位：同一单位的人员可以合谋提前开标"
    if len({member.role for member in custodians}) < 2:
        return "保管人须来自至少两种不同的角色（如交易中心与监管部门或项目业主）"
    if designator is not None and bodies[designator.body] >= threshold:
        return (f"指定人所在单位的保管人达到开启所需人数 {threshold} 人，指定人可以独自凑齐份额"
                "提前开标；请增加其他单位的保管人或调整 k")
    body, count = bodies.most_common(1)[0]
    if count >= threshold:
        return (f"同一单位（{_name(body, custodians)}）的保管人有 {count} 名，达到开启所需人数 "
                f"{threshold}，该单位可以独自提前开标；请调高 k 或增加其他单位的保管人")
    return None


def _name(body: str, custodians: Sequence[Member]) -> str:
    member = next(m for m in custodians if m.body == body)
    return ROLE_NAMES.get(member.role, str(member.role))
