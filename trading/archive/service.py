"""Building a project's archive package from what every domain published about it."""

import io
import json
import re
from datetime import datetime

import sqlalchemy as sa

from bid_crypto import tlog

from ..audit import merkle
from ..audit.models import AuditEvent, TlogCheckpoint, TlogLeaf, TlogPending
from ..audit.service import row_payload
from ..db import registry_of
from ..keys import project_algorithm
from ..projects import notices
from ..projects.kinds import Regime
from ..projects.models import Project
from ..projects.status import FINAL, ProjectStatus
from .events import ArchiveAssembling
from .models import ArchivePackage
from .package import (
    LOG_PROOFS,
    PERMANENT,
    Y15,
    Y30,
    Entry,
    longest,
    manifest_for,
    write_package,
)
from .sources import award_records, contracts, draw_records, evaluation_reports, opening_record

# What the archive reads from other domains itself (archive/sources.py); a domain adds
# what only it knows through the ArchiveAssembling event.
SOURCES = (opening_record, draw_records, evaluation_reports, award_records, contracts)
ARCHIVABLE = FINAL | {ProjectStatus.ARCHIVED}


def _slug(text: str) -> str:
    return re.sub(r"[^\w.\-]+", "_", text)[:120] or "file"


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1,
                      default=str).encode("utf-8")


class ArchiveService:
    def __init__(self, dbsession, clock, storage, keys, settings=None):
        self.db = dbsession
        self.clock = clock
        self.storage = storage
        self.keys = keys
        self.settings = settings if settings is not None else registry_of(dbsession).settings

    def archive(self, project: Project) -> ArchivePackage | None:
        """Write the package once; a second call (or a rerun after a crash) finds it."""
        if project.status not in ARCHIVABLE:
            return None
        existing = self.db.scalar(sa.select(ArchivePackage).where(
            ArchivePackage.project_id == project.id))
        if existing is not None:
            return existing
        entries = self.entries(project)
        stamp = project.status_changed_at
        algorithm = project_algorithm(project)
        manifest = manifest_for(self._facts(project), entries,
                                self.keys.public_key_for(algorithm), stamp.isoformat())
        buffer = io.BytesIO()
        write_package(buffer, manifest, self.keys.sign(manifest, algorithm), entries,
                      _zip_time(stamp))
        buffer.seek(0)
        stored = self.storage.put(buffer)
        package = ArchivePackage(project_id=project.id, sha256=stored.sha256, size=stored.size,
                                 files=len(entries), created_at=self.clock(),
                                 retention=longest(e.retention for e in entries))
        self.db.add(package)
        self.db.flush()
        return package

    def entries(self, project: Project) -> list[Entry]:
        retention = Y15 if project.regime is Regime.GOVERNMENT_PROCUREMENT else Y30
        entries = [Entry("project.json", _json(self._facts(project)), retention)]
        entries += [Entry(f"announcements/{a.id:06d}-{a.kind}.json",
                          _json({"title": a.title, "kind": a.kind, "body": a.body,
                                 "changes": a.changes,
                                 "published_at": a.published_at.isoformat()}), retention)
                    for a in project.announcements]
        # Each notice as published with the platform's signature (bid_crypto FORMAT.md
        # §7.1): `python -m bid_crypto verify-notice` checks it from the package alone.
        entries += [Entry(f"announcements/{a.id:06d}-{a.kind}.notice.json",
                          _json(signed), retention)
                    for a in project.announcements
                    if (signed := notices.document(a)) is not None]
        for doc in project.documents:
            with self.storage.open(doc.sha256) as fh:
                entries.append(Entry(f"documents/{doc.id:06d}-{_slug(doc.filename)}",
                                     fh.read(), retention))
        events = self._audit_events(project)
        entries.append(Entry("audit.jsonl", _audit_lines(events), PERMANENT))
        entries.append(Entry(LOG_PROOFS, _json(self._log_proofs(events)), PERMANENT))
        for source in SOURCES:
            entries += source(self.db, project, retention)
        assembling = ArchiveAssembling(self.db, project, retention)
        registry_of(self.db).notify(assembling)
        return entries + assembling.entries

    @staticmethod
    def _facts(project: Project) -> dict:
        return {"id": project.id, "number": project.number, "name": project.name,
                "regime": str(project.regime), "status": str(project.status),
                "owner": project.owner.name, "budget_fen": project.budget,
                "lots": [{"number": lot.number, "name": lot.name, "budget_fen": lot.budget,
                          "ceiling_price_fen": lot.ceiling_price} for lot in project.lots]}

    def _audit_events(self, project: Project) -> list[AuditEvent]:
        query = sa.select(AuditEvent).where(AuditEvent.subject_type == "project",
                                            AuditEvent.subject_id == str(project.id)
                                            ).order_by(AuditEvent.seq)
        return list(self.db.scalars(query))

    def _log_proofs(self, events: list[AuditEvent]) -> dict:
        """Each row's place in the transparency log and its inclusion proof, against the
        first signed checkpoint that holds them all (fixed once it exists, so a rebuild
        gives the same bytes); the rows still queued are sequenced first."""
        seqs = [e.seq for e in events]
        if seqs and self.db.scalar(sa.select(TlogPending.id).where(
                TlogPending.id.in_(seqs)).limit(1)) is not None:
            merkle.sequence(self.db, self.keys, self.settings, now=self.clock())
        leaves = dict(self.db.execute(sa.select(TlogLeaf.event_seq, TlogLeaf.idx)
                                      .where(TlogLeaf.event_seq.in_(seqs))).all()) if seqs else {}
        cp = self.db.scalar(sa.select(TlogCheckpoint).where(
            TlogCheckpoint.size > max(leaves.values(), default=-1))
            .order_by(TlogCheckpoint.size).limit(1))
        if cp is None:
            return {"checkpoint": None, "entries": []}
        return {"log_key": merkle.log_verifier(self.keys, self.settings).vkey(),
                "checkpoint": cp.note, "size": cp.size,
                "entries": [{"seq": seq, "index": idx, "proof": [
                    tlog.b64(h) for h in merkle.inclusion(self.db, idx, cp.size)]}
                    for seq, idx in sorted(leaves.items())]}

    def due(self, limit: int = 100) -> list[int]:
        """Final projects without a package: what the periodic catch-up archives."""
        query = (sa.select(Project.id).outerjoin(ArchivePackage,
                                                 ArchivePackage.project_id == Project.id)
                 .where(Project.status.in_([str(s) for s in ARCHIVABLE]),
                        ArchivePackage.id.is_(None)).limit(limit))
        return list(self.db.scalars(query))


def _zip_time(stamp: datetime) -> tuple:
    return stamp.timetuple()[:6]


def _audit_lines(events: list[AuditEvent]) -> bytes:
    """The project's audit rows with their hashes: each is a leaf of the log, proved in
    audit-log-proofs.json against a signed checkpoint."""
    lines = [json.dumps({**row_payload(e), "prev_hash": e.prev_hash, "hash": e.hash},
                        ensure_ascii=False, sort_keys=True) for e in events]
    return ("\n".join(lines) + "\n").encode("utf-8")
