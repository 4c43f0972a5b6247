"""Custody of a project's opening key until the opening (FORMAT.md §4).

* ``auto``: the key is wrapped (AES-256-GCM) under the platform KEK, bound to the
project
  id, so a wrapped key copied onto another project's record does not unwrap.
* ``custodians``: the key is split k-of-n with Shamir's scheme and each share is
  HPKE-sealed, per project, to its custodian's own public key (§4.2). The custodian's tool
  alone opens it, and only releases it after the deadline, bound to one opening: the
  platform never holds anything that opens a share.

Dual custody needs no key handling here: its second secret comes from the bidder's own
key at the opening (see ``dual.py``).
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.SecretSharing import Shamir
from Crypto.Random import get_random_bytes

from .encoding import (
    canonical_json,
    check_id,
    check_timestamp,
    format_timestamp,
    from_hex,
    loads_strict,
)
from .errors import (
    CustodyError,
    InconsistentShares,
    KeyFormatError,
    NotEnoughShares,
    ReleaseRefused,
    UnsupportedEnvelope,
    WrongKey,
)
from .keys import PrivateKey, PublicKey
from .suites import get_suite

KEK_LEN = 32
_WRAP_VERSION = 1
_NONCE_LEN, _TAG_LEN = 12, 16
SEALED_KIND = "bid_crypto.sealed_share"
STATEMENT_KIND = "bid_crypto.opening_statement"
RELEASE_KIND = "bid_crypto.custody_release"
SHARE_INFO = b"bid_crypto/v1 custody share"
_CHECK_LABEL = b"bid_crypto/v1 custody share check"
_BLOCK = 16  # Crypto.Protocol.SecretSharing shares 16-byte secrets
MAX_CUSTODIANS = 255


def wrap_private_key(kek: bytes, key_bytes: bytes, project_id: str) -> bytes:
    """Encrypt ``key_bytes`` (``PrivateKey.to_bytes()``) under the KEK.

    AES-256-GCM with the project id as associated data. Output: version byte 0x01,
    12-byte nonce, ciphertext, 16-byte tag.
    """
    cipher = _kek_cipher(kek, project_id, get_random_bytes(_NONCE_LEN))
    ciphertext, tag = cipher.encrypt_and_digest(key_bytes)
    return bytes([_WRAP_VERSION]) + cipher.nonce + ciphertext + tag


def unwrap_private_key(kek: bytes, wrapped: bytes, project_id: str) -> bytes:
    """Inverse of :func:`wrap_private_key`; WrongKey for a wrong KEK or project id."""
    if len(wrapped) < 1 + _NONCE_LEN + _TAG_LEN or wrapped[0] != _WRAP_VERSION:
        raise KeyFormatError("not a wrapped bid_crypto key (version or length)")
    nonce, body = wrapped[1 : 1 + _NONCE_LEN], wrapped[1 + _NONCE_LEN :]
    cipher = _kek_cipher(kek, project_id, nonce)
    try:
        return cipher.decrypt_and_verify(body[:-_TAG_LEN], body[-_TAG_LEN:])
    except ValueError:
        raise WrongKey(
            f"cannot unwrap the key of project {project_id!r}: wrong KEK, wrong "
            "project, or the wrapped key was altered"
        ) from None


def _kek_cipher(kek: bytes, project_id: str, nonce: bytes):
    if len(kek) != KEK_LEN:
        raise CustodyError(f"the KEK must be {KEK_LEN} bytes, got {len(kek)}")
    check_id("project", project_id, CustodyError)
    cipher = AES.new(kek, AES.MODE_GCM, nonce=nonce, mac_len=_TAG_LEN)
    cipher.update(project_id.encode())
    return cipher


# -- custodians: k-of-n shares sealed to the custodians' own keys (§4.2) --------------------


@dataclass(frozen=True)
class Custodian:
    """A designated custodian: an identifier (e.g. ``U17``) and the public key it enrolled."""

    name: str
    public_key: PublicKey


def share_check(split_id: str, index: int, share: bytes) -> str:
    """§4.2.2: tells share ``index`` of this split from any other value, reveals nothing."""
    data = _CHECK_LABEL + bytes.fromhex(split_id) + bytes([index]) + share
    return SHA256.new(data).hexdigest()


def _suite_name(name: object, error: type) -> str:
    try:
        return get_suite(name).name
    except UnsupportedEnvelope as exc:
        raise error(str(exc)) from None


def _int(name: str, value: object, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise KeyFormatError(f"{name} must be an integer in [{low}, {high}]")
    return value


def _parse(data: bytes | str, kind: str, fields: set[str], what: str) -> dict:
    doc = loads_strict(data, what, KeyFormatError)
    if not isinstance(doc, dict) or doc.get("kind") != kind:
        raise KeyFormatError(f"not a {kind} file")
    if set(doc) != fields or doc["version"] != 1:
        raise KeyFormatError(f"unsupported {what} (version 1 with exactly its fields expected)")
    return doc


_SEALED_PUBLIC = ("project", "split_id", "suite", "public_key", "threshold", "count", "index",
                  "custodian", "recipient_suite", "recipient", "not_before", "check")


@dataclass(frozen=True)
class SealedShare:
    """One custodian's share of one project's key, sealed to the custodian's key (§4.2.3).

    Hex strings for the public fields, as in the file; ``enc`` and ``ciphertext`` bytes.
    """

    project: str
    split_id: str
    suite: str
    public_key: str
    threshold: int
    count: int
    index: int
    custodian: str
    recipient_suite: str
    recipient: str
    not_before: str
    check: str
    enc: bytes
    ciphertext: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_id("project", self.project, KeyFormatError)
        check_id("custodian", self.custodian, KeyFormatError)
        suite = get_suite(_suite_name(self.suite, KeyFormatError))
        recipient_suite = get_suite(_suite_name(self.recipient_suite, KeyFormatError))
        from_hex("split_id", self.split_id, 16, KeyFormatError)
        from_hex("public_key", self.public_key, suite.public_len, KeyFormatError)
        count = _int("count", self.count, 2, MAX_CUSTODIANS)
        _int("threshold", self.threshold, 2, count)
        _int("index", self.index, 1, count)
        from_hex("recipient", self.recipient, 32, KeyFormatError)
        check_timestamp("not_before", self.not_before, KeyFormatError)
        from_hex("check", self.check, 32, KeyFormatError)
        if not isinstance(self.enc, bytes) or len(self.enc) != recipient_suite.enc_len:
            raise KeyFormatError(f"enc must be {recipient_suite.enc_len} bytes")
        if not isinstance(self.ciphertext, bytes) or \
                len(self.ciphertext) != suite.secret_len + _TAG_LEN:
            raise KeyFormatError(f"ciphertext must be {suite.secret_len + _TAG_LEN} bytes")

    def _public_doc(self) -> dict:
        doc = {"kind": SEALED_KIND, "version": 1}
        doc |= {name: getattr(self, name) for name in _SEALED_PUBLIC}
        return doc | {"enc": self.enc.hex()}

    def aad(self) -> bytes:
        """Everything but the ciphertext: changing any public field fails like a wrong key."""
        return canonical_json(self._public_doc())

    def to_json(self) -> str:
        doc = self._public_doc() | {"ciphertext": self.ciphertext.hex()}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> "SealedShare":
        fields = {"kind", "version", *_SEALED_PUBLIC, "enc", "ciphertext"}
        doc = _parse(data, SEALED_KIND, fields, "sealed share file")
        recipient_suite = get_suite(_suite_name(doc["recipient_suite"], KeyFormatError))
        suite = get_suite(_suite_name(doc["suite"], KeyFormatError))
        return cls(**{name: doc[name] for name in _SEALED_PUBLIC},
                   enc=from_hex("enc", doc["enc"], recipient_suite.enc_len, KeyFormatError),
                   ciphertext=from_hex("ciphertext", doc["ciphertext"],
                                       suite.secret_len + _TAG_LEN, KeyFormatError))

    def open(self, private_key: PrivateKey) -> bytes:
        """The share value, with the custodian's own private key (checked against ``check``)."""
        if private_key.key_id != self.recipient or private_key.suite != self.recipient_suite:
            raise WrongKey(f"share {self.index} of project {self.project} is sealed to key "
                           f"{self.recipient[:16]}…, not to this key {private_key.key_id[:16]}…")
        try:
            context = private_key.receiver(self.enc, SHARE_INFO)
            value = context.unseal(self.ciphertext, self.aad())
        except ValueError:
            raise WrongKey("the sealed share does not open with this key: wrong key, or the "
                           "share file was altered") from None
        if share_check(self.split_id, self.index, value) != self.check:
            raise InconsistentShares("the opened share does not match its check value")
        return value


