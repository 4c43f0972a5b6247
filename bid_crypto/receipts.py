"""Submission receipts (rules §7.2), verifiable offline by the bidder.

A receipt is the six fields below plus a signature by the platform over their canonical
JSON (sorted keys, UTF-8, no whitespace): Ed25519 (RFC 8032, pure), or SM2 with SM3 and
the signer ID (GB/T 32918.2) for projects of a national suite. The key decides which. The bidder
checks it against the platform's published key and its own copy of the envelope:
``python -m bid_crypto verify-receipt``. Format: FORMAT.md §7.
"""

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import BinaryIO

from Crypto.PublicKey import ECC
from Crypto.PublicKey.ECC import EccKey
from Crypto.Signature import eddsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import gm
from .encoding import (
    canonical_json,
    check_id,
    check_timestamp,
    format_timestamp,
    loads_strict,
)
from .envelope import envelope_sha256
from .errors import EnvelopeHashMismatch, InvalidReceipt, KeyFormatError

RECEIPT_FIELDS = (
    "project",
    "lot",
    "bidder",
    "version",
    "envelope_sha256",
    "received_at",
)
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
_RAW_HEX_RE = re.compile(r"[0-9a-fA-F]{64}")
_SM2_HEX_RE = re.compile(r"04[0-9a-fA-F]{128}")


ED25519, SM2 = "ed25519", "sm2"


@dataclass(frozen=True)
class VerifyKey:
    """The platform's public key: Ed25519 (32 bytes) or SM2 (65 bytes, with a signer ID).

    The key decides the algorithm, never the signed document, so a receipt cannot be
    presented under another algorithm than the one its key was made for.
    """

    key: EccKey | bytes
    user_id: bytes = gm.DEFAULT_SM2_ID

    @property
    def algorithm(self) -> str:
        return SM2 if isinstance(self.key, bytes) else ED25519

    def to_pem(self) -> str:
        if self.algorithm == SM2:
            return gm.export_public_pem(self.key)
        return self.key.export_key(format="PEM") + "\n"

    def to_raw(self) -> bytes:
        return self.key if self.algorithm == SM2 else self.key.export_key(format="raw")

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.to_raw()).hexdigest()

    def verify(self, message: bytes, signature: bytes) -> bool:
        if self.algorithm == SM2:
            return gm.verify(self.key, message, signature, self.user_id)
        try:
            eddsa.new(self.key, "rfc8032").verify(message, signature)
        except ValueError:
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """The platform's private key: Ed25519, or SM2 (SM3 with the GB/T 32918.2 signer ID)."""

    key: EccKey | tuple[bytes, bytes]  # Ed25519 key, or (SM2 scalar, SM2 public key)
    user_id: bytes = gm.DEFAULT_SM2_ID

    @classmethod
    def generate(cls, algorithm: str = ED25519) -> "SigningKey":
        if algorithm == SM2:
            return cls(gm.generate_key_pair())
        if algorithm != ED25519:
            raise KeyFormatError(f"unknown signature algorithm {algorithm!r} (ed25519, sm2)")
        return cls(ECC.generate(curve="Ed25519"))

    @property
    def algorithm(self) -> str:
        return SM2 if isinstance(self.key, tuple) else ED25519

    def to_pem(self) -> str:
        """PKCS#8 PEM, unencrypted: protect the file, or keep it in the environment."""
        if self.algorithm == SM2:
            return gm.export_private_pem(*self.key)
        return self.key.export_key(format="PEM") + "\n"

    def to_raw(self) -> bytes:
        """Ed25519: the 32-byte RFC 8032 seed. SM2 keys travel as PEM only."""
        if self.algorithm == SM2:
            raise KeyFormatError("an SM2 signing key is kept as PKCS#8 PEM, not raw bytes")
        return self.key.seed

    def public_key(self) -> VerifyKey:
        if self.algorithm == SM2:
            return VerifyKey(self.key[1], self.user_id)
        return VerifyKey(self.key.public_key())

    def sign(self, message: bytes) -> bytes:
        """Ed25519 (64 bytes), or SM2 r || s (64 bytes) over Z_A || message with SM3."""
        if self.algorithm == SM2:
            return gm.sign(*self.key, message, self.user_id)
        return self._ed25519.sign(message)

    @cached_property
    def _ed25519(self) -> Ed25519PrivateKey:
        # The same RFC 8032 signature (deterministic: the same bytes) through OpenSSL, about
        # four times faster than pycryptodome's: a receipt is signed on every bid upload.
        return Ed25519PrivateKey.from_private_bytes(self.key.seed)


