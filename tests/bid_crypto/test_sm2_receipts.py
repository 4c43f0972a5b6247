"""Receipts signed with SM2 (SM3, GB/T 32918.2 signer ID): issued, verified offline, and
every way a verifier can be misled refused."""

import hashlib
import json

import gmalg
import pytest
from Crypto.PublicKey import ECC

from bid_crypto import (
    InvalidReceipt,
    KeyFormatError,
    SigningKey,
    issue_receipt,
    load_signing_key,
    load_verify_key,
    receipt_message,
    verify_receipt,
)
from bid_crypto.receipts import verify_signature


@pytest.fixture(scope="module")
def sm2_platform() -> SigningKey:
    return SigningKey.generate("sm2")


@pytest.fixture
def envelope(tmp_path, seal_bytes, sm2_key):
    path = tmp_path / "bid.tbid"
    path.write_bytes(seal_bytes(b"offer", key=sm2_key))
    return path


def fields(path) -> dict:
    return {"project": "P-2025-001", "lot": "L1", "bidder": "B-42", "version": 1,
            "envelope_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "received_at": "2026-03-02T01:59:59.999Z"}


def test_sm2_receipt_round_trip_through_pem_files(sm2_platform, envelope):
    receipt = issue_receipt(sm2_platform, fields(envelope))
    assert len(bytes.fromhex(receipt["signature"])) == 64  # r || s
    public = load_verify_key(sm2_platform.public_key().to_pem())
    assert public.algorithm == "sm2"
    assert verify_receipt(public, json.dumps(receipt), envelope)["version"] == 1
    reloaded = load_signing_key(sm2_platform.to_pem())
    assert verify_receipt(public, issue_receipt(reloaded, fields(envelope)), envelope)
    raw = load_verify_key(sm2_platform.public_key().to_raw().hex())
    assert verify_receipt(raw, receipt, envelope)


def test_the_receipt_verifies_in_an_independent_sm2(sm2_platform, envelope):
    receipt = issue_receipt(sm2_platform, fields(envelope))
    public = sm2_platform.public_key().to_raw()
    sm2 = gmalg.SM2(uid=b"1234567812345678", pk=public)
    signature = bytes.fromhex(receipt["signature"])
    assert sm2.verify(receipt_message(fields(envelope)), signature[:32], signature[32:])


def test_wrong_user_id_is_refused(envelope):
    signer = SigningKey.generate("sm2")
    custom = load_signing_key(signer.to_pem(), user_id=b"sztc@trading.example")
    receipt = issue_receipt(custom, fields(envelope))
    right = load_verify_key(signer.public_key().to_pem(), user_id=b"sztc@trading.example")
    assert verify_receipt(right, receipt, envelope)
    with pytest.raises(InvalidReceipt, match="signer ID"):
        verify_receipt(load_verify_key(signer.public_key().to_pem()), receipt, envelope)


def test_altered_receipt_and_other_keys_are_refused(sm2_platform, envelope):
    receipt = issue_receipt(sm2_platform, fields(envelope))
    public = sm2_platform.public_key()
    with pytest.raises(InvalidReceipt):
        verify_receipt(public, {**receipt, "version": 2}, envelope)
    with pytest.raises(InvalidReceipt):
        verify_receipt(SigningKey.generate("sm2").public_key(), receipt, envelope)
    with pytest.raises(InvalidReceipt, match="ed25519"):  # the key decides the algorithm
        verify_receipt(SigningKey.generate().public_key(), receipt, envelope)


def test_key_files_of_another_curve_are_refused():
    p256 = ECC.generate(curve="P-256")
    with pytest.raises(KeyFormatError, match="P-256"):
        load_signing_key(p256.export_key(format="PEM"))
    with pytest.raises(KeyFormatError, match="P-256"):
        load_verify_key(p256.public_key().export_key(format="PEM"))
    point = b"\x04" + p256.pointQ.x.to_bytes(32) + p256.pointQ.y.to_bytes(32)
    with pytest.raises(KeyFormatError, match="SM2 curve"):
        load_verify_key(point.hex())
    with pytest.raises(KeyFormatError):
        load_verify_key(SigningKey.generate("sm2").to_pem())  # a private key as public
    with pytest.raises(KeyFormatError, match="PEM"):
        SigningKey.generate("sm2").to_raw()


def test_verify_signature_dispatches_on_the_key_not_the_signature():
    ed, sm2 = SigningKey.generate(), SigningKey.generate("sm2")
    for key in (ed, sm2):
        raw = key.public_key().to_raw()
        signature = key.sign(b"checkpoint")
        assert verify_signature(raw, b"checkpoint", signature)
        assert not verify_signature(raw, b"checkpoint!", signature)
    assert not verify_signature(ed.public_key().to_raw(), b"checkpoint", sm2.sign(b"checkpoint"))
    assert not verify_signature(sm2.public_key().to_raw(), b"checkpoint", ed.sign(b"checkpoint"))
    assert not verify_signature(b"\x04" * 65, b"checkpoint", sm2.sign(b"checkpoint"))
