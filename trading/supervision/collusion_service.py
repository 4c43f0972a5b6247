"""Collusion scans: after a project's opening, gather each lot's facts, run the pure
checks (`collusion.detect`) and store the signals with the project.

The facts come from other domains' tables, read only: the opening record (prices,
offer.json, document hashes), every envelope version, sign-ups, downloads and decryption
shares with their address and device, and the bidders' registered contacts.
"""

import json
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from ..accounts.models import Organisation
from ..actor import Actor
from ..archive.package import Entry
from ..audit.service import record
from ..bidding.models import (
    Bid,
    BidVersion,
    DecryptionShareRecord,
    LineStatus,
    Opening,
    OpeningLine,
    OpeningState,
)
from ..projects.models import DocumentDownload, Lot, Project, ProjectDocument, SignUp
from .collusion import LABELS, LEVEL_LABELS, RULES_VERSION, BidderFacts, Level, Trace, describe
from .collusion import detect as detect_signals
from .models import CollusionScan, CollusionSignal

SYSTEM = Actor.system("collusion_scan")
OPENED = (LineStatus.DECRYPTED, LineStatus.INVALID)
LEVEL_ORDER = list(Level)


@dataclass(frozen=True)
class Flagged:
    """A lot with signals, for the dashboard."""

    project_id: int
    number: str
    name: str
    lot_number: int
    lot_name: str
    counts: dict  # level → number of signals
    total: int


