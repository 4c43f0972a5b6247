"""Streaming seal and open of bid envelopes (FORMAT.md §3).

The payload is cut into fixed-size chunks sealed one after the other by a single HPKE
context (or its national-suite twin, smhpke.py), so chunk ``i`` uses sequence number
``i``. Each chunk's associated data is
``header_sha256 || u64 index || u8 final``: a chunk moved, dropped, duplicated,
appended, or paired with another envelope's header fails authentication. Memory is one
chunk, whatever the payload size.
"""

import hashlib
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from .dual import DecryptionShare, psk_for, seal_dual
from .encoding import format_timestamp
from .errors import InvalidHeader, TamperedEnvelope, TruncatedEnvelope, WrongKey
from .header import DEFAULT_CHUNK_SIZE, EnvelopeHeader, read_exact, read_header
from .keys import PrivateKey, PublicKey
from .suites import get_suite

INFO = b"bid_crypto/v1 envelope"
TAG_LEN = 16
_RECORD = struct.Struct(">BI")  # final flag, ciphertext length
_AAD_TAIL = struct.Struct(">QB")  # chunk index, final flag
_HASH_BLOCK = 1024 * 1024

Progress = Callable[[int], None]


def chunk_aad(header_hash: bytes, index: int, final: bool) -> bytes:
    """Associated data of chunk ``index``: header hash, index, final-chunk flag."""
    return header_hash + _AAD_TAIL.pack(index, int(final))


class EnvelopeWriter:
    """A writable sink: bytes written are sealed chunk by chunk into ``dst``.

    ``close()`` seals the final chunk; an envelope whose writer was never closed is
    detectably truncated, which is what an interrupted upload should be.
    """

    def __init__(
        self,
        dst: BinaryIO,
        recipient: PublicKey,
        *,
        project: str,
        lot: str,
        bidder: str,
        custody: str = "auto",
        bidder_key: PublicKey | None = None,
        created_at: datetime | str | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        progress: Progress | None = None,
    ) -> None:
        psk, dual = _sender_dual(custody, bidder_key)
        self._context = get_suite(recipient.suite).sender(recipient.raw, INFO, psk)
        self.header = EnvelopeHeader(
            suite=recipient.suite,
            project=project,
            lot=lot,
            bidder=bidder,
            recipient=recipient.key_id,
            enc=self._context.enc,
            chunk_size=chunk_size,
            custody=custody,
            created_at=None if created_at is None else format_timestamp(created_at),
            dual=dual,
        )
        self._dst, self._progress = dst, progress
        self._header_hash = self.header.binding_hash
        self._buffer = bytearray()
        self._index = self._written = 0
        self._closed = False
        dst.write(self.header.encode())

    def write(self, data: bytes) -> int:
        """Buffer ``data``; seal every chunk known not to be the last one."""
        if self._closed:
            raise ValueError("write to a closed EnvelopeWriter")
        view = memoryview(data).cast("B")
        position, size = 0, len(view)
        while position < size:
            # A full buffer is sealed only once more data arrives: only then is it known
            # not to be the final chunk.
            if len(self._buffer) == self.header.chunk_size:
                self._seal(final=False)
            take = min(self.header.chunk_size - len(self._buffer), size - position)
            self._buffer += view[position : position + take]
            position += take
        return size

    def close(self) -> EnvelopeHeader:
        """Seal the final chunk (possibly empty) and return the header."""
        if not self._closed:
            self._seal(final=True)
            self._closed = True
        return self.header

    def __enter__(self) -> "EnvelopeWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        # On error leave the envelope unfinished (truncated) rather than sealing a
        # final chunk over a payload that was cut short.
        if exc_type is None:
            self.close()

    def _seal(self, *, final: bool) -> None:
        aad = chunk_aad(self._header_hash, self._index, final)
        sealed = self._context.seal(bytes(self._buffer), aad)
        self._dst.write(_RECORD.pack(int(final), len(sealed)))
        self._dst.write(sealed)
        self._written += len(self._buffer)
        self._index += 1
        self._buffer.clear()
        if self._progress is not None:
            self._progress(self._written)


