"""Interoperability of the browser's sealing library with bid_crypto, both ways.

- envelopes sealed in Chromium (trading/static/js/tbid.js) open with
  `python -m bid_crypto open`, in every custody mode and both suites;
- the browser reader opens envelopes sealed by Python;
- every alteration the Python reader refuses, the browser reader refuses with the same
  error class (bid_crypto.errors names; the JS classes carry the same names).
"""

import base64
import hashlib
import io
import json
import struct
import subprocess
import sys

import pytest

from bid_crypto import (
    BidCryptoError,
    DecryptionShare,
    Document,
    generate_private_key,
    make_decryption_share,
    open_stream,
    read_header,
    seal_bid,
    seal_stream,
)

IDS = {"project": "YG-2026-000123", "lot": "L2", "bidder": "B17"}
OFFER = {"total_price": 123_456_789, "currency": "CNY", "duration_days": 180,
         "quality": "合格", "project_manager": "王工",
         "items": [{"name": "土方工程", "total_price": 100_000_00, "quantity": 3, "unit": "m³"}],
         "extra": {"保证金": 50_000_00}}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


@pytest.fixture(scope="module")
def keys():
    return {"x25519": generate_private_key("x25519"), "xwing": generate_private_key("xwing"),
            "sm2": generate_private_key("sm2"), "sm2bidder": generate_private_key("sm2"),
            "sm2mlkem": generate_private_key("sm2mlkem"),
            "bidder": generate_private_key("x25519"), "other": generate_private_key("x25519")}


def bidder_for(keys, suite):
    """A 国密 project asks its bidders for national keys as well (FORMAT.md §4.3)."""
    return keys["sm2bidder"] if suite.startswith("sm2") else keys["bidder"]


