"""Settings: ini first, defaults here, and one short explicit list of environment overrides.

`load()` is used by the web app, by Alembic's env.py and by the worker, so the three always
agree on the database URL and the queue.
"""

import base64
import binascii
import math
import os
from collections.abc import Mapping

from pyramid.settings import asbool, aslist


class ConfigError(Exception):
    """A setting is missing or malformed; raised at start-up, never at request time."""


DEFAULTS = {
    "trading.env": "development",
    "keys.generate_missing": "false",
    "huey.backend": "sqlite",
    "huey.immediate": "false",
    "huey.workers": "2",
    "huey.periodic": "true",
    # A worker's lease on a task or on the periodic tasks lasts this long without renewal
    # (trading/jobs/leases.py): a killed worker's work is taken over after it.
    "jobs.lease_seconds": "120",
    "auth.argon2_time_cost": "3",
    "auth.argon2_memory_cost": "65536",
    "auth.session_max_age": "28800",
    "auth.cookie_secure": "false",
    "auth.throttle_failures": "5",
    "auth.throttle_address_failures": "50",
    "auth.throttle_window": "900",
    "auth.throttle_max_delay": "900",
    "auth.idle_timeout": "1800",
    "auth.password_min_length": "8",
    "auth.password_classes": "3",
    "auth.password_max_age_days": "90",
    "auth.token_max_days": "365",
    # Second factor (等保 2.0 §8.1.4.1 d): the roles that must use TOTP, and custodians.
    "auth.totp_roles": "center supervisor sysadmin secadmin auditor",
    "auth.totp_custodians": "true",
    "audit.retention_days": "180",
    "storage.max_bytes": str(512 * 1024 * 1024),
    # On the s3 backend: the local read cache is trimmed back under this, oldest use first.
    "storage.s3.cache_max_bytes": str(20 * 1024 * 1024 * 1024),
    "audit.checkpoint_minutes": "60",
    # The log's promise to a receipt: merged into a signed checkpoint within this (seconds).
    "audit.max_merge_delay": "300",
    # How often the worker's sequencer looks at the log's queue (ms; 0: the minute task only).
    "audit.sequence_ms": "250",
    "timezone.display": "Asia/Shanghai",
    # E-mail notifications (trading.messages.mail): `log` writes them to the log instead.
    "mail.backend": "log",
    "mail.host": "",
    "mail.port": "25",
    "mail.security": "none",
    "mail.username": "",
    "mail.sender": "阳光交易平台 <noreply@localhost>",
    "mail.timeout": "10",
    # The center's name on the seal of its PDF documents and in their certificate.
    "trading.center_name": "阳光市公共资源交易中心",
    "pyramid.default_locale_name": "zh_CN",
    "jinja2.i18n.domain": "trading",
    "jinja2.i18n.gettext": "trading.i18n:CachedGetText",
    "jinja2.filters": "\n".join([
        "localtime = trading.i18n:localtime",
        "yuan = trading.forms:format_yuan",
        "duration = trading.i18n:human_duration",
        "highlight = trading.projects.fulltext:highlight_html",
    ]),
    "jinja2.globals": "\n".join([
        "LOCALES = trading.i18n:LOCALES",
        "header_navigation = trading.navigation:header_navigation",
        "KIND_LABELS = trading.projects.kinds:LABELS",
        "STATUS_LABELS = trading.projects.status:LABELS",
    ]),
    "jinja2.extensions": "jinja2.ext.do\ntrading.i18n.LabelLookups",
}

# The only environment variables the platform reads (documented in the README).
ENV_OVERRIDES = {
    "TRADING_DATABASE_URL": "sqlalchemy.url",
    "TRADING_REDIS_URL": "huey.url",
    "TRADING_HUEY_BACKEND": "huey.backend",
    "TRADING_AUTH_SECRET": "auth.secret",
    "TRADING_SESSION_SECRET": "session.secret",
    "TRADING_KEK": "keys.kek",
    "TRADING_SIGNING_KEY": "keys.signing_key",
    "TRADING_SM2_SIGNING_KEY": "keys.sm2_signing_key",
    "TRADING_DOCUMENT_SIGNING_KEY": "keys.document_signing_key",
    "TRADING_DOCUMENT_CERTIFICATE": "keys.document_certificate",
    "TRADING_STORAGE_ROOT": "storage.root",
    # Object storage (storage.backend = s3); its credentials are boto3's own environment
    # (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or an instance role, never a setting.
    "TRADING_STORAGE_BACKEND": "storage.backend",
    "TRADING_S3_ENDPOINT": "storage.s3.endpoint",
    "TRADING_S3_BUCKET": "storage.s3.bucket",
    "TRADING_COOKIE_SECURE": "auth.cookie_secure",
    "TRADING_PUBLIC_URL": "trading.public_url",
    "TRADING_MAIL_PASSWORD": "mail.password",
}

