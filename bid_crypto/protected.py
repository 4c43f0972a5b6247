"""Passphrase-protected key files (FORMAT.md §5.4) and the passphrase strength rule.

A custodian's private key lives only on the custodian's machine, in a file sealed under a
passphrase: scrypt (memory-hard, so a stolen file resists a GPU far better than under
PBKDF2) then AES-256-GCM over the secret, with every public field as associated data.
The platform never holds these files, so the passphrase is checked where it is typed, by
a strength estimate (zxcvbn) rather than by rules a person games.
"""

import json
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from Crypto.Cipher import AES
from Crypto.Protocol.KDF import scrypt
from Crypto.Random import get_random_bytes

from .encoding import canonical_json, from_hex, loads_strict
from .errors import KeyFormatError, UnsupportedEnvelope, WeakPassphrase, WrongPassphrase
from .keys import PrivateKey, key_id
from .suites import get_suite

PROTECTED_KIND = "bid_crypto.protected_key"
DEFAULT_LOG_N = 17  # 128 MiB, about half a second
MIN_LOG_N, MAX_LOG_N = 14, 20
MIN_PASSPHRASE_CHARS = 12
MIN_GUESSES_LOG10 = 10  # zxcvbn score 4
_FIELDS = {"kind", "version", "suite", "key_id", "public", "label", "kdf", "nonce",
           "ciphertext"}
_NONCE_LEN, _TAG_LEN, _SALT_LEN = 12, 16, 16


@dataclass(frozen=True)
class ProtectedKey:
    """A private key sealed under a passphrase; everything but the secret is public."""

    suite: str
    public: bytes
    label: str
    salt: bytes
    log_n: int
    nonce: bytes
    ciphertext: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        return key_id(self.suite, self.public)

    def _doc(self) -> dict:
        kdf = {"name": "scrypt", "salt": self.salt.hex(), "log_n": self.log_n, "r": 8, "p": 1}
        return {"kind": PROTECTED_KIND, "version": 1, "suite": self.suite,
                "key_id": self.key_id, "public": self.public.hex(), "label": self.label,
                "kdf": kdf}

    def aad(self) -> bytes:
        return canonical_json(self._doc())

    def to_json(self) -> str:
        doc = self._doc() | {"nonce": self.nonce.hex(), "ciphertext": self.ciphertext.hex()}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> "ProtectedKey":
        doc = loads_strict(data, "protected key file", KeyFormatError)
        if not isinstance(doc, dict) or doc.get("kind") != PROTECTED_KIND:
            raise KeyFormatError(f"not a {PROTECTED_KIND} file")
        if set(doc) != _FIELDS or doc["version"] != 1:
            raise KeyFormatError("unsupported protected key file (version or fields)")
        try:
            suite = get_suite(doc["suite"])
        except UnsupportedEnvelope as exc:
            raise KeyFormatError(str(exc)) from None
        kdf = doc["kdf"]
        if (not isinstance(kdf, dict) or set(kdf) != {"name", "salt", "log_n", "r", "p"}
                or kdf["name"] != "scrypt" or kdf["r"] != 8 or kdf["p"] != 1
                or type(kdf["r"]) is not int or type(kdf["p"]) is not int):
            raise KeyFormatError("key file KDF must be scrypt with r = 8, p = 1")
        key = cls(
            suite.name,
            from_hex("public", doc["public"], suite.public_len, KeyFormatError),
            _check_label(doc["label"]),
            from_hex("kdf.salt", kdf["salt"], _SALT_LEN, KeyFormatError),
            _check_log_n(kdf["log_n"]),
            from_hex("nonce", doc["nonce"], _NONCE_LEN, KeyFormatError),
            from_hex("ciphertext", doc["ciphertext"], suite.secret_len + _TAG_LEN,
                     KeyFormatError),
        )
        if doc["key_id"] != key.key_id:
            raise KeyFormatError("key_id does not match the public key (corrupt key file)")
        return key


def _check_label(label: object) -> str:
    if not isinstance(label, str) or not label.strip() or len(label) > 100:
        raise KeyFormatError("key label must be 1-100 characters")
    return label


def _check_log_n(log_n: object) -> int:
    if type(log_n) is not int or not MIN_LOG_N <= log_n <= MAX_LOG_N:
        raise KeyFormatError(f"scrypt log_n must be an integer in [{MIN_LOG_N}, {MAX_LOG_N}]")
    return log_n


def _kek(passphrase: str, salt: bytes, log_n: int) -> bytes:
    # NFC: one passphrase typed through different input methods derives one key.
    secret = unicodedata.normalize("NFC", passphrase).encode()
    return scrypt(secret, salt, 32, N=2**log_n, r=8, p=1)


