"""An independent implementation of FORMAT.md, run against bid_crypto both ways.

Nothing here calls bid_crypto to build or parse bytes: only the standard library and
pycryptodome primitives, following the text of FORMAT.md. If the document and the
library drift apart, these tests fail.
"""

import hashlib
import io
import json
import struct
import unicodedata

from Crypto.Cipher import AES
from Crypto.Protocol import HPKE
from Crypto.Protocol.DH import import_x25519_private_key, import_x25519_public_key
from Crypto.Protocol.KDF import scrypt
from Crypto.Protocol.SecretSharing import Shamir
from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa

import bid_crypto

MAGIC = b"\x89TBD\r\n\x1a\n"
INFO = b"bid_crypto/v1 envelope"
SEGMENT = 1024 * 1024


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def spec_key_id(suite: str, public: bytes) -> str:
    return hashlib.sha256(suite.encode() + b"\x00" + public).hexdigest()


def spec_package(offer: bytes, documents: dict[str, bytes]) -> bytes:
    def entry(kind: int, name: str, data: bytes) -> bytes:
        encoded = name.encode()
        pieces = [data[i : i + SEGMENT] for i in range(0, len(data), SEGMENT)]
        segments = b"".join(struct.pack(">I", len(piece)) + piece for piece in pieces)
        return bytes([kind]) + struct.pack(">H", len(encoded)) + encoded + segments + b"\0" * 4

    body = entry(1, "offer.json", offer)
    body += b"".join(entry(2, name, data) for name, data in documents.items())
    return b"TBIDPKG1" + body + b"\x00"


def spec_seal(public: bytes, payload: bytes, chunk_size: int, **ids) -> bytes:
    context = HPKE.new(
        receiver_key=import_x25519_public_key(public),
        aead_id=HPKE.AEAD.AES256_GCM,
        info=INFO,
    )
    header = {
        "suite": "x25519",
        "recipient": spec_key_id("x25519", public),
        "enc": context.enc.hex(),
        "chunk_size": chunk_size,
        "custody": "auto",
        **ids,
    }
    body = canonical(header)
    block = MAGIC + struct.pack(">HI", 1, len(body)) + body
    header_hash = hashlib.sha256(block).digest()
    pieces = [payload[i : i + chunk_size] for i in range(0, len(payload), chunk_size)] or [b""]
    records = []
    for index, piece in enumerate(pieces):
        final = index == len(pieces) - 1
        sealed = context.seal(piece, header_hash + struct.pack(">QB", index, final))
        records.append(struct.pack(">BI", final, len(sealed)) + sealed)
    return block + b"".join(records)


def spec_open(envelope: bytes, secret: bytes, psk=None) -> tuple[dict, bytes]:
    assert envelope[:8] == MAGIC
    version, length = struct.unpack(">HI", envelope[8:14])
    assert version == 1
    body = envelope[14 : 14 + length]
    header = json.loads(body)
    assert canonical(header) == body
    header_hash = hashlib.sha256(envelope[: 14 + length]).digest()
    context = HPKE.new(
        receiver_key=import_x25519_private_key(secret),
        aead_id=HPKE.AEAD.AES256_GCM,
        enc=bytes.fromhex(header["enc"]),
        info=INFO,
        psk=psk,
    )
    position, index, plaintext = 14 + length, 0, b""
    while True:
        flag, size = struct.unpack(">BI", envelope[position : position + 5])
        sealed = envelope[position + 5 : position + 5 + size]
        plaintext += context.unseal(sealed, header_hash + struct.pack(">QB", index, flag))
        position, index = position + 5 + size, index + 1
        if flag == 1:
            assert position == len(envelope)
            return header, plaintext


def spec_unpack(package: bytes) -> dict[str, bytes]:
    assert package[:8] == b"TBIDPKG1"
    position, files = 8, {}
    while package[position] != 0:
        (name_length,) = struct.unpack(">H", package[position + 1 : position + 3])
        name = package[position + 3 : position + 3 + name_length].decode()
        position += 3 + name_length
        data = b""
        while (size := struct.unpack(">I", package[position : position + 4])[0]) != 0:
            data += package[position + 4 : position + 4 + size]
            position += 4 + size
        files[name] = data
        position += 4
    assert position == len(package) - 1
    return files


