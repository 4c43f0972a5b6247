"""Signed public notices (公告) — the one signing mechanism of every published notice.

Projects' announcements (trading.projects.notices) and the notices of the other trades —
the small-works result publicity (小额工程结果公示) and the supermarket's selection result
(中介超市中选结果公示), stored here as ``PublishedNotice`` — are signed by the platform when
they are published (bid_crypto.notices, FORMAT.md §7.1) and published as ``notice.json``,
which anyone checks offline with
``python -m bid_crypto verify-notice --platform-key platform.pub notice.json``.
"""

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy.orm import Mapped, mapped_column

from bid_crypto import InvalidNotice, notice_message, sign_notice, verify_notice
from bid_crypto.encoding import format_timestamp
from bid_crypto.receipts import ED25519

from .config import ConfigError
from .db.meta import Base
from .db.types import UTCDateTime
from .files import serve_bytes


def sign_fields(keys, fields: dict) -> tuple[str, str]:
    """Sign a notice's fields with the platform key of ``fields['algorithm']``; returns the
    signature and the SHA-256 of the signed message (for the audit row, so the
    transparency log pins what was published)."""
    if keys is None:
        raise ConfigError("no platform keys: a notice cannot be published unsigned")
    document = sign_notice(keys.signer(fields["algorithm"]), fields)
    message = notice_message({k: v for k, v in document.items() if k != "signature"})
    return document["signature"], hashlib.sha256(message).hexdigest()


def verify_document(keys, document: dict | None) -> bool:
    """A stored notice still matches its signature under the platform's key."""
    if document is None:
        return False
    try:
        verify_notice(keys.signer(document["algorithm"]).public_key(), document)
    except InvalidNotice:
        return False
    return True


class PublishedNotice(Base):
    """A signed notice of a trade without projects' announcements: its whole text as
    published, so the signature is checked against exactly what the public read."""

    __tablename__ = "published_notices"
    __table_args__ = (sa.Index("ix_published_notices_subject", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(32))  # smallworks | intermediaries
    subject_id: Mapped[int]
    number: Mapped[str] = mapped_column(sa.String(128))  # signed as the notice's "project"
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signature: Mapped[str] = mapped_column(sa.String(128))
    signing_algorithm: Mapped[str] = mapped_column(sa.String(16))


def _fields(notice: PublishedNotice, algorithm: str) -> dict:
    return {"project": notice.number, "notice": f"{notice.subject}-{notice.id}",
            "kind": notice.kind, "title": notice.title, "body": notice.body,
            "published_at": format_timestamp(notice.published_at), "algorithm": algorithm}


def publish(db, keys, *, subject: str, subject_id: int, number: str, title: str, body: str,
            published_at: datetime, kind: str = "result",
            algorithm: str = ED25519) -> tuple[PublishedNotice, str]:
    """Publish and sign a notice (Ed25519: these trades have no 国密 suite); returns it and
    the SHA-256 of the signed message."""
    notice = PublishedNotice(subject=subject, subject_id=subject_id, number=number, kind=kind,
                             title=title[:300], body=body, published_at=published_at,
                             signature="", signing_algorithm=algorithm)
    db.add(notice)
    db.flush()
    notice.signature, signed = sign_fields(keys, _fields(notice, algorithm))
    return notice, signed


def latest(db, subject: str, subject_id: int) -> PublishedNotice | None:
    """The notice now in force (a new selection publishes a new one)."""
    return db.scalar(sa.select(PublishedNotice)
                     .where(PublishedNotice.subject == subject,
                            PublishedNotice.subject_id == subject_id)
                     .order_by(PublishedNotice.id.desc()).limit(1))


def document(notice: PublishedNotice) -> dict:
    """The signed notice as published (notice.json)."""
    return {**_fields(notice, notice.signing_algorithm), "signature": notice.signature}


def verify(keys, notice: PublishedNotice) -> bool:
    return verify_document(keys, document(notice))


def page(request, notice: PublishedNotice | None, route: str, **route_args) -> dict:
    """What a result page shows of its notice: the text, the signature checked now, and
    the link to notice.json (templates/published_notice.jinja2)."""
    if notice is None:
        return {"notice": None, "sig": None}
    return {"notice": notice, "sig": {
        "algorithm": notice.signing_algorithm, "valid": verify(request.registry["keys"], notice),
        "filename": f"notice-{notice.subject}-{notice.id}.json",
        "url": request.route_url(route, **route_args)}}


def notice_json(notice: PublishedNotice | None):
    """notice.json: the notice and the platform's signature (404 before any is published)."""
    if notice is None:
        raise HTTPNotFound()
    body = json.dumps(document(notice), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return serve_bytes(body.encode(), f"notice-{notice.subject}-{notice.id}.json",
                       "application/json")


def api_json(notice: PublishedNotice | None, signed_document: str) -> dict | None:
    """A result notice in the API: its text and the platform's signature (null before)."""
    if notice is None:
        return None
    return {"id": notice.id, "kind": notice.kind, "title": notice.title, "body": notice.body,
            "published_at": format_timestamp(notice.published_at),
            "algorithm": notice.signing_algorithm, "signature": notice.signature,
            "signed_document": signed_document}
