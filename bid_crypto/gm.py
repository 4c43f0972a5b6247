"""The Chinese national algorithms (国密) as bid_crypto uses them: SM2, SM3, SM4-GCM.

* SM3 (GB/T 32905) and SM4 (GB/T 32907) come from ``cryptography`` (OpenSSL): SM3 hashing
  (and HKDF-SM3 in smhpke.py), and SM4 in GCM mode (the AEAD of RFC 8998).
* SM2 (GB/T 32918) comes from ``gmssl_pyx``, a C extension over GmSSL: public-key
  encryption (part 4) and signatures with the signer's ID (part 2). ``cryptography``
  refuses SM2 curves, and pure-Python elliptic-curve code is not constant-time, so secret
  scalars are only ever handled by GmSSL.

Everything here speaks fixed-size raw encodings (FORMAT.md §3.3): an SM2 public key is
``04 || x || y`` (65 bytes), a ciphertext ``C1 || C3 || C2`` (GB/T 32918.4-2016 order),
a signature ``r || s`` (64 bytes). GmSSL speaks DER (GM/T 0009); the conversions are here.
Only public values (points from key files and ciphertexts) are checked in Python.
"""

import hmac as _hmac

import gmssl_pyx
from Crypto.IO import PEM, PKCS8
from Crypto.Util.asn1 import (
    DerBitString,
    DerInteger,
    DerObjectId,
    DerOctetString,
    DerSequence,
)
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# The recommended curve sm2p256v1 (GB/T 32918.5-2017).
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0

PUBLIC_LEN = 65  # 04 || x || y
SCALAR_LEN = 32
SIGNATURE_LEN = 64  # r || s
DIGEST_LEN = 32
SM4_KEY_LEN, GCM_NONCE_LEN, GCM_TAG_LEN = 16, 12, 16
# GM/T 0009-2012 §10: the signer ID used when the parties agreed on no other.
DEFAULT_SM2_ID = b"1234567812345678"
MAX_SM2_ID = 8191  # ENTL is 16 bits counting bits


class SMError(ValueError):
    """An SM2 operation failed (bad point, failed C3 check, invalid signature input)."""


# -- SM3 ---------------------------------------------------------------------------------


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm3_hasher():
    """A streaming SM3 (``update``/``finalize``), for whole envelopes."""
    return hashes.Hash(hashes.SM3())


def sm3_kdf(z: bytes, length: int) -> bytes:
    """The key derivation function of GB/T 32918.4-2016 §5.4.3 (SM3 in counter mode)."""
    return gmssl_pyx.sm3_kdf(z, length)


# -- SM4-GCM (RFC 8998 §2: 128-bit key, 12-byte nonce, 16-byte tag) ------------------------


