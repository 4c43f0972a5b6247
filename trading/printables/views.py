"""The printable documents' pages: each reads what its domain's page reads, checks the
same permission, and renders it on the print layout (templates/print)."""

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..award.committee import METHOD_LABELS
from ..bidding.opening import LINE_LABELS, opening_service_factory
from ..evaluation.views import _report_page
from ..security import Permission
from .catalogue import NOTICE_TITLES, award_report_readable


def _generated(request) -> dict:
    return {"generated_at": request.clock()}


@view_config(route_name="print.opening", renderer="print/opening.jinja2",
             permission=Permission.PROJECT_VIEW, request_method="GET")
def opening_record(context, request):
    """开标记录 (rules §7.5): public once the opening is done (电子招标投标办法 Art 32)."""
    state = opening_service_factory(context, request).hall(context.project)
    if state["phase"] != "done":
        raise HTTPNotFound()
    return {"project": context.project, "state": state, "LINE": LINE_LABELS,
            **_generated(request)}


@view_config(route_name="print.evaluation", renderer="print/evaluation.jinja2",
             permission=Permission.EVALUATION_VIEW, request_method="GET")
def evaluation_report(context, request):
    """评标报告: the page's content, names as this reader may see them."""
    page = _report_page(context, request)
    if str(page["report"].state) == "unlocked":
        raise HTTPNotFound()
    return {**page, **_generated(request)}


@view_config(route_name="print.award_report", renderer="print/award_report.jinja2",
             permission=Permission.PROJECT_VIEW, request_method="GET")
def award_report(context, request):
    """定标报告 (评定分离): the signed body, published with the award."""
    committee = context.committee
    if not award_report_readable(request, context.project, committee):
        raise HTTPNotFound()

    body = committee.report_body
    stages = [(body.get("plan") or {}).get(k) or {} for k in ("stage1", "stage2")]
    methods = [METHOD_LABELS.get(s.get("method"), "") for s in stages if s.get("method")]
    return {"project": context.project, "committee": committee, "body": body,
            "names": body.get("candidates", {}), "method": "；第二阶段：".join(methods),
            **_generated(request)}


@view_config(route_name="print.notice", renderer="print/notice.jinja2",
             permission=Permission.AWARD_NOTICE, request_method="GET")
def notice(context, request):
    """中标通知书 / 结果通知书: to its addressee; the owner, center and supervisors."""
    item = context.notice
    return {"project": context.project, "notice": item, "award": item.award,
            "title": NOTICE_TITLES.get(item.kind, ""), **_generated(request)}


@view_config(route_name="print.announcement", renderer="print/announcement.jinja2",
             permission=Permission.PROJECT_VIEW, request_method="GET")
def announcement(context, request):
    """Any public notice of the project (招标公告 … 中标结果公告, 流标公告, 终止公告)."""
    return {"project": context.project, "item": context.child, **_generated(request)}
