"""Passphrase-protected key files (FORMAT.md §5.4) and the strength rule where a
passphrase is typed."""

import json
import unicodedata

import pytest

from bid_crypto import (
    KeyFormatError,
    ProtectedKey,
    WeakPassphrase,
    WrongPassphrase,
    check_passphrase,
    generate_private_key,
    protect_private_key,
    read_private_key,
    unprotect_private_key,
)
from bid_crypto.protected import passphrase_problem

STRONG = "紫色 长颈鹿 在 月光下 慢慢 弹钢琴"


@pytest.fixture(scope="module")
def key():
    return generate_private_key("x25519")


@pytest.fixture(scope="module")
def protected(key):
    return protect_private_key(key, STRONG, label="张三 市交易中心", log_n=14)


def test_round_trip_and_no_secret_in_the_file(key, protected):
    text = protected.to_json()
    assert key.secret.hex() not in text
    assert unprotect_private_key(ProtectedKey.from_json(text), STRONG) == key
    assert read_private_key(text, lambda label: STRONG) == key
    assert read_private_key(key.to_json()) == key  # a plain key file needs no passphrase


def test_a_protected_file_without_a_passphrase_is_refused(protected):
    with pytest.raises(KeyFormatError, match="passphrase-protected"):
        read_private_key(protected.to_json())


def test_nfc_one_passphrase_typed_two_ways(key):
    composed = "Café 紫色 长颈鹿 弹钢琴"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    file = protect_private_key(key, composed, label="李四", log_n=14)
    assert unprotect_private_key(file, decomposed) == key


@pytest.mark.parametrize("change", ["passphrase", "label", "log_n", "salt", "nonce", "tag"])
def test_wrong_passphrase_and_altered_fields_fail_alike(protected, change):
    doc = json.loads(protected.to_json())
    passphrase = STRONG
    if change == "passphrase":
        passphrase = STRONG + "!"
    elif change == "label":
        doc["label"] = "王五"
    elif change == "log_n":
        doc["kdf"]["log_n"] = 15
    elif change == "salt":
        doc["kdf"]["salt"] = "00" * 16
    elif change == "nonce":
        doc["nonce"] = "00" * 12
    else:
        doc["ciphertext"] = doc["ciphertext"][:-2] + ("00" if doc["ciphertext"][-2:] != "00"
                                                      else "01")
    with pytest.raises(WrongPassphrase):
        unprotect_private_key(ProtectedKey.from_json(json.dumps(doc)), passphrase)


@pytest.mark.parametrize("change", ["public", "log_n 13", "log_n 21", "r", "unknown",
                                    "missing", "label"])
def test_malformed_files_are_refused(protected, change):
    doc = json.loads(protected.to_json())
    if change == "public":
        doc["public"] = generate_private_key("x25519").public.hex()
    elif change == "log_n 13":
        doc["kdf"]["log_n"] = 13
    elif change == "log_n 21":
        doc["kdf"]["log_n"] = 21
    elif change == "r":
        doc["kdf"]["r"] = 16
    elif change == "unknown":
        doc["comment"] = "x"
    elif change == "missing":
        del doc["nonce"]
    else:
        doc["label"] = " "
    with pytest.raises(KeyFormatError):
        ProtectedKey.from_json(json.dumps(doc))


@pytest.mark.parametrize(("passphrase", "inputs", "expected"), [
    ("short", [], "口令太短"),
    ("passwordpassword", [], "口令强度不足"),
    ("1234567890123", [], "口令强度不足"),
    ("zhangsan2026!!", ["zhangsan"], "口令强度不足"),
    ("qwertyuiopasdf", [], "口令强度不足"),
    (STRONG, ["张三"], None),
    ("correct horse battery staple", [], None),
])
def test_the_strength_rule(passphrase, inputs, expected):
    problem = passphrase_problem(passphrase, inputs)
    if expected is None:
        assert problem is None
        check_passphrase(passphrase, inputs)
    else:
        assert expected in problem and "四个以上互不相关的词" in problem
        with pytest.raises(WeakPassphrase, match=expected):
            check_passphrase(passphrase, inputs)
