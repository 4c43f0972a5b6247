"""Key files and encodings: round trips, integrity checks, never overwriting a key."""

import json
import stat

import pytest

from bid_crypto import (
    KeyFormatError,
    PrivateKey,
    PublicKey,
    generate_private_key,
    key_id,
    load_private_key,
    load_public_key,
    write_key_pair,
)


@pytest.mark.parametrize("suite", ["x25519", "xwing"])
def test_key_files_round_trip(tmp_path, suite):
    key = generate_private_key(suite)
    pub_path, key_path = write_key_pair(key, tmp_path / "keys")
    assert (pub_path.name, key_path.name) == ("opening.pub", "opening.key")
    assert load_private_key(key_path) == key
    assert load_public_key(pub_path) == key.public_key()
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert json.loads(pub_path.read_text())["key_id"] == key.key_id
    assert key.secret.hex() not in pub_path.read_text()


def test_existing_key_is_never_overwritten(tmp_path, project_key, other_key):
    _, key_path = write_key_pair(project_key, tmp_path)
    with pytest.raises(KeyFormatError, match="refusing to overwrite"):
        write_key_pair(other_key, tmp_path)
    assert load_private_key(key_path) == project_key


def test_key_id_covers_suite_and_public_key(project_key):
    public = project_key.public_key()
    assert public.key_id == key_id("x25519", public.raw)
    assert key_id("xwing", public.raw) != public.key_id


def test_binary_encoding(project_key, xwing_key):
    for key in (project_key, xwing_key):
        assert PrivateKey.from_bytes(key.to_bytes()) == key
        assert len(key.to_bytes()) == 34
    with pytest.raises(KeyFormatError):
        PrivateKey.from_bytes(b"\x01\x09" + bytes(32))
    with pytest.raises(KeyFormatError):
        PrivateKey.from_bytes(b"\x02\x01" + bytes(32))


def test_secret_is_not_in_repr(project_key):
    assert project_key.secret.hex() not in repr(project_key)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key_id": "00" * 32}, "key_id does not match"),
        ({"suite": "rsa"}, "unknown suite"),
        ({"kind": "bid_crypto.public_key"}, "not a bid_crypto.private_key"),
        ({"version": 2}, "unsupported"),
        ({"secret": "abc"}, "lowercase hex"),
        ({"secret": "00" * 31}, "32 bytes"),
        ({"extra": 1}, "unsupported"),
    ],
)
def test_corrupt_private_key_files(project_key, change, message):
    doc = json.loads(project_key.to_json()) | change
    with pytest.raises(KeyFormatError, match=message):
        PrivateKey.from_json(json.dumps(doc))


def test_corrupt_public_key_files(project_key):
    doc = json.loads(project_key.public_key().to_json())
    doc["public"] = ("00" if doc["public"][:2] != "00" else "11") + doc["public"][2:]
    with pytest.raises(KeyFormatError, match="key_id does not match"):
        PublicKey.from_json(json.dumps(doc))
    with pytest.raises(KeyFormatError, match="not valid JSON"):
        PublicKey.from_json("{")
    with pytest.raises(KeyFormatError, match="must be 1216 bytes"):
        PublicKey("xwing", bytes(32))
