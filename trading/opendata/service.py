"""Recording releases when projects change, and serving them (feed, packages, records)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import ocdsmerge
import sqlalchemy as sa

from ..db import registry_of
from ..projects.kinds import LABELS
from ..projects.models import Project
from ..projects.status import PUBLIC
from .events import ReleaseAssembling
from .models import OcdsFeedLock, OcdsRelease
from .ocds import (
    NOTICE_TYPE,
    SCHEMA_DIR,
    BidsView,
    BidView,
    DocumentView,
    LotView,
    NoticeView,
    ProjectView,
    build_release,
    dump_json,
    load_json,
)

# The dereferenced release schema: ocdsmerge reads its merge rules from it.
SCHEMA = SCHEMA_DIR / "dereferenced-release-schema.json"
# How long an insert may stay uncommitted before a gap below it is taken as a rollback.
WATERMARK = timedelta(seconds=60)


# The opening record's line status on OCDS's closed bidStatus codelist (bids extension).
BID_STATUS = {"decrypted": "valid", "invalid": "disqualified", "revoked": "withdrawn",
              "system_failed": "withdrawn", "not_opened": None}


def bids_view(dbsession, project: Project) -> BidsView | None:
    """The public opening record (rules §7.5), read only, once the opening is done:
    before it nothing about bids is public, not even how many (Art 21)."""
    from ..accounts.models import Organisation
    from ..bidding.models import Bid, Opening, OpeningLine, OpeningState

    opening = dbsession.scalar(sa.select(Opening).where(Opening.project_id == project.id))
    if opening is None or opening.state is not OpeningState.DONE:
        return None
    lots = {lot.id: lot.number for lot in project.lots}
    # The columns the release shows, not the lines: a thousand offers' JSON is not decoded
    # again for a release written in the opening's own transaction.
    rows = dbsession.execute(
        sa.select(OpeningLine.lot_id, OpeningLine.submitted_at, OpeningLine.status,
                  OpeningLine.total_price, Bid.public_id, Organisation.name,
                  Organisation.credit_code)
        .join(Bid, Bid.id == OpeningLine.bid_id)
        .join(Organisation, Organisation.id == Bid.bidder_org_id)
        .where(OpeningLine.opening_id == opening.id).order_by(OpeningLine.id)).all()
    return BidsView(opening.completed_at, tuple(
        BidView(id=f"{project.number}-{lots[lot_id]}-{public_id}", lot=lots[lot_id],
                bidder_name=name, bidder_code=code, date=submitted_at,
                status=BID_STATUS[str(status)],
                price=price if str(status) in ("decrypted", "invalid") else None)
        for lot_id, submitted_at, status, price, public_id, name, code in rows))


def notices_view(project: Project, base_url: str = "") -> tuple[NoticeView, ...]:
    """The project's signed notices, each pointing at its notice.json."""
    return tuple(NoticeView(a.id, a.kind, a.title, a.published_at, a.signing_algorithm,
                            f"{base_url}/projects/{project.id}/announcements/{a.id}/notice.json")
                 for a in project.announcements if a.signature and a.kind in NOTICE_TYPE)


def project_view(project: Project, bids: BidsView | None = None,
                 notices: tuple[NoticeView, ...] = ()) -> ProjectView:
    """Only public facts: no sign-ups, no downloads, no bid contents; bids (who bid, when,
    the price read at the opening) once the opening is done."""
    return ProjectView(
        number=project.number, name=project.name, description=project.description,
        status=str(project.status), procurement_method=str(project.procurement_method),
        method_label=LABELS[project.procurement_method], object_type=str(project.object_type),
        budget=project.budget, region=project.region, owner_name=project.owner.name,
        owner_code=project.owner.credit_code, published_at=project.published_at,
        doc_start=project.doc_start, clarification_deadline=project.clarification_deadline,
        bid_deadline=project.bid_deadline,
        lots=tuple(LotView(lot.number, lot.name, lot.budget) for lot in project.lots),
        documents=tuple(DocumentView(d.id, d.kind, d.filename, d.content_type, d.sha256,
                                     d.uploaded_at) for d in project.documents),
        bids=bids, notices=notices,
    )


def _merge_parts(release: dict, dbsession, project: Project) -> dict:
    """What other domains add to the release (opendata.events.ReleaseAssembling)."""
    registry_of(dbsession).notify(ReleaseAssembling(dbsession, project, release))
    return release


