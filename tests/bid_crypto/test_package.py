"""Bid packages: offer.json + documents, streamed in and out, with safe file names."""

import hashlib
import io
import json
import os
import struct
import tracemalloc
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bid_crypto import (
    BidCryptoError,
    Document,
    InvalidOffer,
    InvalidPackage,
    TamperedEnvelope,
    open_bid,
    read_bid,
    sanitise_document_name,
    seal_bid,
    seal_stream,
)
from bid_crypto.package import MAX_NAME_BYTES, PACKAGE_MAGIC

OFFER = {
    "schema": "bid_crypto.offer/1",
    "total_price": 123_456_700,
    "currency": "CNY",
    "duration_days": 180,
    "quality": "合格",
    "project_manager": "李工",
    "items": [
        {"name": "土建工程", "total_price": 100_000_000},
        {
            "name": "安装工程",
            "unit_price": 11_728_350,
            "quantity": 2,
            "unit": "项",
            "total_price": 23_456_700,
        },
    ],
}


def seal(key, offer=OFFER, documents=(), **options) -> bytes:
    out = io.BytesIO()
    ids = {"project": "P1", "lot": "L1", "bidder": "B1", "chunk_size": 4096}
    seal_bid(out, key.public_key(), offer=offer, documents=documents, **(ids | options))
    return out.getvalue()


def test_round_trip_offer_and_documents(project_key, tmp_path):
    big = os.urandom(2 * 1024 * 1024 + 17)  # several 1 MiB segments
    documents = [
        Document("技术标.pdf", io.BytesIO(big)),
        Document("empty.txt", io.BytesIO(b"")),
        Document.from_path(_file(tmp_path / "price list.xlsx", b"cells")),
    ]
    envelope = seal(project_key, documents=documents, chunk_size=65536)
    opened = open_bid(io.BytesIO(envelope), project_key, tmp_path / "out", project="P1")
    assert opened.offer == OFFER
    assert json.loads((tmp_path / "out" / "offer.json").read_bytes()) == OFFER
    assert (tmp_path / "out" / "技术标.pdf").read_bytes() == big
    assert (tmp_path / "out" / "empty.txt").read_bytes() == b""
    assert (tmp_path / "out" / "price list.xlsx").read_bytes() == b"cells"
    names = [document.name for document in opened.documents]
    assert names == ["技术标.pdf", "empty.txt", "price list.xlsx"]
    assert opened.documents[0].sha256 == hashlib.sha256(big).hexdigest()
    assert opened.documents[0].size == len(big)
    assert sorted(os.listdir(tmp_path)) == ["out", "price list.xlsx"]  # no staging left


class _Zeros:
    """``size`` zero bytes, produced on demand."""

    def __init__(self, size: int) -> None:
        self.remaining = size

    def read(self, size: int) -> bytes:
        size = min(size, self.remaining)
        self.remaining -= size
        return bytes(size)


def test_bid_package_memory_stays_flat(project_key, tmp_path):
    mib = 1024 * 1024
    tracemalloc.start()
    try:
        with open(tmp_path / "bid.tbid", "wb") as out:
            seal_bid(
                out,
                project_key.public_key(),
                offer=OFFER,
                project="P1",
                lot="L1",
                bidder="B1",
                documents=[Document("big.bin", _Zeros(24 * mib))],
            )
        with open(tmp_path / "bid.tbid", "rb") as src:
            opened = open_bid(src, project_key, tmp_path / "out")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert opened.documents[0].size == 24 * mib
    assert peak < 8 * mib, f"peak {peak / mib:.1f} MiB for a 24 MiB document"


def _file(path, data: bytes):
    path.write_bytes(data)
    return path


def test_offer_bytes_are_kept_verbatim(project_key, tmp_path):
    raw = '{"total_price": 100,   "remarks": "含税"}\n'.encode()
    open_bid(io.BytesIO(seal(project_key, offer=raw)), project_key, tmp_path / "o")
    assert (tmp_path / "o" / "offer.json").read_bytes() == raw


def test_invalid_offer_is_refused_before_sealing(project_key):
    with pytest.raises(InvalidOffer, match="integer"):
        seal(project_key, offer={"total_price": 12.5})
    with pytest.raises(InvalidOffer, match="not valid JSON"):
        seal(project_key, offer=b'{"total_price": 1')


def test_document_names_are_sanitised_at_seal(project_key):
    documents = [
        Document("C:\\bids\\..\\商务标.pdf", io.BytesIO(b"a")),
        Document("../../etc/passwd", io.BytesIO(b"b")),
        Document("a\x00b\u202egpj.exe", io.BytesIO(b"c")),
    ]
    opened = read_bid(
        io.BytesIO(seal(project_key, documents=documents)),
        project_key,
        lambda name: io.BytesIO(),
    )
    assert [d.name for d in opened.documents] == ["商务标.pdf", "passwd", "a_b_gpj.exe"]


def test_duplicate_names_ignoring_case_are_refused(project_key):
    documents = [
        Document("Bid.pdf", io.BytesIO(b"1")),
        Document("dir/bid.PDF", io.BytesIO(b"2")),
    ]
    with pytest.raises(InvalidPackage, match="two documents"):
        seal(project_key, documents=documents)


