"""The bid package (bid_crypto FORMAT.md §6.1) as the platform reads it at the opening:
a lean reader over bid_crypto's authenticated chunks that keeps offer.json and skips the
documents (see `read_package`).

The platform writes no package: every bid, final offer and quote is sealed on the
bidder's side (tbid.js in the browser, the offline page or the bid_crypto CLI), so the
server never holds plaintext bid content (issue #15).
"""

import hashlib
import struct
from dataclasses import dataclass

from bid_crypto import (
    InvalidPackage,
    parse_offer,
    sanitise_document_name,
)
from bid_crypto.offer import MAX_OFFER_BYTES
from bid_crypto.package import (
    KIND_DOCUMENT,
    KIND_END,
    KIND_OFFER,
    OFFER_NAME,
    PACKAGE_MAGIC,
    SEGMENT_SIZE,
)

_U16, _U32 = struct.Struct(">H"), struct.Struct(">I")


# -- reading, at the opening ----------------------------------------------------------------------


class _Plaintext:
    """Exact reads and skips over bid_crypto's authenticated plaintext chunks."""

    def __init__(self, chunks):
        self._chunks, self._current, self._pos = iter(chunks), b"", 0

    def _next(self) -> bool:
        for chunk in self._chunks:  # each chunk is authenticated before it is yielded
            if chunk:
                self._current, self._pos = chunk, 0
                return True
        return False

    def read(self, size: int, what: str) -> bytes:
        if len(self._current) - self._pos >= size:
            self._pos += size
            return self._current[self._pos - size:self._pos]
        parts = []
        while size:
            if self._pos == len(self._current) and not self._next():
                raise InvalidPackage(f"package ends inside the {what}")
            piece = self._current[self._pos:self._pos + size]
            self._pos += len(piece)
            size -= len(piece)
            parts.append(piece)
        return b"".join(parts)

    def skip(self, size: int, what: str) -> None:
        while size:
            if self._pos == len(self._current) and not self._next():
                raise InvalidPackage(f"package ends inside the {what}")
            step = min(size, len(self._current) - self._pos)
            self._pos += step
            size -= step

    def finish(self) -> None:
        # Draining the iterator also makes bid_crypto check the final chunk and the end.
        if self._pos < len(self._current) or self._next():
            raise InvalidPackage("data follows the end of the package")


@dataclass(frozen=True)
class PackageSummary:
    offer: dict
    offer_sha256: str
    documents: tuple[tuple[str, int], ...]  # (name, size)


def read_package(chunks) -> PackageSummary:
    """offer.json and the documents' names and sizes, from bid_crypto's open_chunks.

    The container rules are FORMAT.md §6.1, checked as bid_crypto's own reader checks
    them. The opening only needs offer.json, so document bytes are skipped rather than
    hashed: their digests come from storage when they are extracted after the opening.
    """
    plain = _Plaintext(chunks)
    if plain.read(len(PACKAGE_MAGIC), "magic") != PACKAGE_MAGIC:
        raise InvalidPackage("payload is not a bid package (bad package magic)")
    kind, name = _entry(plain)
    if kind != KIND_OFFER or name != OFFER_NAME:
        raise InvalidPackage("the package does not start with offer.json")
    parts, size = [], 0
    for length in _segments(plain, OFFER_NAME):
        size += length
        if size > MAX_OFFER_BYTES:
            raise InvalidPackage(f"offer.json is larger than {MAX_OFFER_BYTES} bytes")
        parts.append(plain.read(length, "offer.json"))
    offer_bytes = b"".join(parts)
    offer = parse_offer(offer_bytes)
    documents, seen = [], set()
    while (entry := _entry(plain)) is not None:
        kind, name = entry
        if kind != KIND_DOCUMENT:
            raise InvalidPackage("offer.json appears twice in the package")
        if not name or sanitise_document_name(name) != name or name.casefold() in seen:
            raise InvalidPackage(f"unsafe or repeated document name {name!r}")
        seen.add(name.casefold())
        size = 0
        for length in _segments(plain, name):
            plain.skip(length, f"data of {name!r}")
            size += length
        documents.append((name, size))
    plain.finish()
    return PackageSummary(offer, hashlib.sha256(offer_bytes).hexdigest(), tuple(documents))


def _entry(plain: _Plaintext) -> tuple[int, str] | None:
    kind = plain.read(1, "entry kind")[0]
    if kind == KIND_END:
        return None
    if kind not in (KIND_OFFER, KIND_DOCUMENT):
        raise InvalidPackage(f"unknown package entry kind {kind}")
    (length,) = _U16.unpack(plain.read(2, "name length"))
    try:
        return kind, plain.read(length, "name").decode()
    except UnicodeDecodeError:
        raise InvalidPackage("a document name is not valid UTF-8") from None


def _segments(plain: _Plaintext, name: str):
    while (length := _U32.unpack(plain.read(4, f"segment length of {name!r}"))[0]) != 0:
        if length > SEGMENT_SIZE:
            raise InvalidPackage(f"segment of {name!r} exceeds {SEGMENT_SIZE} bytes")
        yield length