def cli(*args, cwd):
    result = subprocess.run([sys.executable, "-m", "bid_crypto", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


DOCUMENTS = [("技术标.pdf", b"%PDF-1.7 " + bytes(range(256)) * 40),
             ("empty.txt", b""),
             ("../报价/\u202egpj.exe", b"x" * 1000),
             ("CON.txt", b"device name")]


@pytest.mark.parametrize("suite,custody", [("x25519", "auto"), ("x25519", "custodians"),
                                           ("x25519", "dual"), ("xwing", "dual"),
                                           ("sm2", "auto"), ("sm2", "dual"),
                                           ("sm2mlkem", "custodians")])
def test_browser_sealed_bid_opens_with_the_python_cli(tbid, keys, tmp_path, suite, custody):
    project_key, bidder = keys[suite], bidder_for(keys, suite)
    envelope = unb64(tbid.evaluate("(a) => h.seal(a)", {
        "publicKey": project_key.public_key().to_json(), "offer": OFFER, "ids": IDS,
        "custody": custody, "chunkSize": 4096, "createdAt": "2026-03-02T01:30:15.123Z",
        "bidderKey": bidder.public_key().to_json() if custody == "dual" else None,
        "documents": [{"name": n, "data": b64(d)} for n, d in DOCUMENTS]}))
    (tmp_path / "bid.tbid").write_bytes(envelope)
    (tmp_path / "opening.key").write_text(project_key.to_json())
    (tmp_path / "bidder.key").write_text(bidder.to_json())
    share = []
    if custody == "dual":
        cli("bidder-share", "--key", "bidder.key", "bid.tbid", "--out", "share.json",
            cwd=tmp_path)
        share = ["--share", "share.json"]
        browser_share = tbid.evaluate("([e, k]) => h.decryptionShare(e, k)",
                                      [b64(envelope), bidder.to_json()])
        assert json.loads(browser_share["share"]) == json.loads(
            (tmp_path / "share.json").read_text())
    cli("open", "--key", "opening.key", *share, "--project", IDS["project"], "--lot",
        IDS["lot"], "--bidder", IDS["bidder"], "--out", "opened", "bid.tbid", cwd=tmp_path)
    opened = tmp_path / "opened"
    assert json.loads((opened / "offer.json").read_text()) == OFFER
    names = {"技术标.pdf", "empty.txt", "_gpj.exe", "_CON.txt"}
    assert {p.name for p in opened.iterdir()} == names | {"offer.json"}
    for name, data in DOCUMENTS:
        target = {"../报价/\u202egpj.exe": "_gpj.exe", "CON.txt": "_CON.txt"}.get(name, name)
        assert (opened / target).read_bytes() == data
    header = read_header(io.BytesIO(envelope))
    assert (header.suite, header.custody, header.created_at) == (
        suite, custody, "2026-03-02T01:30:15.123Z")


@pytest.mark.parametrize("size", [0, 1, 63, 64, 65, 128, 129, 64 * 7])
def test_browser_chunking_reads_ahead_exactly_as_python(tbid, keys, size):
    """Same chunk layout for every boundary case: a payload of k*chunk_size bytes has k
    chunks, the last final and full; an empty payload is one empty final chunk."""
    payload = bytes(range(256)) * 2
    payload = payload[:size]
    key = keys["x25519"]
    for pieces in (1, 3, 50):
        envelope = unb64(tbid.evaluate("(a) => h.sealRaw(a)", {
            "publicKey": key.public_key().to_json(), "payload": b64(payload), "ids": IDS,
            "chunkSize": 64, "pieces": pieces}))
        out = io.BytesIO()
        open_stream(io.BytesIO(envelope), out, key)
        assert out.getvalue() == payload
        python = io.BytesIO()
        seal_stream(io.BytesIO(payload), python, key.public_key(), **IDS, chunk_size=64)
        assert len(envelope) == len(python.getvalue())


@pytest.mark.parametrize("suite,custody", [("x25519", "auto"), ("x25519", "dual"),
                                           ("xwing", "custodians"), ("sm2", "custodians"),
                                           ("sm2", "dual"), ("sm2mlkem", "dual")])
def test_python_sealed_bid_opens_in_the_browser(tbid, keys, suite, custody):
    project_key, bidder = keys[suite], bidder_for(keys, suite)
    out = io.BytesIO()
    seal_bid(out, project_key.public_key(), offer=OFFER, chunk_size=1000, custody=custody,
             bidder_key=bidder.public_key() if custody == "dual" else None,
             documents=[Document(n, io.BytesIO(d)) for n, d in DOCUMENTS], **IDS)
    envelope = out.getvalue()
    share = None
    if custody == "dual":
        made = tbid.evaluate("([e, k]) => h.decryptionShare(e, k)",
                             [b64(envelope), bidder.to_json()])
        python_share = make_decryption_share(read_header(io.BytesIO(envelope)), bidder)
        assert DecryptionShare.from_json(made["share"]) == python_share
        share = made["share"]
    result = tbid.evaluate("([e, k, o]) => h.read(e, k, o)",
                           [b64(envelope), project_key.to_json(),
                            {"share": share, "expected": IDS}])
    assert result["ok"], result
    assert result["offer"] == OFFER
    assert [(d["name"], d["size"]) for d in result["documents"]] == [
        ("技术标.pdf", len(DOCUMENTS[0][1])), ("empty.txt", 0), ("_gpj.exe", 1000),
        ("_CON.txt", 11)]
    assert result["documents"][0]["sha256"] == hashlib.sha256(DOCUMENTS[0][1]).hexdigest()
    assert result["header"]["custody"] == custody


# -- every refusal, the same class on both sides ---------------------------------------------------

CHUNK = 64


def split(envelope: bytes) -> tuple[bytes, list[bytes]]:
    (length,) = struct.unpack(">I", envelope[10:14])
    position = 14 + length
    header, records = envelope[:position], []
    while position < len(envelope):
        (size,) = struct.unpack(">I", envelope[position + 1:position + 5])
        records.append(envelope[position:position + 5 + size])
        position += 5 + size
    return header, records


def flip(data: bytes, index: int, bit: int = 0) -> bytes:
    altered = bytearray(data)
    altered[index] ^= 1 << bit
    return bytes(altered)


def with_header(envelope: bytes, doc: dict, *, canonical=True) -> bytes:
    header, records = split(envelope)
    body = (json.dumps(doc, sort_keys=True, separators=(",", ":")) if canonical
            else json.dumps(doc)).encode()
    return header[:10] + struct.pack(">I", len(body)) + body + b"".join(records)


def tampered(envelope: bytes, other: bytes, bits=(0, 1, 5, 7)) -> dict[str, bytes]:
    header, records = split(envelope)
    oh, orec = split(other)
    doc = json.loads(header[14:])
    cases = {}
    for i in range(len(header)):
        for bit in bits:
            cases[f"header byte {i} bit {bit}"] = flip(envelope, i, bit)
    position = len(header)
    for n, record in enumerate(records):
        for offset in (0, 1, 4, 5, 6, len(record) - 17, len(record) - 1):
            cases[f"chunk {n} byte {offset}"] = flip(envelope, position + offset)
        position += len(record)
    last = len(records) - 1
    join = b"".join
    cases |= {
        "final flag cleared": header + join(records[:last]) + b"\x00" + records[last][1:],
        "final flag on a middle chunk": header + join(records[:3]) + b"\x01" + records[3][1:]
        + join(records[4:]),
        "final flag on a middle chunk, rest cut": header + join(records[:3]) + b"\x01"
        + records[3][1:],
        "invalid flag": header + records[0][:0] + b"\x02" + records[0][1:] + join(records[1:]),
        "short non-final length": header + records[0][:1] + struct.pack(">I", CHUNK + 15)
        + records[0][5:] + join(records[1:]),
        "final length over chunk": header + join(records[:last]) + b"\x01"
        + struct.pack(">I", CHUNK + 17) + records[last][5:] + b"x",
        "final length under tag": header + join(records[:last]) + b"\x01"
        + struct.pack(">I", 15) + records[last][5:20],
        "reordered": header + records[1] + records[0] + join(records[2:]),
        "dropped middle": header + join(records[:2]) + join(records[3:]),
        "duplicated": header + join(records[:3]) + records[2] + join(records[3:]),
        "extended with a copy": envelope + records[0],
        "extended with another's chunk": envelope + orec[-1],
        "extended by a byte": envelope + b"\x00",
        "header from another envelope": oh + join(records),
        "chunk spliced from another envelope": header + records[0] + orec[1] + join(records[2:]),
        "non-canonical header": with_header(envelope, doc, canonical=False),
        "unknown field": with_header(envelope, doc | {"note": "x"}),
        "missing field": with_header(envelope, {k: v for k, v in doc.items() if k != "lot"}),
        "unknown suite": with_header(envelope, doc | {"suite": "rsa"}),
        "float chunk size": with_header(envelope, doc | {"chunk_size": 64.0}),
        "huge chunk size": with_header(envelope, doc | {"chunk_size": 2**40}),
        "bad custody": with_header(envelope, doc | {"custody": "nobody"}),
        "dual without fields": with_header(envelope, doc | {"custody": "dual"}),
        "bad created_at": with_header(envelope, doc | {"created_at": "2026-02-30T01:00:00.000Z"}),
        "uppercase hex": with_header(envelope, doc | {"enc": doc["enc"].upper()}),
        "other recipient": with_header(envelope, doc | {"recipient": "ab" * 32}),
        "bad magic": b"\x89TBX" + envelope[4:],
        "version 2": envelope[:8] + b"\x00\x02" + envelope[10:],
        "header length 0": envelope[:10] + b"\x00\x00\x00\x00" + envelope[14:],
        "header length 64 KiB + 1": envelope[:10] + struct.pack(">I", 65537) + envelope[14:],
        "empty file": b"",
    }
    for kept in range(len(records)):
        cases[f"cut after {kept} records"] = header + join(records[:kept])
    for cut in (1, 4, 5, 30, len(records[0]) - 1):
        cases[f"cut inside record 0 at {cut}"] = header + records[0][:cut]
    for length in (3, 13, 14, 20, len(header) - 1):
        cases[f"cut inside the header at {length}"] = envelope[:length]
    return cases


def python_class(envelope: bytes, key, **options) -> str:
    try:
        open_stream(io.BytesIO(envelope), io.BytesIO(), key, **options)
    except BidCryptoError as error:
        return type(error).__name__
    return "ok"


@pytest.mark.parametrize("suite", ["x25519", "sm2"])
def test_every_refusal_of_the_python_reader_is_the_browsers(tbid, keys, suite):
    key = keys[suite]
    seal = lambda data: _seal(data, key)  # noqa: E731
    envelope, other = seal(bytes(range(256)) * 2), seal(b"another bid " * 40)
    # Pure-JS SM2 decryption is slow: two bits of every header byte for sm2, still every
    # byte of its 129-byte SM2 ciphertext (enc).
    cases = tampered(envelope, other, bits=(0, 5) if suite == "sm2" else (0, 1, 5, 7))
    expected = {name: python_class(data, key) for name, data in cases.items()}
    got = dict(zip(cases, tbid.evaluate("([e, k]) => h.openClasses(e, k)",
                                        [[b64(d) for d in cases.values()], key.to_json()]),
                   strict=True))
    assert got == expected
    # The cases do reach every class the reader has, so the comparison means something.
    assert set(expected.values()) == {"TamperedEnvelope", "TruncatedEnvelope",
                                      "UnsupportedEnvelope", "WrongKey"}
    assert expected["cut after 3 records"] == "TruncatedEnvelope"
    assert expected["header from another envelope"] == "TamperedEnvelope"


def _seal(data: bytes, key, **options) -> bytes:
    out = io.BytesIO()
    seal_stream(io.BytesIO(data), out, key.public_key(), **{**IDS, "chunk_size": CHUNK,
                                                              **options})
    return out.getvalue()


def test_keys_ids_and_shares_are_refused_alike(tbid, keys):
    key, bidder, other = keys["x25519"], keys["bidder"], keys["other"]
    plain = _seal(b"offer" * 50, key)
    dual = _seal(b"offer" * 50, key, custody="dual", bidder_key=bidder.public_key())
    dual2 = _seal(b"other" * 50, key, custody="dual", bidder_key=bidder.public_key())
    right = make_decryption_share(read_header(io.BytesIO(dual)), bidder)
    foreign = make_decryption_share(read_header(io.BytesIO(dual2)), bidder)
    wrong = DecryptionShare(right.header_sha256, bytes(32))
    xwing = keys["xwing"]
    cases = [
        (plain, other, {}),
        (plain, xwing, {}),
        (plain, key, {"project": "YG-2026-000999"}),
        (plain, key, {"lot": "L1"}),
        (plain, key, {"bidder": "B18"}),
        (plain, key, {"project": IDS["project"], "lot": IDS["lot"], "bidder": IDS["bidder"]}),
        (dual, key, {}),
        (dual, key, {"share": right}),
        (dual, key, {"share": foreign}),
        (dual, key, {"share": wrong}),
        (dual, other, {"share": right}),
    ]
    expected, got = [], []
    for envelope, private, options in cases:
        expected.append(python_class(envelope, private, **options))
        share = options.pop("share", None)
        got.append(tbid.evaluate("([e, k, o]) => h.openClasses([e], k, o)", [
            b64(envelope), private.to_json(),
            {"share": share.to_json() if share else None, "expected": options}])[0])
    assert got == expected
    assert expected == ["WrongKey", "WrongKey", "WrongProject", "HeaderMismatch",
                        "HeaderMismatch", "ok", "DecryptionShareError", "ok",
                        "DecryptionShareError", "DecryptionShareError", "WrongKey"]
    made = tbid.evaluate("([e, k]) => h.decryptionShare(e, k)", [b64(dual), other.to_json()])
    assert made["error"] == "WrongKey"
    made = tbid.evaluate("([e, k]) => h.decryptionShare(e, k)", [b64(plain), bidder.to_json()])
    assert made["error"] == "DecryptionShareError"


def test_package_refusals_are_the_browsers(tbid, keys):
    """A genuine envelope whose payload is not a valid bid package: InvalidPackage or
    InvalidOffer on both sides."""
    from bid_crypto import read_bid

    key = keys["x25519"]
    magic = b"TBIDPKG1"

    def entry(kind, name, data):
        encoded = name.encode()
        return (bytes([kind]) + struct.pack(">H", len(encoded)) + encoded
                + (struct.pack(">I", len(data)) + data if data else b"") + struct.pack(">I", 0))

    offer = entry(1, "offer.json", json.dumps({"total_price": 1}).encode())
    payloads = {
        "bad magic": b"TBIDPKG2" + offer + b"\x00",
        "no offer first": magic + entry(2, "a.pdf", b"x") + offer + b"\x00",
        "offer twice": magic + offer + offer + b"\x00",
        "unsafe name": magic + offer + entry(2, "../a.pdf", b"x") + b"\x00",
        "same name, other case": magic + offer + entry(2, "A.pdf", b"x")
        + entry(2, "a.PDF", b"y") + b"\x00",
        "unknown kind": magic + offer + entry(3, "a.pdf", b"x") + b"\x00",
        "ends inside": magic + offer + entry(2, "a.pdf", b"x")[:-2],
        "data after end": magic + offer + b"\x00" + b"z",
        "float price": magic + entry(1, "offer.json", b'{"total_price": 1.5}') + b"\x00",
        "duplicate key": magic + entry(1, "offer.json", b'{"total_price": 1, "total_price": 2}')
        + b"\x00",
        "unknown offer field": magic + entry(1, "offer.json", b'{"total_price": 1, "x": 2}')
        + b"\x00",
        "valid": magic + offer + entry(2, "a.pdf", b"x") + b"\x00",
    }
    expected, got = {}, {}
    for name, payload in payloads.items():
        envelope = _seal(payload, key)
        try:
            read_bid(io.BytesIO(envelope), key, lambda _n: io.BytesIO())
            expected[name] = "ok"
        except BidCryptoError as error:
            expected[name] = type(error).__name__
        result = tbid.evaluate("([e, k]) => h.read(e, k)", [b64(envelope), key.to_json()])
        got[name] = "ok" if result["ok"] else result["error"]
    assert got == expected
    assert set(expected.values()) == {"InvalidPackage", "InvalidOffer", "ok"}


def test_document_names_are_sanitised_alike(tbid):
    from bid_crypto import sanitise_document_name

    names = ["../../etc/passwd", "..\\..\\Windows\\system.ini", "/abs/path/招标文件.pdf",
             "a\x00b.pdf", "x" * 10_000 + ".pdf", "\u202etxt.exe", "CON", ".", "",
             "报价\r\nSet-Cookie: owned=1.pdf", "<script>alert(1)</script>.pdf", "Offer.JSON",
             "lpt9.tar.gz", " . name . ", "長い名前" * 40 + ".docx", "e\u0301.txt",
             "a" * 195 + ".verylongextension12", "com1", "x" * 199 + "é.pdf"]
    got = tbid.evaluate("(names) => names.map((n) => h.tbid.sanitiseDocumentName(n))", names)
    assert got == [sanitise_document_name(n) for n in names]


def test_an_envelope_of_one_suite_is_refused_by_a_project_of_another(tbid, keys):
    """A 国密 envelope presented to an X25519 project and back: WrongKey on both sides,
    and the browser's own sm2 key opens the Python-sealed sm2 envelope."""
    sm2, x25519 = keys["sm2"], keys["x25519"]
    national, plain = _seal(b"offer" * 50, sm2), _seal(b"offer" * 50, x25519)
    hybrid = _seal(b"offer" * 50, keys["sm2mlkem"])
    cases = [(national, x25519), (plain, sm2), (national, sm2), (plain, keys["sm2bidder"]),
             (hybrid, sm2), (national, keys["sm2mlkem"]), (hybrid, keys["sm2mlkem"])]
    expected = [python_class(e, k) for e, k in cases]
    got = [tbid.evaluate("([e, k]) => h.openClasses([e], k)", [b64(e), k.to_json()])[0]
           for e, k in cases]
    assert got == expected == ["WrongKey", "WrongKey", "ok", "WrongKey", "WrongKey", "WrongKey",
                               "ok"]
    assert read_header(io.BytesIO(national)).suite == "sm2"


def test_sm2_keys_are_read_and_refused_alike(tbid, keys):
    from bid_crypto import PrivateKey, PublicKey

    key, other = keys["sm2"], keys["sm2bidder"]
    loaded = tbid.evaluate("([k]) => h.loadKey('private', k)", [key.to_json()])
    assert loaded == {"ok": True, "keyId": key.key_id, "suite": "sm2"}
    for suite in ("sm2", "sm2mlkem"):
        made = tbid.evaluate("(s) => h.keyPair(s)", suite)
        assert PrivateKey.from_json(made["private"]).key_id == PublicKey.from_json(
            made["public"]).key_id
    hybrid = keys["sm2mlkem"]
    assert tbid.evaluate("([k]) => h.loadKey('private', k)", [hybrid.to_json()])["keyId"] == (
        hybrid.key_id)
    doc = json.loads(key.to_json())
    public = json.loads(key.public_key().to_json())
    off_curve = "04" + "11" * 64
    cases = {
        "private with another's public": ("private",
                                          doc | {"public": other.public_key().raw.hex()}),
        "private without its public": ("private", {k: v for k, v in doc.items() if k != "public"}),
        "private scalar zero": ("private", doc | {"secret": "00" * 32}),
        "public off the curve": ("public", public | {"public": off_curve}),
        "public compressed": ("public", public | {"public": "02" + public["public"][2:66]}),
        "public of x25519 under sm2": ("public", public | {"public": "11" * 32}),
        "key id of another": ("public", public | {"key_id": other.key_id}),
    }
    for name, (kind, value) in cases.items():
        text = json.dumps(value)
        reader = PrivateKey if kind == "private" else PublicKey
        with pytest.raises(BidCryptoError) as python:
            reader.from_json(text)
        got = tbid.evaluate("([kind, t]) => h.loadKey(kind, t)", [kind, text])
        assert not got["ok"], name
        assert got["error"] == type(python.value).__name__ == "KeyFormatError", name


def test_every_refusal_of_the_python_reader_is_the_browsers_for_sm2mlkem(tbid, keys):
    """The hybrid's tamper cases: every chunk, cut and header-field case of the other
    suites, and altered bytes in both halves of its enc (ML-KEM rejects implicitly, so an
    altered ML-KEM ciphertext fails at chunk 0; an altered SM2 one at decapsulation)."""
    key = keys["sm2mlkem"]
    envelope, other = _seal(bytes(range(256)) * 2, key), _seal(b"another bid " * 40, key)
    cases = tampered(envelope, other, bits=())
    doc = json.loads(split(envelope)[0][14:])
    enc = bytes.fromhex(doc["enc"])
    for at in (0, 500, 1087, 1088, 1088 + 70, len(enc) - 1):
        cases[f"enc byte {at}"] = with_header(envelope, doc | {"enc": flip(enc, at).hex()})
    expected = {name: python_class(data, key) for name, data in cases.items()}
    got = dict(zip(cases, tbid.evaluate("([e, k]) => h.openClasses(e, k)",
                                        [[b64(d) for d in cases.values()], key.to_json()]),
                   strict=True))
    assert got == expected
    assert {expected[f"enc byte {at}"] for at in (0, 1088)} == {"TamperedEnvelope"}
