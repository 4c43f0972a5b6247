"""Opening keys (per project) and bidder keys (dual custody): generation, files.

Files are small JSON documents (FORMAT.md §5) so a bidder can read what it was given and
the platform can store them as text. The key id, SHA-256 over suite name and public key,
is written into every envelope header: opening with the wrong key then fails with a
clear "wrong key" instead of a bare authentication error.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .encoding import from_hex, loads_strict
from .errors import KeyFormatError, UnsupportedEnvelope
from .suites import (
    DEFAULT_SUITE,
    SECRET_LEN,
    Suite,
    get_suite,
    new_secret,
    suite_by_code,
)

PUBLIC_KIND = "bid_crypto.public_key"
PRIVATE_KIND = "bid_crypto.private_key"
KEY_FILE_VERSION = 1
_BINARY_VERSION = 1


def key_id(suite: str, public: bytes) -> str:
    """Hex SHA-256 of ``suite`` (UTF-8), a zero byte, and the serialised public key."""
    return hashlib.sha256(suite.encode() + b"\x00" + public).hexdigest()


@dataclass(frozen=True)
class PublicKey:
    """A serialised HPKE public key and the suite it belongs to."""

    suite: str
    raw: bytes

    def __post_init__(self) -> None:
        expected = _suite(self.suite).public_len
        if len(self.raw) != expected:
            raise KeyFormatError(f"{self.suite} public key must be {expected} bytes")

    @property
    def key_id(self) -> str:
        return key_id(self.suite, self.raw)

    def hpke_key(self):
        try:
            return _suite(self.suite).public_hpke_key(self.raw)
        except ValueError as exc:
            raise KeyFormatError(f"invalid {self.suite} public key: {exc}") from None

    def to_json(self) -> str:
        return _dump(PUBLIC_KIND, self.suite, self.key_id, public=self.raw.hex())

    @classmethod
    def from_json(cls, data: bytes | str) -> "PublicKey":
        doc = _parse(data, PUBLIC_KIND, ("kind", "version", "suite", "key_id", "public"))
        suite = _suite(doc["suite"])
        key = cls(
            suite.name,
            from_hex("public", doc["public"], suite.public_len, KeyFormatError),
        )
        _check_key_id(doc, key.key_id)
        return key


@dataclass(frozen=True)
class PrivateKey:
    """A 32-byte private key secret (X25519 scalar or X-Wing seed) and its suite."""

    suite: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _suite(self.suite)
        if len(self.secret) != SECRET_LEN:
            raise KeyFormatError(f"private key secret must be {SECRET_LEN} bytes")

    def public_key(self) -> PublicKey:
        return PublicKey(self.suite, _suite(self.suite).public_bytes(self.secret))

    @property
    def key_id(self) -> str:
        return self.public_key().key_id

    def hpke_key(self):
        return _suite(self.suite).private_hpke_key(self.secret)

    def to_bytes(self) -> bytes:
        """Binary form for wrapping: version byte, suite code byte, 32-byte secret."""
        return bytes([_BINARY_VERSION, _suite(self.suite).code]) + self.secret

    @classmethod
    def from_bytes(cls, data: bytes) -> "PrivateKey":
        if len(data) != 2 + SECRET_LEN or data[0] != _BINARY_VERSION:
            raise KeyFormatError("not a bid_crypto private key encoding")
        try:
            suite = suite_by_code(data[1])
        except UnsupportedEnvelope as exc:
            raise KeyFormatError(str(exc)) from None
        return cls(suite.name, data[2:])

    def to_json(self) -> str:
        return _dump(PRIVATE_KIND, self.suite, self.key_id, secret=self.secret.hex())

    @classmethod
    def from_json(cls, data: bytes | str) -> "PrivateKey":
        doc = _parse(data, PRIVATE_KIND, ("kind", "version", "suite", "key_id", "secret"))
        secret = from_hex("secret", doc["secret"], SECRET_LEN, KeyFormatError)
        key = cls(_suite(doc["suite"]).name, secret)
        _check_key_id(doc, key.key_id)
        return key


def generate_private_key(suite: str = DEFAULT_SUITE) -> PrivateKey:
    """A new random private key for ``suite`` (``x25519`` or ``xwing``)."""
    return PrivateKey(_suite(suite).name, new_secret())


def _suite(name: object) -> Suite:
    try:
        return get_suite(name)
    except UnsupportedEnvelope as exc:
        raise KeyFormatError(str(exc)) from None


def _dump(kind: str, suite: str, kid: str, **material: str) -> str:
    doc = {"kind": kind, "version": KEY_FILE_VERSION, "suite": suite, "key_id": kid}
    return json.dumps(doc | material, indent=2) + "\n"


def _parse(data: bytes | str, kind: str, keys: tuple[str, ...]) -> dict:
    doc = loads_strict(data, "key file", KeyFormatError)
    if not isinstance(doc, dict) or doc.get("kind") != kind:
        raise KeyFormatError(f"not a {kind} file")
    if doc.get("version") != KEY_FILE_VERSION or set(doc) != set(keys):
        raise KeyFormatError(f"unsupported {kind} file (version or fields)")
    return doc


def _check_key_id(doc: dict, actual: str) -> None:
    if doc["key_id"] != actual:
        raise KeyFormatError("key_id does not match the key material (corrupt key file)")


def load_public_key(path: str | os.PathLike) -> PublicKey:
    """Read a public key file (``opening.pub``)."""
    return PublicKey.from_json(Path(path).read_bytes())


def load_private_key(path: str | os.PathLike) -> PrivateKey:
    """Read a private key file (``opening.key``)."""
    return PrivateKey.from_json(Path(path).read_bytes())


def write_key_pair(
    private_key: PrivateKey, directory: str | os.PathLike, name: str = "opening"
) -> tuple[Path, Path]:
    """Write DIR/NAME.pub and DIR/NAME.key (mode 0600); never overwrite a key."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pub_path, key_path = directory / f"{name}.pub", directory / f"{name}.key"
    for path in (pub_path, key_path):
        if path.exists():
            raise KeyFormatError(f"{path} already exists; refusing to overwrite a key")
    write_new_file(key_path, private_key.to_json().encode(), mode=0o600)
    write_new_file(pub_path, private_key.public_key().to_json().encode(), mode=0o644)
    return pub_path, key_path


def write_new_file(path: Path, data: bytes, *, mode: int) -> None:
    """Create ``path`` exclusively (O_EXCL) so an existing secret is never clobbered."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