def sm4_gcm_seal(key: bytes, nonce: bytes, aad: bytes, plaintext: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return ciphertext + encryptor.tag


def sm4_gcm_open(key: bytes, nonce: bytes, aad: bytes, sealed: bytes) -> bytes:
    """Inverse of :func:`sm4_gcm_seal`; ValueError if the tag does not verify."""
    if len(sealed) < GCM_TAG_LEN:
        raise ValueError("SM4-GCM ciphertext shorter than its tag")
    body, tag = sealed[:-GCM_TAG_LEN], sealed[-GCM_TAG_LEN:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag:
        raise ValueError("SM4-GCM authentication failed") from None


# -- SM2 points and keys ----------------------------------------------------------------


def on_curve(x: int, y: int) -> bool:
    return 0 <= x < P and 0 <= y < P and (y * y - (x * x * x + A * x + B)) % P == 0


def check_public(public: bytes) -> bytes:
    """``public`` if it is an uncompressed point of sm2p256v1 (cofactor 1: no subgroup test)."""
    if not isinstance(public, bytes) or len(public) != PUBLIC_LEN or public[0] != 4:
        raise SMError("an SM2 public key is 65 bytes: 04 || x || y")
    x, y = int.from_bytes(public[1:33], "big"), int.from_bytes(public[33:], "big")
    if not on_curve(x, y):
        raise SMError("not a point of the SM2 curve sm2p256v1 (another curve's key?)")
    return public


def check_scalar(secret: bytes) -> bytes:
    if len(secret) != SCALAR_LEN or not 1 <= int.from_bytes(secret, "big") <= N - 2:
        raise SMError("an SM2 private key is an integer in [1, n-2] (32 bytes)")
    return secret


def generate_key_pair() -> tuple[bytes, bytes]:
    """(private scalar d, public key 04||x||y) from GmSSL's generator."""
    public, private = gmssl_pyx.sm2_key_generate()
    return private, b"\x04" + public


def pair_matches(private: bytes, public: bytes) -> bool:
    """Pairwise consistency: d·G = P, tested by a round trip through GmSSL.

    GmSSL does not expose d·G; an encryption to P opens under d (its C3 check passes)
    only if d·G = P. Secret scalars never touch Python arithmetic.
    """
    probe = gmssl_pyx.rand_bytes(32)
    try:
        return _hmac.compare_digest(decrypt(private, encrypt(public, probe)), probe)
    except SMError:
        return False


# -- SM2 encryption (GB/T 32918.4) --------------------------------------------------------


def encrypt(public: bytes, message: bytes) -> bytes:
    """SM2 encryption: C1 (65) || C3 (32) || C2 (len(message)); message 1-255 bytes."""
    check_public(public)
    try:
        der = gmssl_pyx.sm2_encrypt(public[1:], message)
    except gmssl_pyx.GmsslInnerError as exc:
        raise SMError(f"SM2 encryption failed: {exc}") from None
    seq = DerSequence().decode(der, strict=True)
    x, y = int(seq[0]), int(seq[1])
    c3 = DerOctetString().decode(seq[2], strict=True).payload
    c2 = DerOctetString().decode(seq[3], strict=True).payload
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big") + c3 + c2


def decrypt(private: bytes, ciphertext: bytes) -> bytes:
    """Inverse of :func:`encrypt`; SMError for a point off the curve or a failed C3 check."""
    if len(ciphertext) < PUBLIC_LEN + DIGEST_LEN + 1:
        raise SMError("SM2 ciphertext too short")
    c1 = check_public(ciphertext[:PUBLIC_LEN])
    c3 = ciphertext[PUBLIC_LEN : PUBLIC_LEN + DIGEST_LEN]
    c2 = ciphertext[PUBLIC_LEN + DIGEST_LEN :]
    der = DerSequence(
        [
            DerInteger(int.from_bytes(c1[1:33], "big")),
            DerInteger(int.from_bytes(c1[33:], "big")),
            DerOctetString(c3),
            DerOctetString(c2),
        ]
    ).encode()
    try:
        return gmssl_pyx.sm2_decrypt(private, der)
    except (gmssl_pyx.GmsslInnerError, gmssl_pyx.InvalidValueError):
        raise SMError(
            "SM2 decryption failed: the ciphertext was altered or the key is wrong"
        ) from None


# -- SM2 signatures (GB/T 32918.2) --------------------------------------------------------


def check_id(user_id: bytes) -> bytes:
    if not isinstance(user_id, bytes) or not 1 <= len(user_id) <= MAX_SM2_ID:
        raise SMError("an SM2 signer ID is 1-8191 bytes")
    return user_id


def sign(private: bytes, public: bytes, message: bytes, user_id: bytes = DEFAULT_SM2_ID) -> bytes:
    """SM2 signature with SM3 over Z_A || message; returns r || s."""
    der = gmssl_pyx.sm2_sign(private, check_public(public)[1:], message, check_id(user_id))
    seq = DerSequence().decode(der, strict=True)
    return int(seq[0]).to_bytes(32, "big") + int(seq[1]).to_bytes(32, "big")


def verify(
    public: bytes, message: bytes, signature: bytes, user_id: bytes = DEFAULT_SM2_ID
) -> bool:
    """True if ``signature`` (r || s) signs ``message`` under ``public`` and ``user_id``."""
    check_public(public)
    check_id(user_id)
    if len(signature) != SIGNATURE_LEN:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < N and 1 <= s < N):
        return False
    der = DerSequence([DerInteger(r), DerInteger(s)]).encode()
    try:
        return bool(gmssl_pyx.sm2_verify(public[1:], message, der, user_id))
    except (gmssl_pyx.GmsslInnerError, gmssl_pyx.InvalidValueError):
        return False


# -- SM2 key files: SubjectPublicKeyInfo / PKCS#8 / SEC1 with the SM2 curve ------------------

OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_SM2 = "1.2.156.10197.1.301"
_CURVE_NAMES = {
    "1.2.840.10045.3.1.7": "NIST P-256",
    "1.3.132.0.34": "NIST P-384",
    "1.3.132.0.10": "secp256k1",
    "1.3.101.112": "Ed25519",
}


def export_private_pem(private: bytes, public: bytes) -> str:
    """PKCS#8 PEM (id-ecPublicKey, curve SM2, RFC 5915 ECPrivateKey with the public key)."""
    ec_private = DerSequence(
        [1, DerOctetString(check_scalar(private)), DerBitString(check_public(public), explicit=1)]
    ).encode()
    der = PKCS8.wrap(ec_private, OID_EC_PUBLIC_KEY, key_params=DerObjectId(OID_SM2))
    return PEM.encode(der, "PRIVATE KEY") + "\n"


def export_public_pem(public: bytes) -> str:
    """SubjectPublicKeyInfo PEM with the SM2 curve OID."""
    algorithm = DerSequence([DerObjectId(OID_EC_PUBLIC_KEY), DerObjectId(OID_SM2)])
    der = DerSequence([algorithm, DerBitString(check_public(public))]).encode()
    return PEM.encode(der, "PUBLIC KEY") + "\n"


def import_private_pem(text: str) -> tuple[bytes, bytes]:
    """(d, public) from PKCS#8 PEM; SMError for another curve or algorithm."""
    try:
        der, marker, _ = PEM.decode(text)
        if marker != "PRIVATE KEY":
            raise SMError(f"expected a PKCS#8 'PRIVATE KEY' PEM, got {marker!r}")
        algorithm, ec_private, params = PKCS8.unwrap(der)
    except (ValueError, IndexError, TypeError) as exc:
        raise SMError(f"not a PKCS#8 private key: {exc}") from None
    _check_algorithm(algorithm, params)
    try:
        seq = DerSequence().decode(ec_private, nr_elements=(2, 3, 4))
        private = DerOctetString().decode(seq[1]).payload
        public = None
        for item in seq[2:]:
            obj = DerObjectId() if item[0] == 0xA0 else DerBitString(explicit=1)
            if item[0] == 0xA1:
                public = obj.decode(item).value
    except (ValueError, IndexError, TypeError) as exc:
        raise SMError(f"malformed SM2 private key: {exc}") from None
    if public is None:
        raise SMError("the SM2 private key file lacks its public key")
    check_scalar(private)
    check_public(public)
    if not pair_matches(private, public):
        raise SMError("the SM2 private key does not match the public key it carries")
    return private, public


def import_public_pem(text: str) -> bytes:
    """The 65-byte public key from SubjectPublicKeyInfo PEM; SMError for another curve."""
    try:
        der, marker, _ = PEM.decode(text)
        if marker != "PUBLIC KEY":
            raise SMError(f"expected a 'PUBLIC KEY' PEM, got {marker!r}")
        seq = DerSequence().decode(der, nr_elements=2)
        algorithm = DerSequence().decode(seq[0], nr_elements=(1, 2))
        oid = DerObjectId().decode(algorithm[0]).value
        params = algorithm[1] if len(algorithm) > 1 else None
        public = DerBitString().decode(seq[1]).value
    except (ValueError, IndexError, TypeError) as exc:
        raise SMError(f"not a SubjectPublicKeyInfo public key: {exc}") from None
    _check_algorithm(oid, params)
    return check_public(public)


def _check_algorithm(oid: str, params) -> None:
    if oid != OID_EC_PUBLIC_KEY:
        raise SMError(f"not an SM2 key: algorithm {_CURVE_NAMES.get(oid, oid)}")
    curve = DerObjectId().decode(params).value if params else None
    if curve != OID_SM2:
        raise SMError(f"not an SM2 key: curve {_CURVE_NAMES.get(curve, curve)}")
