"""The envelope header: what an envelope says about itself before anyone can decrypt it.

The header is public (the platform checks project/lot/bidder on upload), and every
chunk's associated data carries its SHA-256, so changing any header byte makes every
chunk fail. Layout and field rules: FORMAT.md §2.
"""

import hashlib
import struct
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import BinaryIO

from .encoding import canonical_json, check_id, check_timestamp, from_hex, loads_strict
from .errors import (
    HeaderMismatch,
    InvalidHeader,
    TamperedEnvelope,
    TruncatedEnvelope,
    UnsupportedEnvelope,
    WrongProject,
)
from .suites import get_suite

MAGIC = b"\x89TBD\r\n\x1a\n"
FORMAT_VERSION = 1
_PREFIX = struct.Struct(">8sHI")  # magic, format version, header JSON length
MAX_HEADER_JSON = 64 * 1024
DEFAULT_CHUNK_SIZE = 1024 * 1024
MIN_CHUNK_SIZE = 64
MAX_CHUNK_SIZE = 16 * 1024 * 1024
CUSTODY_MODES = ("auto", "custodians", "dual")
_REQUIRED = {
    "suite",
    "project",
    "lot",
    "bidder",
    "recipient",
    "enc",
    "chunk_size",
    "custody",
}
_OPTIONAL = {"created_at", "dual"}
_DUAL_KEYS = {"suite", "key", "enc", "check"}


@dataclass(frozen=True)
class DualFields:
    """Dual custody: the HPKE PSK comes from an export-only context to the bidder."""

    suite: str
    key: str  # key id of the bidder's public key
    enc: bytes = field(repr=False)  # HPKE encapsulation to the bidder's key
    check: bytes  # SHA-256 commitment to the bidder's decryption share


@dataclass(frozen=True)
class EnvelopeHeader:
    """Parsed, validated header of a bid envelope (format version 1)."""

    suite: str
    project: str
    lot: str
    bidder: str
    recipient: str  # key id of the project opening key
    enc: bytes = field(repr=False)  # up to 1120 bytes of KEM ciphertext: noise in logs
    chunk_size: int
    custody: str = "auto"
    created_at: str | None = None
    dual: DualFields | None = None

    def __post_init__(self) -> None:
        _validate(self)

    def to_dict(self) -> dict:
        """JSON form (bytes as lowercase hex); omits absent optional fields."""
        doc = asdict(self)
        doc["enc"] = self.enc.hex()
        if self.dual is None:
            del doc["dual"]
        else:
            doc["dual"] |= {"enc": self.dual.enc.hex(), "check": self.dual.check.hex()}
        if self.created_at is None:
            del doc["created_at"]
        return doc

    def encode(self) -> bytes:
        """The header block exactly as written: prefix, then canonical JSON."""
        return self._encoded

    @cached_property
    def _encoded(self) -> bytes:
        # Once per header (it is frozen): reading an envelope checks the canonical form and
        # then binds the same bytes into every chunk's data, 0.1 ms per encoding.
        body = canonical_json(self.to_dict())
        return _PREFIX.pack(MAGIC, FORMAT_VERSION, len(body)) + body

    @property
    def sha256(self) -> bytes:
        """SHA-256 of the header block: names the envelope (decryption shares, inspect)."""
        return hashlib.sha256(self.encode()).digest()

    @property
    def binding_hash(self) -> bytes:
        """The header hash bound into every chunk's associated data: the suite's hash
        (SHA-256, or SM3 for the national suites), equal to ``sha256`` for HPKE suites."""
        return get_suite(self.suite).digest(self.encode())

    def check(
        self,
        *,
        project: str | None = None,
        lot: str | None = None,
        bidder: str | None = None,
    ) -> None:
        """Raise WrongProject / HeaderMismatch if an expected id differs."""
        if project is not None and project != self.project:
            raise WrongProject("project", project, self.project)
        for name, expected in (("lot", lot), ("bidder", bidder)):
            if expected is not None and expected != getattr(self, name):
                raise HeaderMismatch(name, expected, getattr(self, name))


