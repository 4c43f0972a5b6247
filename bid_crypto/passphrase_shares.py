"""The passphrase-sealed shares of the old custody design (removed with its last user)."""

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from Crypto.Cipher import AES
from Crypto.Protocol.KDF import scrypt
from Crypto.Protocol.SecretSharing import Shamir
from Crypto.Random import get_random_bytes

from .encoding import canonical_json, check_id, from_hex, loads_strict
from .errors import (
    CustodyError,
    InconsistentShares,
    KeyFormatError,
    NotEnoughShares,
    UnsupportedEnvelope,
    WrongPassphrase,
)
from .keys import PrivateKey
from .suites import get_suite

SHARE_KIND = "bid_crypto.key_share"
DEFAULT_SCRYPT_LOG_N = 17
_NONCE_LEN, _TAG_LEN = 12, 16
_SCRYPT_R, _SCRYPT_P = 8, 1
_BLOCK = 16
MIN_PASSPHRASE = 8
MAX_CUSTODIANS = 255

@dataclass(frozen=True)
class ShareInfo:
    """Public facts about one share; all of it is authenticated with the share."""

    split_id: str  # random, shared by the n shares of one split
    project: str
    suite: str
    public_key: str  # hex; lets combining prove it rebuilt the right key
    threshold: int
    count: int
    index: int  # Shamir x coordinate, 1..count
    custodian: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class KeyShare:
    """A decrypted share: in memory only, while released at the opening."""

    info: ShareInfo
    value: bytes = field(repr=False)  # one 16-byte Shamir share per 16-byte key block


@dataclass(frozen=True)
class SealedShare:
    """A share sealed to its custodian's passphrase: what is stored and handed out."""

    info: ShareInfo
    salt: bytes
    log_n: int
    nonce: bytes
    ciphertext: bytes

    def _aad(self) -> bytes:
        return canonical_json(_share_doc(self.info, self.salt, self.log_n))

    def to_json(self) -> str:
        doc = _share_doc(self.info, self.salt, self.log_n)
        doc |= {"nonce": self.nonce.hex(), "ciphertext": self.ciphertext.hex()}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> "SealedShare":
        doc = loads_strict(data, "key share", KeyFormatError)
        return _sealed_from_doc(doc)


def _share_doc(info: ShareInfo, salt: bytes, log_n: int) -> dict:
    kdf = {
        "name": "scrypt",
        "salt": salt.hex(),
        "log_n": log_n,
        "r": _SCRYPT_R,
        "p": _SCRYPT_P,
    }
    return {"kind": SHARE_KIND, "version": 1, **info.to_dict(), "kdf": kdf}


def _sealed_from_doc(doc: object) -> SealedShare:
    expected = {
        "kind",
        "version",
        "kdf",
        "nonce",
        "ciphertext",
        *ShareInfo.__annotations__,
    }
    if not isinstance(doc, dict) or set(doc) != expected or doc["kind"] != SHARE_KIND:
        raise KeyFormatError("not a bid_crypto key share file")
    kdf = doc["kdf"]
    if (
        doc["version"] != 1
        or not isinstance(kdf, dict)
        or _kdf_params(kdf) != (_SCRYPT_R, _SCRYPT_P)
    ):
        raise KeyFormatError("unsupported key share version or KDF parameters")
    info = ShareInfo(**{name: doc[name] for name in ShareInfo.__annotations__})
    _check_info(info)
    return SealedShare(
        info,
        from_hex("kdf.salt", kdf["salt"], 16, KeyFormatError),
        _check_log_n(kdf["log_n"]),
        from_hex("nonce", doc["nonce"], _NONCE_LEN, KeyFormatError),
        from_hex("ciphertext", doc["ciphertext"], get_suite(info.suite).secret_len + _TAG_LEN,
                 KeyFormatError),
    )


def _kdf_params(kdf: dict) -> tuple[object, object]:
    if set(kdf) != {"name", "salt", "log_n", "r", "p"} or kdf["name"] != "scrypt":
        raise KeyFormatError("key share KDF must be scrypt")
    return kdf["r"], kdf["p"]


def _check_log_n(log_n: object) -> int:
    if type(log_n) is not int or not 10 <= log_n <= 22:
        raise KeyFormatError("scrypt log_n must be an integer in [10, 22]")
    return log_n


def _check_info(info: ShareInfo) -> None:
    ints = (info.threshold, info.count, info.index)
    if any(type(value) is not int for value in ints):
        raise KeyFormatError("share threshold, count and index must be integers")
    if not 2 <= info.threshold <= info.count <= MAX_CUSTODIANS or not 1 <= info.index <= info.count:
        raise KeyFormatError("share threshold/count/index are out of range")
    check_id("project", info.project, KeyFormatError)
    from_hex("split_id", info.split_id, 16, KeyFormatError)
    try:
        suite = get_suite(info.suite)
    except UnsupportedEnvelope as exc:
        raise KeyFormatError(str(exc)) from None
    from_hex("public_key", info.public_key, suite.public_len, KeyFormatError)
    _check_custodian(info.custodian, KeyFormatError)


def _check_custodian(name: object, error: type[CustodyError] | type[KeyFormatError]) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise error(f"custodian name must be 1-100 characters, got {name!r}")


def _passphrase_key(passphrase: str, salt: bytes, log_n: int) -> bytes:
    # NFC so the same passphrase typed through different input methods derives one key.
    secret = unicodedata.normalize("NFC", passphrase).encode()
    return scrypt(secret, salt, 32, N=2**log_n, r=_SCRYPT_R, p=_SCRYPT_P)


