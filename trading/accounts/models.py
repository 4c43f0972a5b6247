"""Organisations, users, their server-side sessions, API tokens and login attempts."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db.meta import Base
from ..db.types import UTCDateTime, enum_column


class Role(enum.StrEnum):
    OWNER = "owner"  # 项目业主 / 采购人 / 招标人
    BIDDER = "bidder"  # 投标人 / 供应商
    INTERMEDIARY = "intermediary"  # 中介机构
    EXPERT = "expert"  # 评标专家
    CENTER = "center"  # 交易中心
    SUPERVISOR = "supervisor"  # 监管
    # 三员分立 (等保 2.0 level 3): three administrators, none able to do another's job.
    SYSADMIN = "sysadmin"  # 系统管理员: accounts
    SECADMIN = "secadmin"  # 安全管理员: security policy, second factors
    AUDITOR = "auditor"  # 审计管理员: reads the audit log, nothing else


ADMIN_ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)
# Accounts the system administrator may create: staff and the other administrators
# (organisations register themselves).
STAFF_ROLES = (Role.CENTER, Role.SUPERVISOR, Role.EXPERT, *ADMIN_ROLES)


# Roles an organisation may register for itself; staff, supervisors and experts are
# created by the trading center.
SELF_REGISTERED_ROLES = (Role.OWNER, Role.BIDDER, Role.INTERMEDIARY)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # 统一社会信用代码; unique so one legal entity registers once.
    credit_code: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    region: Mapped[str] = mapped_column(sa.String(100), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(100), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    users: Mapped[list["User"]] = relationship(back_populates="organisation")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Second factor (trading.accounts.totp): secrets AES-GCM-sealed under the KEK.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(200))
    totp_pending: Mapped[str | None] = mapped_column(sa.String(200))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step of the last accepted code: a code is accepted once (RFC 6238 §5.2).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # E-mail notifications (站内消息 copies, trading.messages): opt-in, off by default.
    email: Mapped[str] = mapped_column(sa.String(200), default="")
    notify_by_email: Mapped[bool] = mapped_column(default=False)

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")


class RecoveryCode(Base):
    """A one-time second-factor recovery code: SHA-256 only, shown once at enrolment."""

    __tablename__ = "recovery_codes"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginSession(Base):
    """A server-side login: the cookie carries a random token, the row keeps its hash.

    Server-side rows make logout and "password changed elsewhere" effective at once,
    which a signed cookie alone cannot do.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    # Idle timeout (等保 2.0 §8.1.4.1): a session unused for auth.idle_timeout ends.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # Only the SHA-256 of the token is stored; the token is shown once at creation.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Space-separated `domain:read` / `domain:write` (trading.accounts.scopes); checked on
    # every API view against the view's permission.
    scopes: Mapped[str] = mapped_column(sa.String(500), default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class LoginAttempt(Base):
    """Failed logins, counted per username and per address for throttling.

    Kept in the database, not process memory, so several web processes share the count.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_username_at", "username", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    ip: Mapped[str] = mapped_column(sa.String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed logins per (account, address), and per address alone (username ""): growing
    delays instead of a lockout, so an attacker elsewhere cannot keep a user out.

    One row per key, updated under its row lock before the password is checked, so
    concurrent attempts are counted one after another (never all against the same count).
    """

    __tablename__ = "login_throttles"
    __table_args__ = (sa.UniqueConstraint("username", "ip"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    ip: Mapped[str] = mapped_column(sa.String(64))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PolicySetting(Base):
    """A security policy value set by the security administrator (安全管理员), overriding
    the ini's default for the same `auth.*` key (trading.accounts.policy)."""

    __tablename__ = "security_policy"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