def _sender_dual(custody: str, bidder_key: PublicKey | None):
    if custody == "dual":
        if bidder_key is None:
            raise InvalidHeader("dual custody needs the bidder's public key")
        return seal_dual(bidder_key)
    if bidder_key is not None:
        raise InvalidHeader("a bidder key is only used with custody 'dual'")
    return None, None


def seal_stream(src: BinaryIO, dst: BinaryIO, recipient: PublicKey, **options) -> EnvelopeHeader:
    """Seal everything readable from ``src`` into an envelope written to ``dst``.

    ``options`` are those of :class:`EnvelopeWriter` (project, lot, bidder, custody,
    bidder_key, created_at, chunk_size, progress). Returns the header written.
    """
    writer = EnvelopeWriter(dst, recipient, **options)
    block_size = writer.header.chunk_size
    while block := src.read(block_size):
        writer.write(block)
    return writer.close()


def open_chunks(
    src: BinaryIO,
    private_key: PrivateKey,
    *,
    share: DecryptionShare | None = None,
    project: str | None = None,
    lot: str | None = None,
    bidder: str | None = None,
) -> tuple[EnvelopeHeader, Iterator[bytes]]:
    """Check the header; return it and an iterator of authenticated plaintext chunks.

    Every chunk is authenticated before it is yielded, but a later chunk can still fail:
    a consumer must discard what it received if iteration raises.
    """
    header = read_header(src)
    header.check(project=project, lot=lot, bidder=bidder)
    context = _receiver_context(header, private_key, share)
    return header, _plaintext_chunks(src, header, context)


def open_stream(
    src: BinaryIO,
    dst: BinaryIO,
    private_key: PrivateKey,
    *,
    progress: Progress | None = None,
    **expected,
) -> EnvelopeHeader:
    """Decrypt the envelope in ``src`` into ``dst``; returns the header.

    ``expected`` ids (project, lot, bidder) and ``share`` are as for open_chunks. On any
    exception ``dst`` holds a partial payload and must be discarded.
    """
    header, chunks = open_chunks(src, private_key, **expected)
    done = 0
    for chunk in chunks:
        dst.write(chunk)
        done += len(chunk)
        if progress is not None:
            progress(done)
    return header


def _receiver_context(
    header: EnvelopeHeader, private_key: PrivateKey, share: DecryptionShare | None
):
    if private_key.suite != header.suite:
        raise WrongKey(f"envelope uses suite {header.suite}, the key is {private_key.suite}")
    if private_key.key_id != header.recipient:
        raise WrongKey(
            f"envelope is sealed to key {header.recipient[:16]}…, "
            f"not to this key {private_key.key_id[:16]}…"
        )
    psk = psk_for(header, share) if header.custody == "dual" else None
    try:
        return private_key.receiver(header.enc, INFO, psk)
    except ValueError as exc:
        raise TamperedEnvelope(f"header enc is not a valid encapsulation: {exc}") from None


def _plaintext_chunks(src: BinaryIO, header: EnvelopeHeader, context) -> Iterator[bytes]:
    header_hash = header.binding_hash
    index = 0
    while True:
        final, sealed = read_record(src, header.chunk_size, index)
        try:
            plaintext = context.unseal(sealed, chunk_aad(header_hash, index, final))
        except ValueError:
            raise TamperedEnvelope(
                f"chunk {index} failed authentication: the header or the chunk was "
                "altered, or chunks were reordered or taken from another envelope",
                chunk_index=index,
            ) from None
        if final:
            _expect_end(src, index)
            yield plaintext
            return
        yield plaintext
        index += 1


def read_record(src: BinaryIO, chunk_size: int, index: int) -> tuple[bool, bytes]:
    """Read chunk record ``index``: (final flag, sealed bytes), with framing checks."""
    final, length = _record_head(src, chunk_size, index)
    return final, read_exact(src, length, f"chunk {index}")