def test_document_named_offer_json_is_renamed(project_key):
    documents = [Document("OFFER.json", io.BytesIO(b"{}"))]
    opened = read_bid(
        io.BytesIO(seal(project_key, documents=documents)),
        project_key,
        lambda name: io.BytesIO(),
    )
    assert [d.name for d in opened.documents] == ["_OFFER.json"]


def test_out_dir_must_be_empty_and_failure_leaves_nothing(project_key, tmp_path):
    envelope = seal(project_key)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    with pytest.raises(BidCryptoError, match="not an empty directory"):
        open_bid(io.BytesIO(envelope), project_key, tmp_path / "full")
    (tmp_path / "empty").mkdir()
    open_bid(io.BytesIO(envelope), project_key, tmp_path / "empty")
    assert sorted(os.listdir(tmp_path / "empty")) == ["offer.json"]
    damaged = envelope[:-1] + bytes([envelope[-1] ^ 1])
    with pytest.raises(TamperedEnvelope):
        open_bid(io.BytesIO(damaged), project_key, tmp_path / "bad")
    assert sorted(os.listdir(tmp_path)) == ["empty", "full"]


def _entry(kind: int, name: str, data: bytes) -> bytes:
    encoded = name.encode()
    body = struct.pack(">I", len(data)) + data if data else b""
    return bytes([kind]) + struct.pack(">H", len(encoded)) + encoded + body + struct.pack(">I", 0)


VALID_OFFER = _entry(1, "offer.json", b'{"total_price": 1}')


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"NOTAPKG!" + VALID_OFFER + b"\x00", "bad package magic"),
        (
            PACKAGE_MAGIC + _entry(2, "a.txt", b"x") + b"\x00",
            "does not start with offer.json",
        ),
        (PACKAGE_MAGIC + VALID_OFFER + VALID_OFFER + b"\x00", "appears twice"),
        (
            PACKAGE_MAGIC + VALID_OFFER + _entry(2, "../evil.sh", b"x") + b"\x00",
            "unsafe",
        ),
        (PACKAGE_MAGIC + VALID_OFFER + _entry(2, "a\x00b", b"x") + b"\x00", "unsafe"),
        (PACKAGE_MAGIC + VALID_OFFER + _entry(2, "", b"x") + b"\x00", "unsafe"),
        (
            PACKAGE_MAGIC + VALID_OFFER + _entry(2, "A", b"1") + _entry(2, "a", b"2") + b"\x00",
            "appears twice",
        ),
        (
            PACKAGE_MAGIC + VALID_OFFER + _entry(9, "a", b"1") + b"\x00",
            "unknown package entry",
        ),
        (PACKAGE_MAGIC + VALID_OFFER, "package ends inside the entry kind"),
        (PACKAGE_MAGIC + VALID_OFFER + b"\x00" + b"junk", "data follows the end"),
    ],
)
def test_malformed_packages_are_refused(project_key, tmp_path, payload, message):
    envelope = io.BytesIO()
    seal_stream(
        io.BytesIO(payload),
        envelope,
        project_key.public_key(),
        project="P1",
        lot="L1",
        bidder="B1",
    )
    with pytest.raises(InvalidPackage, match=message):
        open_bid(io.BytesIO(envelope.getvalue()), project_key, tmp_path / "out")
    assert os.listdir(tmp_path) == []


def test_invalid_offer_inside_an_envelope(project_key, tmp_path):
    payload = PACKAGE_MAGIC + _entry(1, "offer.json", b'{"total_price": -5}') + b"\x00"
    envelope = io.BytesIO()
    seal_stream(
        io.BytesIO(payload),
        envelope,
        project_key.public_key(),
        project="P1",
        lot="L1",
        bidder="B1",
    )
    with pytest.raises(InvalidOffer, match="non-negative"):
        open_bid(io.BytesIO(envelope.getvalue()), project_key, tmp_path / "out")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("dir/sub\\file.doc", "file.doc"),
        ("..", "document"),
        (".hidden", "hidden"),
        ("trailing. . ", "trailing"),
        ("CON", "_CON"),
        ("com1.txt", "_com1.txt"),
        ("offer.json", "_offer.json"),
        ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"),
        ("line\nbreak\ttab", "line_break_tab"),
        ("e\u0301.txt", "\u00e9.txt"),
    ],
)
def test_sanitise_examples(name, expected):
    assert sanitise_document_name(name) == expected


def test_sanitise_keeps_extension_when_truncating():
    name = sanitise_document_name("投" * 100 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= MAX_NAME_BYTES


@settings(database=None)  # no .hypothesis/ directory in the work tree
@given(st.text(max_size=300))
def test_sanitised_names_are_safe_fixed_points(name):
    clean = sanitise_document_name(name)
    assert sanitise_document_name(clean) == clean
    assert clean and clean not in (".", "..")
    assert not any(char in clean for char in "/\\\x00")
    assert not any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in clean)
    assert len(clean.encode()) <= MAX_NAME_BYTES
    assert clean.casefold() != "offer.json"