class CollusionService:
    def __init__(self, dbsession, clock):
        self.db = dbsession
        self.clock = clock

    # -- scanning ---------------------------------------------------------------------------

    def scan(self, project: Project) -> CollusionScan | None:
        """Check every lot of a finished opening once; later calls return the same scan."""
        done = self.scan_of(project)
        if done is not None:
            return done
        opening = self.db.scalar(sa.select(Opening).where(Opening.project_id == project.id))
        if opening is None or opening.state is not OpeningState.DONE:
            return None
        now = self.clock()
        known = set(self.db.scalars(sa.select(ProjectDocument.sha256).where(
            ProjectDocument.project_id == project.id)))
        facts = self._facts(project, opening)
        summary, total = [], 0
        for lot in sorted(project.lots, key=lambda x: x.number):
            bidders = facts.get(lot.id, [])
            found = detect_signals(bidders, known_documents=known)
            self.db.add_all(CollusionSignal(
                project_id=project.id, lot_id=lot.id, kind=str(s.kind), level=str(s.level),
                bidder_org_ids=list(s.bidders), evidence=s.evidence, created_at=now)
                for s in found)
            summary.append({"lot_id": lot.id, "number": lot.number, "bidders": len(bidders),
                            "signals": len(found)})
            total += len(found)
        scan = CollusionScan(project_id=project.id, rules_version=RULES_VERSION,
                             scanned_at=now, lots=summary)
        self.db.add(scan)
        self.db.flush()
        # Counts only: the evidence (addresses, contacts) stays in its own table.
        record(self.db, SYSTEM, "collusion.scanned", "project", project.id, now=now,
               rules=RULES_VERSION, signals=total)
        return scan

    def _facts(self, project: Project, opening: Opening) -> dict[int, list[BidderFacts]]:
        lines = list(self.db.scalars(sa.select(OpeningLine).where(
            OpeningLine.opening_id == opening.id).order_by(OpeningLine.id)))
        bids = {b.id: b for b in self.db.scalars(sa.select(Bid).where(
            Bid.project_id == project.id))}
        orgs = {o.id: o for o in self.db.scalars(sa.select(Organisation).where(
            Organisation.id.in_({b.bidder_org_id for b in bids.values()})))}
        envelopes, traces = self._traces(project, bids)
        by_lot = defaultdict(list)
        for line in lines:
            org = orgs[bids[line.bid_id].bidder_org_id]
            opened = line.status in OPENED
            offer = (line.offer or {}) if opened else {}
            by_lot[line.lot_id].append(BidderFacts(
                org_id=org.id, name=org.name, envelopes=tuple(envelopes[line.bid_id]),
                offer_sha256=line.offer_sha256 if opened else None,
                documents=tuple((d["name"], d["sha256"]) for d in line.documents
                                if d.get("sha256")),
                price=line.total_price if opened else None,
                project_manager=str(offer.get("project_manager") or ""),
                contact_name=org.contact_name, contact_phone=org.contact_phone,
                contact_email=org.contact_email,
                traces=tuple(traces[(org.id, line.lot_id)] + traces[(org.id, None)]
                             + traces[("bid", line.bid_id)])))
        return by_lot

    def _traces(self, project, bids):
        envelopes, traces = defaultdict(list), defaultdict(list)
        versions = self.db.scalars(sa.select(BidVersion).where(
            BidVersion.bid_id.in_(list(bids))).order_by(BidVersion.bid_id, BidVersion.version))
        for v in versions:
            envelopes[v.bid_id].append(v.envelope_sha256)
            traces[("bid", v.bid_id)].append(Trace("submit", v.ip, v.device, v.received_at))
        shares = self.db.scalars(sa.select(DecryptionShareRecord).where(
            DecryptionShareRecord.bid_id.in_(list(bids))))
        for s in shares:
            traces[("bid", s.bid_id)].append(Trace("decrypt", s.ip, s.device, s.submitted_at))
        for s in self.db.scalars(sa.select(SignUp).where(SignUp.project_id == project.id)):
            traces[(s.bidder_org_id, s.lot_id)].append(
                Trace("signup", s.ip, s.device, s.signed_up_at))
        downloads = self.db.scalars(sa.select(DocumentDownload).where(
            DocumentDownload.project_id == project.id, DocumentDownload.org_id.is_not(None)))
        for d in downloads:  # a download is for the project, not one lot
            traces[(d.org_id, None)].append(Trace("download", d.ip, d.device, d.downloaded_at))
        return envelopes, traces

    # -- reading ----------------------------------------------------------------------------

    def scan_of(self, project: Project) -> CollusionScan | None:
        return self.db.scalar(sa.select(CollusionScan).where(
            CollusionScan.project_id == project.id))

    def signals(self, project: Project) -> list[CollusionSignal]:
        return list(self.db.scalars(sa.select(CollusionSignal).where(
            CollusionSignal.project_id == project.id).order_by(
            CollusionSignal.lot_id, CollusionSignal.id)))

    def evidence(self, project: Project, word=None) -> dict:
        """What the evidence page and API show: per lot, each signal in words (Chinese,
        or `word`'s: see collusion.describe)."""
        scan = self.scan_of(project)
        signals = self.signals(project)
        names = dict(self.db.execute(sa.select(Organisation.id, Organisation.name).where(
            Organisation.id.in_({i for s in signals for i in s.bidder_org_ids}))).all())
        lots = []
        for lot in sorted(project.lots, key=lambda x: x.number):
            mine = sorted((s for s in signals if s.lot_id == lot.id),
                          key=lambda s: (LEVEL_ORDER.index(Level(s.level)), s.id))
            lots.append({"lot_id": lot.id, "number": lot.number, "name": lot.name,
                         "signals": [self._signal_json(s, names, word) for s in mine]})
        return {"project_id": project.id, "number": project.number,
                "scanned_at": scan.scanned_at.isoformat() if scan else None,
                "rules_version": scan.rules_version if scan else None, "lots": lots,
                "advisory": "以下信号仅供评标委员会和监管参考，是否构成串通投标由评标委员会认定"}

    @staticmethod
    def _signal_json(signal: CollusionSignal, names: dict, word=None) -> dict:
        return {"id": signal.id, "kind": signal.kind, "label": LABELS.get(signal.kind, ""),
                "level": signal.level, "level_label": LEVEL_LABELS.get(signal.level, ""),
                "bidders": [{"id": i, "name": names.get(i, "")}
                            for i in signal.bidder_org_ids],
                "evidence": signal.evidence,
                "summary": describe(signal.kind, signal.evidence, names, word)}

    def flagged_lots(self, limit: int = 50) -> list[Flagged]:
        """Lots with at least one signal, the newest scans first."""
        rows = self.db.execute(
            sa.select(Project.id, Project.number, Project.name, Lot.number, Lot.name,
                      CollusionSignal.level, sa.func.count(CollusionSignal.id))
            .join(Lot, Lot.id == CollusionSignal.lot_id)
            .join(Project, Project.id == CollusionSignal.project_id)
            .group_by(Project.id, Project.number, Project.name, Lot.id, Lot.number, Lot.name,
                      CollusionSignal.level)
            .order_by(Project.id.desc(), Lot.number)).all()
        flagged: dict = {}
        for pid, number, name, lot_number, lot_name, level, count in rows:
            key = (pid, lot_number)
            if key not in flagged:
                flagged[key] = Flagged(pid, number, name, lot_number, lot_name, {}, 0)
            flagged[key].counts[level] = count
        out = [Flagged(f.project_id, f.number, f.name, f.lot_number, f.lot_name,
                       {str(lv): f.counts[lv] for lv in LEVEL_ORDER if lv in f.counts},
                       sum(f.counts.values())) for f in flagged.values()]
        return out[:limit]


def archive_source(event) -> None:
    """ArchiveAssembling: the signals travel with the project's archive."""
    event.entries += _archive_entries(event.dbsession, event.project, event.retention)


def _archive_entries(dbsession, project, retention) -> list:
    service = CollusionService(dbsession, lambda: None)
    if service.scan_of(project) is None:
        return []
    body = json.dumps(service.evidence(project), ensure_ascii=False, sort_keys=True, indent=1)
    return [Entry("collusion-signals.json", body.encode("utf-8"), retention)]


def scan_after_opening(event) -> None:
    """OpeningCompleted: the record and documents are final now."""
    CollusionService(event.service.db, event.service.clock).scan(event.project)


def collusion_service_factory(context, request) -> CollusionService:
    return CollusionService(request.dbsession, request.clock)