def seal_share(
    share: KeyShare, passphrase: str, *, log_n: int = DEFAULT_SCRYPT_LOG_N
) -> SealedShare:
    """Encrypt a share to a passphrase (scrypt, then AES-256-GCM)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise CustodyError(f"a custodian passphrase needs at least {MIN_PASSPHRASE} characters")
    salt, nonce = get_random_bytes(16), get_random_bytes(_NONCE_LEN)
    draft = SealedShare(share.info, salt, _check_log_n(log_n), nonce, b"")
    cipher = AES.new(_passphrase_key(passphrase, salt, log_n), AES.MODE_GCM, nonce=nonce)
    cipher.update(draft._aad())
    ciphertext, tag = cipher.encrypt_and_digest(share.value)
    return SealedShare(share.info, salt, log_n, nonce, ciphertext + tag)


def unseal_share(sealed: SealedShare, passphrase: str) -> KeyShare:
    """Decrypt a share with its custodian's passphrase; WrongPassphrase otherwise."""
    key = _passphrase_key(passphrase, sealed.salt, sealed.log_n)
    cipher = AES.new(key, AES.MODE_GCM, nonce=sealed.nonce)
    cipher.update(sealed._aad())
    body, tag = sealed.ciphertext[:-_TAG_LEN], sealed.ciphertext[-_TAG_LEN:]
    try:
        return KeyShare(sealed.info, cipher.decrypt_and_verify(body, tag))
    except ValueError:
        raise WrongPassphrase(
            f"wrong passphrase for share {sealed.info.index} "
            f"(custodian {sealed.info.custodian!r}), or the share file was altered"
        ) from None


def split_private_key(
    private_key: PrivateKey,
    *,
    project: str,
    threshold: int,
    custodians: Sequence[tuple[str, str]],
    log_n: int = DEFAULT_SCRYPT_LOG_N,
) -> list[SealedShare]:
    """Split the key k-of-n (k = ``threshold``), each share sealed to its custodian.

    ``custodians`` is a sequence of (name, passphrase). Each 16-byte half of the 32-byte
    secret is shared separately with the same x coordinates, so a share is 32 bytes.
    """
    _check_split(project, threshold, custodians)
    shares = _split_secret(private_key.secret, threshold, len(custodians))
    split_id = get_random_bytes(16).hex()
    public = private_key.public_key().raw.hex()
    sealed = []
    for (index, value), (name, passphrase) in zip(shares, custodians, strict=True):
        info = ShareInfo(
            split_id,
            project,
            private_key.suite,
            public,
            threshold,
            len(custodians),
            index,
            name,
        )
        sealed.append(seal_share(KeyShare(info, value), passphrase, log_n=log_n))
    return sealed


def _check_split(project: str, threshold: int, custodians: Sequence[tuple[str, str]]) -> None:
    check_id("project", project, CustodyError)
    names = [name for name, _ in custodians]
    for name in names:
        _check_custodian(name, CustodyError)
    if not 2 <= threshold <= len(custodians) <= MAX_CUSTODIANS:
        raise CustodyError(
            f"need 2 <= threshold <= custodians <= {MAX_CUSTODIANS}, "
            f"got threshold {threshold} of {len(custodians)}"
        )
    if len(set(names)) != len(names):
        raise CustodyError("custodian names must be distinct")


def _split_secret(secret: bytes, threshold: int, count: int) -> list[tuple[int, bytes]]:
    per_block = [
        Shamir.split(threshold, count, secret[start : start + _BLOCK])
        for start in range(0, len(secret), _BLOCK)
    ]
    # Shamir.split numbers shares 1..n on every call: x coordinates match per block.
    return [
        (row[0][0], b"".join(value for _, value in row)) for row in zip(*per_block, strict=True)
    ]


def combine_shares(shares: Sequence[KeyShare]) -> PrivateKey:
    """Rebuild the private key from at least ``threshold`` shares of one split."""
    info = _common_info(shares)
    distinct = {share.info.index: share for share in shares}
    if len(distinct) < info.threshold:
        raise NotEnoughShares(
            f"{len(distinct)} of the {info.threshold} shares needed have been released"
        )
    chosen = list(distinct.values())[: info.threshold]  # Shamir.combine wants exactly k
    secret = b"".join(
        Shamir.combine([(s.info.index, s.value[start : start + _BLOCK]) for s in chosen])
        for start in range(0, get_suite(info.suite).secret_len, _BLOCK)
    )
    try:
        # The recorded public key is checked against the rebuilt secret either way.
        key = PrivateKey(info.suite, secret, bytes.fromhex(info.public_key))
    except KeyFormatError:
        raise InconsistentShares("the shares do not rebuild the recorded opening key") from None
    return key


def _common_info(shares: Sequence[KeyShare | SealedShare]) -> ShareInfo:
    if not shares:
        raise NotEnoughShares("no share has been released")
    first = shares[0].info
    for share in shares[1:]:
        other = share.info
        if (other.split_id, other.project, other.suite, other.public_key) != (
            first.split_id,
            first.project,
            first.suite,
            first.public_key,
        ) or (other.threshold, other.count) != (first.threshold, first.count):
            raise InconsistentShares("the shares come from different key splits")
    return first


def recover_private_key(released: Sequence[tuple[SealedShare, str]]) -> PrivateKey:
    """Unseal each (share, passphrase) and combine; counts before any slow KDF."""
    info = _common_info([sealed for sealed, _ in released])
    distinct = {sealed.info.index: (sealed, passphrase) for sealed, passphrase in released}
    if len(distinct) < info.threshold:
        raise NotEnoughShares(
            f"{len(distinct)} of the {info.threshold} shares needed have been released"
        )
    chosen = list(distinct.values())[: info.threshold]
    return combine_shares([unseal_share(sealed, passphrase) for sealed, passphrase in chosen])
