"""Transparency-log primitives: RFC 9162 §2 Merkle trees, C2SP signed notes, checkpoints
and cosignatures. Pure functions, no database, no platform import: the platform, the
bidder's `verify-receipt` and the standalone witness all check proofs with this one module.

Why a small implementation rather than a library: the verifier has to ship inside
bid_crypto and the witness, which bidders and supervisors install alone, so it should not
pull a young dependency (aics-tlog was a 0.x release with no usage record when this was
written); RFC 9162 §2 is a few dozen lines and is pinned here by the published vectors of
transparency-dev/merkle (tests/bid_crypto/test_tlog_vectors.py).

Hashes are raw 32-byte values; notes are text (UTF-8) as C2SP signed-note defines them.
"""

import base64
import hashlib
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

# -- RFC 9162 §2.1.1 hashing --------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1 over already-hashed leaves (a reference, O(n))."""
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(root_from_leaf_hashes(hashes[:k]), root_from_leaf_hashes(hashes[k:]))


# -- stored complete subtrees -------------------------------------------------------------
# A log stores, for every complete subtree [i·2^l, (i+1)·2^l), its hash at (level l, i).
# Every hash a proof needs is either such a stored hash or built from a few of them.

HashReader = Callable[[Iterable[tuple[int, int]]], dict[tuple[int, int], bytes]]


def new_stored_hashes(size: int, leaf: bytes, frontier: Sequence[bytes]) -> list:
    """The (level, index, hash) rows that appending `leaf` as leaf number `size` completes.

    `frontier` holds the hashes of the complete subtrees of the tree of `size` leaves,
    largest first (frontier_ids names them).
    """
    rows = [(0, size, leaf)]
    h, level, index = leaf, 0, size
    stack = list(frontier)
    while index & 1:
        h = node_hash(stack.pop(), h)
        level, index = level + 1, index >> 1
        rows.append((level, index, h))
    return rows


def frontier_ids(size: int) -> list[tuple[int, int]]:
    """(level, index) of the complete subtrees whose concatenation is the tree of `size`."""
    ids, start = [], 0
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            ids.append((level, start >> level))
            start += 1 << level
    return ids


def append_frontier(frontier: list[bytes], size: int, leaf: bytes) -> list[bytes]:
    """The frontier after appending `leaf` to a tree of `size` leaves."""
    stack = list(frontier)
    h, index = leaf, size
    while index & 1:
        h = node_hash(stack.pop(), h)
        index >>= 1
    stack.append(h)
    return stack


def root_from_frontier(frontier: Sequence[bytes]) -> bytes:
    if not frontier:
        return EMPTY_ROOT
    h = frontier[-1]
    for left in reversed(frontier[:-1]):
        h = node_hash(left, h)
    return h


