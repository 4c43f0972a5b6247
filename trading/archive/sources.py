"""What the archive package takes from other domains (archive.service.SOURCES), read only:
the opening record (开标记录, rules §7.5), the project's draw records (architecture §8), the
evaluation reports, the award with its notices and publicity, and the contract (rules §7.7
lists each as a record that must be archived).
"""

import json

import sqlalchemy as sa

from ..award.committee import AwardCommitteeService
from ..award.models import Award, AwardCommittee, AwardNotice, Publicity
from ..bidding.models import DecryptionShareRecord, Opening, OpeningState
from ..bidding.opening import OpeningService
from ..draws.services import DrawService
from ..evaluation.models import EvaluationReport
from .package import PERMANENT, Y30, Entry, longest


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1,
                      default=str).encode("utf-8")


def opening_record(dbsession, project, retention) -> list[Entry]:
    """The record as the opening hall publishes it once done, with its header."""
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
            "envelopes": [{"bid_id": line.bid.public_id, "version": line.version,
                           "envelope_sha256": line.envelope_sha256,
                           "offer_sha256": line.offer_sha256} for line in lines]}
    return [Entry("opening/record.json", _json(body), retention)]


def draw_records(dbsession, project, retention) -> list[Entry]:
    """Every public draw record about the project; permanent, like the audit slice."""
    draws = DrawService(dbsession, None, None)
    return [Entry(f"draws/{draw.id:06d}.json", _json(record), PERMANENT)
            for draw in draws.draws_for("project", project.id)
            if (record := draws.record_of(draw)) is not None]


def evaluation_reports(dbsession, project, retention) -> list[Entry]:
    """Every evaluation report (评标报告) of the project as the committee signed it: the
    canonical body, its digest, each member's signature and the platform's. An unlocked
    (superseded) report stays in the file with its reason: the record shows why it was
    redone."""
    reports = dbsession.scalars(sa.select(EvaluationReport).where(
        EvaluationReport.project_id == project.id).order_by(EvaluationReport.id))
    lots = {lot.id: lot.number for lot in project.lots}
    return [Entry(f"evaluation/lot-{lots.get(r.lot_id, r.lot_id)}-report-{r.id:06d}.json",
                  _json(_report_json(r)), retention) for r in reports]


def _report_json(report) -> dict:
    return {"id": report.id, "state": str(report.state), "ranked": report.ranked,
            "body": report.body, "body_sha256": report.body_sha256,
            "generated_at": report.generated_at.isoformat(),
            "locked_at": report.locked_at.isoformat() if report.locked_at else None,
            "signature": report.signature,
            "unlocked_at": report.unlocked_at.isoformat() if report.unlocked_at else None,
            "unlock_reason": report.unlock_reason,
            "signatures": [{"member_id": s.member_id, "confirmation": s.confirmation,
                            "agrees": s.agrees, "dissent": s.dissent,
                            "signed_at": s.signed_at.isoformat(), "signature": s.signature}
                           for s in report.signatures]}


def award_records(dbsession, project, retention) -> list[Entry]:
    """The award (定标) of each lot with its notices (中标通知书, 结果通知书), the
    candidates' publicity with its objections, and the award committee's report (定标报告,
    评定分离). Award records are kept at least 30 years (rules §7.7 recommended default)."""
    keep = longest((retention, Y30))
    entries = [Entry(f"award/publicity-{p.id:06d}.json", _json(_publicity_json(p)), keep)
               for p in dbsession.scalars(sa.select(Publicity).where(
                   Publicity.project_id == project.id).order_by(Publicity.id))]
    awards = list(dbsession.scalars(sa.select(Award).where(Award.project_id == project.id)
                                    .order_by(Award.lot_id)))
    for award in awards:
        entries.append(Entry(f"award/lot-{award.lot.number}.json",
                             _json(_award_json(award)), keep))
        notices = dbsession.scalars(sa.select(AwardNotice).where(
            AwardNotice.award_id == award.id).order_by(AwardNotice.id))
        entries += [Entry(f"award/notices/{n.id:06d}-{n.kind}.json",
                          _json(_notice_json(award, n)), keep) for n in notices]
    committees = dbsession.scalars(sa.select(AwardCommittee).where(
        AwardCommittee.project_id == project.id, AwardCommittee.winner.is_not(None))
        .order_by(AwardCommittee.lot_id))
    entries += [Entry(f"award/lot-{c.lot.number}-committee-report.json",
                      _json(_committee_report(dbsession, project, c)), keep)
                for c in committees]
    return entries


def _publicity_json(publicity) -> dict:
    return {"source": publicity.source, "candidates": publicity.candidates,
            "started_at": publicity.started_at.isoformat(),
            "ends_at": publicity.ends_at.isoformat(),
            "superseded_at": _iso(publicity.superseded_at),
            "objections": [{"by": o.organisation.name, "text": o.text,
                            "raised_at": o.raised_at.isoformat(),
                            "answer_due_at": o.answer_due_at.isoformat(), "answer": o.answer,
                            "answered_at": _iso(o.answered_at)}
                           for o in publicity.objections]}


def _award_json(award) -> dict:
    return {"lot": award.lot.number, "lot_name": award.lot.name, "method": award.method,
            "winner": _org(award.winner), "price_fen": award.price_fen, "order": award.order,
            "declined": award.declined, "decided_at": award.decided_at.isoformat(),
            "contract_signed_at": _iso(award.contract_signed_at)}


def _notice_json(award, notice) -> dict:
    return {"lot": award.lot.number, "kind": notice.kind, "to": _org(notice.organisation),
            "body": notice.body, "issued_at": notice.issued_at.isoformat(),
            "withdrawn_at": _iso(notice.withdrawn_at)}


def _committee_report(dbsession, project, committee) -> dict:
    # the body fixed and signed by the last member's signature; before that, as it stands
    body = committee.report_body or AwardCommitteeService(dbsession, None, None).report(
        project, committee)
    return {"report": body, "report_sha256": committee.report_sha256,
            "report_signature": committee.report_signature,
            "decided_at": _iso(committee.decided_at),
            "signed": [{"position": m.position, "signed_at": _iso(m.signed_at)}
                       for m in committee.members]}


def contracts(dbsession, project, retention) -> list[Entry]:
    """The contract (合同) of each awarded lot: parties, price and the date signed, kept at
    least 30 years like the award."""
    from ..award.models import Award

    signed = dbsession.scalars(sa.select(Award).where(
        Award.project_id == project.id, Award.contract_signed_at.is_not(None))
        .order_by(Award.lot_id))
    return [Entry(f"contract/lot-{a.lot.number}.json", _json({
        "project": project.number, "lot": a.lot.number, "lot_name": a.lot.name,
        "buyer": _org(project.owner), "supplier": _org(a.winner), "price_fen": a.price_fen,
        "signed_at": a.contract_signed_at.isoformat()}), longest((retention, Y30)))
        for a in signed]


def _org(org) -> dict | None:
    return None if org is None else {"name": org.name, "credit_code": org.credit_code}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