def split_private_key(private_key: PrivateKey, *, project: str, threshold: int,
                      custodians: Sequence[Custodian],
                      not_before: datetime | str) -> list[SealedShare]:
    """§4.2.2: split the key k-of-n and seal share ``i`` to custodian ``i`` (1-based).

    ``not_before`` is the bid deadline: no custodian's tool releases a share before it.
    The caller drops ``private_key`` afterwards; nothing here keeps a copy.
    """
    check_id("project", project, CustodyError)
    names = [c.name for c in custodians]
    for name in names:
        check_id("custodian", name, CustodyError)
    if not 2 <= threshold <= len(custodians) <= MAX_CUSTODIANS:
        raise CustodyError(f"need 2 <= threshold <= custodians <= {MAX_CUSTODIANS}, "
                           f"got threshold {threshold} of {len(custodians)}")
    if len(set(names)) != len(names):
        raise CustodyError("custodian names must be distinct")
    deadline = format_timestamp(not_before)
    split_id = get_random_bytes(16).hex()
    public = private_key.public.hex()
    sealed = []
    for (index, value), custodian in zip(_split_secret(private_key.secret, threshold,
                                                       len(custodians)), custodians, strict=True):
        recipient = custodian.public_key
        suite = get_suite(recipient.suite)
        context = suite.sender(recipient.raw, SHARE_INFO)
        draft = SealedShare(project, split_id, private_key.suite, public, threshold,
                            len(custodians), index, custodian.name, suite.name,
                            recipient.key_id, deadline, share_check(split_id, index, value),
                            context.enc, bytes(len(value) + _TAG_LEN))
        sealed.append(_replace(draft, ciphertext=context.seal(value, draft.aad())))
    return sealed


