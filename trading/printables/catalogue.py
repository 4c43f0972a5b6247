"""Which printable documents of a project the requesting user may open, with their links:
each entry asks the same permission, on the same resource, as the document's own view."""

import sqlalchemy as sa

from ..award.models import Award, AwardCommittee, AwardNotice
from ..award.resources import AwardResource
from ..bidding.models import Opening, OpeningState
from ..evaluation.models import Committee, EvaluationReport, ReportState
from ..evaluation.resources import EvaluationResource
from ..i18n import N_
from ..projects.resources import ProjectResource
from ..security import Permission, RootFactory
from .resources import NoticeResource

NOTICE_TITLES = {"award": N_("中标通知书"), "result": N_("结果通知书")}
SHOWN_REPORTS = (ReportState.SIGNING, ReportState.SIGNED)


def printables(request, project) -> list[dict]:
    """[{"title", "detail", "url"}] in the order the procedure makes them."""
    db, root = request.dbsession, RootFactory(request)
    found = []
    opening = db.scalar(sa.select(Opening).where(Opening.project_id == project.id))
    if opening is not None and opening.state is OpeningState.DONE and request.has_permission(
            Permission.PROJECT_VIEW, ProjectResource(project, root)):
        found.append({"title": N_("开标记录"), "detail": "",
                      "url": request.route_url("print.opening", project_id=project.id)})
    found += _evaluation_reports(request, project, root)
    found += _award_reports(request, project, root)
    found += _notices(request, project, root)
    for item in project.announcements:
        if item.kind in ("failure", "cancellation"):
            found.append({"title": item.title, "detail": "", "url": request.route_url(
                "print.announcement", project_id=project.id, announcement_id=item.id)})
    for item in found:  # each print page's signed PDF is at its address + ".pdf"
        item["pdf"] = item["url"] + ".pdf"
    return found


def _evaluation_reports(request, project, root) -> list[dict]:
    db = request.dbsession
    committee = db.scalar(sa.select(Committee).where(Committee.project_id == project.id))
    if committee is None or not request.has_permission(
            Permission.EVALUATION_VIEW, EvaluationResource(project, root, committee=committee)):
        return []
    found = []
    for lot in project.lots:
        state = db.scalar(sa.select(EvaluationReport.state).where(
            EvaluationReport.lot_id == lot.id).order_by(EvaluationReport.id.desc()).limit(1))
        if state in SHOWN_REPORTS:
            found.append({"title": N_("评标报告"), "detail": f"第{lot.number}标段 {lot.name}",
                          "url": request.route_url("print.evaluation", project_id=project.id,
                                                   lot_id=lot.id)})
    return found


def award_report_readable(request, project, committee, root=None) -> bool:
    """The signed 定标报告 names the members: public once the lot is awarded, before that
    only for the committee's own viewers (rules §3.2, the JSON download's rule)."""
    if committee.report_signature is None:
        return False
    awarded = request.dbsession.scalar(sa.select(Award.id).where(
        Award.lot_id == committee.lot_id)) is not None
    resource = AwardResource(project, root or RootFactory(request))
    resource.committee = committee
    return (awarded and bool(request.has_permission(Permission.PROJECT_VIEW, resource))) \
        or bool(request.has_permission(Permission.AWARD_COMMITTEE_VIEW, resource))


def _award_reports(request, project, root) -> list[dict]:
    committees = request.dbsession.scalars(sa.select(AwardCommittee).where(
        AwardCommittee.project_id == project.id).order_by(AwardCommittee.id)).all()
    return [{"title": N_("定标报告"), "detail": f"第{c.lot.number}标段 {c.lot.name}",
             "url": request.route_url("print.award_report", project_id=project.id,
                                      committee_id=c.id)}
            for c in committees if award_report_readable(request, project, c, root)]


def _notices(request, project, root) -> list[dict]:
    notices = request.dbsession.scalars(sa.select(AwardNotice).join(Award).where(
        Award.project_id == project.id).order_by(AwardNotice.id)).all()
    return [{"title": NOTICE_TITLES.get(n.kind, n.kind), "detail": n.organisation.name,
             "url": request.route_url("print.notice", project_id=project.id, notice_id=n.id)}
            for n in notices if request.has_permission(
                Permission.AWARD_NOTICE, NoticeResource(project, root, n))]
