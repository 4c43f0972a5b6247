"""Signed notices (公告): every announcement is signed by the platform when it is published
(bid_crypto.notices, FORMAT.md §7.1) — Ed25519, or SM2 with SM3 and the GB/T 32918.2 signer
ID for a project of a national suite (国密) — and published beside the notice as
``notice.json``, which anyone checks offline with
``python -m bid_crypto verify-notice --platform-key platform-sm2.pub notice.json``."""

from bid_crypto.encoding import format_timestamp

from ..keys import project_algorithm
from ..notices import sign_fields, verify_document
from .models import Announcement


def notice_fields(item: Announcement, algorithm: str) -> dict:
    """The signed fields, from the stored notice (the same bytes at every reading)."""
    return {"project": item.project.number, "notice": str(item.id), "kind": item.kind,
            "title": item.title, "body": item.body,
            "published_at": format_timestamp(item.published_at), "algorithm": algorithm}


def sign(keys, item: Announcement) -> str:
    """Sign a just-published notice; returns the SHA-256 of the signed document's message
    (for the audit row, so the transparency log pins what was published)."""
    algorithm = project_algorithm(item.project)
    signature, signed = sign_fields(keys, notice_fields(item, algorithm))
    item.signature, item.signing_algorithm = signature, algorithm
    return signed


def document(item: Announcement) -> dict | None:
    """The signed notice as published (notice.json); None for a notice never signed."""
    if item.signature is None:
        return None
    return {**notice_fields(item, item.signing_algorithm), "signature": item.signature}


def verify(keys, item: Announcement) -> bool:
    """The stored notice still matches its signature under the platform's key."""
    return verify_document(keys, document(item))
