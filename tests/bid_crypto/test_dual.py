"""Dual custody (不见面开标): opening needs the project key and the bidder's share."""

import io
import os

import pytest
from Crypto.Protocol import HPKE

from bid_crypto import (
    DecryptionShare,
    DecryptionShareError,
    InvalidHeader,
    WrongKey,
    make_decryption_share,
    read_header,
    verify_decryption_share,
)
from bid_crypto.envelope import INFO, chunk_aad, read_record
from bid_crypto.suites import AEAD_ID

PAYLOAD = os.urandom(300)


@pytest.fixture
def dual_envelope(seal_bytes, bidder_key) -> bytes:
    return seal_bytes(PAYLOAD, custody="dual", bidder_key=bidder_key.public_key())


def test_project_key_plus_bidder_share_opens(dual_envelope, bidder_key, open_bytes):
    header = read_header(io.BytesIO(dual_envelope))
    assert header.custody == "dual"
    assert header.dual.key == bidder_key.key_id
    share = make_decryption_share(header, bidder_key)
    assert open_bytes(dual_envelope, share=share) == PAYLOAD
    reloaded = DecryptionShare.from_json(share.to_json())
    assert open_bytes(dual_envelope, share=reloaded) == PAYLOAD


def test_xwing_project_key_with_x25519_bidder_key(seal_bytes, open_bytes, xwing_key, bidder_key):
    envelope = seal_bytes(
        PAYLOAD, key=xwing_key, custody="dual", bidder_key=bidder_key.public_key()
    )
    share = make_decryption_share(read_header(io.BytesIO(envelope)), bidder_key)
    assert open_bytes(envelope, key=xwing_key, share=share) == PAYLOAD


def test_project_key_alone_is_refused(dual_envelope, open_bytes):
    with pytest.raises(DecryptionShareError, match="decryption share is required"):
        open_bytes(dual_envelope)


def test_bidder_key_alone_cannot_open(dual_envelope, bidder_key, open_bytes):
    share = make_decryption_share(read_header(io.BytesIO(dual_envelope)), bidder_key)
    with pytest.raises(WrongKey, match="sealed to key"):
        open_bytes(dual_envelope, key=bidder_key, share=share)


def _first_chunk_context(envelope: bytes, key, psk):
    source = io.BytesIO(envelope)
    header = read_header(source)
    context = HPKE.new(
        receiver_key=key.hpke_key(), aead_id=AEAD_ID, enc=header.enc, info=INFO, psk=psk
    )
    final, sealed = read_record(source, header.chunk_size, 0)
    return context, sealed, chunk_aad(header.sha256, 0, final)


def test_the_ciphertext_itself_needs_the_share(dual_envelope, project_key, bidder_key):
    # Below our checks: the AEAD key itself depends on the PSK.
    header = read_header(io.BytesIO(dual_envelope))
    psk_id = bytes.fromhex(bidder_key.key_id)
    right = make_decryption_share(header, bidder_key).secret
    context, sealed, aad = _first_chunk_context(dual_envelope, project_key, (psk_id, right))
    assert context.unseal(sealed, aad) == PAYLOAD[:64]
    for psk in (None, (psk_id, os.urandom(32))):
        context, sealed, aad = _first_chunk_context(dual_envelope, project_key, psk)
        with pytest.raises(ValueError):
            context.unseal(sealed, aad)


def test_a_forged_share_fails_the_commitment(dual_envelope, open_bytes):
    header = read_header(io.BytesIO(dual_envelope))
    forged = DecryptionShare(header.sha256, os.urandom(32))
    with pytest.raises(DecryptionShareError, match="wrong share"):
        verify_decryption_share(header, forged)
    with pytest.raises(DecryptionShareError, match="wrong share"):
        open_bytes(dual_envelope, share=forged)


def test_a_share_of_another_envelope_is_refused(seal_bytes, bidder_key, dual_envelope, open_bytes):
    other = seal_bytes(PAYLOAD, custody="dual", bidder_key=bidder_key.public_key())
    share = make_decryption_share(read_header(io.BytesIO(other)), bidder_key)
    with pytest.raises(DecryptionShareError, match="another envelope"):
        open_bytes(dual_envelope, share=share)


def test_share_needs_the_right_bidder_key(dual_envelope, other_key, xwing_key):
    header = read_header(io.BytesIO(dual_envelope))
    for key in (other_key, xwing_key):
        with pytest.raises(WrongKey, match="bound to bidder key"):
            make_decryption_share(header, key)


def test_share_is_refused_for_a_non_dual_envelope(seal_bytes, bidder_key):
    header = read_header(io.BytesIO(seal_bytes(PAYLOAD)))
    with pytest.raises(DecryptionShareError, match="does not use dual custody"):
        make_decryption_share(header, bidder_key)


def test_bidder_key_only_with_dual(seal_bytes, bidder_key):
    with pytest.raises(InvalidHeader, match="only used with custody 'dual'"):
        seal_bytes(PAYLOAD, bidder_key=bidder_key.public_key())


@pytest.mark.parametrize(
    "text",
    [
        '{"kind": "x"}',
        "[]",
        "{",
        '{"kind": '
        '"bid_crypto.decryption_share", "version": 1, '
        '"header_sha256": "00", "share": "00"}',
    ],
)
def test_malformed_share_files(text):
    with pytest.raises(DecryptionShareError):
        DecryptionShare.from_json(text)
