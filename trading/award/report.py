"""The signed 定标报告 as a published document, and its offline verification (pure).

When the last award-committee member signs, the report body is fixed, its SHA-256 is
taken over the canonical JSON below, and the platform signs that digest with its Ed25519
key. The published document carries all four, so anyone can check it with nothing but
the document and, to pin it, the platform's public key (`trading award verify`):

    {"format": FORMAT, "report": {...}, "sha256": hex, "signature": hex,
     "signing_key": hex}

The signed message is ``FORMAT ":" sha256`` — the format name keeps a report signature
from ever being valid as a signature over some other platform object.
"""

import hashlib
import json
from dataclasses import dataclass, field

from bid_crypto.receipts import verify_signature

FORMAT = "trading-award-report-v1"


def canonical(report: dict) -> bytes:
    """The exact bytes the digest is taken over (sorted keys, no spaces, UTF-8)."""
    return json.dumps(report, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def digest(report: dict) -> str:
    return hashlib.sha256(canonical(report)).hexdigest()


def signing_message(report_sha256: str) -> bytes:
    return f"{FORMAT}:{report_sha256}".encode()


def document(report: dict, signature_hex: str, key_raw: bytes) -> dict:
    return {"format": FORMAT, "report": report, "sha256": digest(report),
            "signature": signature_hex, "signing_key": key_raw.hex()}


@dataclass
class VerifyReport:
    ok: bool
    problems: list = field(default_factory=list)
    sha256: str = ""
    signing_key: str = ""


def verify_document(doc, expected_key: bytes | None = None) -> VerifyReport:
    """Check format, digest, key pin and signature; name every problem found."""
    if isinstance(doc, (bytes, str)):
        try:
            doc = json.loads(doc)
        except ValueError as exc:
            return VerifyReport(False, [f"not JSON: {exc}"])
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return VerifyReport(False, [f"not a signed award report (format {FORMAT} expected)"])
    if not isinstance(doc.get("report"), dict):
        return VerifyReport(False, ["the document holds no report"])
    problems, computed = [], digest(doc["report"])
    if computed != doc.get("sha256"):
        problems.append(f"report digest mismatch: the report was altered after signing "
                        f"(computed {computed}, document says {doc.get('sha256')})")
    key_hex = str(doc.get("signing_key", ""))
    if expected_key is not None and key_hex != expected_key.hex():
        problems.append(f"signed with key {key_hex or '(none)'}, not the platform key given "
                        f"({expected_key.hex()})")
    elif not _signature_ok(key_hex, computed, str(doc.get("signature", ""))):
        problems.append("platform signature does not verify: the report or its digest was "
                        "altered, or it was not signed by this key")
    return VerifyReport(not problems, problems, computed, key_hex)


def _signature_ok(key_hex: str, report_sha256: str, signature_hex: str) -> bool:
    """Ed25519 (32-byte key) or SM2 (65-byte key, 国密 projects): the key says which."""
    try:
        return verify_signature(bytes.fromhex(key_hex), signing_message(report_sha256),
                                bytes.fromhex(signature_hex))
    except (ValueError, TypeError):
        return False
