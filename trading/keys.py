"""Platform key material: the signing keys and the key-encryption key (KEK).

Production takes them from the environment (TRADING_SIGNING_KEY, TRADING_KEK: base64 of 32
random bytes; TRADING_SM2_SIGNING_KEY: base64 of the PKCS#8 DER of an SM2 key, for 国密
projects). Development may generate them once under `keys.dir` with a loud warning; the
files never enter the repository (var/ is ignored).

Two signature algorithms: Ed25519 (the default) and SM2 with SM3 and the GB/T 32918.2
signer ID, used for projects of a national suite (receipts, evaluation and award reports,
archive packages) and, when `audit.checkpoint_algorithm = sm2`, for audit checkpoints.
A public key says which algorithm it is for (32 bytes Ed25519, 65 bytes SM2), so the
offline verifiers need no other hint.
"""

import base64
import binascii
import datetime
import hashlib
import logging
import os
import secrets
import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from Crypto.IO import PEM
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa

from bid_crypto import KeyFormatError, SigningKey, load_signing_key
from bid_crypto.gm import export_private_pem
from bid_crypto.receipts import ED25519, SM2
from bid_crypto.receipts import verify_signature as _verify
from bid_crypto.suites import get_suite

from .config import ConfigError

log = logging.getLogger(__name__)

SIGNING_FILE = "signing.key"
SM2_SIGNING_FILE = "sm2-signing.key"
KEK_FILE = "kek.key"
DOCUMENT_KEY_FILE = "document-signing.key"
DOCUMENT_CERT_FILE = "document-signing.crt"
ALGORITHMS = (ED25519, SM2)


def signature_algorithm(suite: str) -> str:
    """A project's signature algorithm follows its suite: SM2 for the national ones."""
    return SM2 if get_suite(suite).national else ED25519


def project_algorithm(project) -> str:
    """The signature algorithm of a project's receipts, reports and archive package.

    Projects approved before suites were chosen per project have no suite: Ed25519."""
    return signature_algorithm(str(project.crypto_suite or "x25519"))


@dataclass(frozen=True)
class PlatformKeys:
    signing_seed: bytes
    kek: bytes
    sm2_der: bytes | None = None  # PKCS#8 DER of the SM2 signing key, if configured
    checkpoint_algorithm: str = ED25519  # audit.checkpoint_algorithm

    @cached_property
    def signing_key(self) -> ECC.EccKey:
        return eddsa.import_private_key(self.signing_seed)

    @cached_property
    def _ed25519(self) -> SigningKey:
        return SigningKey(self.signing_key)  # keeps its OpenSSL key: loaded once a process

    @property
    def public_key_bytes(self) -> bytes:
        return self.signing_key.public_key().export_key(format="raw")

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.public_key_bytes).hexdigest()[:16]

    @property
    def has_sm2(self) -> bool:
        return self.sm2_der is not None

    @cached_property
    def _sm2(self) -> SigningKey:
        if self.sm2_der is None:
            raise ConfigError("no SM2 signing key: set TRADING_SM2_SIGNING_KEY "
                              "(`trading keys generate` prints one)")
        return load_signing_key(PEM.encode(self.sm2_der, "PRIVATE KEY"))

    def signer(self, algorithm: str = ED25519) -> SigningKey:
        """The bid_crypto signing key for ``algorithm`` (receipts use it directly)."""
        if algorithm == SM2:
            return self._sm2
        if algorithm != ED25519:
            raise ConfigError(f"unknown signature algorithm {algorithm!r}")
        return self._ed25519

    def sign(self, message: bytes, algorithm: str = ED25519) -> bytes:
        return self.signer(algorithm).sign(message)

    def public_key_for(self, algorithm: str = ED25519) -> bytes:
        """Raw public key: 32 bytes (Ed25519) or 65 bytes (SM2, 04 || x || y)."""
        return self.signer(algorithm).public_key().to_raw()

    def key_id_for(self, algorithm: str = ED25519) -> str:
        return hashlib.sha256(self.public_key_for(algorithm)).hexdigest()[:16]

    def published(self) -> dict[str, bytes]:
        """Every public key the platform signs with, by key id (the checkpoints page)."""
        algorithms = ALGORITHMS if self.has_sm2 else (ED25519,)
        return {self.key_id_for(a): self.public_key_for(a) for a in algorithms}


def verify_signature(public_key_raw: bytes, message: bytes, signature: bytes) -> bool:
    """Ed25519 or SM2 (default signer ID), as the key's length says."""
    return _verify(public_key_raw, message, signature)


def _decode(name: str, value: str, length: int | None = 32) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfigError(f"{name} is not valid base64") from exc
    if length is not None and len(raw) != length:
        raise ConfigError(f"{name} must be {length} bytes (base64), got {len(raw)}")
    return raw


def _decode_sm2(name: str, value: str) -> bytes:
    der = _decode(name, value, None)
    try:
        load_signing_key(PEM.encode(der, "PRIVATE KEY"))
    except KeyFormatError as exc:
        raise ConfigError(f"{name} is not an SM2 PKCS#8 key: {exc}") from exc
    return der


