"""HPKE's key schedule (RFC 9180 §5) instantiated with the national algorithms (FORMAT.md §3.3).

RFC 9180 is generic in its KEM, KDF and AEAD; no registered suite uses SM algorithms, so
this module runs the RFC's own key schedule, sequence-numbered nonces and secret export
with HKDF-SM3 and SM4-GCM, over two KEMs:

* ``SM2-KEM``: the sender SM2-encrypts (GB/T 32918.4) a fresh 32-byte secret to the
  recipient; the shared secret is ExtractAndExpand(secret, ciphertext || public key),
  exactly as DHKEM binds its DH output to ``enc`` and the recipient key.
* ``SM2+ML-KEM-768``: X-Wing's combiner with SM3 — the shared secret is
  SM3(ss_mlkem || ss_sm2 || ct_sm2 || pk_sm2 || label), secure while either part is.

The schedule is written once against a small ``Kdf``/``Aead`` description so the tests can
run it with HKDF-SHA256 and AES-GCM against pycryptodome's RFC 9180 implementation.
"""

from collections.abc import Callable
from dataclasses import dataclass

from Crypto.Cipher import AES
from Crypto.PublicKey import MLKEM
from Crypto.Random import get_random_bytes
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

from . import gm

MODE_BASE, MODE_PSK = 0x00, 0x01
EXPORT_ONLY = 0xFFFF
KEM_SM2 = 0xFF30
KEM_SM2_MLKEM768 = 0xFF31
KDF_HKDF_SM3 = 0xFF32
AEAD_SM4_GCM = 0xFF33
_VERSION_LABEL = b"HPKE-v1"
HYBRID_LABEL = b"bid_crypto/v1 SM2+ML-KEM-768"
SM2_SECRET_LEN = 32
SM2_ENC_LEN = gm.PUBLIC_LEN + gm.DIGEST_LEN + SM2_SECRET_LEN  # C1 || C3 || C2 = 129
MLKEM_EK_LEN, MLKEM_CT_LEN = 1184, 1088


@dataclass(frozen=True)
class Kdf:
    kdf_id: int
    hash_len: int
    extract: Callable[[bytes, bytes], bytes]  # (salt, ikm) -> prk
    expand: Callable[[bytes, bytes, int], bytes]  # (prk, info, length) -> okm


@dataclass(frozen=True)
class Aead:
    aead_id: int
    key_len: int
    nonce_len: int
    seal: Callable[[bytes, bytes, bytes, bytes], bytes]  # (key, nonce, aad, pt)
    open: Callable[[bytes, bytes, bytes, bytes], bytes]  # ValueError on failure


def _hash_extract(algorithm):
    def extract(salt: bytes, ikm: bytes) -> bytes:
        mac = crypto_hmac.HMAC(salt or bytes(algorithm.digest_size), algorithm)
        mac.update(ikm)
        return mac.finalize()

    return extract


def _hash_expand(algorithm):
    def expand(prk: bytes, info: bytes, length: int) -> bytes:
        return HKDFExpand(algorithm, length, info).derive(prk)

    return expand


HKDF_SM3 = Kdf(
    KDF_HKDF_SM3, gm.DIGEST_LEN, _hash_extract(hashes.SM3()), _hash_expand(hashes.SM3())
)
SM4_GCM = Aead(
    AEAD_SM4_GCM, gm.SM4_KEY_LEN, gm.GCM_NONCE_LEN, gm.sm4_gcm_seal, gm.sm4_gcm_open
)


def _aes_gcm_seal(key: bytes, nonce: bytes, aad: bytes, plaintext: bytes) -> bytes:
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    cipher.update(aad)
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    return ciphertext + tag


def _aes_gcm_open(key: bytes, nonce: bytes, aad: bytes, sealed: bytes) -> bytes:
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce)
    cipher.update(aad)
    view = memoryview(sealed)  # a 1 MiB chunk is not copied to split off its tag
    return cipher.decrypt_and_verify(view[:-16], view[-16:])


# RFC 9180's own suite: the x25519 suite's receiver (suites.py) runs this schedule with it,
# and the tests check it against pycryptodome's HPKE.
HKDF_SHA256 = Kdf(
    0x0001, 32, _hash_extract(hashes.SHA256()), _hash_expand(hashes.SHA256())
)
AES_256_GCM = Aead(0x0002, 32, 12, _aes_gcm_seal, _aes_gcm_open)


def _i2osp(value: int, length: int) -> bytes:
    return value.to_bytes(length, "big")


