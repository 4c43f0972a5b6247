"""The streaming pieces: the multipart reader of uploads and the opening's package reader."""

import io

import pytest
from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from trading.bidding.streams import MultipartError, MultipartReader

BOUNDARY = "----b0undary"


def body(parts) -> bytes:
    out = io.BytesIO()
    out.write(b"preamble to ignore\r\n")
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out.write(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


class Trickle(io.RawIOBase):
    """Hands out at most `step` bytes per read: delimiters straddle every boundary."""

    def __init__(self, data, step):
        self.data, self.step, self.pos = data, step, 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = self.step if size < 0 else min(size, self.step)
        chunk = self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk


def parse(data, step=10**9):
    reader = MultipartReader(Trickle(data, step), BOUNDARY)
    return [(p.name, p.filename, p.read()) for p in reader.parts()]


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "documents", "csrf_token"]),
                          st.one_of(st.none(), st.just("文件.pdf")),
                          st.binary(max_size=300)), max_size=4),
       st.integers(min_value=1, max_value=70))
def test_parts_come_back_exactly_whatever_the_read_sizes(parts, step):
    # Part data that contains the delimiter cannot be sent by a browser: leave it out.
    parts = [p for p in parts if f"\r\n--{BOUNDARY}".encode() not in p[2] + b"\r\n"]
    assert parse(body(parts), step) == parts


def test_unread_parts_are_skipped_and_names_are_utf8():
    data = body([("x", None, b"1" * 5000), ("documents", "技术标.pdf", b"PDF")])
    reader = MultipartReader(io.BytesIO(data), BOUNDARY)
    parts = reader.parts()
    assert next(parts).name == "x"  # not read
    document = next(parts)
    assert (document.filename, document.read()) == ("技术标.pdf", b"PDF")


def test_a_cut_body_is_an_error():
    data = body([("documents", "a.pdf", b"x" * 1000)])
    with pytest.raises(MultipartError):
        parse(data[:600])


def _sealed(payload=None, documents=()):
    from bid_crypto import Document, generate_private_key, seal_bid, seal_stream

    key = generate_private_key()
    out = io.BytesIO()
    ids = dict(project="P1", lot="L1", bidder="B1", chunk_size=256)
    if payload is not None:
        seal_stream(io.BytesIO(payload), out, key.public_key(), **ids)
    else:
        seal_bid(out, key.public_key(), offer={"total_price": 5, "items": []},
                 documents=[Document(n, io.BytesIO(d)) for n, d in documents], **ids)
    return key, out.getvalue()


def test_the_opening_reader_agrees_with_bid_crypto():
    from bid_crypto import open_chunks, read_bid
    from trading.bidding.package import read_package

    key, envelope = _sealed(documents=[("a.pdf", b"a" * 1000), ("B.docx", b""),
                                       ("c", b"c" * 300)])
    summary = read_package(open_chunks(io.BytesIO(envelope), key)[1])
    full = read_bid(io.BytesIO(envelope), key, lambda name: io.BytesIO())
    assert summary.offer == full.offer and summary.offer_sha256 == full.offer_sha256
    assert list(summary.documents) == [(d.name, d.size) for d in full.documents]


def test_the_opening_reader_still_authenticates_every_chunk():
    from bid_crypto import InvalidPackage, TamperedEnvelope, open_chunks, read_header
    from trading.bidding.package import read_package

    key, envelope = _sealed(documents=[("a.pdf", b"a" * 2000)])
    start = len(read_header(io.BytesIO(envelope)).encode())
    tampered = bytearray(envelope)
    tampered[start + 5 + 272 + 5 + 10] ^= 1  # inside the second chunk: a skipped document
    with pytest.raises(TamperedEnvelope):
        read_package(open_chunks(io.BytesIO(bytes(tampered)), key)[1])
    key, raw = _sealed(payload=b"no package here")
    with pytest.raises(InvalidPackage, match="not a bid package"):
        read_package(open_chunks(io.BytesIO(raw), key)[1])


@pytest.mark.parametrize("shift", [-40, -20, -13, -1, 0, 1, 7, 30])
def test_a_delimiter_across_the_readers_fill_boundary_is_found(shift):
    """The reader takes FILL bytes at a time and searches only what it has not cleared:
    a delimiter cut in two by a read, anywhere, still ends its part exactly."""
    from trading.bidding.streams import FILL

    head = len(body([("documents", "a.pdf", b"")]).split(b"\r\n\r\n", 1)[0]) + 4
    size = FILL - head + shift
    parts = [("documents", "a.pdf", bytes(range(256)) * (size // 256) + b"x" * (size % 256)),
             ("envelope", "b.tbid", b"\r\n-" * (FILL // 3) + b"tail")]
    data = body(parts)
    reader = MultipartReader(io.BytesIO(data), BOUNDARY)
    got = []
    for part in reader.parts():
        chunks = []
        while chunk := part.read(1000 if part.name == "documents" else 70_000):
            chunks.append(chunk)
        got.append((part.name, part.filename, b"".join(chunks)))
    assert got == parts