def _read_or_create(path: Path, make=lambda: secrets.token_bytes(32), decode=_decode) -> bytes:
    if path.exists():
        return decode(str(path), path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    log.warning(
        "GENERATING DEVELOPMENT KEY %s — never use generated keys in production", path
    )
    value = make()
    # Written whole beside the target, then linked: a second process starting at the same
    # moment (web app and worker, parallel test servers) reads the winner's key, never half.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(base64.b64encode(value).decode())
        os.link(tmp, path)
    except FileExistsError:
        return decode(str(path), path.read_text().strip())
    finally:
        os.unlink(tmp)
    return value


def new_sm2_der() -> bytes:
    """A fresh SM2 signing key as PKCS#8 DER (what TRADING_SM2_SIGNING_KEY holds)."""
    return PEM.decode(export_private_pem(*SigningKey.generate(SM2).key))[0]


def load_keys(settings: dict) -> PlatformKeys:
    keys = _load_keys(settings)
    algorithm = settings.get("audit.checkpoint_algorithm") or ED25519
    if algorithm not in ALGORITHMS:
        raise ConfigError(f"audit.checkpoint_algorithm must be ed25519 or sm2, not {algorithm!r}")
    if algorithm == SM2 and not keys.has_sm2:
        raise ConfigError("audit.checkpoint_algorithm = sm2 needs TRADING_SM2_SIGNING_KEY")
    return PlatformKeys(keys.signing_seed, keys.kek, keys.sm2_der, algorithm)


def _load_keys(settings: dict) -> PlatformKeys:
    signing = settings.get("keys.signing_key")
    kek = settings.get("keys.kek")
    sm2 = settings.get("keys.sm2_signing_key")
    sm2_der = _decode_sm2("keys.sm2_signing_key", sm2) if sm2 else None
    if signing and kek and (sm2_der or not settings.get("keys.generate_missing")):
        return PlatformKeys(_decode("keys.signing_key", signing), _decode("keys.kek", kek),
                            sm2_der)
    if not (signing and kek) and not settings.get("keys.generate_missing"):
        raise ConfigError("missing keys.signing_key / keys.kek (TRADING_SIGNING_KEY, TRADING_KEK)")
    folder = Path(settings["keys.dir"])
    seed = (_decode("keys.signing_key", signing) if signing
            else _read_or_create(folder / SIGNING_FILE))
    kek_bytes = _decode("keys.kek", kek) if kek else _read_or_create(folder / KEK_FILE)
    if sm2_der is None:
        sm2_der = _read_or_create(folder / SM2_SIGNING_FILE, new_sm2_der, _decode_sm2)
    return PlatformKeys(seed, kek_bytes, sm2_der)


@dataclass(frozen=True)
class DocumentSigner:
    """The key and X.509 certificate that sign official documents as PDF (PAdES, issue
    #18): a PDF signature needs a certificate, which the Ed25519/SM2 receipt keys have
    not. ECDSA P-256, which every PDF reader verifies; the certificate is self-signed by
    default (`trading keys generate`) and may be replaced by one a CA issued."""

    key_der: bytes  # PKCS#8 DER
    cert_der: bytes  # X.509 DER

    @property
    def cert_pem(self) -> str:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding

        return x509.load_der_x509_certificate(self.cert_der).public_bytes(
            Encoding.PEM).decode()

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.cert_der).hexdigest()


def new_document_signer(center: str = "阳光交易平台", days: int = 3650,
                        key_der: bytes | None = None) -> DocumentSigner:
    """A self-signed certificate naming the center, for ``key_der`` or a fresh P-256 key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = (serialization.load_der_private_key(key_der, password=None) if key_der
           else ec.generate_private_key(ec.SECP256R1()))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{center} 电子文书签章"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, center)])
    # Real time, not the injected clock: PDF readers check validity against their own.
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True,
                          key_encipherment=False, data_encipherment=False,
                          key_agreement=False, key_cert_sign=True, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage, critical=True)
            .sign(key, hashes.SHA256()))
    return DocumentSigner(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()),
        cert.public_bytes(serialization.Encoding.DER))


def _checked_document_signer(key_der: bytes, cert_der: bytes) -> DocumentSigner:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_der_private_key(key_der, password=None)
        cert = x509.load_der_x509_certificate(cert_der)
    except ValueError as exc:
        raise ConfigError(f"keys.document_signing_key / keys.document_certificate: {exc}") \
            from exc
    raw = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, raw) != \
            cert.public_key().public_bytes(serialization.Encoding.DER, raw):
        raise ConfigError("keys.document_certificate is not the certificate of "
                          "keys.document_signing_key")
    return DocumentSigner(key_der, cert_der)


def load_document_signer(settings: dict) -> DocumentSigner | None:
    """From the settings (TRADING_DOCUMENT_SIGNING_KEY, TRADING_DOCUMENT_CERTIFICATE:
    base64 DER); in development generated once under keys.dir. None when neither is set
    and nothing may be generated: the PDFs then say they are not configured."""
    key, cert = (settings.get("keys.document_signing_key"),
                 settings.get("keys.document_certificate"))
    if key and cert:
        return _checked_document_signer(_decode("keys.document_signing_key", key, None),
                                        _decode("keys.document_certificate", cert, None))
    if key or cert:
        raise ConfigError("set both keys.document_signing_key and keys.document_certificate")
    if not settings.get("keys.generate_missing"):
        return None
    folder, center = Path(settings["keys.dir"]), settings.get("trading.center_name")
    raw = lambda name, value: _decode(name, value, None)  # noqa: E731
    key_der = _read_or_create(folder / DOCUMENT_KEY_FILE,
                              lambda: new_document_signer(center).key_der, raw)
    cert_der = _read_or_create(folder / DOCUMENT_CERT_FILE,
                               lambda: new_document_signer(center, key_der=key_der).cert_der,
                               raw)
    return _checked_document_signer(key_der, cert_der)


def includeme(config):
    settings = config.get_settings()  # keys.generate_missing is a bool (trading.config)
    if settings["trading.env"] == "production" and settings["keys.generate_missing"]:
        raise ConfigError("production never generates keys")
    config.registry["keys"] = load_keys(settings)
    config.registry["document_signer"] = load_document_signer(settings)
