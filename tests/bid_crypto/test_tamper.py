"""Every alteration of an envelope is detected, with an error saying what happened."""

import io
import struct

import pytest

from bid_crypto import (
    BidCryptoError,
    TamperedEnvelope,
    TruncatedEnvelope,
    UnsupportedEnvelope,
    generate_private_key,
    open_stream,
    scan_envelope,
)

CHUNK = 64
PAYLOAD = bytes(range(256)) * 2  # 512 bytes: 8 chunks of 64, the last one final


def split(envelope: bytes) -> tuple[bytes, list[bytes]]:
    """(header block, [record, ...]) following FORMAT.md §2-3."""
    (length,) = struct.unpack(">I", envelope[10:14])
    position = 14 + length
    header, records = envelope[:position], []
    while position < len(envelope):
        (size,) = struct.unpack(">I", envelope[position + 1 : position + 5])
        records.append(envelope[position : position + 5 + size])
        position += 5 + size
    return header, records


def flip(data: bytes, index: int, bit: int = 0) -> bytes:
    altered = bytearray(data)
    altered[index] ^= 1 << bit
    return bytes(altered)


@pytest.fixture(scope="module", params=["x25519", "sm2", "sm2mlkem"])
def project_key(request):
    """Every tampering case runs against the HPKE suite and both national suites."""
    return generate_private_key(request.param)


@pytest.fixture
def envelope(seal_bytes) -> bytes:
    return seal_bytes(PAYLOAD)


def opened_until_failure(envelope: bytes, key) -> tuple[BidCryptoError, bytes]:
    """Open, expecting failure: the error and the plaintext released before it."""
    out = io.BytesIO()
    with pytest.raises(BidCryptoError) as caught:
        open_stream(io.BytesIO(envelope), out, key)
    return caught.value, out.getvalue()


def test_layout_assumed_by_these_tests(envelope):
    header, records = split(envelope)
    assert len(records) == 8
    assert [record[0] for record in records] == [0] * 7 + [1]
    assert header + b"".join(records) == envelope


def test_every_single_bit_flip_in_the_header_is_detected(envelope, project_key):
    header, _ = split(envelope)
    for index in range(len(header)):
        error, released = opened_until_failure(flip(envelope, index, index % 8), project_key)
        assert isinstance(error, BidCryptoError)
        assert released == b""


def test_flip_in_header_enc_fails_chunk_zero(envelope, project_key):
    header, _ = split(envelope)
    position = header.index(b'"enc":"') + len(b'"enc":"')
    digit = header[position : position + 1]
    altered = envelope[:position] + (b"1" if digit == b"0" else b"0") + envelope[position + 1 :]
    error, released = opened_until_failure(altered, project_key)
    assert isinstance(error, TamperedEnvelope)
    if project_key.suite == "sm2":
        # SM2 encryption carries its own check (C3): the altered enc fails before chunk 0.
        assert "not a valid encapsulation" in str(error)
    else:
        assert error.chunk_index == 0  # DHKEM / ML-KEM: the wrong key fails chunk 0
    assert released == b""


def test_changed_project_id_fails_authentication(envelope, project_key):
    altered = envelope.replace(b'"project":"P-2025-001"', b'"project":"P-2025-002"')
    assert altered != envelope
    error, _ = opened_until_failure(altered, project_key)
    assert isinstance(error, TamperedEnvelope)
    assert "chunk 0 failed authentication" in str(error)


def test_non_canonical_header_is_rejected(envelope, project_key):
    header, _ = split(envelope)
    body = header[14:].replace(b'{"bidder"', b'{ "bidder"')
    altered = header[:10] + struct.pack(">I", len(body)) + body + envelope[len(header) :]
    error, _ = opened_until_failure(altered, project_key)
    assert isinstance(error, TamperedEnvelope)
    assert "canonical" in str(error)


def test_bad_magic_and_version(envelope, project_key):
    error, _ = opened_until_failure(b"PK\x03\x04" + envelope[4:], project_key)
    assert isinstance(error, UnsupportedEnvelope)
    assert "magic" in str(error)
    error, _ = opened_until_failure(envelope[:8] + b"\x00\x02" + envelope[10:], project_key)
    assert isinstance(error, UnsupportedEnvelope)
    assert "version 2" in str(error)


