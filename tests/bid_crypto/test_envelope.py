"""Envelope round trips across sizes and suites, header checks, streaming memory."""

import hashlib
import io
import os
import time
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest

from bid_crypto import (
    BidCryptoError,
    EnvelopeWriter,
    HeaderMismatch,
    InvalidHeader,
    TruncatedEnvelope,
    WrongKey,
    WrongProject,
    envelope_sha256,
    open_stream,
    read_header,
    scan_envelope,
    seal_stream,
)
from bid_crypto.header import MAGIC

CHUNK = 64


def _payload(size: int) -> bytes:
    return os.urandom(size)


@pytest.mark.parametrize(
    ("size", "chunks"),
    [(0, 1), (1, 1), (CHUNK - 1, 1), (CHUNK, 1), (CHUNK + 1, 2), (5 * CHUNK + 3, 6)],
)
@pytest.mark.parametrize("suite_key", ["project_key", "xwing_key"])
def test_round_trip_sizes(size, chunks, suite_key, request, seal_bytes, open_bytes):
    key = request.getfixturevalue(suite_key)
    data = _payload(size)
    envelope = seal_bytes(data, key=key)
    assert open_bytes(envelope, key=key) == data
    info = scan_envelope(io.BytesIO(envelope))
    assert (info.chunks, info.payload_size) == (chunks, size)
    assert info.header.suite == key.suite


def test_ciphertext_does_not_contain_plaintext(seal_bytes):
    marker = b"TOTAL-PRICE-1234500-FEN" * 4
    assert marker[:CHUNK] not in seal_bytes(marker)


def test_two_seals_of_the_same_payload_differ(seal_bytes):
    # A fresh HPKE encapsulation per envelope: equal bids must not be linkable.
    assert seal_bytes(b"same offer") != seal_bytes(b"same offer")


def test_many_small_writes_equal_one_payload(project_key, ids, open_bytes):
    data = _payload(10 * CHUNK + 7)
    out = io.BytesIO()
    with EnvelopeWriter(out, project_key.public_key(), chunk_size=CHUNK, **ids) as writer:
        for start in range(0, len(data), 5):
            writer.write(data[start : start + 5])
    assert open_bytes(out.getvalue()) == data
    assert scan_envelope(io.BytesIO(out.getvalue())).chunks == 11


def test_writer_left_open_is_a_truncated_envelope(project_key, ids, open_bytes):
    out = io.BytesIO()
    with pytest.raises(RuntimeError):
        with EnvelopeWriter(out, project_key.public_key(), chunk_size=CHUNK, **ids) as writer:
            writer.write(_payload(3 * CHUNK))
            raise RuntimeError("upload interrupted")
    with pytest.raises(TruncatedEnvelope):
        open_bytes(out.getvalue())


def test_header_fields_are_recorded(seal_bytes, project_key, ids):
    stamp = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=8)))
    envelope = seal_bytes(b"x", created_at=stamp)
    header = read_header(io.BytesIO(envelope))
    assert (header.project, header.lot, header.bidder) == (
        ids["project"],
        ids["lot"],
        ids["bidder"],
    )
    assert header.recipient == project_key.key_id
    assert header.chunk_size == CHUNK
    assert header.custody == "auto"
    assert header.created_at == "2026-03-02T01:30:15.123Z"
    assert envelope.startswith(MAGIC + b"\x00\x01")


def test_created_at_must_be_aware(seal_bytes):
    with pytest.raises(BidCryptoError, match="timezone-aware"):
        seal_bytes(b"x", created_at=datetime(2026, 3, 2, 9, 30))


@pytest.mark.parametrize(
    "override",
    [
        {"project": "../etc"},
        {"lot": ""},
        {"bidder": "张三"},
        {"chunk_size": 10},
        {"chunk_size": 32 * 1024 * 1024},
        {"custody": "nobody"},
        {"custody": "dual"},  # dual without the bidder's key
    ],
)
def test_invalid_header_values_are_refused_at_seal(seal_bytes, override):
    with pytest.raises(InvalidHeader):
        seal_bytes(b"x", **override)


def test_expected_ids_are_checked_before_decryption(seal_bytes, open_bytes, ids):
    envelope = seal_bytes(b"bid")
    assert open_bytes(envelope, **ids) == b"bid"
    with pytest.raises(WrongProject, match="P-OTHER"):
        open_bytes(envelope, project="P-OTHER")
    with pytest.raises(HeaderMismatch) as caught:
        open_bytes(envelope, lot="L2")
    assert (caught.value.field, caught.value.expected, caught.value.actual) == (
        "lot",
        "L2",
        "L1",
    )
    with pytest.raises(HeaderMismatch, match="bidder"):
        open_bytes(envelope, bidder="B-43")


def test_wrong_key_is_reported_as_such(seal_bytes, open_bytes, other_key, xwing_key):
    envelope = seal_bytes(b"bid")
    with pytest.raises(WrongKey, match="sealed to key"):
        open_bytes(envelope, key=other_key)
    with pytest.raises(WrongKey, match="suite x25519"):
        open_bytes(envelope, key=xwing_key)


def test_envelope_sha256_streams_files_and_paths(seal_bytes, tmp_path):
    envelope = seal_bytes(_payload(1000))
    path = tmp_path / "bid.tbid"
    path.write_bytes(envelope)
    expected = hashlib.sha256(envelope).hexdigest()
    assert envelope_sha256(path) == expected
    assert envelope_sha256(str(path)) == expected
    with open(path, "rb") as handle:
        assert envelope_sha256(handle) == expected
    assert scan_envelope(io.BytesIO(envelope)).sha256 == expected


def test_progress_reports_plaintext_bytes(project_key, ids):
    seen = []
    out = io.BytesIO()
    seal_stream(
        io.BytesIO(_payload(3 * CHUNK + 1)),
        out,
        project_key.public_key(),
        chunk_size=CHUNK,
        progress=seen.append,
        **ids,
    )
    assert seen == [CHUNK, 2 * CHUNK, 3 * CHUNK, 3 * CHUNK + 1]
    opened = []
    open_stream(io.BytesIO(out.getvalue()), io.BytesIO(), project_key, progress=opened.append)
    assert opened == seen


class _RepeatingSource:
    """``size`` bytes of a repeated random block, without holding them in memory."""

    def __init__(self, size: int, block: bytes) -> None:
        self.remaining, self.block = size, block
        self.digest = hashlib.sha256()

    def read(self, size: int) -> bytes:
        data = self.block[: min(size, self.remaining)]
        self.remaining -= len(data)
        self.digest.update(data)
        return data


class _HashingSink:
    def __init__(self) -> None:
        self.digest, self.size = hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return len(data)


@pytest.mark.slow
def test_100_mb_streams_with_flat_memory(project_key, ids, tmp_path):
    size, mib = 100 * 1024 * 1024, 1024 * 1024
    source = _RepeatingSource(size, os.urandom(mib))
    sink, path = _HashingSink(), tmp_path / "big.tbid"
    started = time.process_time()  # CPU, not wall: a loaded CI box must not fail it
    tracemalloc.start()
    try:
        with open(path, "wb") as out:
            seal_stream(source, out, project_key.public_key(), **ids)
        with open(path, "rb") as src:
            open_stream(src, sink, project_key)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sink.size == size
    assert sink.digest.digest() == source.digest.digest()
    assert peak < 8 * mib, f"peak {peak / mib:.1f} MiB for a 100 MiB payload"
    assert time.process_time() - started < 10
