"""The bid package inside an envelope: offer.json plus the bid documents, streamed.

The container (FORMAT.md §6.1) is a magic, then entries of length-prefixed segments,
then an end byte. Segments mean neither side needs a document's size in advance (a web
upload is sealed while it arrives) and neither side holds more than one segment in
memory.
"""

import hashlib
import io
import os
import re
import shutil
import struct
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .dual import DecryptionShare
from .envelope import EnvelopeWriter, Progress, open_chunks
from .errors import BidCryptoError, InvalidPackage
from .header import EnvelopeHeader
from .keys import PrivateKey, PublicKey
from .offer import MAX_OFFER_BYTES, encode_offer, parse_offer

PACKAGE_MAGIC = b"TBIDPKG1"
OFFER_NAME = "offer.json"
KIND_END, KIND_OFFER, KIND_DOCUMENT = 0, 1, 2
SEGMENT_SIZE = 1024 * 1024
MAX_NAME_BYTES = 200
_U16, _U32 = struct.Struct(">H"), struct.Struct(">I")
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul"} | {
    f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)
}
_SEPARATORS = re.compile(r"[/\\]")
_FORBIDDEN = set('<>:"|?*')


def sanitise_document_name(name: str) -> str:
    """A file name safe to create in any directory on Linux, macOS and Windows.

    Keeps the last path component, replaces control/format characters and ``<>:"|?*``
    with ``_``, strips leading/trailing dots and spaces, prefixes reserved names
    (Windows devices, offer.json) with ``_``, and limits the UTF-8 length to 200 bytes.
    The result is a fixed point: sanitising it again changes nothing.
    """
    for _ in range(8):
        cleaned = _clean_once(name)
        if cleaned == name:
            return name
        name = cleaned
    return "document"  # not reached for real input; keeps the fixed-point promise


def _clean_once(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = _SEPARATORS.split(name)[-1]
    name = "".join("_" if _unsafe_char(char) else char for char in name)
    name = name.strip(" .")
    if name.split(".")[0].casefold() in _WINDOWS_DEVICES or name.casefold() == OFFER_NAME:
        name = "_" + name
    name = _truncate_utf8(name, MAX_NAME_BYTES).rstrip(" .")
    return name or "document"


def _unsafe_char(char: str) -> bool:
    # Cc: NUL and other controls; Cf: bidi overrides that disguise "gpj.exe" as ".jpg";
    # Cs: lone surrogates that cannot be written as UTF-8; Zl/Zp: line breaks.
    category = unicodedata.category(char)
    return char in _FORBIDDEN or category in ("Cc", "Cf", "Cs", "Zl", "Zp")


def _truncate_utf8(name: str, limit: int) -> str:
    if len(name.encode()) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension.encode()) > 16:
        stem, extension = name, ""
    suffix = "." + extension if extension else ""
    budget = limit - len(suffix.encode())
    return stem.encode()[:budget].decode(errors="ignore") + suffix


@dataclass(frozen=True)
class Document:
    """A bid document to seal: a name and a binary file object or a path."""

    name: str
    source: BinaryIO | str | os.PathLike

    @classmethod
    def from_path(cls, path: str | os.PathLike, name: str | None = None) -> "Document":
        return cls(name if name is not None else Path(path).name, path)


@dataclass(frozen=True)
class OpenedDocument:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class OpenedBid:
    """Result of opening: the header, the validated offer and what was written."""

    header: EnvelopeHeader
    offer: dict
    offer_sha256: str
    documents: tuple[OpenedDocument, ...]


class _PackageWriter:
    def __init__(self, sink: EnvelopeWriter) -> None:
        self._sink = sink
        sink.write(PACKAGE_MAGIC)

    def add(self, kind: int, name: str, source: BinaryIO) -> None:
        encoded = name.encode()
        self._sink.write(bytes([kind]) + _U16.pack(len(encoded)) + encoded)
        while segment := source.read(SEGMENT_SIZE):
            self._sink.write(_U32.pack(len(segment)))
            self._sink.write(segment)
        self._sink.write(_U32.pack(0))

    def finish(self) -> None:
        self._sink.write(bytes([KIND_END]))


def seal_bid(
    dst: BinaryIO,
    recipient: PublicKey,
    *,
    offer: dict | bytes,
    documents: Iterable[Document] = (),
    **envelope_options,
) -> EnvelopeHeader:
    """Validate the offer, then seal offer.json and the documents into one envelope.

    ``envelope_options`` are those of EnvelopeWriter: project, lot, bidder (required),
    custody, bidder_key, created_at, chunk_size, progress. Document names are sanitised
    (see :func:`sanitise_document_name`); two names equal after case folding are
    refused.
    """
    offer_bytes = encode_offer(offer)
    documents = _unique_names(documents)
    with EnvelopeWriter(dst, recipient, **envelope_options) as writer:
        package = _PackageWriter(writer)
        package.add(KIND_OFFER, OFFER_NAME, io.BytesIO(offer_bytes))
        for document in documents:
            with _opened(document.source) as source:
                package.add(KIND_DOCUMENT, document.name, source)
        package.finish()
    return writer.header


def _unique_names(documents: Iterable[Document]) -> list[Document]:
    result, seen = [], set()
    for document in documents:
        name = sanitise_document_name(document.name)
        if name.casefold() in seen:
            raise InvalidPackage(f"two documents are named {name!r} (names ignore case)")
        seen.add(name.casefold())
        result.append(Document(name, document.source))
    return result


