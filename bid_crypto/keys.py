"""Opening keys (per project) and bidder keys (dual custody): generation, files.

Files are small JSON documents (FORMAT.md §5) so a bidder can read what it was given and
the platform can store them as text. The key id, SHA-256 over suite name and public key,
is written into every envelope header: opening with the wrong key then fails with a
clear "wrong key" instead of a bare authentication error.
"""

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .encoding import from_hex, loads_strict
from .errors import KeyFormatError, UnsupportedEnvelope
from .suites import (
    DEFAULT_SUITE,
    Suite,
    get_suite,
    suite_by_code,
)

PUBLIC_KIND = "bid_crypto.public_key"
PRIVATE_KIND = "bid_crypto.private_key"
KEY_FILE_VERSION = 1
_BINARY_VERSION = 1


def key_id(suite: str, public: bytes) -> str:
    """Hex digest of ``suite`` (UTF-8), a zero byte, and the serialised public key.

    The suite's hash: SHA-256, or SM3 for the national suites (FORMAT.md §5.1).
    """
    return _suite(suite).digest(suite.encode() + b"\x00" + public).hex()


@dataclass(frozen=True)
class PublicKey:
    """A serialised HPKE public key and the suite it belongs to."""

    suite: str
    raw: bytes

    def __post_init__(self) -> None:
        suite = _suite(self.suite)
        if len(self.raw) != suite.public_len:
            raise KeyFormatError(f"{self.suite} public key must be {suite.public_len} bytes")
        try:
            suite.check_public(self.raw)
        except ValueError as exc:
            raise KeyFormatError(f"invalid {self.suite} public key: {exc}") from None

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
    """A private key secret and its suite; ``public`` is derived or (national suites) given.

    The secret is 32 bytes (an X25519 scalar, an X-Wing seed, an SM2 scalar) or 64 bytes
    (sm2mlkem: an ML-KEM seed and an SM2 scalar). A public key given beside it is checked
    against it, so a key file cannot pair one key's secret with another's public half.
    """

    suite: str
    secret: bytes = field(repr=False)
    public: bytes | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        suite = _suite(self.suite)
        if len(self.secret) != suite.secret_len:
            raise KeyFormatError(
                f"{self.suite} private key secret must be {suite.secret_len} bytes"
            )
        try:
            public = suite.check_pair(self.secret, self.public)
        except ValueError as exc:
            raise KeyFormatError(f"invalid {self.suite} private key: {exc}") from None
        object.__setattr__(self, "public", public)

    def public_key(self) -> PublicKey:
        return PublicKey(self.suite, self.public)

    @property
    def key_id(self) -> str:
        return key_id(self.suite, self.public)

    def hpke_key(self):
        return _suite(self.suite).private_hpke_key(self.secret)

    def receiver(self, enc: bytes, info: bytes, psk=None, *, export_only: bool = False):
        """The suite's opening context for an encapsulation ``enc`` to this key."""
        return _suite(self.suite).receiver(self._receiver_key, self.public, enc, info, psk,
                                           export_only=export_only)

    @cached_property
    def _receiver_key(self):
        """The secret in the form the suite opens with, derived once per key (an opening
        of a thousand envelopes does not redo the X25519 public point a thousand times)."""
        return _suite(self.suite).receiver_key(self.secret)

    def to_bytes(self) -> bytes:
        """Binary form for wrapping: version, suite code, secret (, public if it travels)."""
        suite = _suite(self.suite)
        tail = self.public if suite.needs_public else b""
        return bytes([_BINARY_VERSION, suite.code]) + self.secret + tail

    @classmethod
    def from_bytes(cls, data: bytes) -> "PrivateKey":
        if len(data) < 2 or data[0] != _BINARY_VERSION:
            raise KeyFormatError("not a bid_crypto private key encoding")
        try:
            suite = suite_by_code(data[1])
        except UnsupportedEnvelope as exc:
            raise KeyFormatError(str(exc)) from None
        size = suite.secret_len + (suite.public_len if suite.needs_public else 0)
        if len(data) != 2 + size:
            raise KeyFormatError(f"not a bid_crypto {suite.name} private key encoding")
        secret = data[2 : 2 + suite.secret_len]
        return cls(suite.name, secret, data[2 + suite.secret_len :] or None)

    def to_json(self) -> str:
        material = {"secret": self.secret.hex()}
        if _suite(self.suite).needs_public:
            material["public"] = self.public.hex()
        return _dump(PRIVATE_KIND, self.suite, self.key_id, **material)

    @classmethod
    def from_json(cls, data: bytes | str) -> "PrivateKey":
        doc = loads_strict(data, "key file", KeyFormatError)
        suite = _suite(doc.get("suite") if isinstance(doc, dict) else None)
        fields = ("kind", "version", "suite", "key_id", "secret")
        doc = _parse(data, PRIVATE_KIND, fields + (("public",) if suite.needs_public else ()))
        secret = from_hex("secret", doc["secret"], suite.secret_len, KeyFormatError)
        public = None
        if suite.needs_public:
            public = from_hex("public", doc["public"], suite.public_len, KeyFormatError)
        key = cls(suite.name, secret, public)
        _check_key_id(doc, key.key_id)
        return key


def generate_private_key(suite: str = DEFAULT_SUITE) -> PrivateKey:
    """A new random private key for ``suite`` (``x25519``, ``xwing``, ``sm2``, ``sm2mlkem``)."""
    secret, public = _suite(suite).generate()
    return PrivateKey(_suite(suite).name, secret, public)


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