def test_library_opens_a_spec_built_envelope(tmp_path):
    key = bid_crypto.generate_private_key("x25519")
    offer = b'{"total_price": 98765400, "quality": "\xe5\x90\x88\xe6\xa0\xbc"}'
    big = b"%PDF" * (SEGMENT // 2)  # two full segments
    payload = spec_package(offer, {"商务标.pdf": big, "empty.txt": b""})
    envelope = spec_seal(key.public_key().raw, payload, 65536, project="P1", lot="L1", bidder="B1")
    opened = bid_crypto.open_bid(io.BytesIO(envelope), key, tmp_path / "out", project="P1")
    assert opened.offer == {"total_price": 98765400, "quality": "合格"}
    assert (tmp_path / "out" / "商务标.pdf").read_bytes() == big
    assert (tmp_path / "out" / "offer.json").read_bytes() == offer


def test_spec_reader_opens_a_library_envelope():
    key = bid_crypto.generate_private_key("x25519")
    out = io.BytesIO()
    bid_crypto.seal_bid(
        out,
        key.public_key(),
        project="P1",
        lot="L1",
        bidder="B1",
        offer={"total_price": 5},
        chunk_size=64,
        documents=[bid_crypto.Document("a.txt", io.BytesIO(b"x" * 200))],
    )
    header, plaintext = spec_open(out.getvalue(), key.secret)
    assert (header["project"], header["chunk_size"]) == ("P1", 64)
    files = spec_unpack(plaintext)
    assert json.loads(files["offer.json"]) == {"total_price": 5}
    assert files["a.txt"] == b"x" * 200


def test_exact_chunking_has_no_empty_final_chunk():
    key = bid_crypto.generate_private_key("x25519")
    out = io.BytesIO()
    bid_crypto.seal_stream(
        io.BytesIO(b"z" * 128),
        out,
        key.public_key(),
        project="P1",
        lot="L1",
        bidder="B1",
        chunk_size=64,
    )
    envelope = out.getvalue()
    (length,) = struct.unpack(">I", envelope[10:14])
    records = envelope[14 + length :]
    assert records[0] == 0 and records[5 + 80] == 1  # two chunks, the second final
    assert len(records) == 2 * (5 + 64 + 16)


def test_dual_custody_as_specified():
    project, bidder = (bid_crypto.generate_private_key("x25519") for _ in range(2))
    out = io.BytesIO()
    bid_crypto.seal_stream(
        io.BytesIO(b"sealed price"),
        out,
        project.public_key(),
        project="P1",
        lot="L1",
        bidder="B1",
        custody="dual",
        bidder_key=bidder.public_key(),
    )
    envelope = out.getvalue()
    (length,) = struct.unpack(">I", envelope[10:14])
    dual = json.loads(envelope[14 : 14 + length])["dual"]
    assert dual["key"] == spec_key_id("x25519", bidder.public_key().raw)
    context = HPKE.new(
        receiver_key=import_x25519_private_key(bidder.secret),
        aead_id=HPKE.AEAD.EXPORT_ONLY,
        enc=bytes.fromhex(dual["enc"]),
        info=b"bid_crypto/v1 dual share",
    )
    share = context.export(b"psk", 32)
    assert hashlib.sha256(b"bid_crypto/v1 dual share check" + share).hexdigest() == dual["check"]
    _, plaintext = spec_open(envelope, project.secret, psk=(bytes.fromhex(dual["key"]), share))
    assert plaintext == b"sealed price"


def test_key_files_and_wrapping_as_specified():
    key = bid_crypto.generate_private_key("x25519")
    doc = json.loads(key.to_json())
    assert doc == {
        "kind": "bid_crypto.private_key",
        "version": 1,
        "suite": "x25519",
        "key_id": spec_key_id("x25519", key.public_key().raw),
        "secret": key.secret.hex(),
    }
    kek = bytes(range(32))
    wrapped = bid_crypto.wrap_private_key(kek, key.to_bytes(), "P1")
    cipher = AES.new(kek, AES.MODE_GCM, nonce=wrapped[1:13])
    cipher.update(b"P1")
    assert wrapped[0] == 1
    assert cipher.decrypt_and_verify(wrapped[13:-16], wrapped[-16:]) == b"\x01\x01" + key.secret


def test_custodian_shares_as_specified():
    key = bid_crypto.generate_private_key("xwing")
    holders = [import_x25519_private_key(bytes([i]) * 32) for i in (1, 2, 3)]
    publics = [h.public_key().export_key(format="raw") for h in holders]
    custodians = [bid_crypto.Custodian(f"U{i}", bid_crypto.PublicKey("x25519", p))
                  for i, p in enumerate(publics, start=1)]
    shares = bid_crypto.split_private_key(key, project="P1", threshold=2, custodians=custodians,
                                          not_before="2026-03-02T01:30:00.000Z")
    values = {}
    for share, holder, public in list(zip(shares, holders, publics, strict=True))[1:]:
        doc = json.loads(share.to_json())
        assert doc["kind"] == "bid_crypto.sealed_share" and doc["recipient"] == \
            spec_key_id("x25519", public)
        aad = canonical({k: v for k, v in doc.items() if k != "ciphertext"})
        context = HPKE.new(receiver_key=holder, aead_id=HPKE.AEAD.AES256_GCM,
                           enc=bytes.fromhex(doc["enc"]), info=b"bid_crypto/v1 custody share")
        value = context.unseal(bytes.fromhex(doc["ciphertext"]), aad)
        check = hashlib.sha256(b"bid_crypto/v1 custody share check"
                               + bytes.fromhex(doc["split_id"]) + bytes([doc["index"]]) + value)
        assert check.hexdigest() == doc["check"]
        values[doc["index"]] = value
    secret = b"".join(
        Shamir.combine([(x, y[b : b + 16]) for x, y in values.items()]) for b in (0, 16)
    )
    assert secret == key.secret


def test_protected_key_file_as_specified():
    key = bid_crypto.generate_private_key("x25519")
    passphrase = "Cafe\u0301 紫色 长颈鹿 弹钢琴"  # NFC: typed either way, one key
    doc = json.loads(bid_crypto.protect_private_key(key, passphrase, label="张三",
                                                    log_n=14).to_json())
    assert doc["kdf"] == {"name": "scrypt", "salt": doc["kdf"]["salt"], "log_n": 14, "r": 8,
                          "p": 1}
    secret = scrypt(unicodedata.normalize("NFC", passphrase).encode(),
                    bytes.fromhex(doc["kdf"]["salt"]), 32, N=2**14, r=8, p=1)
    cipher = AES.new(secret, AES.MODE_GCM, nonce=bytes.fromhex(doc["nonce"]))
    cipher.update(canonical({k: v for k, v in doc.items() if k not in ("nonce", "ciphertext")}))
    body = bytes.fromhex(doc["ciphertext"])
    assert cipher.decrypt_and_verify(body[:-16], body[-16:]) == key.secret
    assert doc["key_id"] == spec_key_id("x25519", bytes.fromhex(doc["public"]))


def test_receipt_as_specified(tmp_path):
    signing = ECC.generate(curve="Ed25519")
    platform = bid_crypto.load_signing_key(signing.export_key(format="PEM"))
    fields = {
        "project": "P1",
        "lot": "L1",
        "bidder": "B1",
        "version": 1,
        "envelope_sha256": "cd" * 32,
        "received_at": "2026-03-02T01:00:00.000Z",
    }
    receipt = bid_crypto.issue_receipt(platform, fields)
    verifier = eddsa.new(signing.public_key(), "rfc8032")
    verifier.verify(canonical(fields), bytes.fromhex(receipt["signature"]))
    assert set(receipt) == {*fields, "signature"}
