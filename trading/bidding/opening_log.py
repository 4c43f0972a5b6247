"""What `trading audit verify` checks of every opening against the audit log (issue #17):
each line names the log entry of its own envelope below the deadline checkpoint, and every
bid whose current version was logged below that checkpoint has a line (completeness)."""

import sqlalchemy as sa

from ..audit.models import AuditEvent, TlogLeaf
from ..projects.models import Project
from .models import Bid, BidState, BidVersion, Opening, OpeningLine


def opening_log_problems(dbsession) -> list[str]:
    problems = []
    query = sa.select(Opening).where(Opening.log_size.is_not(None)).order_by(Opening.id)
    for opening in dbsession.scalars(query):
        number = dbsession.get(Project, opening.project_id).number
        problems += [f"opening of {number}: {p}" for p in _problems(dbsession, opening)]
    return problems


def _problems(dbsession, opening: Opening) -> list[str]:
    lines = {line.bid_id: line for line in dbsession.scalars(
        sa.select(OpeningLine).where(OpeningLine.opening_id == opening.id))}
    out = []
    for line in lines.values():
        if line.log_index is None:
            continue
        row = dbsession.execute(sa.select(TlogLeaf, AuditEvent).join(
            AuditEvent, AuditEvent.seq == TlogLeaf.event_seq).where(
            TlogLeaf.idx == line.log_index)).first()
        event = row[1] if row else None
        if (row is None or line.log_index >= opening.log_size
                or event.action != "bid.submitted"
                or (event.data or {}).get("envelope_sha256") != line.envelope_sha256):
            out.append(f"line of bid {line.bid.public_id} names entry {line.log_index}, "
                       "which does not log its envelope below the deadline checkpoint")
    logged = dbsession.execute(
        sa.select(Bid, TlogLeaf.idx).join(BidVersion, sa.and_(
            BidVersion.bid_id == Bid.id, BidVersion.version == Bid.current_version))
        .join(TlogLeaf, TlogLeaf.event_seq == BidVersion.audit_seq)
        .where(Bid.project_id == opening.project_id, Bid.state == BidState.SUBMITTED,
               TlogLeaf.idx < opening.log_size))
    for bid, index in logged:
        if bid.id not in lines:
            out.append(f"bid {bid.public_id} logged at entry {index} below the deadline "
                       f"checkpoint ({opening.log_size} entries) is not in the record")
    return out
