"""Conformance of the national algorithms bid_crypto uses, and interop both ways.

Known answers:
* SM3: GB/T 32905-2016 Annex A (both examples), through cryptography, GmSSL and gmalg.
* SM4: GB/T 32907-2016 Annex A (one block, and the 1 000 000-fold encryption).
* SM4-GCM: RFC 8998 Appendix A.1, through the AEAD the envelope uses.
* SM2: GB/T 32918 parts 2-4 examples. Their worked examples run on test curves (Fp-256,
  Fp-192) with the standard's fixed random numbers; GmSSL only takes the recommended curve
  and draws its own randomness, so the standard's examples run through gmalg (pure
  Python, test oracle only) and GmSSL is checked with the published recommended-curve
  vectors (private key 3945208F…, k = 59276E27…, ID 1234567812345678 — the vectors of
  the GM/T 0003 reference material reproduced by OpenSSL's, GmSSL's and gmalg's suites):
  GmSSL verifies the known signature, decrypts the known ciphertext; gmalg with the same
  k reproduces both. Part 3 (key exchange) is not used by bid_crypto: its examples check
  the oracle only.
Interop: GmSSL-made ciphertexts and signatures open and verify in gmalg, and the reverse.
"""

import io

import gmalg
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmalg import ellipticcurve as ec
from gmalg.sm2 import SM2Core

from bid_crypto import gm, smhpke

ABC_SM3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
ABCD16_SM3 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")

# GB/T 32918 test curve Fp-256 (parts 2-4, Annex A) and Fp-192 (part 4 A.2).
FP256 = ec.ECDLP(
    0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    (
        0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
        0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
    ),
    0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
)
FP192 = ec.ECDLP(
    0xBDB6F4FE3E8B1D9E0DA8C0D46F4C318CEFE4AFE3B6B8551F,
    0xBB8E5E8FBC115E139FE6A814FE48AAA6F0ADA1AA5DF91985,
    0x1854BEBDC31B21B7AEFC80AB0ECD10D5B1B3308E6DBF11C1,
    (
        0x4AD5F7048DE709AD51236DE65E4D4B482C836DC6E4106640,
        0x02BB3A02D4AAADACAE24817A4CA3A1B014B5270432DB27D2,
    ),
    0xBDB6F4FE3E8B1D9E0DA8C0D40FC962195DFAE76F56564677,
)

# The recommended-curve vectors checked against GmSSL.
REC_D = bytes.fromhex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8")
REC_P = bytes.fromhex(
    "0409F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
REC_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
REC_SIG = bytes.fromhex(
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)
REC_CIPHER = bytes.fromhex(
    "04"
    "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73"  # C1.x
    "E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0"  # C1.y
    "59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766"  # C3
    "21886CA989CA9C7D58087307CA93092D651EFA"  # C2
)


def fixed(value: int):
    return lambda _bits: value


def oracle(curve=None, k=None) -> SM2Core:
    """gmalg's SM2 core on ``curve`` (default: the recommended one) with random k = ``k``."""
    return SM2Core(curve or gmalg.sm2._ecdlp, gmalg.SM3(), fixed(k) if k else None)


def point(public: bytes) -> tuple[int, int]:
    return int.from_bytes(public[1:33], "big"), int.from_bytes(public[33:], "big")


# -- SM3, SM4, SM4-GCM ----------------------------------------------------------------------


@pytest.mark.parametrize(("message", "digest"), [(b"abc", ABC_SM3), (b"abcd" * 16, ABCD16_SM3)])
def test_sm3_gbt32905_examples(message, digest):
    import gmssl_pyx

    assert gm.sm3(message).hex() == digest
    assert gmssl_pyx.sm3_hash(message).hex() == digest
    hasher = gmalg.SM3()
    hasher.update(message)
    assert hasher.value().hex() == digest


def test_sm4_gbt32907_examples():
    encryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).encryptor()
    block = encryptor.update(SM4_KEY)
    assert block.hex() == "681edf34d206965e86b3e94f536e4246"
    for _ in range(999_999):
        block = encryptor.update(block)
    assert block.hex() == "595298c7c6fd271f0402f804c33d3f66"