def _range_hash(start: int, end: int, hashes: dict) -> bytes:
    """MTH of leaves [start, end) for a range the RFC's recursion produces."""
    n = end - start
    if n == 1 << (n.bit_length() - 1) and start % n == 0:
        return hashes[(n.bit_length() - 1, start // n)]
    k = _split(n)
    return node_hash(_range_hash(start, start + k, hashes), _range_hash(start + k, end, hashes))


def _needed(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    ids: list = []
    for start, end in ranges:
        _complete_ids(start, end, ids)
    return ids


def _complete_ids(start: int, end: int, out: list) -> None:
    n = end - start
    if n == 1 << (n.bit_length() - 1) and start % n == 0:
        out.append((n.bit_length() - 1, start // n))
        return
    k = _split(n)
    _complete_ids(start, start + k, out)
    _complete_ids(start + k, end, out)


def _path_ranges(m: int, start: int, end: int) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.3.1 PATH(m, D[start:end]) as the ranges whose hashes it lists."""
    if end - start == 1:
        return []
    k = _split(end - start)
    if m < k:
        return _path_ranges(m, start, start + k) + [(start + k, end)]
    return _path_ranges(m - k, start + k, end) + [(start, start + k)]


def _subproof_ranges(m: int, start: int, end: int, whole: bool) -> list[tuple[int, int]]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:end], b)."""
    n = end - start
    if m == n:
        return [] if whole else [(start, end)]
    k = _split(n)
    if m <= k:
        return _subproof_ranges(m, start, start + k, whole) + [(start + k, end)]
    return _subproof_ranges(m - k, start + k, end, False) + [(start, start + k)]


def _prove(ranges: list[tuple[int, int]], read: HashReader) -> list[bytes]:
    hashes = read(_needed(ranges))
    return [_range_hash(start, end, hashes) for start, end in ranges]


def inclusion_proof(index: int, size: int, read: HashReader) -> list[bytes]:
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    return _prove(_path_ranges(index, 0, size), read)


def consistency_proof(old: int, new: int, read: HashReader) -> list[bytes]:
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from {old} to {new} leaves")
    if old in (0, new):
        return []
    return _prove(_subproof_ranges(old, 0, new, True), read)


def tree_root(size: int, read: HashReader) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(0, size, read(_needed([(0, size)])))


# -- RFC 9162 §2.1.3.2 and §2.1.4.2 verification ------------------------------------------


class ProofError(ValueError):
    """A proof, note or signature that does not hold; the message says which and why."""


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a 32-byte hash")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    _check_hash(leaf, "leaf hash")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        _check_hash(p, "proof element")
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree allows")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree requires")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Raise ProofError unless `leaf` is leaf number `index` of the tree (size, root)."""
    _check_hash(root, "root hash")
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError(
            f"inclusion proof of leaf {index} does not lead to the root of tree size {size}")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Raise ProofError unless the tree (new, new_root) extends (old, old_root)."""
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    if old > new:
        raise ProofError(f"tree size went back from {old} to {new} (a rollback)")
    if old == new:
        if proof:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same tree size {old} (a fork)")
        return
    if old == 0:
        if proof:
            raise ProofError("a consistency proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("empty consistency proof")
    for p in proof:
        _check_hash(p, "proof element")
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is the first node
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the trees allow")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the trees require")
    if fr != old_root or sr != new_root:
        raise ProofError(
            f"tree size {new} is not an extension of tree size {old} (a fork or a rewrite)")


# -- C2SP signed notes --------------------------------------------------------------------

SIG_ED25519 = 0x01
SIG_COSIGNATURE = 0x04
_NAME_RE = re.compile(r"[^\s+]+")
MAX_SIGNATURES = 32


def note_key_id(name: str, sig_type: int, public_raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_raw).digest()[:4]


@dataclass(frozen=True)
class NoteVerifier:
    """A key a reader pins: name, Ed25519 public key, and the signature type it uses."""

    name: str
    public_raw: bytes
    sig_type: int = SIG_ED25519

    def __post_init__(self):
        if not _NAME_RE.fullmatch(self.name):
            raise ValueError("a key name is non-empty, without spaces or '+'")
        if len(self.public_raw) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return note_key_id(self.name, self.sig_type, self.public_raw)

    def vkey(self) -> str:
        """The verifier key string (name+hexid+base64(type‖key)) of the Go note package."""
        blob = base64.b64encode(bytes([self.sig_type]) + self.public_raw).decode()
        return f"{self.name}+{self.key_id.hex()}+{blob}"

    @classmethod
    def from_vkey(cls, text: str) -> "NoteVerifier":
        try:
            name, hex_id, blob = text.strip().split("+", 2)  # base64 may hold "+"
            raw = base64.b64decode(blob, validate=True)
            verifier = cls(name, raw[1:], raw[0])
        except (ValueError, IndexError) as exc:
            raise ProofError(f"not a verifier key (name+id+key): {exc}") from None
        if verifier.key_id.hex() != hex_id:
            raise ProofError("verifier key id does not match its name and key")
        return verifier


@dataclass(frozen=True)
class NoteSigner:
    name: str
    seed: bytes
    sig_type: int = SIG_ED25519

    @cached_property
    def verifier(self) -> NoteVerifier:
        key = eddsa.import_private_key(self.seed)
        raw = key.public_key().export_key(format="raw")
        return NoteVerifier(self.name, raw, self.sig_type)

    def raw_sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    @cached_property
    def _key(self) -> Ed25519PrivateKey:
        # RFC 8032 is deterministic: OpenSSL gives pycryptodome's bytes, faster (every bid
        # upload's receipt carries a signed promise).
        return Ed25519PrivateKey.from_private_bytes(self.seed)


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    blob: bytes  # the signature bytes after the key id

    def line(self) -> str:
        return f"\u2014 {self.name} {base64.b64encode(self.key_id + self.blob).decode()}\n"


@dataclass(frozen=True)
class Note:
    text: str  # ends in a newline
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


def sign_note(text: str, signer: NoteSigner) -> Signature:
    if not text.endswith("\n"):
        raise ValueError("note text ends in a newline")
    return Signature(signer.name, signer.verifier.key_id, signer.raw_sign(text.encode()))


def parse_note(raw: str | bytes) -> Note:
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProofError("a signed note is UTF-8") from None
    if any(ord(c) < 0x20 and c != "\n" for c in raw):
        raise ProofError("a signed note holds no control characters")
    split = raw.rfind("\n\n")
    if split < 0 or not raw.endswith("\n"):
        raise ProofError("a signed note is text, a blank line, then signature lines")
    text, lines = raw[:split + 1], raw[split + 2:].splitlines()
    if not lines or len(lines) > MAX_SIGNATURES:
        raise ProofError(f"a signed note has 1 to {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or not _NAME_RE.fullmatch(parts[1]):
            raise ProofError(f"malformed signature line: {line[:80]!r}")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError:
            raise ProofError("signature is not base64") from None
        if len(blob) < 5:
            raise ProofError("signature too short")
        signatures.append(Signature(parts[1], blob[:4], blob[4:]))
    return Note(text, tuple(signatures))


def _verify_ed25519(public_raw: bytes, message: bytes, signature: bytes) -> bool:
    try:
        eddsa.new(eddsa.import_public_key(public_raw), "rfc8032").verify(message, signature)
    except ValueError:
        return False
    return True


def verify_note(note: Note, verifier: NoteVerifier) -> Signature:
    """The signature of `verifier` on the note, checked; ProofError if none verifies."""
    mine = [s for s in note.signatures
            if s.name == verifier.name and s.key_id == verifier.key_id]
    if not mine:
        raise ProofError(f"the note is not signed by the pinned key {verifier.name}")
    for sig in mine:
        if not _verify_ed25519(verifier.public_raw, note.text.encode(), sig.blob):
            raise ProofError(f"the signature of {verifier.name} does not verify "
                             "(altered text, or another key under the same name)")
    return mine[0]


# -- C2SP tlog-checkpoint -----------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(),
                 *self.extensions]
        return "\n".join(lines) + "\n"


def parse_checkpoint_body(text: str) -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise ProofError("a checkpoint body is origin, size, root hash, then extensions")
    origin, size, root = lines[0], lines[1], lines[2]
    if not origin or not re.fullmatch(r"0|[1-9][0-9]{0,18}", size):
        raise ProofError("checkpoint origin empty or tree size not a decimal")
    try:
        root_raw = base64.b64decode(root, validate=True)
    except ValueError:
        raise ProofError("checkpoint root hash is not base64") from None
    _check_hash(root_raw, "checkpoint root")
    return Checkpoint(origin, int(size), root_raw, tuple(lines[3:-1]))


def sign_checkpoint(cp: Checkpoint, signer: NoteSigner) -> str:
    return Note(cp.body(), (sign_note(cp.body(), signer),)).render()


def open_checkpoint(raw: str | bytes, log_key: NoteVerifier,
                    origin: str | None = None) -> tuple[Checkpoint, Note]:
    """Parse a signed checkpoint and check the pinned log key signed it."""
    note = parse_note(raw)
    verify_note(note, log_key)
    cp = parse_checkpoint_body(note.text)
    if origin is not None and cp.origin != origin:
        raise ProofError(f"checkpoint of log {cp.origin!r}, expected {origin!r}")
    return cp, note


# -- C2SP tlog-cosignature (Ed25519, type 0x04) -------------------------------------------


def cosignature_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(body: str, signer: NoteSigner, timestamp: int) -> Signature:
    if signer.sig_type != SIG_COSIGNATURE:
        raise ValueError("a cosigner key has signature type 0x04")
    sig = signer.raw_sign(cosignature_message(body, timestamp))
    return Signature(signer.name, signer.verifier.key_id, struct.pack(">Q", timestamp) + sig)


def verify_cosignature(note: Note, witness: NoteVerifier) -> int:
    """The witness's timestamp on `note`, checked; ProofError if it did not cosign it."""
    mine = [s for s in note.signatures
            if s.name == witness.name and s.key_id == witness.key_id]
    if not mine:
        raise ProofError(f"no cosignature of witness {witness.name}")
    for sig in mine:
        if len(sig.blob) != 72:
            raise ProofError(f"cosignature of {witness.name} is not 8 + 64 bytes")
        (timestamp,) = struct.unpack(">Q", sig.blob[:8])
        if not _verify_ed25519(witness.public_raw, cosignature_message(note.text, timestamp),
                               sig.blob[8:]):
            raise ProofError(f"the cosignature of {witness.name} does not verify")
    return struct.unpack(">Q", mine[0].blob[:8])[0]


def ed25519_public(seed: bytes) -> bytes:
    return eddsa.import_private_key(seed).public_key().export_key(format="raw")


def generate_seed() -> bytes:
    return ECC.generate(curve="Ed25519").seed


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def unb64(value: str, what: str = "value") -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (ValueError, TypeError):
        raise ProofError(f"{what} is not base64") from None


# -- promises of inclusion (a log's signed promise to merge an entry, like a CT SCT) ------
# A signed note whose second line is "promise/v1" (never a tree size, so it cannot pass for
# a checkpoint under the same key): the log promises that the entry with this leaf hash,
# accepted at `time` (Unix seconds), is in every checkpoint signed `mmd` seconds later.

PROMISE_V1 = "promise/v1"


@dataclass(frozen=True)
class Promise:
    origin: str
    seq: int
    leaf: bytes
    time: int
    mmd: int

    def body(self) -> str:
        return (f"{self.origin}\n{PROMISE_V1}\nseq {self.seq}\nleaf {b64(self.leaf)}\n"
                f"time {self.time}\nmmd {self.mmd}\n")


def sign_promise(promise: Promise, signer: NoteSigner) -> str:
    return Note(promise.body(), (sign_note(promise.body(), signer),)).render()


def open_promise(raw: str | bytes, log_key: NoteVerifier) -> Promise:
    note = parse_note(raw)
    verify_note(note, log_key)
    lines = note.text.split("\n")
    pattern = [None, PROMISE_V1, "seq", "leaf", "time", "mmd", ""]
    if len(lines) != len(pattern) or lines[1] != PROMISE_V1:
        raise ProofError("not a promise of inclusion (promise/v1)")
    values = {}
    for line, key in zip(lines[2:6], pattern[2:6], strict=True):
        name, _, value = line.partition(" ")
        if name != key or not value:
            raise ProofError(f"promise line {key!r} missing")
        values[key] = value
    try:
        leaf = unb64(values["leaf"], "promised leaf hash")
        _check_hash(leaf, "promised leaf hash")
        return Promise(lines[0], int(values["seq"]), leaf, int(values["time"]),
                       int(values["mmd"]))
    except ValueError as exc:
        raise ProofError(f"malformed promise: {exc}") from None


def check_promise_kept(promise: Promise, log_key: NoteVerifier, proof: dict,
                       integrated_at: int | None = None) -> Checkpoint:
    """Check an inclusion proof document (what /api/v1/audit/log/inclusion returns) for
    the promised entry: its checkpoint signed by the pinned log key, the same origin, seq
    and leaf, the path to the root. `integrated_at` (Unix seconds, the log's own word)
    later than time + mmd is a broken promise. Returns the checkpoint it holds under."""
    try:
        note = proof["checkpoint"]["checkpoint"]
        index, size = int(proof["index"]), int(proof["size"])
        leaf = unb64(proof["leaf_hash"], "proof leaf hash")
        path = [unb64(p, "proof element") for p in proof["proof"]]
        seq = int(proof["seq"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProofError(f"not an inclusion proof document: {exc}") from None
    cp, _ = open_checkpoint(note, log_key, promise.origin)
    if seq != promise.seq or leaf != promise.leaf:
        raise ProofError(f"the proof is for entry seq {seq}, the promise for seq "
                         f"{promise.seq}")
    if size != cp.size:
        raise ProofError(f"the proof is for tree size {size}, its checkpoint has {cp.size}")
    verify_inclusion(index, cp.size, leaf, path, cp.root)
    if integrated_at is not None and integrated_at > promise.time + promise.mmd:
        raise ProofError(f"promise broken: entry seq {promise.seq} merged "
                         f"{integrated_at - promise.time} s after the promise, the maximum "
                         f"merge delay is {promise.mmd} s")
    return cp
