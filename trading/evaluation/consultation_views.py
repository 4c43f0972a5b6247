"""竞争性磋商 pages (HTML): the panel's rounds, the suppliers' withdrawal and sealed final
quote, the reveal and the scores. Thin views over ConsultationService."""

import sqlalchemy as sa
from pyramid.view import view_config

from ..accounts.models import Organisation
from ..bidding.views import sealed_upload
from ..errors import DomainError
from ..forms import act, redirect, refused
from ..i18n import _
from ..rounds.service import round_state
from ..security import Permission
from .consultation import ConsultationService, consultation_state
from .errors import ConsultationInvalid

PAGE = "evaluation/consultation.jinja2"
QUOTE_PAGE = "evaluation/final_quote.jinja2"


def _service(request) -> ConsultationService:
    return request.find_service(ConsultationService)


def _viewer(request) -> tuple[bool, int | None]:
    user = request.identity
    staff = user is not None and (str(user.role) in ("center", "supervisor") or bool(
        request.has_permission(Permission.PROJECT_MANAGE)))
    org_id = user.organisation_id if user and str(user.role) == "bidder" else None
    return staff, org_id


def _page(context, request) -> dict:
    staff, org_id = _viewer(request)
    state = consultation_state(_service(request), context.project, staff=staff, org_id=org_id)
    ids = {org for lot in state["lots"] for org in (*lot["suppliers"], *lot["withdrawn"])}
    orgs = {o.id: o.name for o in request.dbsession.scalars(
        sa.select(Organisation).where(Organisation.id.in_(ids)))}
    return {"project": context.project, "state": state, "orgs": orgs, "error": None,
            "can": lambda p: bool(request.has_permission(p))}


def _act(context, request, action, message):
    return act(request, action, page=lambda: _page(context, request), renderer=PAGE,
               route="award.consultation", message=message, project_id=context.project.id)


@view_config(route_name="award.consultation", renderer=PAGE,
             permission=Permission.PROJECT_VIEW)
def consultation_page(context, request):
    return _page(context, request)


def _org_id(request) -> int:
    try:
        return int(request.POST.get("org_id", "") or 0)
    except ValueError:
        raise ConsultationInvalid(_("请选择供应商"), field="org_id") from None


@view_config(route_name="award.consultation.panel", renderer=PAGE, request_method="POST",
             permission=Permission.AWARD_MANAGE)
def consultation_panel(context, request):
    service, project, lot = _service(request), context.project, context.lot
    post, actor = request.POST, request.actor
    steps = {
        "open": lambda: service.open_round(project, lot, actor=actor),
        "session": lambda: service.record_session(
            project, lot, org_id=_org_id(request), text=post.get("text", ""), actor=actor),
        "change": lambda: service.broadcast_change(project, lot, text=post.get("text", ""),
                                                   actor=actor),
        "close": lambda: service.close_round(project, lot, actor=actor),
        "final": lambda: service.start_final_quotes(project, lot, actor=actor),
        "reveal": lambda: service.reveal(project, lot, actor=actor),
        "terminate": lambda: service.terminate(project, reason=post.get("text", ""),
                                               actor=actor),
    }

    def action():
        step = steps.get(post.get("action", ""))
        if step is None:
            raise ConsultationInvalid(_("未知的磋商操作"), field="action")
        step()

    return _act(context, request, action, _("已记录"))


@view_config(route_name="award.consultation.withdraw", renderer=PAGE, request_method="POST",
             permission=Permission.FINAL_OFFER_SUBMIT)
def consultation_withdraw(context, request):
    return _act(context, request, lambda: _service(request).withdraw(
        context.project, context.lot, reason=request.POST.get("reason", ""),
        actor=request.actor), _("已退出磋商"))


def _quote_page(context, request) -> dict:
    service = _service(request)
    found = service.sealed.round_for(context.lot)
    _staff, org_id = _viewer(request)
    state = round_state(service.sealed, context.project, found, org_id=org_id) \
        if found is not None and found.purpose == "final_quote" else None
    return {"project": context.project, "lot": context.lot, "q": state, "error": None}


@view_config(route_name="award.consultation.quote", renderer=QUOTE_PAGE,
             permission=Permission.FINAL_OFFER_SUBMIT)
def final_quote_page(context, request):
    return _quote_page(context, request)


@view_config(route_name="award.consultation.quote", renderer=QUOTE_PAGE, request_method="POST",
             permission=Permission.FINAL_OFFER_SUBMIT)
def submit_final_quote(context, request):
    service = _service(request)
    try:
        service.submit_envelope(context.project, context.lot, stream=sealed_upload(request),
                                actor=request.actor)
    except DomainError as error:
        return refused(request, error, _quote_page(context, request))
    return redirect(request, "award.consultation.quote", _("最后报价已密封提交，回执已签发"),
                    project_id=context.project.id, lot_id=context.lot.id)