class Labels:
    """LabeledExtract / LabeledExpand of RFC 9180 §4 for one suite id."""

    def __init__(self, kdf: Kdf, suite_id: bytes) -> None:
        self.kdf, self.suite_id = kdf, suite_id

    def extract(self, salt: bytes, label: bytes, ikm: bytes) -> bytes:
        return self.kdf.extract(salt, _VERSION_LABEL + self.suite_id + label + ikm)

    def expand(self, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
        labeled = _i2osp(length, 2) + _VERSION_LABEL + self.suite_id + label + info
        return self.kdf.expand(prk, labeled, length)

    def extract_and_expand(self, ikm: bytes, kem_context: bytes) -> bytes:
        prk = self.extract(b"", b"eae_prk", ikm)
        return self.expand(prk, b"shared_secret", kem_context, self.kdf.hash_len)


class Context:
    """An HPKE context (RFC 9180 §5.2-5.3): sequence-numbered seal/open, and export."""

    def __init__(self, labels: Labels, aead: Aead | None, enc: bytes, key: bytes,
                 base_nonce: bytes, exporter_secret: bytes) -> None:
        self._labels, self._aead, self.enc = labels, aead, enc
        self._key, self._base_nonce = key, base_nonce
        self._exporter_secret = exporter_secret
        self._seq = 0

    def _nonce(self) -> bytes:
        if self._aead is None:
            raise TypeError("an export-only context cannot seal or open")
        if self._seq >= (1 << (8 * self._aead.nonce_len)) - 1:
            raise OverflowError("HPKE message limit reached")
        seq = _i2osp(self._seq, self._aead.nonce_len)
        return bytes(a ^ b for a, b in zip(self._base_nonce, seq, strict=True))

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        sealed = self._aead.seal(self._key, self._nonce(), aad, plaintext)
        self._seq += 1
        return sealed

    def unseal(self, sealed: bytes, aad: bytes) -> bytes:
        """Open the next message; ValueError if it does not authenticate."""
        plaintext = self._aead.open(self._key, self._nonce(), aad, sealed)
        self._seq += 1
        return plaintext

    def export(self, exporter_context: bytes, length: int) -> bytes:
        return self._labels.expand(self._exporter_secret, b"sec", exporter_context, length)


def key_schedule(kem_id: int, kdf: Kdf, aead: Aead | None, shared_secret: bytes, enc: bytes,
                 info: bytes, psk: tuple[bytes, bytes] | None) -> Context:
    """RFC 9180 §5.1 KeySchedule; ``psk`` is (psk_id, psk) for mode_psk, else None."""
    aead_id = EXPORT_ONLY if aead is None else aead.aead_id
    labels = Labels(kdf, b"HPKE" + _i2osp(kem_id, 2) + _i2osp(kdf.kdf_id, 2) + _i2osp(aead_id, 2))
    mode, (psk_id, psk_value) = (MODE_BASE, (b"", b"")) if psk is None else (MODE_PSK, psk)
    if mode == MODE_PSK and (not psk_id or len(psk_value) < 32):
        raise ValueError("PSK mode needs a psk_id and a psk of at least 32 bytes")
    context = (
        bytes([mode])
        + labels.extract(b"", b"psk_id_hash", psk_id)
        + labels.extract(b"", b"info_hash", info)
    )
    secret = labels.extract(shared_secret, b"secret", psk_value)
    key_len, nonce_len = (0, 0) if aead is None else (aead.key_len, aead.nonce_len)
    return Context(
        labels,
        aead,
        enc,
        labels.expand(secret, b"key", context, key_len) if key_len else b"",
        labels.expand(secret, b"base_nonce", context, nonce_len) if nonce_len else b"",
        labels.expand(secret, b"exp", context, kdf.hash_len),
    )


# -- the KEMs ---------------------------------------------------------------------------

_SM2_KEM = Labels(HKDF_SM3, b"KEM" + _i2osp(KEM_SM2, 2))


def sm2_encap(public: bytes) -> tuple[bytes, bytes]:
    """(shared_secret, enc) for an SM2 public key."""
    secret = get_random_bytes(SM2_SECRET_LEN)
    enc = gm.encrypt(public, secret)
    return _SM2_KEM.extract_and_expand(secret, enc + public), enc


def sm2_decap(enc: bytes, private: bytes, public: bytes) -> bytes:
    """The shared secret; gm.SMError if ``enc`` was altered or is for another key."""
    if len(enc) != SM2_ENC_LEN:
        raise gm.SMError(f"SM2-KEM enc must be {SM2_ENC_LEN} bytes")
    return _SM2_KEM.extract_and_expand(gm.decrypt(private, enc), enc + public)


def mlkem_key(seed32: bytes):
    """ML-KEM-768 private key from 32 secret bytes (FIPS 203 d || z via the SM3 KDF)."""
    return MLKEM.construct(param_set=MLKEM.ML_KEM_768,
                           seed=gm.sm3_kdf(b"bid_crypto/v1 ML-KEM-768 seed" + seed32, 64))


def _combine(ss_mlkem: bytes, ss_sm2: bytes, ct_sm2: bytes, pk_sm2: bytes) -> bytes:
    return gm.sm3(ss_mlkem + ss_sm2 + ct_sm2 + pk_sm2 + HYBRID_LABEL)


def hybrid_encap(public: bytes) -> tuple[bytes, bytes]:
    """X-Wing's construction with SM2 in X25519's place and SM3 in SHA3-256's."""
    ek, pk_sm2 = public[:MLKEM_EK_LEN], public[MLKEM_EK_LEN:]
    # pycryptodome 4.5 has no public KEM call yet; _encaps is what its HPKE uses.
    ss_mlkem, ct_mlkem = MLKEM.construct(param_set=MLKEM.ML_KEM_768, ek=ek)._encaps()
    ss_sm2 = get_random_bytes(SM2_SECRET_LEN)
    ct_sm2 = gm.encrypt(pk_sm2, ss_sm2)
    return _combine(ss_mlkem, ss_sm2, ct_sm2, pk_sm2), ct_mlkem + ct_sm2


def hybrid_decap(enc: bytes, seed32: bytes, sm2_private: bytes, public: bytes) -> bytes:
    ct_mlkem, ct_sm2 = enc[:MLKEM_CT_LEN], enc[MLKEM_CT_LEN:]
    if len(ct_sm2) != SM2_ENC_LEN:
        raise gm.SMError("hybrid enc has the wrong length")
    ss_mlkem = mlkem_key(seed32)._decaps(ct_mlkem)  # implicit rejection: never raises
    ss_sm2 = gm.decrypt(sm2_private, ct_sm2)
    return _combine(ss_mlkem, ss_sm2, ct_sm2, public[MLKEM_EK_LEN:])
