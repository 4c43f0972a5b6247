"""The opened bid documents the committee reads (网上评标, rules §4.4 and §7.6).

After the opening, the platform decrypts the documents of every bid that goes on to
evaluation into storage (``OpeningService.store_documents``), each named in its opening
line with its size and SHA-256. Only the signed-in members of that project's committee may
read them, once the evaluation has started (the ``EVALUATION_BIDS`` permission of the
evaluation resource); every read is audited, so the record says who saw which bid when.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from ..actor import Actor
from ..audit.service import record
from ..bidding.models import LineStatus, Opening, OpeningLine
from ..errors import NotFound
from ..files import INLINE_SAFE, sniff_file
from ..projects.models import Project


@dataclass(frozen=True)
class BidDocument:
    index: int  # position in the opening line's document list (the URL names it)
    name: str
    size: int
    sha256: str
    mime: str

    @property
    def viewable(self) -> bool:
        """Shown in the browser only when the type cannot run script (PDF, images)."""
        return self.mime in INLINE_SAFE


@dataclass(frozen=True)
class OpenedBid:
    line: OpeningLine
    documents: tuple[BidDocument, ...]


def opening_of(db, project: Project) -> Opening | None:
    return db.scalar(sa.select(Opening).where(Opening.project_id == project.id))


def opened_bids(db, storage, project: Project) -> list[OpenedBid]:
    """Every decrypted bid whose documents were stored, by lot then bidder, with each
    document's type sniffed from its stored bytes (never the bidder's file name)."""
    opening = opening_of(db, project)
    if opening is None or opening.documents_stored_at is None:
        return []
    lines = db.scalars(sa.select(OpeningLine).where(
        OpeningLine.opening_id == opening.id, OpeningLine.status == LineStatus.DECRYPTED)
        .order_by(OpeningLine.lot_id, OpeningLine.bid_id)).all()
    found = []
    for line in lines:
        docs = tuple(_document(storage, index, d) for index, d in enumerate(line.documents)
                     if d.get("sha256") and storage.exists(d["sha256"]))
        if docs:
            found.append(OpenedBid(line, docs))
    return found


def _document(storage, index: int, d: dict) -> BidDocument:
    return BidDocument(index, d["name"], int(d.get("size") or 0), d["sha256"],
                       sniff_file(storage.path_for(d["sha256"])))


def read_document(db, storage, clock, project: Project, bid_id: int, index: int, *,
                  actor: Actor) -> BidDocument:
    """One stored document of an opened bid of this project, the read audited."""
    bid = next((b for b in opened_bids(db, storage, project) if b.line.bid_id == bid_id),
               None)
    document = next((d for d in bid.documents if d.index == index), None) if bid else None
    if document is None:
        raise NotFound("投标文件不存在")
    record(db, actor, "evaluation.bid_document_read", "project", project.id, now=clock(),
           bid_id=bid_id, document=document.name, sha256=document.sha256)
    return document