@pytest.mark.parametrize("chunk", [0, 3, 7])
def test_bit_flip_in_a_chunk_names_that_chunk(envelope, project_key, chunk):
    header, records = split(envelope)
    records[chunk] = flip(records[chunk], 5 + 10)
    error, released = opened_until_failure(header + b"".join(records), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == chunk
    assert f"chunk {chunk} failed authentication" in str(error)
    assert released == PAYLOAD[: chunk * CHUNK]


def test_flipped_tag_byte_is_detected(envelope, project_key):
    error, _ = opened_until_failure(flip(envelope, len(envelope) - 1), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == 7


def test_final_flag_cleared_on_last_chunk(envelope, project_key):
    header, records = split(envelope)
    records[-1] = b"\x00" + records[-1][1:]
    error, _ = opened_until_failure(header + b"".join(records), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == 7


def test_final_flag_set_on_a_middle_chunk_truncates_nothing(envelope, project_key):
    header, records = split(envelope)
    records[2] = b"\x01" + records[2][1:]
    error, released = opened_until_failure(header + b"".join(records[:3]), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == 2
    assert released == PAYLOAD[: 2 * CHUNK]


def test_invalid_flag_and_length_are_framing_errors(envelope, project_key):
    header, records = split(envelope)
    bad_flag = [records[0], b"\x07" + records[1][1:], *records[2:]]
    error, _ = opened_until_failure(header + b"".join(bad_flag), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert "invalid flag" in str(error)
    short = records[1][:1] + struct.pack(">I", CHUNK) + records[1][5 : 5 + CHUNK]
    error, _ = opened_until_failure(
        header + records[0] + short + b"".join(records[2:]), project_key
    )
    assert isinstance(error, TamperedEnvelope)
    assert "non-final chunks are" in str(error)


def test_reordered_chunks(envelope, project_key):
    header, records = split(envelope)
    records[1], records[2] = records[2], records[1]
    error, released = opened_until_failure(header + b"".join(records), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == 1
    assert released == PAYLOAD[:CHUNK]


def test_dropped_middle_chunk(envelope, project_key):
    header, records = split(envelope)
    error, _ = opened_until_failure(header + b"".join(records[:3] + records[4:]), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == 3


def test_duplicated_chunk(envelope, project_key):
    header, records = split(envelope)
    error, _ = opened_until_failure(header + b"".join(records[:4] + records[3:]), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == 4


@pytest.mark.parametrize("records_kept", [0, 1, 7])
def test_truncated_at_a_record_boundary(envelope, project_key, records_kept):
    header, records = split(envelope)
    error, _ = opened_until_failure(header + b"".join(records[:records_kept]), project_key)
    assert isinstance(error, TruncatedEnvelope)
    assert f"after {records_kept} chunk(s)" in str(error)


@pytest.mark.parametrize("cut", [1, 3, 5, 40, 80])
def test_truncated_inside_a_record(envelope, project_key, cut):
    error, _ = opened_until_failure(envelope[:-cut], project_key)
    assert isinstance(error, TruncatedEnvelope)
    assert "chunk 7" in str(error)


@pytest.mark.parametrize("length", [0, 5, 13, 20])
def test_truncated_inside_the_header(envelope, project_key, length):
    error, _ = opened_until_failure(envelope[:length], project_key)
    assert isinstance(error, TruncatedEnvelope)
    assert "header" in str(error)


def test_extended_with_a_copy_of_a_chunk(envelope, project_key):
    _, records = split(envelope)
    error, released = opened_until_failure(envelope + records[3], project_key)
    assert isinstance(error, TamperedEnvelope)
    assert "data follows the final chunk" in str(error)
    assert released == PAYLOAD[: 7 * CHUNK]  # the final chunk is never released


def test_extended_with_a_chunk_from_another_envelope(envelope, seal_bytes, project_key):
    header, records = split(envelope)
    _, foreign = split(seal_bytes(PAYLOAD + b"more"))
    records[-1] = b"\x00" + records[-1][1:]  # pretend the final chunk was not final
    error, _ = opened_until_failure(header + b"".join(records) + foreign[-1], project_key)
    assert isinstance(error, TamperedEnvelope)


def test_header_swapped_from_another_envelope(envelope, seal_bytes, project_key):
    # Same key, same ids, same sizes: only the binding of chunks to header can tell.
    other_header, _ = split(seal_bytes(PAYLOAD))
    _, records = split(envelope)
    error, released = opened_until_failure(other_header + b"".join(records), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == 0
    assert released == b""


def test_chunk_spliced_from_another_envelope(envelope, seal_bytes, project_key):
    header, records = split(envelope)
    _, foreign = split(seal_bytes(PAYLOAD))
    records[5] = foreign[5]
    error, _ = opened_until_failure(header + b"".join(records), project_key)
    assert isinstance(error, TamperedEnvelope)
    assert error.chunk_index == 5


def test_scan_detects_structure_damage_without_a_key(envelope):
    _, records = split(envelope)
    with pytest.raises(TruncatedEnvelope):
        scan_envelope(io.BytesIO(envelope[:-1]))
    with pytest.raises(TamperedEnvelope, match="data follows"):
        scan_envelope(io.BytesIO(envelope + records[0]))
    assert scan_envelope(io.BytesIO(envelope)).chunks == 8


@pytest.mark.parametrize("body", [b"[" * 65536, b"{" * 65536, b'{"a":' * 33 + b"1" + b"}" * 33,
                                  b"[" * 33 + b"]" * 33])
def test_a_header_nested_too_deep_is_refused_by_name(body):
    """Issue #16: a header of 65 536 "[" made json.loads raise RecursionError."""
    from bid_crypto.header import read_header

    block = struct.pack(">8sHI", b"\x89TBD\r\n\x1a\n", 1, len(body)) + body
    with pytest.raises(TamperedEnvelope, match="nests deeper than 32 levels"):
        read_header(io.BytesIO(block))


def test_depth_is_counted_outside_strings_only():
    from bid_crypto.encoding import json_depth, loads_strict

    assert json_depth(b'{"a":[1,"[[[\\"[",{}]}') == 3
    assert json_depth('"\\\\"[[]]') == 2
    nested = b"[" * 32 + b"]" * 32
    assert loads_strict(nested, "x", TamperedEnvelope) is not None
    assert loads_strict(b'["' + b"[" * 1000 + b'"]', "x", TamperedEnvelope) == ["[" * 1000]
