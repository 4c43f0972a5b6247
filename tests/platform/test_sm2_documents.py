"""Signed platform documents under SM2 (国密 projects): the 定标报告 document and the
archive manifest verify offline with the SM2 key, and the key decides the algorithm."""

import base64

import pytest

from trading.award import report as report_doc
from trading.keys import PlatformKeys, load_keys, project_algorithm, signature_algorithm


@pytest.fixture
def keys(settings) -> PlatformKeys:
    return load_keys(settings)


def test_a_report_signed_with_sm2_verifies_offline_and_pins_the_sm2_key(keys):
    body = {"project": "YG-2026-000031", "lot": 1, "winner": "B17"}
    message = report_doc.signing_message(report_doc.digest(body))
    sm2 = keys.public_key_for("sm2")
    doc = report_doc.document(body, keys.sign(message, "sm2").hex(), sm2)
    assert report_doc.verify_document(doc, expected_key=sm2).ok
    assert not report_doc.verify_document(doc, expected_key=keys.public_key_bytes).ok
    forged = {**doc, "report": {**body, "winner": "B18"}}
    assert not report_doc.verify_document(forged).ok
    ed = report_doc.document(body, keys.sign(message).hex(), keys.public_key_bytes)
    assert report_doc.verify_document(ed, expected_key=keys.public_key_bytes).ok
    # An Ed25519 signature presented under the SM2 key (or the reverse) never verifies.
    assert not report_doc.verify_document({**ed, "signing_key": sm2.hex()}).ok


def test_the_suite_decides_the_signature_algorithm():
    assert [signature_algorithm(s) for s in ("x25519", "xwing", "sm2", "sm2mlkem")] == [
        "ed25519", "ed25519", "sm2", "sm2"]

    class Legacy:  # approved before suites were chosen per project
        crypto_suite = None

    assert project_algorithm(Legacy()) == "ed25519"


def test_keys_config(settings):
    from trading.config import ConfigError

    keys = load_keys(settings)
    assert keys.has_sm2 and len(keys.public_key_for("sm2")) == 65
    assert set(keys.published()) == {keys.key_id, keys.key_id_for("sm2")}
    with pytest.raises(ConfigError, match="sm2"):
        load_keys({**settings, "audit.checkpoint_algorithm": "rsa"})
    without = {k: v for k, v in settings.items() if k != "keys.sm2_signing_key"}
    with pytest.raises(ConfigError, match="TRADING_SM2_SIGNING_KEY"):
        load_keys({**without, "audit.checkpoint_algorithm": "sm2"})
    with pytest.raises(ConfigError, match="SM2"):
        load_keys({**settings, "keys.sm2_signing_key": base64.b64encode(b"x" * 40).decode()})
    assert not load_keys(without).has_sm2


def test_development_generates_the_missing_sm2_key_beside_given_keys(settings, tmp_path):
    """`make run` and the test servers pass the KEK and signing key and leave SM2 to the
    generator: 国密 demo projects must still be approvable; two starters share one key."""
    without = {k: v for k, v in settings.items() if k != "keys.sm2_signing_key"}
    dev = {**without, "keys.generate_missing": True, "keys.dir": str(tmp_path / "keys")}
    first, second = load_keys(dev), load_keys(dev)
    assert first.has_sm2 and first.public_key_for("sm2") == second.public_key_for("sm2")
    assert [p.name for p in (tmp_path / "keys").iterdir()] == ["sm2-signing.key"]
    assert first.kek == load_keys(without).kek  # the given keys are used, not generated
