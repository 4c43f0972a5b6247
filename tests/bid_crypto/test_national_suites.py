"""The national suites (sm2, sm2mlkem) through every envelope path: sealing, opening, dual
custody, wrapping and Shamir custody, key files, and refusals across suites."""

import io
import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from bid_crypto import (
    Custodian,
    InconsistentShares,
    KeyFormatError,
    OpeningStatement,
    PrivateKey,
    PublicKey,
    TamperedEnvelope,
    WrongKey,
    combine_releases,
    generate_private_key,
    gm,
    make_decryption_share,
    make_release,
    read_header,
    split_private_key,
    unwrap_private_key,
    wrap_private_key,
)
from bid_crypto.suites import get_suite

NATIONAL = ["sm2", "sm2mlkem"]
PAYLOAD = os.urandom(1000)


@pytest.fixture(scope="module", params=NATIONAL)
def key(request):
    return generate_private_key(request.param)


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 1000])
def test_round_trip(key, seal_bytes, open_bytes, size):
    data = PAYLOAD[:size]
    assert open_bytes(seal_bytes(data, key=key), key=key) == data


def test_header_binds_with_sm3(key, seal_bytes):
    header = read_header(io.BytesIO(seal_bytes(b"x", key=key)))
    assert header.suite == key.suite
    assert len(header.enc) == get_suite(key.suite).enc_len
    assert header.binding_hash == gm.sm3(header.encode()) != header.sha256
    assert key.key_id == gm.sm3(key.suite.encode() + b"\x00" + key.public).hex()


def test_envelope_of_another_suite_is_wrong_key(key, seal_bytes, open_bytes, project_key):
    with pytest.raises(WrongKey, match=f"suite {key.suite}"):
        open_bytes(seal_bytes(b"bid", key=key), key=project_key)
    with pytest.raises(WrongKey, match="suite x25519"):
        open_bytes(seal_bytes(b"bid", key=project_key), key=key)
    other = generate_private_key(key.suite)
    with pytest.raises(WrongKey):
        open_bytes(seal_bytes(b"bid", key=key), key=other)


def test_enc_swapped_from_another_envelope_fails(key, seal_bytes, open_bytes):
    first, second = seal_bytes(b"first", key=key), seal_bytes(b"second", key=key)
    enc_a, enc_b = (read_header(io.BytesIO(e)).enc.hex().encode() for e in (first, second))
    with pytest.raises(TamperedEnvelope):
        open_bytes(first.replace(enc_a, enc_b), key=key)


@pytest.mark.parametrize("bidder_suite", ["sm2", "sm2mlkem", "x25519"])
def test_dual_custody(key, seal_bytes, open_bytes, bidder_suite):
    bidder = generate_private_key(bidder_suite)
    envelope = seal_bytes(PAYLOAD, key=key, custody="dual", bidder_key=bidder.public_key())
    header = read_header(io.BytesIO(envelope))
    share = make_decryption_share(header, bidder)
    assert header.dual.check == get_suite(bidder_suite).digest(
        b"bid_crypto/v1 dual share check" + share.secret)
    assert open_bytes(envelope, key=key, share=share) == PAYLOAD


def test_key_files_round_trip_and_carry_the_public_key(key):
    text = key.to_json()
    assert json.loads(text)["public"] == key.public.hex()
    assert PrivateKey.from_json(text) == key
    assert PublicKey.from_json(key.public_key().to_json()) == key.public_key()
    assert PrivateKey.from_bytes(key.to_bytes()) == key


def test_a_private_key_file_with_another_public_key_is_refused(key):
    doc = json.loads(key.to_json())
    doc["public"] = generate_private_key(key.suite).public.hex()
    with pytest.raises(KeyFormatError):
        PrivateKey.from_json(json.dumps(doc))


def test_a_key_file_of_the_wrong_curve_is_refused():
    from Crypto.PublicKey import ECC

    p256 = ECC.generate(curve="P-256").public_key()
    point = b"\x04" + p256.pointQ.x.to_bytes(32) + p256.pointQ.y.to_bytes(32)
    sm2 = generate_private_key("sm2")
    doc = json.loads(sm2.public_key().to_json())
    doc["public"] = point.hex()
    with pytest.raises(KeyFormatError, match="SM2 curve"):
        PublicKey.from_json(json.dumps(doc))
    x25519_doc = json.loads(generate_private_key("x25519").public_key().to_json())
    x25519_doc["suite"] = "sm2"
    with pytest.raises(KeyFormatError):
        PublicKey.from_json(json.dumps(x25519_doc))


def test_kek_wrapping(key):
    kek = os.urandom(32)
    wrapped = wrap_private_key(kek, key.to_bytes(), "P-2025-001")
    assert PrivateKey.from_bytes(unwrap_private_key(kek, wrapped, "P-2025-001")) == key


def test_shamir_custody(key):
    holders = [generate_private_key("x25519") for _ in range(3)]
    people = [Custodian(f"U{i}", h.public_key()) for i, h in enumerate(holders)]
    deadline = datetime(2026, 3, 2, tzinfo=UTC)

    def released(shares, positions):
        statement = OpeningStatement(shares[0].project, shares[0].split_id, "ab" * 16,
                                     shares[0].not_before, shares[0].not_before)
        return [make_release(shares[i], holders[i], statement,
                             now=deadline + timedelta(seconds=1)) for i in positions]

    shares = split_private_key(key, project="P-2025-001", threshold=2, custodians=people,
                               not_before=deadline)
    assert len(shares[0].open(holders[0])) == len(key.secret)
    recovered = combine_releases(released(shares, [2, 0]), suite=key.suite,
                                 public_key=shares[0].public_key, threshold=2)
    assert recovered == key and recovered.public == key.public
    forged = PrivateKey(key.suite, *get_suite(key.suite).generate())
    other = split_private_key(forged, project="P-2025-001", threshold=2, custodians=people,
                              not_before=deadline)
    mixed = [released(shares, [0])[0], released(other, [1])[0]]
    with pytest.raises(InconsistentShares):
        combine_releases(mixed, suite=key.suite, public_key=shares[0].public_key, threshold=2)
