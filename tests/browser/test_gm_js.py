"""The browser's 国密 suite (trading/static/gm/gm-suite.js over the vendored sm-crypto-v2)
against the Python one, with the same vectors, in Chromium: the known answers of SM3,
SM4-GCM (RFC 8998) and SM2 (the recommended-curve vectors of tests/bid_crypto/test_gm.py),
and contexts crossing both ways — the browser seals to a key Python generated and Python
opens it with bid_crypto; Python seals and the browser opens."""

import mimetypes
from pathlib import Path

import pytest

from bid_crypto import gm, smhpke
from bid_crypto.envelope import INFO
from bid_crypto.suites import SM2

STATIC = Path(__file__).resolve().parents[2] / "trading" / "static"
ORIGIN = "https://gm.test"
VECTORS = Path(__file__).resolve().parents[1] / "bid_crypto" / "test_gm.py"


@pytest.fixture(scope="module")
def page(browser):
    """A page whose window.gm is the module, its files served from trading/static."""
    context = browser.new_context()
    page = context.new_page()

    def serve(route):
        path = STATIC / route.request.url.removeprefix(f"{ORIGIN}/static/")
        if route.request.url == f"{ORIGIN}/":
            route.fulfill(body="<!doctype html><title>gm</title>", content_type="text/html")
        elif path.is_file() and STATIC in path.resolve().parents:
            kind = "text/javascript" if path.suffix == ".js" else mimetypes.guess_type(path)[0]
            route.fulfill(body=path.read_bytes(), content_type=kind or "application/octet-stream")
        else:
            route.fulfill(status=404, body="")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    page.add_script_tag(type="module", content=(
        "import * as gm from '/static/gm/gm-suite.js'; window.gm = gm;"))
    page.wait_for_function("window.gm !== undefined")
    yield page
    context.close()


def js(page, body: str, *args):
    """Run ``body`` (a function of gm, h = hex→bytes, x = bytes→hex, ...args)."""
    return page.evaluate(
        "([body, args]) => { const gm = window.gm;"
        " return new Function('gm', 'h', 'x', '...a', body)(gm, gm.unhex, gm.hex, ...args); }",
        [body, list(args)])


def test_sm3_and_sm4_gcm_known_answers(page):
    assert js(page, "return x(gm.sm3Digest(new TextEncoder().encode('abc')))") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    key, nonce = "0123456789abcdeffedcba9876543210", "00001234567800000000abcd"
    aad = "feedfacedeadbeeffeedfacedeadbeefabaddad2"
    plaintext = "".join(c * 16 for c in "abcdefea")
    sealed = js(page, "return x(gm.sm4GcmSeal(h(a[0]), h(a[1]), h(a[2]), h(a[3])))",
                key, nonce, aad, plaintext)
    assert sealed == gm.sm4_gcm_seal(*map(bytes.fromhex, (key, nonce, aad, plaintext))).hex()
    assert sealed.endswith("83de3541e4c2b58177e065a9bf7b62ec")
    refused = js(page, "try { gm.sm4GcmOpen(h(a[0]), h(a[1]), h(a[2]), h(a[3])); return 'opened' }"
                       " catch (e) { return e.name + ':' + (e instanceof gm.GmError) }",
                 key, nonce, aad + "00", sealed)
    assert refused == "Error:true"


def test_sm2_recommended_curve_vectors(page):
    import runpy

    vectors = runpy.run_path(str(VECTORS))  # the very constants the Python tests use
    REC_CIPHER, REC_D, REC_P, REC_SIG = (vectors[n] for n in ("REC_CIPHER", "REC_D", "REC_P",
                                                              "REC_SIG"))

    assert js(page, "return new TextDecoder().decode(gm.sm2Decrypt(h(a[0]), h(a[1])))",
              REC_D.hex(), REC_CIPHER.hex()) == "encryption standard"
    message = b"message digest".hex()
    assert js(page, "return gm.sm2Verify(h(a[0]), h(a[1]), h(a[2]))",
              REC_P.hex(), message, REC_SIG.hex()) is True
    assert js(page, "return gm.sm2Verify(h(a[0]), h(a[1]), h(a[2]), 'another id')",
              REC_P.hex(), message, REC_SIG.hex()) is False


