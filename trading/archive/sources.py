"""What the archive package takes from other domains (archive.service.SOURCES), read only:
the opening record (开标记录, rules §7.5) and the project's draw records (architecture §8).
"""

import json

import sqlalchemy as sa

from .package import PERMANENT, Entry


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1,
                      default=str).encode("utf-8")


def opening_record(dbsession, project, retention) -> list[Entry]:
    """The record as the opening hall publishes it once done, with its header."""
    from ..bidding.models import DecryptionShareRecord, Opening, OpeningState
    from ..bidding.opening import OpeningService

    opening = dbsession.scalar(sa.select(Opening).where(Opening.project_id == project.id))
    if opening is None or opening.state is not OpeningState.DONE:
        return []
    lines = OpeningService(dbsession, None, None, None).lines(opening)
    shared = set(dbsession.scalars(sa.select(DecryptionShareRecord.bid_id).where(
        DecryptionShareRecord.bid_id.in_([line.bid_id for line in lines]))))
    body = {"project": project.number, "custody": str(opening.custody),
            "started_at": opening.started_at.isoformat(),
            "completed_at": opening.completed_at.isoformat(), "outcome": opening.outcome,
            "reason": opening.reason, "lots": opening.lots,
            "lines": [OpeningService._line_json(line, opening, line.bid_id in shared, None)
                      for line in lines],
            "envelopes": [{"bid_id": line.bid_id, "version": line.version,
                           "envelope_sha256": line.envelope_sha256,
                           "offer_sha256": line.offer_sha256} for line in lines]}
    return [Entry("opening/record.json", _json(body), retention)]


def draw_records(dbsession, project, retention) -> list[Entry]:
    """Every public draw record about the project; permanent, like the audit slice."""
    from ..draws.services import DrawService

    draws = DrawService(dbsession, None, None)
    return [Entry(f"draws/{draw.id:06d}.json", _json(record), PERMANENT)
            for draw in draws.draws_for("project", project.id)
            if (record := draws.record_of(draw)) is not None]
