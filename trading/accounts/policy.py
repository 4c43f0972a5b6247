"""The security policy the security administrator (安全管理员) sets (三员分立).

Each value overrides the ini's `auth.*` setting of the same name; the bounds keep a policy
inside 等保 2.0 level 3 (a password of at least 8 characters of 3 kinds, a session idle for
at most 30 minutes), so the administrator may tighten but not switch a control off.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from ..actor import Actor
from ..audit.service import record
from ..errors import DomainError
from .models import PolicySetting


@dataclass(frozen=True)
class Rule:
    label: str
    low: int
    high: int


POLICY = {
    "auth.password_min_length": Rule("密码最短长度（位）", 8, 64),
    "auth.password_classes": Rule("密码至少包含的字符类别数（大写、小写、数字、符号）", 3, 4),
    "auth.password_max_age_days": Rule("密码有效期（天）", 1, 180),
    "auth.idle_timeout": Rule("会话空闲超时（秒）", 300, 1800),
    "auth.throttle_failures": Rule("同一账户同一地址的免延迟失败次数", 3, 10),
}


class PolicyInvalid(DomainError):
    code = "invalid_policy"
    status = 400


def effective(db, settings, key: str):
    """The value in force: the administrator's, else the ini's."""
    if key in POLICY:
        row = db.get(PolicySetting, key)
        if row is not None:
            return row.value
    return settings[key]


class PolicyService:
    def __init__(self, dbsession, clock, settings):
        self.db, self.clock, self.settings = dbsession, clock, settings

    def current(self) -> dict[str, int]:
        return {key: effective(self.db, self.settings, key) for key in POLICY}

    def set(self, values: dict[str, int], actor: Actor) -> dict[str, int]:
        """Check every value first (a bad one changes nothing), then write and audit the
        changes (old and new value of each)."""
        for key, value in values.items():
            rule = POLICY.get(key)
            if rule is None:
                raise PolicyInvalid(f"未知的策略项 {key}", field=key)
            if not rule.low <= value <= rule.high:
                raise PolicyInvalid(f"{rule.label}应在 {rule.low}–{rule.high} 之间",
                                    field=key.removeprefix("auth."))
        before, now = self.current(), self.clock()
        changed = {k: {"old": before[k], "new": v} for k, v in values.items() if before[k] != v}
        for key in changed:
            row = self.db.get(PolicySetting, key) or PolicySetting(key=key, value=0, set_at=now)
            row.value, row.set_by_id, row.set_at = values[key], actor.user_id, now
            self.db.add(row)
        if changed:
            record(self.db, actor, "security.policy_set", "security_policy", "auth",
                   now=now, changes=changed)
        self.db.flush()
        return changed


def policy_service_factory(context, request) -> PolicyService:
    return PolicyService(request.dbsession, request.clock, request.registry.settings)


def current_values(db) -> dict[str, int]:
    return dict(db.execute(sa.select(PolicySetting.key, PolicySetting.value)).all())