def test_sm2_and_signatures_cross_both_ways(page):
    private, public = gm.generate_key_pair()
    ciphertext = js(page, "return x(gm.sm2Encrypt(h(a[0]), h(a[1])))", public.hex(), "aa" * 32)
    assert gm.decrypt(private, bytes.fromhex(ciphertext)) == b"\xaa" * 32
    ours = gm.encrypt(public, b"\x55" * 32)
    assert js(page, "return x(gm.sm2Decrypt(h(a[0]), h(a[1])))", private.hex(), ours.hex()) == (
        "55" * 32)
    pair = js(page, "const k = gm.sm2KeyPair(); return [x(k.privateKey), x(k.publicKey)]")
    signature = js(page, "return x(gm.sm2Sign(h(a[0]), h(a[1]), h(a[2]), 'center'))",
                   pair[0], pair[1], b"receipt".hex())
    assert gm.verify(bytes.fromhex(pair[1]), b"receipt", bytes.fromhex(signature), b"center")
    assert gm.pair_matches(bytes.fromhex(pair[0]), bytes.fromhex(pair[1]))
    tampered = bytearray(ours)
    tampered[80] ^= 1
    assert js(page, "try { gm.sm2Decrypt(h(a[0]), h(a[1])); return 'opened' }"
                    " catch (e) { return e instanceof gm.GmError }",
              private.hex(), bytes(tampered).hex()) is True


def test_a_browser_context_opens_in_python_and_back(page):
    """The `sm2` suite's HPKE-style context: chunks sealed in the browser open with
    bid_crypto (and the export matches, for dual custody); then the other way round."""
    key = SM2.generate()
    aads = [bytes([i]) * 41 for i in range(3)]
    sealed = js(page, """
        const ctx = gm.sm2Sender(h(a[0]), h(a[1])), text = new TextEncoder();
        const chunks = a[2].map((aad, i) => x(ctx.seal(text.encode('chunk ' + i), h(aad))));
        return {enc: x(ctx.enc), chunks, exported: x(ctx.export(text.encode('psk'), 32))};
    """, key[1].hex(), INFO.hex(), [aad.hex() for aad in aads])
    receiver = SM2.receiver(key[0], key[1], bytes.fromhex(sealed["enc"]), INFO)
    opened = [receiver.unseal(bytes.fromhex(c), aad) for c, aad in zip(sealed["chunks"], aads,
                                                                         strict=True)]
    assert opened == [b"chunk 0", b"chunk 1", b"chunk 2"]
    assert receiver.export(b"psk", 32).hex() == sealed["exported"]
    psk = (b"bidder-key-id", bytes(range(32)))
    sender = SM2.sender(key[1], INFO, psk)
    chunk = sender.seal(b"from python", b"aad")
    back = js(page, """
        const ctx = gm.sm2Receiver(h(a[0]), h(a[1]), h(a[2]), h(a[3]),
                                   {psk: {id: h(a[4]), key: h(a[5])}});
        return new TextDecoder().decode(ctx.open(h(a[6]), new TextEncoder().encode('aad')));
    """, key[0].hex(), key[1].hex(), sender.enc.hex(), INFO.hex(), psk[0].hex(), psk[1].hex(),
              chunk.hex())
    assert back == "from python"
    assert js(page, "return gm.keyId('sm2', h(a[0]))", key[1].hex()) == (
        gm.sm3(b"sm2\x00" + key[1]).hex())
    assert smhpke.SM2_ENC_LEN == len(bytes.fromhex(sealed["enc"]))


def test_a_point_of_another_curve_is_refused(page):
    from Crypto.PublicKey import ECC

    p256 = ECC.generate(curve="P-256").public_key()
    point = b"\x04" + p256.pointQ.x.to_bytes(32) + p256.pointQ.y.to_bytes(32)
    result = js(page, "try { gm.sm2Encrypt(h(a[0]), new Uint8Array(32)); return 'sealed' }"
                      " catch (e) { return e instanceof gm.GmError }", point.hex())
    assert result is True
