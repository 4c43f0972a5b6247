"""Offline check of a signed document PDF: no ini, no database, no network unless asked.

1. exactly one signature, intact, valid, over the entire file (nothing appended after it);
2. made by the certificate the caller pinned — a certificate inside the PDF is never
   trusted, whoever forged the file would have put their own there;
3. the embedded ``record.json`` is a record of this format;
4. and, given the record as the platform gives it now (``--record`` file or ``--fetch``),
   the two are the same, else the first difference is named.
"""

import io
import json
from dataclasses import dataclass, field

from .record import FORMAT, canonical, record_sha256

RECORD_NAME = "record.json"


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    record: dict | None = None
    signer: str = ""
    signed_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def load_certificate(data: bytes) -> bytes:
    """DER of a PEM or DER certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
            else x509.load_der_x509_certificate(data))
    return cert.public_bytes(Encoding.DER)


def _embedded_record(reader) -> bytes | None:
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return None
    for i in range(0, len(names) - 1, 2):
        if str(names[i]) == RECORD_NAME:
            return names[i + 1]["/EF"]["/F"].data
    return None


def _signature_problems(reader, pinned_der: bytes, verdict: Verdict) -> list[str]:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    signatures = reader.embedded_signatures
    if not signatures:
        return ["the PDF carries no signature: not a document signed by the platform"]
    if len(signatures) > 1:
        return [f"the PDF carries {len(signatures)} signatures; a platform document has one"]
    pinned = asn1_x509.Certificate.load(pinned_der)
    context = ValidationContext(trust_roots=[pinned], allow_fetching=False)
    try:
        status = validate_pdf_signature(signatures[0], context)
    except Exception as exc:  # noqa: BLE001 — pyHanko raises many kinds for a bad file
        return [f"the signature cannot be checked: {exc}"]
    verdict.signer = status.signing_cert.subject.human_friendly
    verdict.signed_at = status.signer_reported_dt.isoformat() \
        if status.signer_reported_dt else ""
    if not status.intact:
        return ["the document was altered after signing: its content no longer matches "
                "the signature's digest"]
    if not status.valid:
        return ["the signature does not verify"]
    if status.signing_cert.dump() != pinned.dump():
        return [f"signed by another certificate ({verdict.signer}, SHA-256 "
                f"{status.signing_cert.sha256.hex()}), not the pinned platform certificate "
                f"(SHA-256 {pinned.sha256.hex()})"]
    if not status.trusted:
        return ["the signing certificate is not trusted under the pinned certificate"]
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return ["content was added to the PDF after it was signed (an incremental update): "
                "what a reader shows is not what the platform signed"]
    return []


def _difference(a, b, path="record") -> str:
    """The first place where two JSON values differ, for the message."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b or a[key] != b[key]:
                return _difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _difference(x, y, f"{path}[{i}]")
    return f"{path}: the PDF says {json.dumps(a, ensure_ascii=False)[:120]}, " \
           f"the record says {json.dumps(b, ensure_ascii=False)[:120]}"


def verify_pdf(data: bytes, pinned_cert: bytes, expected: dict | None = None) -> Verdict:
    """``pinned_cert``: DER or PEM; ``expected``: the record as the platform gives it now."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    verdict = Verdict()
    try:
        pinned_der = load_certificate(pinned_cert)
    except ValueError as exc:
        verdict.problems.append(f"the pinned certificate cannot be read: {exc}")
        return verdict
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        problems = _signature_problems(reader, pinned_der, verdict)
        embedded = _embedded_record(reader)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        verdict.problems.append(f"not a readable PDF: {exc}")
        return verdict
    verdict.problems += problems
    if embedded is None:
        verdict.problems.append(f"the PDF embeds no {RECORD_NAME}")
        return verdict
    try:
        record = json.loads(embedded)
    except ValueError:
        verdict.problems.append(f"the embedded {RECORD_NAME} is not JSON")
        return verdict
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        verdict.problems.append(f"the embedded {RECORD_NAME} is not a {FORMAT} record")
        return verdict
    verdict.record = record
    if expected is not None and canonical(expected) != canonical(record):
        verdict.problems.append("the content differs from the platform's record: "
                                + _difference(record, expected))
    return verdict


__all__ = ["Verdict", "load_certificate", "record_sha256", "verify_pdf"]
