"""Accounts: organisation registration, passwords, login sessions, API tokens, throttling."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..actor import Actor
from ..audit.service import record
from ..db import mark_written
from .errors import (
    AccountRefused,
    DuplicateCreditCode,
    DuplicateUsername,
    InvalidCreditCode,
    InvalidScope,
    LoginFailed,
    LoginThrottled,
    WeakPassword,
)
from .models import ApiToken, LoginSession, LoginThrottle, Organisation, Role, User
from .rules import credit_code_problem
from .scopes import all_scopes

TOKEN_PREFIX = "trd_"
# Last use of a session or token is written at most this often (not on every request).
SEEN_GRANULARITY = timedelta(minutes=1)


def throttle_delay(failures: int, free: int, cap_seconds: int) -> timedelta:
    """No wait for the first `free` failures, then 2, 4, 8 … seconds, capped: slow for a
    guesser, never a lockout for the user (who may also come from another address)."""
    if failures < free:
        return timedelta(0)
    return timedelta(seconds=min(cap_seconds, 2 ** min(failures - free + 1, 30)))


def password_problem(password: str, min_length: int, classes: int) -> str | None:
    """等保 2.0 §8.1.4.1 a): length and character classes (lower, upper, digit, other)."""
    if len(password) < min_length:
        return f"密码至少{min_length}位"
    kinds = [any(c.islower() for c in password), any(c.isupper() for c in password),
             any(c.isdigit() for c in password),
             any(not c.isalnum() for c in password)]
    if sum(kinds) < classes:
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{classes}类"
    return None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AccountService:
    def __init__(self, dbsession, clock, settings):
        self.db = dbsession
        self.clock = clock
        self.settings = settings
        self.hasher = PasswordHasher(
            time_cost=settings["auth.argon2_time_cost"],
            memory_cost=settings["auth.argon2_memory_cost"],
            parallelism=1,
        )

    def policy(self, key: str) -> int:
        """The security administrator's value of an `auth.*` policy, else the ini's."""
        from .policy import effective

        return effective(self.db, self.settings, key)

    def set_active(self, user: User, active: bool, actor: Actor) -> None:
        """The system administrator (系统管理员) disables or enables an account; a disabled
        one's sessions and tokens stop working at once (both check `is_active`)."""
        if user.id == actor.user_id:
            raise AccountRefused("不能停用或启用自己的账户")
        if user.is_active != active:
            user.is_active = active
            record(self.db, actor, "account.enabled" if active else "account.disabled",
                   "user", user.id, now=self.clock(), username=user.username)

    # -- registration -------------------------------------------------------------

    def register_organisation(
        self, *, name, credit_code, role: Role, username, display_name, password,
        actor: Actor, region="", contact_name="", contact_phone="", contact_email="",
    ) -> tuple[Organisation, User]:
        """Register a company and its first user. One legal entity (credit code) once."""
        credit_code = credit_code.strip().upper()
        problem = credit_code_problem(credit_code)
        if problem:
            raise InvalidCreditCode(problem, field="credit_code")
        exists = sa.select(Organisation.id).where(Organisation.credit_code == credit_code)
        if self.db.scalar(exists) is not None:
            raise DuplicateCreditCode("该统一社会信用代码已注册", field="credit_code")
        now = self.clock()
        org = Organisation(
            name=name, credit_code=credit_code, role=role, region=region,
            contact_name=contact_name, contact_phone=contact_phone,
            contact_email=contact_email, created_at=now,
        )
        self.db.add(org)
        self.db.flush()
        user = self.create_user(
            username=username, display_name=display_name, password=password,
            role=role, organisation=org, actor=actor,
        )
        record(self.db, actor, "account.org_registered", "organisation", org.id, now=now,
               name=name, credit_code=credit_code, role=str(role), user_id=user.id)
        return org, user

    def create_user(self, *, username, display_name, password, role: Role,
                    organisation: Organisation | None, actor: Actor) -> User:
        self._check_password(password)
        taken = sa.select(User.id).where(User.username == username)
        if self.db.scalar(taken) is not None:
            raise DuplicateUsername("该用户名已被使用", field="username")
        now = self.clock()
        user = User(
            username=username, display_name=display_name,
            password_hash=self.hasher.hash(password), role=role,
            organisation_id=organisation.id if organisation else None,
            created_at=now, password_changed_at=now,
        )
        self.db.add(user)
        self.db.flush()
        record(self.db, actor, "account.user_created", "user", user.id, now=now,
               username=username, role=str(role))
        return user

    def _check_password(self, password: str, field: str = "password") -> None:
        problem = password_problem(password, self.policy("auth.password_min_length"),
                                   self.policy("auth.password_classes"))
        if problem:
            raise WeakPassword(problem, field=field)

    def password_expired(self, user: User) -> bool:
        """等保 2.0 §8.1.4.1 a): passwords are changed periodically (0 days: never expire)."""
        days = self.policy("auth.password_max_age_days")
        return bool(days) and user.password_changed_at + timedelta(days=days) <= self.clock()

    # -- login --------------------------------------------------------------------

    def authenticate(self, username: str, password: str, *, ip: str) -> User:
        """Check a password; the attempt is counted (under the throttle rows' locks) before
        the check, and a success clears this address's count for the account."""
        now = self.clock()
        pair = self._take_attempt(username, ip, now, self.policy("auth.throttle_failures"))
        spray = self._take_attempt("", ip, now, self.settings["auth.throttle_address_failures"])
        user = self.db.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.is_active or not self._password_ok(user, password):
            actor = Actor(user.id if user else None, username[:100], None, None, ip)
            record(self.db, actor, "account.login_failed", "user",
                   user.id if user else "", now=now, outcome="failure")
            self.db.flush()
            raise LoginFailed("用户名或密码错误")
        for row in (pair, spray):
            row.failures, row.blocked_until = 0, None
        return user

    def take_attempts(self, username: str, ip: str) -> tuple[LoginThrottle, LoginThrottle]:
        """Count a second-factor attempt as a login attempt, before the code is checked."""
        now = self.clock()
        return (self._take_attempt(username, ip, now, self.policy("auth.throttle_failures")),
                self._take_attempt("", ip, now, self.settings["auth.throttle_address_failures"]))

    @staticmethod
    def clear_attempts(rows) -> None:
        for row in rows:
            row.failures, row.blocked_until = 0, None

    @staticmethod
    def actor_for(user: User, ip: str) -> Actor:
        return Actor(user.id, user.username, user.organisation_id, str(user.role), ip)

    def second_factor_failed(self, user: User, ip: str) -> None:
        record(self.db, self.actor_for(user, ip), "account.second_factor_failed", "user",
               user.id, now=self.clock(), outcome="failure")
        self.db.flush()

    def _password_ok(self, user: User, password: str) -> bool:
        try:
            return self.hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _take_attempt(self, username: str, ip: str, now: datetime, free: int) -> LoginThrottle:
        """Count one attempt for (username, ip) before the password is checked; refuse while
        its delay runs. The row is locked (UPDATE first), so concurrent attempts wait here
        and each sees the count the previous one left."""
        key = (LoginThrottle.username == username, LoginThrottle.ip == ip)
        locked = self.db.execute(sa.update(LoginThrottle).where(*key)
                                 .values(failures=LoginThrottle.failures))
        if locked.rowcount == 0:
            self.db.add(LoginThrottle(username=username, ip=ip, failures=0))
            self.db.flush()  # a concurrent first attempt loses on the unique key and retries
        row = self.db.scalar(sa.select(LoginThrottle).where(*key)
                             .execution_options(populate_existing=True))
        window = timedelta(seconds=self.settings["auth.throttle_window"])
        if row.last_failure_at is not None and now - row.last_failure_at > window:
            row.failures, row.blocked_until = 0, None
        if row.blocked_until is not None and now < row.blocked_until:
            wait = int((row.blocked_until - now).total_seconds()) + 1
            raise LoginThrottled(f"登录失败次数过多，请{wait}秒后再试")
        row.failures += 1
        row.last_failure_at = now
        row.blocked_until = now + throttle_delay(row.failures, free,
                                                 self.settings["auth.throttle_max_delay"])
        self.db.flush()
        return row

    def start_session(self, user: User, *, ip: str) -> str:
        """A new random token each login, so a planted session id is never adopted."""
        now = self.clock()
        token = secrets.token_urlsafe(32)
        self.db.add(LoginSession(
            token_hash=token_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
            expires_at=now + timedelta(seconds=self.settings["auth.session_max_age"]), ip=ip,
        ))
        actor = Actor(user.id, user.username, user.organisation_id, str(user.role), ip)
        record(self.db, actor, "account.logged_in", "user", user.id, now=now)
        self.db.flush()
        return token

    def user_for_session_token(self, token: str) -> User | None:
        row = self.db.scalar(
            sa.select(LoginSession).where(LoginSession.token_hash == token_digest(token))
        )
        now = self.clock()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        idle = timedelta(seconds=self.policy("auth.idle_timeout"))
        if (row.last_seen_at or row.created_at) + idle <= now:
            return None  # 等保 2.0 §8.1.4.1 b): an idle session ends
        if row.last_seen_at is None or now - row.last_seen_at >= SEEN_GRANULARITY:
            row.last_seen_at = now
        return row.user if row.user.is_active else None

    def end_session(self, token: str, actor: Actor) -> None:
        now = self.clock()
        self.db.execute(
            sa.update(LoginSession)
            .where(LoginSession.token_hash == token_digest(token),
                   LoginSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if actor.user_id:
            record(self.db, actor, "account.logged_out", "user", actor.user_id, now=now)

    def change_password(self, user: User, old: str, new: str, *, keep_token: str | None,
                        actor: Actor) -> None:
        """Change a password and end every other login of the user."""
        if not self._password_ok(user, old):
            raise LoginFailed("原密码错误", field="old_password")
        self._check_password(new, field="new_password")
        if self._password_ok(user, new):
            raise WeakPassword("新密码不能与原密码相同", field="new_password")
        now = self.clock()
        user.password_hash = self.hasher.hash(new)
        user.password_changed_at = now
        keep = token_digest(keep_token) if keep_token else ""
        self.db.execute(
            sa.update(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None),
                   LoginSession.token_hash != keep)
            .values(revoked_at=now)
        )
        # A token is a password's delegate: a new password ends every one of them.
        self.db.execute(sa.update(ApiToken)
                        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                        .values(revoked_at=now))
        record(self.db, actor, "account.password_changed", "user", user.id, now=now)

    # -- API tokens -----------------------------------------------------------------

    def create_api_token(self, user: User, name: str, actor: Actor, *,
                         scopes=None, days: int | None = None) -> tuple[ApiToken, str]:
        """Return the row and the token text, which is shown once and never stored.

        `scopes` defaults to every scope (scripts and tests); the account page asks."""
        chosen = sorted(set(scopes)) if scopes is not None else all_scopes()
        unknown = set(chosen) - set(all_scopes())
        if unknown or not chosen:
            raise InvalidScope("令牌权限范围无效", field="scopes")
        limit = self.settings["auth.token_max_days"]
        days = limit if days is None else days
        if not 1 <= days <= limit:
            raise InvalidScope(f"有效期应为 1–{limit} 天", field="days")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        row = ApiToken(user_id=user.id, name=name, token_hash=token_digest(token),
                       prefix=token[:12], created_at=now, scopes=" ".join(chosen),
                       expires_at=now + timedelta(days=days))
        self.db.add(row)
        self.db.flush()
        record(self.db, actor, "account.token_created", "api_token", row.id, now=now,
               name=name, prefix=row.prefix, scopes=chosen, days=days)
        return row, token

    def revoke_api_token(self, user: User, token_id: int, actor: Actor) -> ApiToken | None:
        row = self.db.get(ApiToken, token_id)
        if row is None or row.user_id != user.id:
            return None
        if row.revoked_at is None:
            row.revoked_at = self.clock()
            record(self.db, actor, "account.token_revoked", "api_token", row.id,
                   now=row.revoked_at)
        return row

    def api_token(self, token: str) -> ApiToken | None:
        """The live token row (not revoked, not expired, its user active), marking its use."""
        # The user comes in the same query: every API call reads it next (one round trip).
        row = self.db.scalar(_API_TOKEN, {"token_hash": token_digest(token)})
        now = self.clock()
        if row is None or row.revoked_at is not None or not row.user.is_active:
            return None
        if row.expires_at is None or row.expires_at <= now:
            return None
        if row.last_used_at is None or now - row.last_used_at >= SEEN_GRANULARITY:
            # A core UPDATE: a unit-of-work flush for one column was a large share of an
            # upload's CPU in a deadline rush, where every token is new (issue #19).
            self.db.connection().execute(_TOKEN_SEEN, {"token_id": row.id, "last_used_at": now})
            mark_written(self.db)
            set_committed_value(row, "last_used_at", now)
        return row

    def user_for_api_token(self, token: str) -> User | None:
        row = self.api_token(token)
        return row.user if row is not None else None

    def tokens_of(self, user: User) -> list[ApiToken]:
        query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        return list(self.db.scalars(query))


# Every API call's statements, built once (issue #19: building them cost more than running).
_API_TOKEN = (sa.select(ApiToken).options(joinedload(ApiToken.user))
              .where(ApiToken.token_hash == sa.bindparam("token_hash")))
_TOKEN_SEEN = (sa.update(ApiToken.__table__)
               .where(ApiToken.__table__.c.id == sa.bindparam("token_id"))
               .values(last_used_at=sa.bindparam("last_used_at")))


def account_service_factory(context, request) -> AccountService:
    return AccountService(request.dbsession, request.clock, request.registry.settings)
