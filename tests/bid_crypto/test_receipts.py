"""Receipts: Ed25519 over canonical JSON, verified against the envelope offline."""

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest
from Crypto.Signature import eddsa

from bid_crypto import (
    BidCryptoError,
    EnvelopeHashMismatch,
    InvalidReceipt,
    KeyFormatError,
    SigningKey,
    issue_receipt,
    load_signing_key,
    load_verify_key,
    receipt_message,
    verify_receipt,
)

# RFC 8032 §7.1, TEST 1
RFC8032_SECRET = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
RFC8032_SIGNATURE = (
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555"
    "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


@pytest.fixture(scope="module")
def platform_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture
def envelope_file(tmp_path, seal_bytes):
    path = tmp_path / "bid.tbid"
    path.write_bytes(seal_bytes(b"offer"))
    return path


def _fields(path) -> dict:
    return {
        "project": "P-2025-001",
        "lot": "L1",
        "bidder": "B-42",
        "version": 2,
        "envelope_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "received_at": datetime(
            2026, 3, 2, 9, 59, 59, 999_000, tzinfo=timezone(timedelta(hours=8))
        ),
    }


def test_rfc8032_key_encoding():
    key = load_signing_key(RFC8032_SECRET)
    assert key.public_key().to_raw().hex() == RFC8032_PUBLIC
    assert eddsa.new(key.key, "rfc8032").sign(b"").hex() == RFC8032_SIGNATURE
    assert load_verify_key(RFC8032_PUBLIC).to_raw() == key.public_key().to_raw()


def test_canonical_message_bytes():
    fields = {
        "project": "P1",
        "lot": "L1",
        "bidder": "B1",
        "version": 2,
        "envelope_sha256": "ab" * 32,
        "received_at": "2026-03-02T01:30:15.123Z",
    }
    assert receipt_message(fields) == (
        b'{"bidder":"B1","envelope_sha256":"' + b"ab" * 32 + b'","lot":"L1",'
        b'"project":"P1","received_at":"2026-03-02T01:30:15.123Z","version":2}'
    )


def test_issue_and_verify(platform_key, envelope_file):
    receipt = issue_receipt(platform_key, _fields(envelope_file))
    assert receipt["received_at"] == "2026-03-02T01:59:59.999Z"
    public = platform_key.public_key()
    expected = {k: v for k, v in receipt.items() if k != "signature"}
    assert verify_receipt(public, receipt, envelope_file) == expected
    assert verify_receipt(public, json.dumps(receipt), str(envelope_file)) == expected
    assert verify_receipt(public, receipt, receipt["envelope_sha256"]) == expected
    with open(envelope_file, "rb") as handle:
        assert verify_receipt(public, json.dumps(receipt).encode(), handle) == expected


def test_signatures_are_deterministic(platform_key, envelope_file):
    fields = _fields(envelope_file)
    assert issue_receipt(platform_key, fields) == issue_receipt(platform_key, fields)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("project", "P-2025-002"),
        ("lot", "L2"),
        ("bidder", "B-43"),
        ("version", 1),
        ("received_at", "2026-03-02T01:59:59.998Z"),
        ("envelope_sha256", "0" * 64),
    ],
)
def test_any_changed_field_breaks_the_signature(platform_key, envelope_file, field, value):
    receipt = issue_receipt(platform_key, _fields(envelope_file)) | {field: value}
    with pytest.raises(InvalidReceipt, match="signature is not valid"):
        verify_receipt(platform_key.public_key(), receipt, envelope_file)


def test_wrong_platform_key(platform_key, envelope_file):
    receipt = issue_receipt(platform_key, _fields(envelope_file))
    with pytest.raises(InvalidReceipt, match="signature is not valid"):
        verify_receipt(SigningKey.generate().public_key(), receipt, envelope_file)


def test_genuine_receipt_for_another_envelope(platform_key, envelope_file, tmp_path, seal_bytes):
    receipt = issue_receipt(platform_key, _fields(envelope_file))
    other = tmp_path / "other.tbid"
    other.write_bytes(seal_bytes(b"offer"))
    with pytest.raises(EnvelopeHashMismatch, match="receipt covers envelope"):
        verify_receipt(platform_key.public_key(), receipt, other)
    with pytest.raises(EnvelopeHashMismatch):
        verify_receipt(platform_key.public_key(), receipt, "1" * 64)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 0}, "positive integer"),
        ({"version": 2.0}, "positive integer"),
        ({"version": True}, "positive integer"),
        ({"received_at": "2026-03-02 09:59:59"}, "received_at"),
        ({"received_at": "2026-02-30T01:00:00.000Z"}, "not a real date"),
        ({"envelope_sha256": "AB" * 32}, "lowercase hex"),
        ({"bidder": "投标人"}, "bidder"),
        ({"extra": 1}, "exactly"),
    ],
)
def test_issue_refuses_bad_fields(platform_key, envelope_file, change, message):
    with pytest.raises(InvalidReceipt, match=message):
        issue_receipt(platform_key, _fields(envelope_file) | change)


def test_naive_received_at_is_refused(platform_key, envelope_file):
    with pytest.raises(BidCryptoError, match="timezone-aware"):
        issue_receipt(platform_key, _fields(envelope_file) | {"received_at": datetime(2026, 1, 1)})


def test_malformed_receipt_documents(platform_key, envelope_file):
    receipt = issue_receipt(platform_key, _fields(envelope_file))
    for bad in (
        {k: v for k, v in receipt.items() if k != "lot"},
        receipt | {"note": "x"},
        receipt | {"signature": "zz"},
        "[1]",
        "{",
    ):
        with pytest.raises(InvalidReceipt):
            verify_receipt(platform_key.public_key(), bad, envelope_file)


def test_key_serialisation_round_trips(platform_key):
    assert load_signing_key(platform_key.to_pem()).to_raw() == platform_key.to_raw()
    assert load_signing_key(platform_key.to_raw()).to_raw() == platform_key.to_raw()
    public = platform_key.public_key()
    assert "BEGIN PUBLIC KEY" in public.to_pem()
    assert load_verify_key(public.to_pem().encode()).to_raw() == public.to_raw()
    assert load_verify_key(public.to_raw()).key_id == public.key_id


def test_key_loading_errors(platform_key):
    with pytest.raises(KeyFormatError):
        load_verify_key(platform_key.to_pem())  # a private key where a public one is due
    with pytest.raises(KeyFormatError):
        load_signing_key(platform_key.public_key().to_pem())
    with pytest.raises(KeyFormatError):
        load_signing_key(b"not a key")
    with pytest.raises(KeyFormatError):
        load_verify_key("2026-01-01T00:00:00+00:00")