def load_signing_key(data: bytes | str, *, user_id: bytes = gm.DEFAULT_SM2_ID) -> SigningKey:
    """PKCS#8 PEM (Ed25519 or SM2), or an Ed25519 seed as 64 hex characters or 32 bytes."""
    sm2 = _sm2_pem(data, gm.import_private_pem)
    if sm2 is not None:
        return SigningKey(sm2, _user_id(user_id))
    return SigningKey(_load(data, eddsa.import_private_key, private=True))


def load_verify_key(data: bytes | str, *, user_id: bytes = gm.DEFAULT_SM2_ID) -> VerifyKey:
    """SubjectPublicKeyInfo PEM (Ed25519 or SM2); 32 raw bytes / 64 hex (Ed25519);
    65 raw bytes / 130 hex (SM2, 04 || x || y)."""
    sm2 = _sm2_pem(data, gm.import_public_pem)
    if sm2 is None:
        sm2 = _sm2_raw(data)
    if sm2 is not None:
        return VerifyKey(sm2, _user_id(user_id))
    return VerifyKey(_load(data, eddsa.import_public_key, private=False))


def _user_id(user_id: bytes) -> bytes:
    try:
        return gm.check_id(user_id)
    except gm.SMError as exc:
        raise KeyFormatError(str(exc)) from None


def _sm2_pem(data: bytes | str, importer):
    """The SM2 key in a PEM, or None if the PEM holds no SM2-curve EC key."""
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    if "-----BEGIN" not in text:
        return None
    try:
        return importer(text)
    except gm.SMError as exc:
        if str(exc).startswith("not an SM2 key: algorithm Ed25519"):
            return None
        raise KeyFormatError(f"cannot read SM2 key: {exc}") from None


def _sm2_raw(data: bytes | str) -> bytes | None:
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    if _SM2_HEX_RE.fullmatch(text.strip()):
        raw = bytes.fromhex(text.strip())
    elif isinstance(data, bytes) and len(data) == gm.PUBLIC_LEN:
        raw = data
    else:
        return None
    try:
        return gm.check_public(raw)
    except gm.SMError as exc:
        raise KeyFormatError(str(exc)) from None


def _load(data: bytes | str, import_raw, *, private: bool) -> EccKey:
    text = data.decode("ascii", "replace") if isinstance(data, bytes) else data
    try:
        if "-----BEGIN" in text:
            key = ECC.import_key(text)
        elif _RAW_HEX_RE.fullmatch(text.strip()):
            key = import_raw(bytes.fromhex(text.strip()))
        elif isinstance(data, bytes) and len(data) == 32:
            key = import_raw(data)
        else:
            raise ValueError("expected PEM, 64 hex characters or 32 raw bytes")
    except ValueError as exc:
        raise KeyFormatError(f"cannot read Ed25519 or SM2 key: {exc}") from None
    if key.curve != "Ed25519" or key.has_private() != private:
        raise KeyFormatError(f"not an Ed25519 {'private' if private else 'public'} key")
    return key