def test_sm4_gcm_rfc8998_a1():
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plaintext = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    sealed = gm.sm4_gcm_seal(SM4_KEY, nonce, aad, plaintext)
    assert sealed.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
        "83DE3541E4C2B58177E065A9BF7B62EC"
    )
    assert gm.sm4_gcm_open(SM4_KEY, nonce, aad, sealed) == plaintext
    for bad in (sealed[:-1] + bytes([sealed[-1] ^ 1]), sealed[1:]):
        with pytest.raises(ValueError):
            gm.sm4_gcm_open(SM4_KEY, nonce, aad, bad)
    with pytest.raises(ValueError):
        gm.sm4_gcm_open(SM4_KEY, nonce, aad + b"x", sealed)


# -- SM2: the standard's examples through the oracle --------------------------------------


def test_sm2_signature_gbt32918_2_example():
    core = oracle(FP256, 0x6CB28D99385C175C94F94E934817663FC176D925DD72B727260DBAAE1FB2F96F)
    d = 0x128B2FA8BD433C6C068C8D803DFF79792A519A55171B1B650C23661D15897263
    public = core.generate_pk(d)
    assert public == (
        0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A,
        0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857,
    )
    r, s = core.sign(b"message digest", d, b"ALICE123@YAHOO.COM", public)
    assert r == 0x40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1
    assert s == 0x6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7
    assert core.verify(b"message digest", r, s, b"ALICE123@YAHOO.COM", public)
    assert not core.verify(b"message digest", r, s, b"BILL456@YAHOO.COM", public)


def test_sm2_key_exchange_gbt32918_3_example():
    ra = 0x83A2C9C8B96E5AF70BD480B472409A9A327257F1EBB73F5B073354B248668563
    rb = 0x33FE21940342161C55619C4A0C060293D543C80AF19748CE176D83477DE71C80
    alice, bill = oracle(FP256, ra), oracle(FP256, rb)
    da = 0x6FCBA2EF9AE0AB902BC3BDE3FF915D44BA4CC78F88E2F8E7F8996D3B8CCEEDEE
    db = 0x5E35D7D3F3C54DBAC72E61819E730B019A84208CA3A35E4C2E353DFCCB2A3B53
    pa, pb = alice.generate_pk(da), bill.generate_pk(db)
    (r_a, t_a), (r_b, t_b) = alice.begin_key_exchange(da), bill.begin_key_exchange(db)
    u = alice.get_secret_point(t_a, r_b, pb)
    assert u == bill.get_secret_point(t_b, r_a, pa)
    ids = (b"ALICE123@YAHOO.COM", pa, b"BILL456@YAHOO.COM", pb)
    assert alice.generate_skey(16, u, *ids).hex() == "55b0ac62a6b927ba23703832c853ded4"


@pytest.mark.parametrize(
    ("curve", "d", "k", "c1", "c2", "c3"),
    [
        (
            FP256,
            0x1649AB77A00637BD5E2EFE283FBF353534AA7F7CB89463F208DDBC2920BB0DA0,
            0x4C62EEFD6ECFC2B95B92FD6C3D9575148AFA17425546D49018E5388D49DD7B4F,
            (
                0x245C26FB68B1DDDDB12C4B6BF9F2B6D5FE60A383B0D18D1C4144ABF17F6252E7,
                0x76CB9264C2A7E88E52B19903FDC47378F605E36811F5C07423A24B84400F01B8,
            ),
            "650053A89B41C418B0C3AAD00D886C00286467",
            "9C3D7360C30156FAB7C80A0276712DA9D8094A634B766D3A285E07480653426D",
        ),
        (
            FP192,
            0x58892B807074F53FBF67288A1DFAA1AC313455FE60355AFD,
            0x384F30353073AEECE7A1654330A96204D37982A3E15B2CB5,
            (
                0x23FC680B124294DFDF34DBE76E0C38D883DE4D41FA0D4CF5,
                0x70CF14F20DAF0C4D777F738D16B16824D31EEFB9DE31EE1F,
            ),
            "610567DBD4854F51F4F00ADCC01CFE90B1FB1C",
            "6AFB3BCEBD76F82B252CE5EB25B5799686902B8CF2FD87536E55EF7603B09E7C",
        ),
    ],
    ids=["Fp-256", "Fp-192"],
)
def test_sm2_encryption_gbt32918_4_examples(curve, d, k, c1, c2, c3):
    core = oracle(curve, k)
    got_c1, got_c2, got_c3 = core.encrypt(b"encryption standard", core.generate_pk(d))
    assert (got_c1, got_c2.hex().upper(), got_c3.hex().upper()) == (c1, c2, c3)
    assert core.decrypt(got_c1, got_c2, got_c3, d) == b"encryption standard"