def protect_private_key(private_key: PrivateKey, passphrase: str, *, label: str,
                        log_n: int = DEFAULT_LOG_N) -> ProtectedKey:
    """Seal ``private_key`` under ``passphrase``; the strength rule is the caller's
    (``check_passphrase``), where the passphrase is typed."""
    draft = ProtectedKey(private_key.suite, private_key.public, _check_label(label),
                         get_random_bytes(_SALT_LEN), _check_log_n(log_n),
                         get_random_bytes(_NONCE_LEN), b"")
    cipher = AES.new(_kek(passphrase, draft.salt, draft.log_n), AES.MODE_GCM,
                     nonce=draft.nonce, mac_len=_TAG_LEN)
    cipher.update(draft.aad())
    body, tag = cipher.encrypt_and_digest(private_key.secret)
    return ProtectedKey(draft.suite, draft.public, draft.label, draft.salt, draft.log_n,
                        draft.nonce, body + tag)


def unprotect_private_key(protected: ProtectedKey, passphrase: str) -> PrivateKey:
    """The private key, or WrongPassphrase (wrong passphrase or altered file)."""
    cipher = AES.new(_kek(passphrase, protected.salt, protected.log_n), AES.MODE_GCM,
                     nonce=protected.nonce, mac_len=_TAG_LEN)
    cipher.update(protected.aad())
    try:
        secret = cipher.decrypt_and_verify(protected.ciphertext[:-_TAG_LEN],
                                           protected.ciphertext[-_TAG_LEN:])
    except ValueError:
        raise WrongPassphrase(f"wrong passphrase for key {protected.label!r}, "
                              "or the key file was altered") from None
    suite = get_suite(protected.suite)
    key = PrivateKey(protected.suite, secret, protected.public if suite.needs_public else None)
    if key.public != protected.public:
        raise KeyFormatError("the key file's secret does not match its public key")
    return key


def read_private_key(data: bytes | str,
                     passphrase: Callable[[str], str] | None = None) -> PrivateKey:
    """A ``.key`` file of either kind (§5.3 or §5.4); ``passphrase(label)`` asks for the
    passphrase of a protected one."""
    doc = loads_strict(data, "key file", KeyFormatError)
    if isinstance(doc, dict) and doc.get("kind") == PROTECTED_KIND:
        protected = ProtectedKey.from_json(data)
        if passphrase is None:
            raise KeyFormatError(f"key file {protected.label!r} is passphrase-protected")
        return unprotect_private_key(protected, passphrase(protected.label))
    return PrivateKey.from_json(data)


# zxcvbn's feedback is English; the people typing here read Chinese (as custody.js).
_WARNINGS_ZH = {
    "Straight rows of keys are easy to guess": "键盘上连续的按键很容易被猜到。",
    "Short keyboard patterns are easy to guess": "简短的键盘模式很容易被猜到。",
    'Repeats like "aaa" are easy to guess': "像“aaa”这样的重复很容易被猜到。",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc"':
        "像“abcabcabc”这样的重复并不比“abc”难猜多少。",
    "Sequences like abc or 6543 are easy to guess": "像 abc、6543 这样的顺序很容易被猜到。",
    "Recent years are easy to guess": "近年的年份很容易被猜到。",
    "Dates are often easy to guess": "日期通常很容易被猜到。",
    "This is a top-10 common password": "这是最常见的 10 个密码之一。",
    "This is a top-100 common password": "这是最常见的 100 个密码之一。",
    "This is a very common password": "这是非常常见的密码。",
    "This is similar to a commonly used password": "这与常用密码相似。",
    "A word by itself is easy to guess": "单独一个词很容易被猜到。",
    "Names and surnames by themselves are easy to guess": "单独的姓名很容易被猜到。",
    "Common names and surnames are easy to guess": "常见的姓名很容易被猜到。",
}


def passphrase_problem(passphrase: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why ``passphrase`` is too weak to protect a key file (Chinese), or None.

    At least 12 characters after NFC and a zxcvbn estimate of 10^10 guesses, with
    ``user_inputs`` (the label, the person's name) as words an attacker tries first.
    """
    from zxcvbn import zxcvbn  # imported here: only the tools that take passphrases need it

    text = unicodedata.normalize("NFC", passphrase)
    if len(text) < MIN_PASSPHRASE_CHARS:
        return (f"口令太短：至少需要 {MIN_PASSPHRASE_CHARS} 个字符，当前 {len(text)} 个。"
                "建议用四个以上互不相关的词组成一句话。")
    words = [word for item in user_inputs for word in str(item).split() if word]
    result = zxcvbn(text[:100], user_inputs=words)
    guesses = float(result["guesses_log10"])
    if guesses >= MIN_GUESSES_LOG10:
        return None
    warning = (result.get("feedback") or {}).get("warning") or ""
    warning = _WARNINGS_ZH.get(warning.rstrip("."), "")
    return (f"口令强度不足：估计约 10^{round(guesses)} 次猜测即可猜中，要求至少 "
            f"10^{MIN_GUESSES_LOG10} 次。{warning}"
            "请避免常见密码、姓名、日期、键盘序列和重复字符，建议用四个以上互不相关的词组成一句话。")


def check_passphrase(passphrase: str, user_inputs: Sequence[str] = ()) -> None:
    """WeakPassphrase (with the Chinese reason) unless ``passphrase_problem`` is None."""
    problem = passphrase_problem(passphrase, user_inputs)
    if problem:
        raise WeakPassphrase(problem)
