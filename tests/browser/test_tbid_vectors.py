"""bid_crypto's known-answer vectors (tests/bid_crypto/vectors) in Chromium, through the
vendored HPKE library and trading/static/js/tbid.js's key handling."""

import json
from pathlib import Path

VECTORS = Path(__file__).parents[1] / "bid_crypto" / "vectors"


def _vectors(name: str) -> list[dict]:
    return json.loads((VECTORS / name).read_text())["vectors"]


def test_rfc9180_and_xwing_vectors_pass_in_the_browser(tbid):
    x25519, xwing = _vectors("hpke_x25519_hkdf_sha256.json"), _vectors("hpke_xwing.json")
    result = tbid.evaluate("([a, b]) => h.knownAnswers(a, b)", [x25519, xwing])
    assert result["failures"] == []
    assert result["checked"] == len(x25519) + len(xwing) == 17


def test_a_wrong_vector_fails(tbid):
    """The check can fail: one altered ciphertext byte is reported."""
    vector = next(v for v in _vectors("hpke_x25519_hkdf_sha256.json")
                  if v["mode"] == 0 and v["aead_id"] == 2)
    ct = vector["encryptions"][3]["ct"]
    vector["encryptions"][3]["ct"] = ("0" if ct[0] != "0" else "1") + ct[1:]
    vector["encryptions"] = vector["encryptions"][:5]
    result = tbid.evaluate("([a, b]) => h.knownAnswers(a, b).catch((e) => ({failures: [e.name]}))",
                           [[vector], []])
    assert result["failures"]