def _replace(share: SealedShare, **changes) -> SealedShare:
    return SealedShare(**(asdict(share) | changes))


def _split_secret(secret: bytes, threshold: int, count: int) -> list[tuple[int, bytes]]:
    per_block = [
        Shamir.split(threshold, count, secret[start : start + _BLOCK])
        for start in range(0, len(secret), _BLOCK)
    ]
    # Shamir.split numbers shares 1..n on every call: x coordinates match per block.
    return [
        (row[0][0], b"".join(value for _, value in row)) for row in zip(*per_block, strict=True)
    ]


@dataclass(frozen=True)
class OpeningStatement:
    """§4.2.4: published when an opening starts; every release names its ``opening``."""

    project: str
    split_id: str
    opening: str
    deadline: str
    started_at: str

    def __post_init__(self) -> None:
        for name in ("deadline", "started_at"):
            value = getattr(self, name)
            if isinstance(value, datetime):
                object.__setattr__(self, name, format_timestamp(value))
            check_timestamp(name, getattr(self, name), KeyFormatError)
        check_id("project", self.project, KeyFormatError)
        from_hex("split_id", self.split_id, 16, KeyFormatError)
        from_hex("opening", self.opening, 16, KeyFormatError)

    def to_json(self) -> str:
        doc = {"kind": STATEMENT_KIND, "version": 1, **asdict(self)}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> "OpeningStatement":
        fields = {"kind", "version", "project", "split_id", "opening", "deadline", "started_at"}
        doc = _parse(data, STATEMENT_KIND, fields, "opening statement")
        return cls(**{name: doc[name] for name in fields - {"kind", "version"}})


_RELEASE_FIELDS = ("project", "split_id", "opening", "deadline", "index", "custodian",
                   "recipient", "share")


