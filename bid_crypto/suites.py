"""The HPKE cipher suites an envelope can use.

Both suites are HPKE (RFC 9180) as implemented by pycryptodome, with HKDF-SHA256 and
AES-256-GCM; they differ only in the KEM:

* ``x25519`` — DHKEM(X25519, HKDF-SHA256), KEM id 0x0020 (the default);
* ``xwing``  — X-Wing, the ML-KEM-768 + X25519 hybrid KEM, KEM id 0x647A: archives are
  kept 15-30 years, so a project can choose protection against a future quantum
  computer.

A private key is always a 32-byte secret (an X25519 scalar or an X-Wing seed), which
keeps wrapping and Shamir splitting identical for both suites.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass

from Crypto.Protocol import HPKE
from Crypto.Protocol.DH import import_x25519_private_key, import_x25519_public_key
from Crypto.PublicKey import Hybrid
from Crypto.Random import get_random_bytes

from .errors import UnsupportedEnvelope

SECRET_LEN = 32
AEAD_ID = HPKE.AEAD.AES256_GCM
KDF_ID = 0x0001  # HKDF-SHA256; pycryptodome picks it from the KEM, we only record it


@dataclass(frozen=True)
class Suite(ABC):
    """One KEM choice; the KDF and AEAD are fixed (HKDF-SHA256, AES-256-GCM)."""

    name: str
    code: int  # one byte in the binary private-key encoding
    kem_id: int
    public_len: int
    enc_len: int

    @abstractmethod
    def private_hpke_key(self, secret: bytes):
        """The pycryptodome private key object for HPKE."""

    @abstractmethod
    def public_bytes(self, secret: bytes) -> bytes:
        """The serialised public key (RFC 9180 SerializePublicKey)."""

    @abstractmethod
    def public_hpke_key(self, public: bytes):
        """The pycryptodome public key object for HPKE."""


class _X25519Suite(Suite):
    def private_hpke_key(self, secret: bytes):
        return import_x25519_private_key(secret)

    def public_bytes(self, secret: bytes) -> bytes:
        return self.private_hpke_key(secret).public_key().export_key(format="raw")

    def public_hpke_key(self, public: bytes):
        return import_x25519_public_key(public)


class _XWingSuite(Suite):
    # pycryptodome 4.4 has no public import/export for hybrid keys: generate() with a
    # fixed randfunc rebuilds a key from its seed, and the HybridKey constructor and _pk
    # are what its own HPKE test-vector suite uses. Kept here so a future public API
    # replaces three lines; the X-Wing known-answer test guards the behaviour.
    def private_hpke_key(self, secret: bytes):
        return Hybrid.generate(param_set=Hybrid.MLKEM768_X25519, randfunc=_fixed(secret))

    def public_bytes(self, secret: bytes) -> bytes:
        return self.private_hpke_key(secret).public_key()._pk

    def public_hpke_key(self, public: bytes):
        return Hybrid.HybridKey(param_set=Hybrid.MLKEM768_X25519, pk=public)


def _fixed(seed: bytes):
    def randfunc(length: int) -> bytes:
        if length != len(seed):
            raise ValueError("unexpected seed length requested")
        return seed

    return randfunc


X25519 = _X25519Suite(name="x25519", code=1, kem_id=0x0020, public_len=32, enc_len=32)
XWING = _XWingSuite(name="xwing", code=2, kem_id=0x647A, public_len=1216, enc_len=1120)
SUITES = {suite.name: suite for suite in (X25519, XWING)}
DEFAULT_SUITE = X25519.name


def get_suite(name: object) -> Suite:
    """The suite called ``name``; UnsupportedEnvelope for anything else."""
    try:
        return SUITES[name]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UnsupportedEnvelope(f"unknown suite {name!r} (known: {', '.join(SUITES)})") from None


def suite_by_code(code: int) -> Suite:
    for suite in SUITES.values():
        if suite.code == code:
            return suite
    raise UnsupportedEnvelope(f"unknown suite code {code}")


def new_secret() -> bytes:
    """A fresh private key secret from the OS random source."""
    return get_random_bytes(SECRET_LEN)