def verify_signature(public_raw: bytes, message: bytes, signature: bytes,
                     user_id: bytes = gm.DEFAULT_SM2_ID) -> bool:
    """Verify by the raw public key's type: 32 bytes Ed25519, 65 bytes SM2."""
    try:
        key = load_verify_key(public_raw, user_id=user_id)
    except KeyFormatError:
        return False
    return key.verify(message, signature)


def receipt_fields(fields: Mapping) -> dict:
    """Validate and normalise the six signed fields (received_at may be a datetime)."""
    if set(fields) != set(RECEIPT_FIELDS):
        raise InvalidReceipt(f"receipt fields must be exactly {', '.join(RECEIPT_FIELDS)}")
    for name in ("project", "lot", "bidder"):
        check_id(name, fields[name], InvalidReceipt)
    if type(fields["version"]) is not int or fields["version"] < 1:
        raise InvalidReceipt("receipt version must be a positive integer")
    if not isinstance(fields["envelope_sha256"], str) or not _SHA256_RE.fullmatch(
        fields["envelope_sha256"]
    ):
        raise InvalidReceipt("envelope_sha256 must be 64 lowercase hex characters")
    received_at = fields["received_at"]
    if isinstance(received_at, datetime):
        received_at = format_timestamp(received_at)
    check_timestamp("received_at", received_at, InvalidReceipt)
    return {**fields, "received_at": received_at}


def receipt_message(fields: Mapping) -> bytes:
    """The exact bytes signed: canonical JSON of the six validated fields."""
    return canonical_json(receipt_fields(fields))


def issue_receipt(signing_key: SigningKey, fields: Mapping) -> dict:
    """Sign the receipt fields; returns them plus ``signature`` (hex, 64 bytes)."""
    normalised = receipt_fields(fields)
    signature = signing_key.sign(canonical_json(normalised))
    return {**normalised, "signature": signature.hex()}


def verify_receipt(
    public_key: VerifyKey,
    receipt: Mapping | str | bytes,
    envelope: str | os.PathLike | BinaryIO,
) -> dict:
    """Check the signature, then that the receipt covers ``envelope``.

    ``envelope`` is a path or binary file (hashed here) or a 64-hex SHA-256. Returns the
    signed fields. InvalidReceipt for a bad signature or field; EnvelopeHashMismatch for
    a genuine receipt of another envelope.
    """
    document = _receipt_document(receipt)
    fields = {name: document[name] for name in RECEIPT_FIELDS if name in document}
    message = receipt_message(fields)
    if not public_key.verify(message, bytes.fromhex(document["signature"])):
        hint = " with this signer ID" if public_key.algorithm == SM2 else ""
        raise InvalidReceipt(
            f"receipt signature is not valid for this {public_key.algorithm} platform key"
            f"{hint} (altered or forged, or signed by another key)"
        ) from None
    actual = _envelope_hash(envelope)
    if actual != fields["envelope_sha256"]:
        raise EnvelopeHashMismatch(
            f"receipt covers envelope {fields['envelope_sha256']}, "
            f"the envelope presented is {actual}"
        )
    return fields


def _receipt_document(receipt: Mapping | str | bytes) -> Mapping:
    if isinstance(receipt, str | bytes):
        receipt = loads_strict(receipt, "receipt", InvalidReceipt)
    if not isinstance(receipt, Mapping) or set(receipt) != {
        *RECEIPT_FIELDS,
        "signature",
    }:
        raise InvalidReceipt(
            f"a receipt has exactly the fields {', '.join(RECEIPT_FIELDS)}, signature"
        )
    if not isinstance(receipt["signature"], str) or not re.fullmatch(
        r"[0-9a-f]{128}", receipt["signature"]
    ):
        raise InvalidReceipt("receipt signature must be 128 lowercase hex characters")
    return receipt


def _envelope_hash(envelope: str | os.PathLike | BinaryIO) -> str:
    if isinstance(envelope, str) and _SHA256_RE.fullmatch(envelope):
        return envelope
    return envelope_sha256(envelope)