def _validate(header: EnvelopeHeader) -> None:
    suite = get_suite(header.suite)
    for name in ("project", "lot", "bidder"):
        check_id(name, getattr(header, name), InvalidHeader)
    from_hex("recipient", header.recipient, 32, InvalidHeader)
    _check_length("enc", header.enc, suite.enc_len)
    _check_chunk_size(header.chunk_size)
    if header.custody not in CUSTODY_MODES:
        raise InvalidHeader(f"unknown custody mode {header.custody!r}")
    if (header.custody == "dual") != (header.dual is not None):
        raise InvalidHeader("custody 'dual' and the dual fields must come together")
    if header.created_at is not None:
        check_timestamp("created_at", header.created_at, InvalidHeader)
    if header.dual is not None:
        _validate_dual(header.dual)


def _validate_dual(dual: DualFields) -> None:
    suite = get_suite(dual.suite)
    from_hex("dual.key", dual.key, 32, InvalidHeader)
    _check_length("dual.enc", dual.enc, suite.enc_len)
    _check_length("dual.check", dual.check, 32)


def _check_length(name: str, value: object, length: int) -> None:
    if not isinstance(value, bytes) or len(value) != length:
        raise InvalidHeader(f"{name} must be {length} bytes")


def _check_chunk_size(size: object) -> None:
    # Bounded so a hostile header cannot make the opener allocate gigabytes per chunk.
    if type(size) is not int or not MIN_CHUNK_SIZE <= size <= MAX_CHUNK_SIZE:
        raise InvalidHeader(
            f"chunk_size must be an integer in [{MIN_CHUNK_SIZE}, {MAX_CHUNK_SIZE}]"
        )


def read_header(stream: BinaryIO) -> EnvelopeHeader:
    """Read and validate the header block; ``stream`` stops at the first chunk."""
    prefix = read_exact(stream, _PREFIX.size, "the header prefix")
    magic, version, length = _PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise UnsupportedEnvelope("not a bid envelope (bad magic bytes)")
    if version != FORMAT_VERSION:
        raise UnsupportedEnvelope(f"envelope format version {version} is not supported")
    if not 0 < length <= MAX_HEADER_JSON:
        raise TamperedEnvelope(f"header length {length} is out of range")
    body = read_exact(stream, length, "the header")
    header = parse_header_json(body)
    if header.encode() != prefix + body:
        # One byte string per header, so the hash cannot be varied by re-encoding.
        raise TamperedEnvelope("header is not in canonical form")
    return header


def parse_header_json(body: bytes) -> EnvelopeHeader:
    """Build a header from its JSON body, refusing unknown or missing fields."""
    doc = loads_strict(body, "envelope header", TamperedEnvelope)
    if not isinstance(doc, dict) or not _REQUIRED <= set(doc) <= _REQUIRED | _OPTIONAL:
        raise TamperedEnvelope("envelope header has missing or unknown fields")
    suite = get_suite(doc["suite"])
    enc = from_hex("enc", doc["enc"], suite.enc_len, TamperedEnvelope)
    dual = _parse_dual(doc["dual"]) if "dual" in doc else None
    fields = {k: doc[k] for k in _REQUIRED | _OPTIONAL if k in doc and k not in ("enc", "dual")}
    try:
        return EnvelopeHeader(enc=enc, dual=dual, **fields)
    except InvalidHeader as exc:
        raise TamperedEnvelope(f"envelope header is invalid: {exc}") from None


def _parse_dual(doc: object) -> DualFields:
    if not isinstance(doc, dict) or set(doc) != _DUAL_KEYS:
        raise TamperedEnvelope("header field 'dual' has missing or unknown fields")
    suite = get_suite(doc["suite"])
    return DualFields(
        suite=suite.name,
        key=doc["key"],
        enc=from_hex("dual.enc", doc["enc"], suite.enc_len, TamperedEnvelope),
        check=from_hex("dual.check", doc["check"], 32, TamperedEnvelope),
    )


def read_exact(stream: BinaryIO, size: int, what: str) -> bytes:
    """Read exactly ``size`` bytes or raise TruncatedEnvelope naming ``what``."""
    data = stream.read(size)
    if len(data) == size:
        return data
    buffer = bytearray(data)  # short reads (pipes, sockets): accumulate without copies
    while len(buffer) < size:
        more = stream.read(size - len(buffer))
        if not more:
            raise TruncatedEnvelope(f"envelope ends inside {what}")
        buffer += more
    return bytes(buffer)