@contextmanager
def _opened(source: BinaryIO | str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a path only when its turn comes; a file object stays the caller's."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            yield handle
    else:
        yield source


OutputOpener = Callable[[str], BinaryIO]


def read_bid(
    src: BinaryIO,
    private_key: PrivateKey,
    open_output: OutputOpener,
    *,
    share: DecryptionShare | None = None,
    project: str | None = None,
    lot: str | None = None,
    bidder: str | None = None,
    progress: Progress | None = None,
) -> OpenedBid:
    """Open an envelope; stream offer.json and each document to ``open_output(name)``.

    Each file object returned by ``open_output`` is closed after its entry is written.
    The expected ids, when given, are checked against the header before any decryption.
    On any exception the outputs written so far are partial and must be discarded.
    """
    header, chunks = open_chunks(
        src, private_key, share=share, project=project, lot=lot, bidder=bidder
    )
    reader = _PackageReader(_ChunkStream(_counted(chunks, progress)))
    offer_bytes = reader.offer()
    offer = parse_offer(offer_bytes)
    with open_output(OFFER_NAME) as output:
        output.write(offer_bytes)
    documents = tuple(reader.documents(open_output))
    return OpenedBid(header, offer, hashlib.sha256(offer_bytes).hexdigest(), documents)


def _counted(chunks: Iterator[bytes], progress: Progress | None) -> Iterator[bytes]:
    done = 0
    for chunk in chunks:
        done += len(chunk)
        if progress is not None:
            progress(done)
        yield chunk


class _ChunkStream:
    """File-like ``read(n)`` over an iterator of plaintext chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._current, self._offset = chunks, b"", 0

    def read(self, size: int) -> bytes:
        pieces, wanted = [], size
        while wanted > 0:
            if self._offset == len(self._current):
                self._current, self._offset = next(self._chunks, None), 0
                if self._current is None:
                    self._current = b""
                    break
            piece = self._current[self._offset : self._offset + wanted]
            self._offset += len(piece)
            wanted -= len(piece)
            pieces.append(piece)
        return b"".join(pieces)


class _PackageReader:
    def __init__(self, stream: _ChunkStream) -> None:
        self._stream = stream
        if self._exact(len(PACKAGE_MAGIC), "magic") != PACKAGE_MAGIC:
            raise InvalidPackage("payload is not a bid package (bad package magic)")

    def offer(self) -> bytes:
        kind, name = self._entry_head()
        if kind != KIND_OFFER or name != OFFER_NAME:
            raise InvalidPackage("the package does not start with offer.json")
        parts, size = [], 0
        for segment in self._segments(OFFER_NAME):
            size += len(segment)
            if size > MAX_OFFER_BYTES:
                raise InvalidPackage(f"offer.json is larger than {MAX_OFFER_BYTES} bytes")
            parts.append(segment)
        return b"".join(parts)

    def documents(self, open_output: OutputOpener) -> Iterator[OpenedDocument]:
        seen = set()
        while (entry := self._entry_head()) is not None:
            kind, name = entry
            _check_document_name(kind, name, seen)
            with open_output(name) as output:
                yield self._copy(name, output)
        if self._stream.read(1):
            raise InvalidPackage("data follows the end of the package")

    def _copy(self, name: str, output: BinaryIO) -> OpenedDocument:
        digest, size = hashlib.sha256(), 0
        for segment in self._segments(name):
            output.write(segment)
            digest.update(segment)
            size += len(segment)
        return OpenedDocument(name, size, digest.hexdigest())

    def _entry_head(self) -> tuple[int, str] | None:
        kind = self._exact(1, "entry kind")[0]
        if kind == KIND_END:
            return None
        if kind not in (KIND_OFFER, KIND_DOCUMENT):
            raise InvalidPackage(f"unknown package entry kind {kind}")
        (length,) = _U16.unpack(self._exact(2, "name length"))
        try:
            return kind, self._exact(length, "name").decode()
        except UnicodeDecodeError:
            raise InvalidPackage("a document name is not valid UTF-8") from None

    def _segments(self, name: str) -> Iterator[bytes]:
        while True:
            (length,) = _U32.unpack(self._exact(4, f"segment length of {name!r}"))
            if length == 0:
                return
            if length > SEGMENT_SIZE:
                raise InvalidPackage(f"segment of {name!r} exceeds {SEGMENT_SIZE} bytes")
            yield self._exact(length, f"data of {name!r}")

    def _exact(self, size: int, what: str) -> bytes:
        data = self._stream.read(size)
        if len(data) != size:
            raise InvalidPackage(f"package ends inside the {what}")
        return data


def _check_document_name(kind: int, name: str, seen: set[str]) -> None:
    if kind != KIND_DOCUMENT:
        raise InvalidPackage("offer.json appears twice in the package")
    if not name or sanitise_document_name(name) != name:
        raise InvalidPackage(f"unsafe document name {name!r}")
    if name.casefold() in seen:
        raise InvalidPackage(f"document name {name!r} appears twice")
    seen.add(name.casefold())


def open_bid(
    src: BinaryIO, private_key: PrivateKey, out_dir: str | os.PathLike, **options
) -> OpenedBid:
    """Open an envelope into ``out_dir``: DIR/offer.json and DIR/<document names>.

    ``out_dir`` must not exist or be empty. Files are staged beside it and moved in only
    after the whole envelope authenticated, so a failed opening leaves nothing behind.
    ``options`` are those of :func:`read_bid`.
    """
    out_dir = Path(out_dir)
    _check_out_dir(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        opened = read_bid(src, private_key, lambda name: open(staging / name, "xb"), **options)
        _publish(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return opened


def _check_out_dir(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        # Not InvalidPackage: nothing is wrong with the bid, only with where it goes.
        raise BidCryptoError(f"{out_dir} exists and is not an empty directory")


def _publish(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    for path in staging.iterdir():
        path.rename(out_dir / path.name)
    staging.rmdir()