# -- SM2 on the recommended curve: GmSSL against the published vectors --------------------


def test_gmssl_verifies_the_recommended_curve_signature():
    assert gm.verify(REC_P, b"message digest", REC_SIG, b"1234567812345678")
    core = oracle(k=REC_K)
    r, s = core.sign(b"message digest", int.from_bytes(REC_D, "big"), b"1234567812345678")
    assert r.to_bytes(32, "big") + s.to_bytes(32, "big") == REC_SIG
    assert gm.pair_matches(REC_D, REC_P)


def test_gmssl_decrypts_the_recommended_curve_ciphertext():
    assert gm.decrypt(REC_D, REC_CIPHER) == b"encryption standard"
    c1, c2, c3 = oracle(k=REC_K).encrypt(b"encryption standard", point(REC_P))
    assert b"\x04" + c1[0].to_bytes(32, "big") + c1[1].to_bytes(32, "big") + c3 + c2 == REC_CIPHER


def test_wrong_user_id_fails():
    d, public = gm.generate_key_pair()
    signature = gm.sign(d, public, b"receipt", b"platform@example")
    assert gm.verify(public, b"receipt", signature, b"platform@example")
    assert not gm.verify(public, b"receipt", signature, b"1234567812345678")
    assert not gm.verify(public, b"receipt", signature)  # the default ID is another ID too


def test_tampered_sm2_ciphertext_is_refused():
    d, public = gm.generate_key_pair()
    ciphertext = gm.encrypt(public, b"k" * 32)
    for index in (1, 40, 70, 100, 128):  # C1.x, C1.y, C3, C2
        altered = bytearray(ciphertext)
        altered[index] ^= 0x01
        with pytest.raises(gm.SMError):
            gm.decrypt(d, bytes(altered))
    other, _ = gm.generate_key_pair()
    with pytest.raises(gm.SMError):
        gm.decrypt(other, ciphertext)


# -- interoperability with an independent implementation, both ways ----------------------


def test_gmssl_ciphertext_opens_in_the_oracle_and_back():
    d, public = gm.generate_key_pair()
    core, scalar = oracle(), int.from_bytes(d, "big")
    ours = gm.encrypt(public, b"secret key 32 bytes long........")
    c1, c3, c2 = gmalg.sm2.bytes_to_point(ours[:65]), ours[65:97], ours[97:]
    assert core.decrypt(c1, c2, c3, scalar) == b"secret key 32 bytes long........"
    c1, c2, c3 = core.encrypt(b"from the oracle", point(public))
    theirs = gmalg.sm2.point_to_bytes(c1, gmalg.sm2.PC_MODE.RAW) + c3 + c2
    assert gm.decrypt(d, theirs) == b"from the oracle"


def test_gmssl_signature_verifies_in_the_oracle_and_back():
    d, public = gm.generate_key_pair()
    core, scalar, uid = oracle(), int.from_bytes(d, "big"), b"trading-center"
    ours = gm.sign(d, public, b"checkpoint 42", uid)
    r, s = int.from_bytes(ours[:32], "big"), int.from_bytes(ours[32:], "big")
    assert core.verify(b"checkpoint 42", r, s, uid, point(public))
    assert not core.verify(b"checkpoint 43", r, s, uid, point(public))
    r, s = core.sign(b"checkpoint 42", scalar, uid, point(public))
    assert gm.verify(public, b"checkpoint 42", r.to_bytes(32, "big") + s.to_bytes(32, "big"), uid)


def test_sm3_kdf_matches_the_oracle():
    z = bytes(range(64))
    assert gm.sm3_kdf(z, 100) == oracle()._key_derivation_fn(z, 100)


# -- keys and key files ---------------------------------------------------------------------


def test_points_off_the_curve_and_other_curves_are_refused():
    from Crypto.PublicKey import ECC

    p256 = ECC.generate(curve="P-256")
    p256_point = b"\x04" + p256.pointQ.x.to_bytes(32) + p256.pointQ.y.to_bytes(32)
    for bad in (p256_point, REC_P[:-1] + bytes([REC_P[-1] ^ 1]), b"\x02" + REC_P[1:33], b""):
        with pytest.raises(gm.SMError):
            gm.check_public(bad)
    with pytest.raises(gm.SMError, match="P-256"):
        gm.import_private_pem(p256.export_key(format="PEM"))
    with pytest.raises(gm.SMError, match="P-256"):
        gm.import_public_pem(p256.public_key().export_key(format="PEM"))
    with pytest.raises(gm.SMError, match="Ed25519"):
        gm.import_private_pem(ECC.generate(curve="Ed25519").export_key(format="PEM"))


