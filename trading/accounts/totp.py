"""Second factor (等保 2.0 §8.1.4.1 d): TOTP (RFC 6238, pyotp) and one-time recovery codes.

Who needs it is configuration: `auth.totp_roles` (roles, space-separated) and
`auth.totp_custodians` (anyone holding a custody key). The TOTP secret is kept encrypted
(AES-GCM under a key derived from the KEK, bound to the user id), so a copy of the database
alone yields no codes; recovery codes are kept as SHA-256 only and shown once. A code is
accepted once: the time step of the last accepted code is stored and a code of that step or
an earlier one is refused (RFC 6238 §5.2).
"""

import base64
import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF
from markupsafe import Markup

from ..actor import Actor
from ..audit.service import record
from ..errors import DomainError
from .models import RecoveryCode, User

ISSUER = "阳光交易平台"
RECOVERY_CODES = 10
STEP = 30  # seconds, RFC 6238's default and what every authenticator app assumes


class SecondFactorInvalid(DomainError):
    code = "second_factor_invalid"
    status = 400


def _key(kek: bytes) -> bytes:
    return HKDF(kek, 32, b"", SHA256, context=b"trading totp secret v1")


def seal_secret(kek: bytes, user_id: int, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    cipher = AES.new(_key(kek), AES.MODE_GCM, nonce=nonce)
    cipher.update(f"totp:{user_id}".encode())
    body, tag = cipher.encrypt_and_digest(secret.encode("ascii"))
    return base64.b64encode(nonce + tag + body).decode("ascii")


def open_secret(kek: bytes, user_id: int, sealed: str) -> str:
    raw = base64.b64decode(sealed)
    cipher = AES.new(_key(kek), AES.MODE_GCM, nonce=raw[:12])
    cipher.update(f"totp:{user_id}".encode())
    return cipher.decrypt_and_verify(raw[28:], raw[12:28]).decode("ascii")


def code_digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii")).hexdigest()


def normalise(code: str) -> str:
    """What a person types: spaces and dashes dropped, letters lower-cased."""
    return "".join(c for c in code.strip().lower() if c.isalnum() and c.isascii())


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step whose code is `code` (now, or one step either side for clock drift),
    if it is later than the last accepted one; else None."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    current = int(now.timestamp()) // STEP
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and secrets.compare_digest(
                totp.at(step * STEP), code):
            return step
    return None


def qr_svg(uri: str) -> Markup:
    """The provisioning URI as an inline SVG (no script, no image request)."""
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


class SecondFactorService:
    def __init__(self, dbsession, clock, settings, kek: bytes):
        self.db, self.clock, self.settings, self.kek = dbsession, clock, settings, kek

    # -- who must -------------------------------------------------------------------

    def required(self, user: User) -> bool:
        if str(user.role) in self.settings["auth.totp_roles"]:
            return True
        if self.settings["auth.totp_custodians"]:
            from ..bidding.models import CustodyKey

            return self.db.scalar(sa.select(CustodyKey.id).where(
                CustodyKey.user_id == user.id)) is not None
        return False

    @staticmethod
    def enrolled(user: User) -> bool:
        return user.totp_enabled_at is not None

    # -- enrolment ------------------------------------------------------------------

    def begin(self, user: User) -> tuple[str, str]:
        """A pending secret for the enrolment page: (secret, otpauth URI). Kept sealed on
        the user until a code from it is confirmed; enrolled users keep their old one."""
        if user.totp_pending is None:
            user.totp_pending = seal_secret(self.kek, user.id, pyotp.random_base32())
            self.db.flush()
        secret = open_secret(self.kek, user.id, user.totp_pending)
        uri = pyotp.TOTP(secret, interval=STEP).provisioning_uri(
            name=user.username, issuer_name=ISSUER)
        return secret, uri

    def confirm(self, user: User, code: str, actor: Actor) -> list[str]:
        """Enable the pending secret once the app shows a right code; returns the recovery
        codes, in clear this once."""
        if user.totp_pending is None:
            raise SecondFactorInvalid("请先打开两步验证设置页面", field="code")
        secret = open_secret(self.kek, user.id, user.totp_pending)
        step = matching_step(secret, normalise(code), self.clock(), None)
        if step is None:
            raise SecondFactorInvalid("验证码不正确（请核对手机时间）", field="code")
        now = self.clock()
        user.totp_secret, user.totp_pending = user.totp_pending, None
        user.totp_enabled_at, user.totp_last_step = now, step
        codes = self._new_recovery_codes(user, now)
        record(self.db, actor, "account.totp_enabled", "user", user.id, now=now)
        return codes

    def _new_recovery_codes(self, user: User, now: datetime) -> list[str]:
        self.db.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        codes = ["-".join(secrets.token_hex(3) for _ in range(3))
                 for _ in range(RECOVERY_CODES)]
        for code in codes:
            self.db.add(RecoveryCode(user_id=user.id, code_hash=code_digest(code),
                                     created_at=now))
        self.db.flush()
        return codes

    def reset(self, user: User, actor: Actor) -> None:
        """The security administrator's (安全管理员) reset after a lost phone and lost
        recovery codes: the factor and the codes go, and every login of the user ends, so
        the next sign-in must enrol again."""
        from .models import ApiToken, LoginSession

        if user.id == actor.user_id:
            raise SecondFactorInvalid("不能重置自己的两步验证", field="username")
        now = self.clock()
        user.totp_secret = user.totp_pending = user.totp_enabled_at = None
        user.totp_last_step = None
        self.db.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        self.db.execute(sa.update(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=now))
        self.db.execute(sa.update(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now))
        record(self.db, actor, "account.totp_reset", "user", user.id, now=now,
               username=user.username)
        self.db.flush()

    # -- sign-in --------------------------------------------------------------------

    def verify(self, user: User, code: str, actor: Actor) -> str:
        """Accept a TOTP code (each time step once) or an unused recovery code; returns
        which ("totp" or "recovery"), else raises."""
        typed, now = normalise(code), self.clock()
        secret = open_secret(self.kek, user.id, user.totp_secret)
        step = matching_step(secret, typed, now, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return "totp"
        row = self.db.scalar(sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == code_digest(typed),
            RecoveryCode.used_at.is_(None)).with_for_update())
        if row is not None:
            row.used_at = now
            record(self.db, actor, "account.recovery_code_used", "user", user.id, now=now,
                   left=self.recovery_left(user) - 1)
            return "recovery"
        raise SecondFactorInvalid("验证码不正确或已使用", field="code")

    def recovery_left(self, user: User) -> int:
        return self.db.scalar(sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def second_factor_factory(context, request) -> SecondFactorService:
    return SecondFactorService(request.dbsession, request.clock, request.registry.settings,
                               request.registry["keys"].kek)
