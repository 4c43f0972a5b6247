"""Signed public notices (公告, FORMAT.md §7.1): signed with Ed25519 or SM2 (SM3, the
GB/T 32918.2 signer ID), verified offline, and each way a reader could be misled refused
by name: an altered body, a wrong signer ID, a key of another curve or algorithm."""

import json

import gmalg
import pytest
from Crypto.PublicKey import ECC

from bid_crypto import (
    InvalidNotice,
    KeyFormatError,
    SigningKey,
    load_signing_key,
    load_verify_key,
    notice_message,
    sign_notice,
    verify_notice,
)
from bid_crypto.cli import main

FIELDS = {"project": "YG-2026-000031", "notice": "17", "kind": "result",
          "title": "市政道路改造工程中标结果公告",
          "body": "中标人：某某建设集团有限公司\n中标价：1,234,000.00 元",
          "published_at": "2026-03-02T01:59:59.999Z"}


@pytest.fixture(scope="module", params=["ed25519", "sm2"])
def platform(request) -> SigningKey:
    return SigningKey.generate(request.param)


def test_a_notice_round_trips_through_the_published_key(platform):
    document = sign_notice(platform, FIELDS)
    assert document["algorithm"] == platform.algorithm
    assert len(bytes.fromhex(document["signature"])) == 64
    public = load_verify_key(platform.public_key().to_pem())
    assert verify_notice(public, json.dumps(document, ensure_ascii=False))["body"] == \
        FIELDS["body"]
    assert verify_notice(public, document)["algorithm"] == platform.algorithm


def test_the_sm2_notice_verifies_in_an_independent_sm2():
    signer = SigningKey.generate("sm2")
    document = sign_notice(signer, FIELDS)
    signature = bytes.fromhex(document["signature"])
    oracle = gmalg.SM2(uid=b"1234567812345678", pk=signer.public_key().to_raw())
    message = notice_message({k: document[k] for k in document if k != "signature"})
    assert oracle.verify(message, signature[:32], signature[32:])


@pytest.mark.parametrize("field,value", [
    ("body", FIELDS["body"].replace("1,234,000.00", "1,234,500.00")),
    ("title", "市政道路改造工程中标结果公告（更正）"),
    ("published_at", "2026-03-03T01:59:59.999Z"),
    ("kind", "candidates"),
    ("notice", "18"),
])
def test_an_altered_notice_is_refused(platform, field, value):
    document = sign_notice(platform, FIELDS)
    with pytest.raises(InvalidNotice, match="altered after publication"):
        verify_notice(platform.public_key(), {**document, field: value})


def test_another_platform_key_is_refused(platform):
    document = sign_notice(platform, FIELDS)
    other = SigningKey.generate(platform.algorithm).public_key()
    with pytest.raises(InvalidNotice, match="signed by another key"):
        verify_notice(other, document)


def test_a_wrong_signer_id_is_refused_and_named():
    signer = SigningKey.generate("sm2")
    document = sign_notice(signer, FIELDS)
    wrong = load_verify_key(signer.public_key().to_pem(), user_id=b"sztc@trading.example")
    with pytest.raises(InvalidNotice, match="wrong SM2 signer ID 'sztc@trading.example'"):
        verify_notice(wrong, document)
    # Signed under a custom ID and checked under the default: refused too.
    custom = load_signing_key(signer.to_pem(), user_id=b"sztc@trading.example")
    custom_doc = sign_notice(custom, FIELDS)
    assert verify_notice(wrong, custom_doc)
    with pytest.raises(InvalidNotice, match="under signer ID '1234567812345678'"):
        verify_notice(signer.public_key(), custom_doc)


def test_the_algorithm_of_the_key_must_be_the_notices():
    sm2, ed = SigningKey.generate("sm2"), SigningKey.generate()
    with pytest.raises(InvalidNotice, match="signed with sm2, the platform key given is "
                                            "ed25519.*platform-sm2.pub"):
        verify_notice(ed.public_key(), sign_notice(sm2, FIELDS))
    with pytest.raises(InvalidNotice, match="signed with ed25519.*platform.pub"):
        verify_notice(sm2.public_key(), sign_notice(ed, FIELDS))
    # Relabelling the algorithm breaks the signature: it is one of the signed fields.
    forged = {**sign_notice(ed, FIELDS), "algorithm": "sm2"}
    with pytest.raises(InvalidNotice, match="altered"):
        verify_notice(sm2.public_key(), forged)


def test_keys_of_another_curve_are_refused():
    p256 = ECC.generate(curve="P-256")
    with pytest.raises(KeyFormatError, match="P-256"):
        load_verify_key(p256.public_key().export_key(format="PEM"))
    point = b"\x04" + p256.pointQ.x.to_bytes(32) + p256.pointQ.y.to_bytes(32)
    with pytest.raises(KeyFormatError, match="SM2 curve"):
        load_verify_key(point.hex())


@pytest.mark.parametrize("document,message", [
    ("{", "notice"),
    ({**FIELDS, "algorithm": "sm2"}, "exactly the fields"),
    ({**FIELDS, "algorithm": "sm2", "signature": "AB" * 64}, "128 lowercase hex"),
    ({**FIELDS, "algorithm": "rsa", "signature": "ab" * 64}, "algorithm must be"),
    ({**FIELDS, "kind": "advert", "algorithm": "sm2", "signature": "ab" * 64}, "kind must"),
    ({**FIELDS, "published_at": "2026-03-02", "algorithm": "sm2", "signature": "ab" * 64},
     "published_at"),
    ({**FIELDS, "title": "", "algorithm": "sm2", "signature": "ab" * 64}, "title"),
])
def test_malformed_documents_are_refused(document, message):
    with pytest.raises(InvalidNotice, match=message):
        verify_notice(SigningKey.generate("sm2").public_key(), document)


def _files(tmp_path, signer, document, user_id=None):
    key = tmp_path / "platform.pub"
    key.write_text(signer.public_key().to_pem())
    notice = tmp_path / "notice.json"
    notice.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return ["verify-notice", "--platform-key", str(key), str(notice),
            *(["--sm2-id", user_id] if user_id else [])]


def test_the_cli_verifies_and_refuses_with_one_line(tmp_path, capsys):
    signer = SigningKey.generate("sm2")
    document = sign_notice(signer, FIELDS)
    assert main(_files(tmp_path, signer, document)) == 0
    assert "notice valid (sm2): project=YG-2026-000031 notice=17 kind=result" in \
        capsys.readouterr().out
    tampered = {**document, "body": document["body"] + "（补充）"}
    assert main(_files(tmp_path, signer, tampered)) == 7
    assert "altered after publication" in capsys.readouterr().err
    assert main(_files(tmp_path, signer, document, "ALICE123")) == 7
    assert "wrong SM2 signer ID 'ALICE123'" in capsys.readouterr().err
    p256 = tmp_path / "p256.pub"
    p256.write_text(ECC.generate(curve="P-256").public_key().export_key(format="PEM"))
    notice = tmp_path / "notice.json"
    assert main(["verify-notice", "--platform-key", str(p256), str(notice)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("bid_crypto: error:") and "P-256" in err