def test_pem_round_trip_and_mismatched_pair():
    d, public = gm.generate_key_pair()
    assert gm.import_private_pem(gm.export_private_pem(d, public)) == (d, public)
    assert gm.import_public_pem(gm.export_public_pem(public)) == public
    _, other = gm.generate_key_pair()
    with pytest.raises(gm.SMError, match="does not match"):
        gm.import_private_pem(gm.export_private_pem(d, other))
    for scalar in (b"\x00" * 32, gm.N.to_bytes(32, "big")):
        with pytest.raises(gm.SMError):
            gm.check_scalar(scalar)


# -- the key schedule is RFC 9180's: checked against pycryptodome's HPKE ------------------


@pytest.mark.parametrize("psk", [None, (b"bidder-key-id", bytes(range(32)))])
def test_key_schedule_matches_rfc9180_hpke(psk):
    from Crypto.Protocol import HPKE
    from Crypto.Protocol.DH import import_x25519_public_key, key_agreement
    from Crypto.PublicKey import ECC

    receiver = ECC.generate(curve="Curve25519")
    sender = HPKE.new(receiver_key=receiver.public_key(), aead_id=HPKE.AEAD.AES256_GCM,
                      info=b"info", psk=psk)
    sealed = [sender.seal(b"chunk %d" % i, b"aad") for i in range(3)]
    dh = key_agreement(static_priv=receiver, eph_pub=import_x25519_public_key(sender.enc),
                       kdf=lambda x: x)
    pk_r = receiver.public_key().export_key(format="raw")
    kem = smhpke.Labels(smhpke.HKDF_SHA256, b"KEM\x00\x20")
    shared = kem.extract_and_expand(dh, sender.enc + pk_r)
    ours = smhpke.key_schedule(0x0020, smhpke.HKDF_SHA256, smhpke.AES_256_GCM, shared,
                               sender.enc, b"info", psk)
    assert [ours.unseal(c, b"aad") for c in sealed] == [b"chunk %d" % i for i in range(3)]
    assert ours.export(b"psk", 32) == sender.export(b"psk", 32)


def test_hybrid_survives_either_part_being_altered(sm2mlkem_key):
    from bid_crypto.suites import SM2MLKEM

    sender = SM2MLKEM.sender(sm2mlkem_key.public_key().raw, b"info")
    sealed = sender.seal(b"payload", b"aad")
    receiver = sm2mlkem_key.receiver(sender.enc, b"info")
    assert receiver.unseal(sealed, b"aad") == b"payload"
    mlkem_altered = bytes([sender.enc[0] ^ 1]) + sender.enc[1:]
    with pytest.raises(ValueError):  # ML-KEM rejects implicitly: the AEAD fails
        sm2mlkem_key.receiver(mlkem_altered, b"info").unseal(sealed, b"aad")
    sm2_altered = sender.enc[:-1] + bytes([sender.enc[-1] ^ 1])
    with pytest.raises(gm.SMError):
        sm2mlkem_key.receiver(sm2_altered, b"info")
    assert smhpke.MLKEM_CT_LEN + smhpke.SM2_ENC_LEN == len(sender.enc)


def test_envelope_round_trip_through_the_oracle_alone(sm2_key, seal_bytes):
    """An SM2 envelope opened with the oracle's SM2 decryption and SM3 header hash."""
    from bid_crypto import read_header
    from bid_crypto.envelope import INFO, chunk_aad, read_record

    envelope = seal_bytes(b"x" * 200, key=sm2_key)
    stream = io.BytesIO(envelope)
    header = read_header(stream)
    enc = header.enc
    c1, c3, c2 = gmalg.sm2.bytes_to_point(enc[:65]), enc[65:97], enc[97:]
    secret = oracle().decrypt(c1, c2, c3, int.from_bytes(sm2_key.secret, "big"))
    kem = smhpke.Labels(smhpke.HKDF_SM3, b"KEM\xff\x30")
    shared = kem.extract_and_expand(secret, enc + sm2_key.public)
    context = smhpke.key_schedule(smhpke.KEM_SM2, smhpke.HKDF_SM3, smhpke.SM4_GCM, shared, enc,
                                  INFO, None)
    hasher = gmalg.SM3()
    hasher.update(header.encode())
    assert hasher.value() == header.binding_hash
    plaintext, index = b"", 0
    while True:
        final, sealed = read_record(stream, header.chunk_size, index)
        plaintext += context.unseal(sealed, chunk_aad(hasher.value(), index, final))
        index += 1
        if final:
            break
    assert plaintext == b"x" * 200