class OpenDataService:
    def __init__(self, dbsession, clock, settings):
        self.db = dbsession
        self.clock = clock
        self.prefix = settings.get("ocds.prefix", "ocds-yg0000")
        self.base_url = str(settings.get("trading.public_url") or "").rstrip("/")

    def record_event(self, project: Project, event: str) -> OcdsRelease | None:
        """A release for a public project's stage change; drafts never publish anything."""
        if project.status not in PUBLIC or project.published_at is None:
            return None
        self._take_feed_lock()
        seq = 1 + self.db.scalar(sa.select(sa.func.count()).select_from(OcdsRelease).where(
            OcdsRelease.project_id == project.id))
        now = self.clock()
        # Whatever status a project is first seen in publicly, its first release is "tender".
        event = "published" if seq == 1 else event
        release = _merge_parts(
            build_release(project_view(project, bids_view(self.db, project),
                                       notices_view(project, self.base_url)),
                          prefix=self.prefix, seq=seq, event=event, date=now),
            self.db, project)
        row = OcdsRelease(project_id=project.id, ocid=release["ocid"], release_id=release["id"],
                          tag=release["tag"][0], date=now, data_json=dump_json(release),
                          created_at=now)
        self.db.add(row)
        self.db.flush()
        return row

    def _take_feed_lock(self) -> None:
        taken = self.db.execute(sa.update(OcdsFeedLock).where(OcdsFeedLock.id == 1)
                                .values(taken_at=self.clock())).rowcount
        if not taken:  # the migration seeds the row; a bare schema may lack it
            self.db.add(OcdsFeedLock(id=1, taken_at=self.clock()))
            self.db.flush()

    def record_smallwork(self, work, *, quote_window) -> OcdsRelease:
        """A release for a public small work's step (its first one is the tender)."""
        from .smallworks import build_smallworks_release, smallwork_view

        self._take_feed_lock()
        seq, first = self.db.execute(
            sa.select(sa.func.count(), sa.func.min(OcdsRelease.date))
            .where(OcdsRelease.smallwork_id == work.id)).one()
        now = self.clock()
        view = smallwork_view(self.db, work, published_at=first or now,
                              quote_window=quote_window)
        release = build_smallworks_release(view, prefix=self.prefix, seq=seq + 1, date=now)
        row = OcdsRelease(smallwork_id=work.id, ocid=release["ocid"],
                          release_id=release["id"], tag=release["tag"][0], date=now,
                          data_json=dump_json(release), created_at=now)
        self.db.add(row)
        self.db.flush()
        return row

    def smallwork_releases(self, work_id: int) -> list[dict]:
        query = sa.select(OcdsRelease).where(OcdsRelease.smallwork_id == work_id).order_by(
            OcdsRelease.id)
        return [load_json(r.data_json) for r in self.db.scalars(query)]

    def releases_of(self, project_id: int) -> list[dict]:
        query = sa.select(OcdsRelease).where(OcdsRelease.project_id == project_id).order_by(
            OcdsRelease.id)
        return [load_json(r.data_json) for r in self.db.scalars(query)]

    def compiled(self, project_id: int) -> dict | None:
        releases = self.releases_of(project_id)
        if not releases:
            return None
        return merger().create_compiled_release(releases)

    def feed(self, after: int, limit: int) -> "FeedPage":
        """Releases after the cursor, stopping at a gap younger than the watermark.

        Ids are taken at insert; a transaction that commits late leaves a gap that fills
        afterwards. Serving past such a gap would let a crawler skip the late release, so
        the page ends before it until the gap is older than WATERMARK (then it was a
        rollback and stays empty for ever). The first line of defence is upstream: every
        release is written after its transaction took the feed lock row (an UPDATE,
        locked until commit), so release writers queue and ids follow commit order.
        """
        rows = list(self.db.scalars(sa.select(OcdsRelease).where(OcdsRelease.id > after)
                                    .order_by(OcdsRelease.id).limit(limit)))
        return FeedPage(*_contiguous(rows, after, self.clock() - WATERMARK))


def _contiguous(rows, after: int, settled: datetime):
    served, cursor = [], after
    for row in rows:
        if row.id != cursor + 1 and row.created_at > settled:
            break
        served.append(row)
        cursor = row.id
    return served, cursor


@dataclass(frozen=True)
class FeedPage:
    rows: list
    cursor: int


@lru_cache(maxsize=1)
def merger() -> ocdsmerge.Merger:
    """Merge rules from the bundled OCDS 1.1.5 schema: ocdsmerge would otherwise download it."""
    return ocdsmerge.Merger(schema=str(SCHEMA))
