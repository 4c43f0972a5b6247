"""Submission receipts (rules §7.2), verifiable offline by the bidder.

A receipt is the six fields below plus an Ed25519 signature (RFC 8032, pure) by the
platform over their canonical JSON (sorted keys, UTF-8, no whitespace). The bidder
checks it against the platform's published key and its own copy of the envelope:
``python -m bid_crypto verify-receipt``. Format: FORMAT.md §7.
"""

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from Crypto.PublicKey import ECC
from Crypto.PublicKey.ECC import EccKey
from Crypto.Signature import eddsa

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


@dataclass(frozen=True)
class VerifyKey:
    """The platform's Ed25519 public key."""

    key: EccKey

    def to_pem(self) -> str:
        return self.key.export_key(format="PEM") + "\n"

    def to_raw(self) -> bytes:
        return self.key.export_key(format="raw")

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.to_raw()).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    """The platform's Ed25519 private key (from the environment in production)."""

    key: EccKey

    @classmethod
    def generate(cls) -> "SigningKey":
        return cls(ECC.generate(curve="Ed25519"))

    def to_pem(self) -> str:
        """PKCS#8 PEM, unencrypted: protect the file, or keep it in the environment."""
        return self.key.export_key(format="PEM") + "\n"

    def to_raw(self) -> bytes:
        """The 32-byte RFC 8032 private key seed."""
        return self.key.seed

    def public_key(self) -> VerifyKey:
        return VerifyKey(self.key.public_key())


def load_signing_key(data: bytes | str) -> SigningKey:
    """PKCS#8 PEM, 64 hex characters, or 32 raw bytes."""
    return SigningKey(_load(data, eddsa.import_private_key, private=True))


def load_verify_key(data: bytes | str) -> VerifyKey:
    """SubjectPublicKeyInfo PEM, 64 hex characters, or 32 raw bytes."""
    return VerifyKey(_load(data, eddsa.import_public_key, private=False))


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
        raise KeyFormatError(f"cannot read Ed25519 key: {exc}") from None
    if key.curve != "Ed25519" or key.has_private() != private:
        raise KeyFormatError(f"not an Ed25519 {'private' if private else 'public'} key")
    return key


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
    signature = eddsa.new(signing_key.key, "rfc8032").sign(canonical_json(normalised))
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
    signature = document["signature"]
    try:
        eddsa.new(public_key.key, "rfc8032").verify(message, bytes.fromhex(signature))
    except ValueError:
        raise InvalidReceipt(
            "receipt signature is not valid for this platform key (altered or forged)"
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