# -- interop with OpenSSL's SM2 (a third implementation), where the machine has it --------


def _openssl(*args: str, data: bytes = b"") -> bytes:
    import subprocess

    return subprocess.run(["openssl", *args], input=data, capture_output=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def openssl_sm2():
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("no openssl command")
    try:
        _openssl("list", "-digest-algorithms")
    except subprocess.CalledProcessError:
        pytest.skip("openssl cannot list its algorithms")


def test_pem_files_and_signatures_interoperate_with_openssl(openssl_sm2, tmp_path):
    from Crypto.Util.asn1 import DerInteger, DerSequence

    d, public = gm.generate_key_pair()
    key, pub, message = tmp_path / "k.pem", tmp_path / "p.pem", tmp_path / "m"
    key.write_text(gm.export_private_pem(d, public))
    pub.write_text(gm.export_public_pem(public))
    message.write_bytes(b"audit checkpoint 7")
    common = ["-rawin", "-digest", "sm3", "-pkeyopt", "distid:trading-center"]
    der = _openssl("pkeyutl", "-sign", "-inkey", str(key), "-in", str(message), *common)
    seq = DerSequence().decode(der)
    raw = int(seq[0]).to_bytes(32, "big") + int(seq[1]).to_bytes(32, "big")
    assert gm.verify(public, b"audit checkpoint 7", raw, b"trading-center")
    ours = gm.sign(d, public, b"audit checkpoint 7", b"trading-center")
    sig = tmp_path / "sig"
    r, s = int.from_bytes(ours[:32], "big"), int.from_bytes(ours[32:], "big")
    sig.write_bytes(DerSequence([DerInteger(r), DerInteger(s)]).encode())
    out = _openssl("pkeyutl", "-verify", "-pubin", "-inkey", str(pub), "-in", str(message),
                   "-sigfile", str(sig), *common)
    assert b"Signature Verified Successfully" in out


@pytest.mark.parametrize("psk", [None, (b"bidder-key-id", bytes(range(32)))])
def test_the_x25519_receiver_is_pycryptodomes_hpke_context(psk):
    """suites.X25519 opens with this schedule and OpenSSL's X25519 (not pycryptodome's DH
    and HKDF in Python): the same messages and exports as pycryptodome's own receiver, and
    an enc that is no X25519 point or a message of another context refused (ValueError)."""
    from Crypto.Protocol import HPKE

    from bid_crypto import generate_private_key

    key = generate_private_key("x25519")
    sender = HPKE.new(receiver_key=key.hpke_key().public_key(),
                      aead_id=HPKE.AEAD.AES256_GCM, info=b"info", psk=psk)
    sealed = [sender.seal(b"chunk %d" % i, b"aad") for i in range(3)]
    ours = key.receiver(sender.enc, b"info", psk)
    theirs = HPKE.new(receiver_key=key.hpke_key(), aead_id=HPKE.AEAD.AES256_GCM,
                      enc=sender.enc, info=b"info", psk=psk)
    assert [ours.unseal(c, b"aad") for c in sealed] == [theirs.unseal(c, b"aad")
                                                        for c in sealed]
    assert ours.export(b"ctx", 32) == theirs.export(b"ctx", 32)
    exporter = HPKE.new(receiver_key=key.hpke_key(), aead_id=HPKE.AEAD.EXPORT_ONLY,
                        enc=sender.enc, info=b"info", psk=psk)
    assert key.receiver(sender.enc, b"info", psk, export_only=True).export(b"ctx", 32) \
        == exporter.export(b"ctx", 32)
    with pytest.raises(ValueError):
        key.receiver(sender.enc, b"info", psk).unseal(sealed[1], b"aad")  # out of order
    with pytest.raises(ValueError):
        key.receiver(sender.enc[:31], b"info", psk)
    with pytest.raises(ValueError):  # the point of order 1: no shared secret
        key.receiver(bytes(32), b"info", psk)