REQUIRED = ("sqlalchemy.url", "auth.secret", "session.secret", "storage.root")

BOOLEANS = ("huey.immediate", "huey.periodic", "auth.cookie_secure", "keys.generate_missing",
            "auth.totp_custodians",
            "pyramid.reload_templates", "pyramid.debug_authorization",
            "pyramid.debug_notfound", "pyramid.debug_routematch", "pyramid.debug_templates")
INTEGERS = (
    "huey.workers",
    "jobs.lease_seconds",
    "auth.argon2_time_cost",
    "auth.argon2_memory_cost",
    "auth.session_max_age",
    "auth.throttle_failures",
    "auth.throttle_address_failures",
    "auth.throttle_window",
    "auth.throttle_max_delay",
    "auth.idle_timeout",
    "auth.password_min_length",
    "auth.password_classes",
    "auth.password_max_age_days",
    "auth.token_max_days",
    "audit.retention_days",
    "storage.max_bytes",
    "storage.s3.cache_max_bytes",
    "audit.checkpoint_minutes",
    "audit.max_merge_delay",
    "audit.sequence_ms",
    "mail.port",
    "mail.timeout",
)
LISTS = ("pyramid.includes", "auth.totp_roles")
# Roles production never lets sign in on a password alone (issue #16).
SECOND_FACTOR_ROLES = ("center", "supervisor", "sysadmin", "secadmin", "auditor")

# Values that ship in development.ini; production refuses them (architecture §2).
DEVELOPMENT_SECRET_PREFIX = "dev-only-"


def load(settings: Mapping[str, object], environ: Mapping[str, str] | None = None) -> dict:
    """Return coerced settings: defaults < ini < environment."""
    environ = os.environ if environ is None else environ
    result = dict(DEFAULTS)
    result.update(settings)
    for env_name, key in ENV_OVERRIDES.items():
        if environ.get(env_name):
            result[key] = environ[env_name]
    _check_required(result)
    _check_storage(result)
    _coerce(result)
    if result["trading.env"] == "production":
        _check_production(result)
    return result


def _check_required(settings: dict) -> None:
    missing = [key for key in REQUIRED if not settings.get(key)]
    if missing:
        names = {v: k for k, v in ENV_OVERRIDES.items()}
        hints = [f"{key} (env {names[key]})" if key in names else key for key in missing]
        raise ConfigError("missing required setting(s): " + ", ".join(hints))


def _check_storage(settings: dict) -> None:
    backend = settings.get("storage.backend") or "filesystem"
    if backend not in ("filesystem", "s3"):
        raise ConfigError(f"storage.backend must be filesystem or s3, not {backend!r}")
    if backend == "s3" and not settings.get("storage.s3.bucket"):
        raise ConfigError("storage.backend = s3 needs storage.s3.bucket (env TRADING_S3_BUCKET)")
    for key in ("storage.s3.access_key", "storage.s3.secret_key"):
        if settings.get(key):
            raise ConfigError(f"{key} is not read from settings: give the S3 credentials as "
                              "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment")


def _coerce(settings: dict) -> None:
    try:
        for key in BOOLEANS:
            settings[key] = asbool(settings.get(key))
        for key in INTEGERS:
            settings[key] = int(settings[key])
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"malformed setting {key!r}: {exc}") from exc
    for key in LISTS:
        if isinstance(settings.get(key), str):
            settings[key] = aslist(settings[key])
    if settings["audit.retention_days"] < 180:
        raise ConfigError("audit.retention_days must be at least 180 (等保 2.0 §8.1.4.3)")
    if not 0 <= settings["audit.sequence_ms"] < settings["audit.max_merge_delay"] * 1000:
        raise ConfigError("audit.sequence_ms must be 0 (off) or below audit.max_merge_delay")
    if not 1 <= settings["auth.password_classes"] <= 4:
        raise ConfigError("auth.password_classes must be 1 to 4")
    backend = settings["huey.backend"]
    if backend not in ("sqlite", "redis", "memory"):
        raise ConfigError(f"huey.backend must be sqlite, redis or memory, not {backend!r}")


MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128  # of estimated entropy: length × log2(distinct characters), capped
SECRETS = ("auth.secret", "session.secret")
KEYS = ("keys.signing_key", "keys.kek")
# Packages that expose internals or run code for whoever reaches them.
DEBUG_INCLUDES = ("pyramid_debugtoolbar", "pyramid_debugtoolbar.toolbar", "pyramid_ipython")
DEBUG_FLAGS = ("pyramid.reload_templates", "pyramid.debug_authorization",
               "pyramid.debug_notfound", "pyramid.debug_routematch", "pyramid.debug_templates")


def _check_production(settings: dict) -> None:
    """Each unsafe production setting is refused with its own message (issue #16 point 5)."""
    for key in (*SECRETS, *KEYS):
        value = str(settings.get(key) or "")
        if not value:
            raise ConfigError(f"production needs {key} from the environment")
        if value.startswith(DEVELOPMENT_SECRET_PREFIX):
            raise ConfigError(f"production refuses the development value of {key}")
    for key in SECRETS:
        _check_secret(key, str(settings[key]))
    if settings["auth.secret"] == settings["session.secret"]:
        raise ConfigError("auth.secret and session.secret must be different secrets")
    _check_keys(settings)
    if settings.get("keys.generate_missing"):
        raise ConfigError(
            "production never generates keys; set TRADING_KEK and TRADING_SIGNING_KEY")
    if not settings.get("auth.cookie_secure"):
        raise ConfigError("production needs secure cookies: auth.cookie_secure = true "
                          "(TRADING_COOKIE_SECURE), behind HTTPS")
    _check_debug(settings)
    lacking = [r for r in SECOND_FACTOR_ROLES if r not in settings["auth.totp_roles"]]
    if lacking or not settings.get("auth.totp_custodians"):
        raise ConfigError("production needs a second factor for center staff, supervisors, "
                          "administrators and custodians: auth.totp_roles must include "
                          f"{' '.join(SECOND_FACTOR_ROLES)} and auth.totp_custodians = true")
    url = str(settings.get("trading.public_url") or "")
    if not url.startswith("https://"):
        raise ConfigError("production needs trading.public_url (TRADING_PUBLIC_URL), the "
                          "https:// address users reach; the Host header is never trusted")


def secret_bits(value: str) -> float:
    """A cautious entropy estimate: length × log2(alphabet seen), so 'x' * 64 has none."""
    distinct = len(set(value))
    return len(value) * math.log2(distinct) if distinct > 1 else 0.0


def _check_secret(key: str, value: str) -> None:
    if len(value) < MIN_SECRET_LENGTH:
        raise ConfigError(f"{key} is too short: at least {MIN_SECRET_LENGTH} characters "
                          "(`trading keys generate` prints one)")
    if secret_bits(value) < MIN_SECRET_BITS or len(set(value)) < 10:
        raise ConfigError(f"{key} has too little entropy (a repeated or guessable value); "
                          "use `trading keys generate`")


def _check_keys(settings: dict) -> None:
    decoded = {}
    for key in KEYS:
        try:
            raw = base64.b64decode(str(settings[key]), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError(f"{key} is not valid base64") from None
        if len(raw) != 32:
            raise ConfigError(f"{key} must be 32 bytes (base64), got {len(raw)}")
        if raw == bytes(32):
            raise ConfigError(f"{key} is all zero bytes")
        if len(set(raw)) < 8:
            raise ConfigError(f"{key} is not random (too few distinct bytes)")
        decoded[key] = raw
    if decoded["keys.kek"] == decoded["keys.signing_key"]:
        raise ConfigError("keys.kek must differ from keys.signing_key")
    secrets = {str(settings[s]).encode() for s in SECRETS}
    if any(raw in secrets or base64.b64encode(raw) in secrets for raw in decoded.values()):
        raise ConfigError("keys.kek and keys.signing_key must differ from the secrets")


def _check_debug(settings: dict) -> None:
    includes = settings.get("pyramid.includes") or []
    debug = [name for name in includes if name in DEBUG_INCLUDES or "debug" in name]
    if debug:
        raise ConfigError(f"production refuses debug includes: {', '.join(debug)}")
    flags = [flag for flag in DEBUG_FLAGS if settings.get(flag)]
    if flags:
        raise ConfigError(f"production refuses debug settings: {', '.join(flags)} = true")