@dataclass(frozen=True)
class CustodyRelease:
    """§4.2.5: one custodian's share in clear, for one opening of one project."""

    project: str
    split_id: str
    opening: str
    deadline: str
    index: int
    custodian: str
    recipient: str
    share: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_id("project", self.project, KeyFormatError)
        check_id("custodian", self.custodian, KeyFormatError)
        from_hex("split_id", self.split_id, 16, KeyFormatError)
        from_hex("opening", self.opening, 16, KeyFormatError)
        check_timestamp("deadline", self.deadline, KeyFormatError)
        _int("index", self.index, 1, MAX_CUSTODIANS)
        from_hex("recipient", self.recipient, 32, KeyFormatError)
        if not isinstance(self.share, bytes) or len(self.share) not in (32, 64):
            raise KeyFormatError("share must be 32 or 64 bytes")

    def to_json(self) -> str:
        doc = {"kind": RELEASE_KIND, "version": 1, **asdict(self), "share": self.share.hex()}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: bytes | str) -> "CustodyRelease":
        doc = _parse(data, RELEASE_KIND, {"kind", "version", *_RELEASE_FIELDS}, "release file")
        values = {name: doc[name] for name in _RELEASE_FIELDS}
        values["share"] = from_hex("share", doc["share"], None, KeyFormatError)
        return cls(**values)


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def make_release(sealed: SealedShare, private_key: PrivateKey, statement: OpeningStatement,
                 *, now: datetime) -> CustodyRelease:
    """§4.2.5, the custodian's tool: refuse anything early or foreign, then release.

    ``now`` is the custodian's own clock; the later of the statement's deadline and the
    share's ``not_before`` counts, so a statement naming an earlier deadline gains nothing.
    """
    if (statement.project, statement.split_id) != (sealed.project, sealed.split_id):
        raise ReleaseRefused("other_project",
                             f"the opening statement is for project {statement.project} (split "
                             f"{statement.split_id[:8]}…), the share for project "
                             f"{sealed.project} (split {sealed.split_id[:8]}…)")
    not_before = max(_instant(statement.deadline), _instant(sealed.not_before))
    if now < not_before:
        raise ReleaseRefused("before_deadline",
                             f"the bid deadline {format_timestamp(not_before)} has not passed: "
                             "a share is released only after it")
    value = sealed.open(private_key)
    return CustodyRelease(sealed.project, sealed.split_id, statement.opening,
                          statement.deadline, sealed.index, sealed.custodian, sealed.recipient,
                          value)


def check_release(release: CustodyRelease, *, sealed: SealedShare, statement: OpeningStatement,
                  released: Iterable[int] = ()) -> None:
    """§4.2.6, the platform: accept ``release`` for the opening in ``statement`` as the
    release of ``sealed`` (the signed-in custodian's share), or ReleaseRefused."""
    if (release.project, release.split_id) != (statement.project, statement.split_id):
        raise ReleaseRefused("other_project", "the release is for another project or key split")
    if (release.opening, release.deadline) != (statement.opening, statement.deadline):
        raise ReleaseRefused("other_opening",
                             "the release names another opening or an earlier deadline")
    if (release.index, release.custodian, release.recipient) != \
            (sealed.index, sealed.custodian, sealed.recipient):
        raise ReleaseRefused("not_yours", "the release is not of this custodian's share")
    if share_check(release.split_id, release.index, release.share) != sealed.check:
        raise ReleaseRefused("wrong_share", "the released share does not match its check value")
    if release.index in set(released):
        raise ReleaseRefused("already_released", "this share has already been released")


def combine_releases(releases: Sequence[CustodyRelease], *, suite: str, public_key: str | bytes,
                     threshold: int) -> PrivateKey:
    """Rebuild the opening key from ``threshold`` releases of one split (§4.2.6)."""
    splits = {(r.project, r.split_id) for r in releases}
    if len(splits) > 1:
        raise InconsistentShares("the releases come from different key splits")
    return combine_shares([(r.index, r.share) for r in releases], suite=suite,
                          public_key=public_key, threshold=threshold)


def combine_shares(shares: Sequence[tuple[int, bytes]], *, suite: str,
                   public_key: str | bytes, threshold: int) -> PrivateKey:
    """(index, share value) pairs of one split to the key whose public key is given."""
    public = bytes.fromhex(public_key) if isinstance(public_key, str) else public_key
    distinct = dict(shares)
    if len(distinct) < threshold:
        raise NotEnoughShares(
            f"{len(distinct)} of the {threshold} shares needed have been released")
    chosen = list(distinct.items())[:threshold]  # Shamir.combine wants exactly k
    suite_obj = get_suite(suite)
    if any(len(value) != suite_obj.secret_len for _, value in chosen):
        raise InconsistentShares(f"a {suite} share is {suite_obj.secret_len} bytes")
    secret = b"".join(
        Shamir.combine([(index, value[start : start + _BLOCK]) for index, value in chosen])
        for start in range(0, suite_obj.secret_len, _BLOCK)
    )
    try:
        # A national key is checked pairwise against the recorded public key; a derived
        # one is compared below.
        key = PrivateKey(suite_obj.name, secret, public if suite_obj.needs_public else None)
    except KeyFormatError:
        raise InconsistentShares("the shares do not rebuild the recorded opening key") from None
    if key.public != public:
        raise InconsistentShares("the shares do not rebuild the recorded opening key")
    return key