def _record_head(src: BinaryIO, chunk_size: int, index: int) -> tuple[bool, int]:
    head = src.read(_RECORD.size)
    if not head:
        raise TruncatedEnvelope(f"envelope ends after {index} chunk(s) without its final chunk")
    head += read_exact(src, _RECORD.size - len(head), f"chunk {index} record header")
    flag, length = _RECORD.unpack(head)
    _check_record(flag, length, chunk_size, index)
    return bool(flag), length


def _skip(src: BinaryIO, size: int, what: str) -> None:
    """Read ``size`` bytes and drop them, block by block: a scan needs a chunk's length,
    not the chunk gathered into one buffer (two copies of each MiB of an upload)."""
    while size > 0:
        data = src.read(min(size, _SKIP_BLOCK))
        if not data:
            raise TruncatedEnvelope(f"envelope ends inside {what}")
        size -= len(data)


_SKIP_BLOCK = 256 * 1024


def _check_record(flag: int, length: int, chunk_size: int, index: int) -> None:
    full = chunk_size + TAG_LEN
    if flag not in (0, 1):
        raise TamperedEnvelope(f"chunk {index} has an invalid flag byte {flag}", chunk_index=index)
    if flag == 0 and length != full:
        raise TamperedEnvelope(
            f"chunk {index} is {length} bytes; non-final chunks are {full}",
            chunk_index=index,
        )
    if flag == 1 and not TAG_LEN <= length <= full:
        raise TamperedEnvelope(
            f"final chunk {index} is {length} bytes, outside [{TAG_LEN}, {full}]",
            chunk_index=index,
        )


def _expect_end(src: BinaryIO, index: int) -> None:
    if src.read(1):
        raise TamperedEnvelope(
            f"data follows the final chunk {index} (extended envelope)",
            chunk_index=index + 1,
        )


@dataclass(frozen=True)
class EnvelopeInfo:
    """What can be learnt about an envelope without its key."""

    header: EnvelopeHeader
    chunks: int
    payload_size: int  # plaintext bytes; the ciphertext reveals it anyway
    sha256: str  # hex SHA-256 of the whole envelope file


def scan_envelope(src: BinaryIO) -> EnvelopeInfo:
    """Check an envelope's structure and completeness, and hash it, without a key.

    Suited to upload validation: an incomplete or extended upload is refused before it
    is accepted, and the hash feeds the receipt. Authenticity needs the key (opening).
    """
    hashing = _HashingReader(src)
    header = read_header(hashing)
    chunks, payload = scan_records(hashing, header)
    return EnvelopeInfo(header, chunks, payload, hashing.hexdigest())


def scan_records(src: BinaryIO, header: EnvelopeHeader) -> tuple[int, int]:
    """The part of scan_envelope after the header: (chunks, payload size), reading ``src``
    to its end. For a caller that reads the header itself (to check it before the rest
    arrives) and hashes the bytes on its own way (an upload hashed as it is stored)."""
    chunks = payload = 0
    while True:
        final, length = _record_head(src, header.chunk_size, chunks)
        _skip(src, length, f"chunk {chunks}")
        chunks += 1
        payload += length - TAG_LEN
        if final:
            break
    _expect_end(src, chunks - 1)
    return chunks, payload


class _HashingReader:
    def __init__(self, src: BinaryIO) -> None:
        self._src, self._hash = src, hashlib.sha256()

    def read(self, size: int) -> bytes:
        data = self._src.read(size)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def envelope_sha256(source: str | os.PathLike | BinaryIO) -> str:
    """Hex SHA-256 of an envelope (path or binary file), read in 1 MiB blocks."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return envelope_sha256(handle)
    digest = hashlib.sha256()
    while block := source.read(_HASH_BLOCK):
        digest.update(block)
    return digest.hexdigest()
