"""Platform key material: the Ed25519 signing key and the key-encryption key (KEK).

Production takes both from the environment (TRADING_SIGNING_KEY, TRADING_KEK: base64 of 32
random bytes). Development may generate them once under `keys.dir` with a loud warning; the
files never enter the repository (var/ is ignored).
"""

import base64
import binascii
import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa

from .config import ConfigError

log = logging.getLogger(__name__)

SIGNING_FILE = "signing.key"
KEK_FILE = "kek.key"


@dataclass(frozen=True)
class PlatformKeys:
    signing_seed: bytes
    kek: bytes

    @property
    def signing_key(self) -> ECC.EccKey:
        return eddsa.import_private_key(self.signing_seed)

    @property
    def public_key_bytes(self) -> bytes:
        return self.signing_key.public_key().export_key(format="raw")

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.public_key_bytes).hexdigest()[:16]

    def sign(self, message: bytes) -> bytes:
        return eddsa.new(self.signing_key, "rfc8032").sign(message)


def verify_signature(public_key_raw: bytes, message: bytes, signature: bytes) -> bool:
    key = eddsa.import_public_key(public_key_raw)
    try:
        eddsa.new(key, "rfc8032").verify(message, signature)
    except ValueError:
        return False
    return True


def _decode(name: str, value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{name} is not valid base64") from exc
    if len(raw) != 32:
        raise ConfigError(f"{name} must be 32 bytes (base64), got {len(raw)}")
    return raw


def _read_or_create(path: Path) -> bytes:
    if path.exists():
        return _decode(str(path), path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    log.warning(
        "GENERATING DEVELOPMENT KEY %s — never use generated keys in production", path
    )
    value = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(value).decode())
    return value


def load_keys(settings: dict) -> PlatformKeys:
    signing = settings.get("keys.signing_key")
    kek = settings.get("keys.kek")
    if signing and kek:
        return PlatformKeys(_decode("keys.signing_key", signing), _decode("keys.kek", kek))
    if not settings.get("keys.generate_missing"):
        raise ConfigError("missing keys.signing_key / keys.kek (TRADING_SIGNING_KEY, TRADING_KEK)")
    folder = Path(settings["keys.dir"])
    seed = (_decode("keys.signing_key", signing) if signing
            else _read_or_create(folder / SIGNING_FILE))
    kek_bytes = _decode("keys.kek", kek) if kek else _read_or_create(folder / KEK_FILE)
    return PlatformKeys(seed, kek_bytes)


def includeme(config):
    settings = config.get_settings()  # keys.generate_missing is a bool (trading.config)
    if settings["trading.env"] == "production" and settings["keys.generate_missing"]:
        raise ConfigError("production never generates keys")
    config.registry["keys"] = load_keys(settings)
