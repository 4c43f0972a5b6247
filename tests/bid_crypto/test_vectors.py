"""Known-answer tests: the official HPKE vectors through our suite definitions.

vectors/hpke_x25519_hkdf_sha256.json holds the RFC 9180 / CFRG vectors for DHKEM(X25519,
HKDF-SHA256) + HKDF-SHA256 (all modes and AEADs, including AES-256-GCM, the AEAD of our
default suite); vectors/hpke_xwing.json the draft-ietf-hpke-pq X-Wing vector. Keys are
imported through bid_crypto's suites so our key handling is what is checked.
"""

import json
from pathlib import Path

import pytest
from Crypto.Protocol import HPKE

from bid_crypto.keys import PrivateKey
from bid_crypto.suites import AEAD_ID, KDF_ID, X25519, XWING

VECTORS = Path(__file__).parent / "vectors"


def _load(name: str) -> list[dict]:
    return json.loads((VECTORS / name).read_text())["vectors"]


X25519_VECTORS = _load("hpke_x25519_hkdf_sha256.json")
XWING_VECTORS = _load("hpke_xwing.json")


def _vector_id(vector: dict) -> str:
    return f"mode{vector['mode']}-aead{vector['aead_id']:#06x}"


def test_vector_file_covers_our_default_suite():
    suites = {(v["kem_id"], v["kdf_id"], v["aead_id"]) for v in X25519_VECTORS}
    assert (X25519.kem_id, KDF_ID, int(AEAD_ID)) in suites
    ours = [v for v in X25519_VECTORS if v["mode"] == 0 and v["aead_id"] == AEAD_ID]
    assert len(ours[0]["encryptions"]) == 257  # sequence numbers 0..256, past one byte


@pytest.mark.parametrize("vector", X25519_VECTORS, ids=_vector_id)
def test_x25519_public_key_derivation(vector):
    secret = bytes.fromhex(vector["skRm"])
    assert X25519.public_bytes(secret).hex() == vector["pkRm"]
    assert PrivateKey("x25519", secret).public_key().raw.hex() == vector["pkRm"]


@pytest.mark.parametrize("vector", X25519_VECTORS, ids=_vector_id)
def test_x25519_receiver_matches_vector(vector):
    receiver = _receiver(vector, X25519.private_hpke_key(bytes.fromhex(vector["skRm"])))
    for encryption in vector["encryptions"]:
        plaintext = receiver.unseal(
            bytes.fromhex(encryption["ct"]), bytes.fromhex(encryption["aad"])
        )
        assert plaintext.hex() == encryption["pt"]
    _check_exports(receiver, vector)


def _receiver(vector: dict, receiver_key):
    sender = None
    if "skSm" in vector:
        sender = X25519.private_hpke_key(bytes.fromhex(vector["skSm"])).public_key()
    psk = None
    if "psk" in vector:
        psk = (bytes.fromhex(vector["psk_id"]), bytes.fromhex(vector["psk"]))
    return HPKE.new(
        receiver_key=receiver_key,
        aead_id=HPKE.AEAD(vector["aead_id"]),
        enc=bytes.fromhex(vector["enc"]),
        sender_key=sender,
        psk=psk,
        info=bytes.fromhex(vector["info"]),
    )


def _check_exports(receiver, vector: dict) -> None:
    assert vector["exports"]
    for export in vector["exports"]:
        value = receiver.export(bytes.fromhex(export["exporter_context"]), export["L"])
        assert value.hex() == export["exported_value"]


def test_x25519_vector_rejects_a_changed_ciphertext():
    vector = next(v for v in X25519_VECTORS if v["mode"] == 0 and v["aead_id"] == AEAD_ID)
    receiver = _receiver(vector, X25519.private_hpke_key(bytes.fromhex(vector["skRm"])))
    first = vector["encryptions"][0]
    altered = bytearray.fromhex(first["ct"])
    altered[0] ^= 1
    with pytest.raises(ValueError):
        receiver.unseal(bytes(altered), bytes.fromhex(first["aad"]))


@pytest.mark.parametrize("vector", XWING_VECTORS, ids=_vector_id)
def test_xwing_key_derivation_from_seed(vector):
    seed = bytes.fromhex(vector["skRm"])
    assert vector["kem_id"] == XWING.kem_id
    assert XWING.public_bytes(seed).hex() == vector["pkRm"]
    public = XWING.public_hpke_key(bytes.fromhex(vector["pkRm"]))
    assert public == XWING.private_hpke_key(seed).public_key()


@pytest.mark.parametrize("vector", XWING_VECTORS, ids=_vector_id)
def test_xwing_receiver_matches_vector(vector):
    receiver = HPKE.new(
        receiver_key=XWING.private_hpke_key(bytes.fromhex(vector["skRm"])),
        aead_id=HPKE.AEAD(vector["aead_id"]),
        enc=bytes.fromhex(vector["enc"]),
        info=bytes.fromhex(vector["info"]),
    )
    for encryption in vector["encryptions"]:
        plaintext = receiver.unseal(
            bytes.fromhex(encryption["ct"]), bytes.fromhex(encryption["aad"])
        )
        assert plaintext.hex() == encryption["pt"]
    _check_exports(receiver, vector)
