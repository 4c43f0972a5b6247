"""Dual custody (不见面开标): opening needs the project key AND the bidder's own key.

The envelope is sealed with HPKE in PSK mode (RFC 9180 §5.1.2) to the project key. The
PSK is a secret exported from a second, export-only HPKE context to the bidder's public
key. HPKE's key schedule feeds both the KEM shared secret and the PSK into the AEAD key,
so neither the project key alone nor the bidder's key alone opens the payload.

In the opening hall the bidder runs :func:`make_decryption_share` on its envelope header
with its private key and hands the result (the 32-byte PSK) to the platform. What that
exposes, and why it is safe, is in FORMAT.md §4.3: the share is fresh per envelope,
reveals nothing about the bidder's private key, and decrypts nothing without the project
key.
"""

import json
from dataclasses import dataclass, field

from .encoding import from_hex, loads_strict
from .errors import DecryptionShareError, WrongKey
from .header import DualFields, EnvelopeHeader
from .keys import PrivateKey, PublicKey
from .suites import get_suite

DUAL_INFO = b"bid_crypto/v1 dual share"
_EXPORT_CONTEXT = b"psk"
_CHECK_LABEL = b"bid_crypto/v1 dual share check"
SHARE_LEN = 32
SHARE_KIND = "bid_crypto.decryption_share"


@dataclass(frozen=True)
class DecryptionShare:
    """A bidder's contribution to opening one dual-custody envelope."""

    header_sha256: bytes  # which envelope this share opens
    secret: bytes = field(repr=False)

    def to_json(self) -> str:
        doc = {
            "kind": SHARE_KIND,
            "version": 1,
            "header_sha256": self.header_sha256.hex(),
            "share": self.secret.hex(),
        }
        return json.dumps(doc, indent=2) + "\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> "DecryptionShare":
        doc = loads_strict(data, "decryption share", DecryptionShareError)
        keys = {"kind", "version", "header_sha256", "share"}
        if not isinstance(doc, dict) or set(doc) != keys or doc["kind"] != SHARE_KIND:
            raise DecryptionShareError("not a bid_crypto decryption share file")
        if doc["version"] != 1:
            raise DecryptionShareError("unsupported decryption share version")
        return cls(
            from_hex("header_sha256", doc["header_sha256"], 32, DecryptionShareError),
            from_hex("share", doc["share"], SHARE_LEN, DecryptionShareError),
        )


def share_check(secret: bytes, suite: str = "x25519") -> bytes:
    """Public commitment: anyone can tell a right share from a wrong one.

    The hash of the bidder key's suite: SHA-256, or SM3 for a national suite.
    """
    return get_suite(suite).digest(_CHECK_LABEL + secret)


def seal_dual(bidder_key: PublicKey) -> tuple[tuple[bytes, bytes], DualFields]:
    """Sender side: (psk_id, psk) for the project context, and the header fields."""
    context = get_suite(bidder_key.suite).sender(bidder_key.raw, DUAL_INFO, export_only=True)
    secret = context.export(_EXPORT_CONTEXT, SHARE_LEN)
    fields = DualFields(
        suite=bidder_key.suite,
        key=bidder_key.key_id,
        enc=context.enc,
        check=share_check(secret, bidder_key.suite),
    )
    return (bytes.fromhex(bidder_key.key_id), secret), fields


def make_decryption_share(header: EnvelopeHeader, bidder_key: PrivateKey) -> DecryptionShare:
    """Bidder side, in the opening hall: derive the share with the bidder key."""
    dual = _dual_fields(header)
    if bidder_key.suite != dual.suite or bidder_key.key_id != dual.key:
        raise WrongKey(
            f"envelope's dual share is bound to bidder key {dual.key[:16]}…, "
            f"not to this key {bidder_key.key_id[:16]}…"
        )
    try:
        context = bidder_key.receiver(dual.enc, DUAL_INFO, export_only=True)
    except ValueError:
        # An SM2 encapsulation is checked (C3); an altered one fails here, not below.
        raise DecryptionShareError("the envelope's dual-share encapsulation was altered") from None
    secret = context.export(_EXPORT_CONTEXT, SHARE_LEN)
    # HPKE export never fails on a wrong enc; the commitment tells us it went right.
    if share_check(secret, dual.suite) != dual.check:
        raise DecryptionShareError("derived share does not match the envelope's commitment")
    return DecryptionShare(header.sha256, secret)


def verify_decryption_share(header: EnvelopeHeader, share: DecryptionShare) -> None:
    """Raise DecryptionShareError unless ``share`` is this envelope's share."""
    dual = _dual_fields(header)
    if share.header_sha256 != header.sha256:
        raise DecryptionShareError("decryption share belongs to another envelope")
    if share_check(share.secret, dual.suite) != dual.check:
        raise DecryptionShareError(
            "decryption share does not match the envelope's commitment (wrong share)"
        )


def psk_for(header: EnvelopeHeader, share: DecryptionShare | None) -> tuple[bytes, bytes]:
    """Receiver side: the verified (psk_id, psk) pair to open a dual envelope."""
    if share is None:
        raise DecryptionShareError(
            "envelope uses dual custody: the bidder's decryption share is required"
        )
    verify_decryption_share(header, share)
    return bytes.fromhex(_dual_fields(header).key), share.secret


def _dual_fields(header: EnvelopeHeader) -> DualFields:
    if header.dual is None:
        raise DecryptionShareError("envelope does not use dual custody")
    return header.dual
