"""Accounts: organisation registration, passwords, login sessions, API tokens, throttling."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..actor import Actor
from ..audit.service import record
from .errors import (
    DuplicateCreditCode,
    DuplicateUsername,
    InvalidCreditCode,
    LoginFailed,
    LoginThrottled,
    WeakPassword,
)
from .models import ApiToken, LoginAttempt, LoginSession, Organisation, Role, User
from .rules import credit_code_problem

MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "trd_"


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

    def _check_password(self, password: str) -> None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise WeakPassword(f"密码至少{MIN_PASSWORD_LENGTH}位", field="password")

    # -- login --------------------------------------------------------------------

    def authenticate(self, username: str, password: str, *, ip: str) -> User:
        """Check a password; refuse while the name or address is throttled."""
        now = self.clock()
        self._check_throttle(username, ip, now)
        user = self.db.scalar(sa.select(User).where(User.username == username))
        if user is None or not user.is_active or not self._password_ok(user, password):
            self.db.add(LoginAttempt(username=username, ip=ip, attempted_at=now))
            self.db.flush()
            raise LoginFailed("用户名或密码错误")
        return user

    def _password_ok(self, user: User, password: str) -> bool:
        try:
            return self.hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _check_throttle(self, username: str, ip: str, now: datetime) -> None:
        window = timedelta(seconds=self.settings["auth.throttle_window"])
        limit = self.settings["auth.throttle_failures"]
        since = now - window
        by_name = self._failures(LoginAttempt.username == username, since)
        # An address may try several names (an office behind one NAT), so it gets more room.
        by_ip = self._failures(LoginAttempt.ip == ip, since) if ip else 0
        if by_name >= limit or by_ip >= limit * 4:
            minutes = max(1, window.seconds // 60)
            raise LoginThrottled(f"登录失败次数过多，请{minutes}分钟后再试")

    def _failures(self, condition, since: datetime) -> int:
        query = sa.select(sa.func.count()).select_from(LoginAttempt).where(
            condition, LoginAttempt.attempted_at > since
        )
        return self.db.scalar(query)

    def start_session(self, user: User, *, ip: str) -> str:
        """A new random token each login, so a planted session id is never adopted."""
        now = self.clock()
        token = secrets.token_urlsafe(32)
        self.db.add(LoginSession(
            token_hash=token_digest(token), user_id=user.id, created_at=now,
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
        if row is None or row.revoked_at is not None or row.expires_at <= self.clock():
            return None
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
        self._check_password(new)
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
        record(self.db, actor, "account.password_changed", "user", user.id, now=now)

    # -- API tokens -----------------------------------------------------------------

    def create_api_token(self, user: User, name: str, actor: Actor) -> tuple[ApiToken, str]:
        """Return the row and the token text, which is shown once and never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = self.clock()
        row = ApiToken(user_id=user.id, name=name, token_hash=token_digest(token),
                       prefix=token[:12], created_at=now)
        self.db.add(row)
        self.db.flush()
        record(self.db, actor, "account.token_created", "api_token", row.id, now=now,
               name=name, prefix=row.prefix)
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

    def user_for_api_token(self, token: str) -> User | None:
        row = self.db.scalar(sa.select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
        if row is None or row.revoked_at is not None or not row.user.is_active:
            return None
        return row.user

    def tokens_of(self, user: User) -> list[ApiToken]:
        query = sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        return list(self.db.scalars(query))


def account_service_factory(context, request) -> AccountService:
    return AccountService(request.dbsession, request.clock, request.registry.settings)
