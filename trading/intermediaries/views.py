"""中介超市 pages (HTML). Thin: parse, call one service method, redirect or render."""


import deform
import sqlalchemy as sa
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from .. import notices
from ..accounts.models import Role
from ..bidding.views import sealed_upload
from ..draws.views import STATUS_LABELS as DRAW_STATUS_LABELS
from ..errors import DomainError, NotFound
from ..files import serve_bytes, serve_stored
from ..forms import format_yuan, redirect, refused, render_form
from ..i18n import _
from ..projects.views import _validated
from ..security import Permission
from . import forms as f
from .models import Entry, Purchase
from .public import STATUS_LABELS, home_data, intermediary_profile, purchase_view, statistics
from .rules import CreditEventKind, RatingDimension, describe_service_term
from .rules import SelectionMethod as M
from .service import (
    QUOTE_LOT,
    EntryInput,
    IntermediaryService,
    PurchaseInput,
    org_ref,
    purchase_ref,
    service_term_of,
)
from .status import EntryStatus, PurchaseStatus

P = PurchaseStatus


def _service(request) -> IntermediaryService:
    return request.find_service(IntermediaryService)


def _go(request, purchase, message=None):
    return redirect(request, "im.purchase", message, purchase_id=purchase.id)


def _form(schema, request, *buttons, **bindings):
    return deform.Form(schema.bind(request=request, **bindings),
                       buttons=tuple(deform.Button(name, label) for name, label in buttons))


def _page(result, **extra):
    return result if isinstance(result, HTTPSeeOther) else {**result, **extra}


def uploaded_file(request) -> dict:
    """The multipart field `file` as the service's upload arguments (pages and API)."""
    upload = request.POST.get("file")
    if upload is None or not hasattr(upload, "file"):
        raise DomainError("请选择要上传的文件（multipart 字段 file）", field="file", code="invalid")
    return {"filename": upload.filename, "content_type": upload.type, "stream": upload.file}


COMMON = {"LABELS": f.LABELS, "IM_STATUS": STATUS_LABELS, "P": P}


# -- public ------------------------------------------------------------------------------


@view_config(route_name="im.home", renderer="intermediaries/home.jinja2",
             permission=Permission.PUBLIC_VIEW)
def supermarket_home(request):
    return {**home_data(_service(request)), **COMMON}


@view_config(route_name="im.statistics", renderer="intermediaries/statistics.jinja2",
             permission=Permission.PUBLIC_VIEW)
def supermarket_statistics(request):
    return {"rows": statistics(request.dbsession), **COMMON}


@view_config(route_name="im.catalogue", renderer="intermediaries/catalogue.jinja2",
             permission=Permission.PUBLIC_VIEW)
def catalogue(request):
    return {"types": _service(request).service_types(), **COMMON}


@view_config(route_name="im.purchases", renderer="intermediaries/purchases.jinja2",
             permission=Permission.PUBLIC_VIEW)
def purchases(request):
    query = (sa.select(Purchase).where(Purchase.published_at.is_not(None))
             .order_by(Purchase.published_at.desc()).limit(200))
    return {"purchases": list(request.dbsession.scalars(query)),
            "title": _("中介服务采购公告"), **COMMON}


@view_config(route_name="im.intermediary", renderer="intermediaries/intermediary.jinja2",
             permission=Permission.PUBLIC_VIEW)
def intermediary(context, request):
    profile = intermediary_profile(_service(request), context.row)
    if profile is None:
        raise HTTPForbidden()
    return {**profile, **COMMON}


@view_config(route_name="im.purchase", renderer="intermediaries/purchase.jinja2",
             permission=Permission.IM_PURCHASE_VIEW)
def purchase_detail(context, request):
    return {**purchase_view(_service(request), context.purchase, request.identity),
            "can": lambda permission: bool(request.has_permission(permission)),
            "now": request.clock(), "DIMENSIONS": list(RatingDimension), **COMMON,
            # the draws in words: purpose and status, never their codes (issue #18)
            "DRAW_PURPOSES": request.registry["draws.labels"]["purposes"],
            "DRAW_STATUS": DRAW_STATUS_LABELS,
            **notices.page(request, _result_notice(request, context.purchase),
                           "im.purchase.notice", purchase_id=context.purchase.id)}


def _result_notice(request, purchase):
    return notices.latest(request.dbsession, "intermediaries", purchase.id)


@view_config(route_name="im.purchase.notice", permission=Permission.IM_PURCHASE_VIEW)
def result_notice(context, request):
    """notice.json of the selection result (中选结果公示), signed by the platform."""
    return notices.notice_json(_result_notice(request, context.purchase))


@view_config(route_name="im.document", permission=Permission.IM_PURCHASE_VIEW)
def download(context, request):
    user, purchase = request.identity, context.purchase
    staff = user is not None and user.role in (Role.CENTER, Role.SUPERVISOR)
    org_id = user.organisation_id if user is not None else None
    mine = org_id is not None and org_id in (purchase.owner_org_id, purchase.selected_org_id)
    if not (staff or mine):
        raise HTTPForbidden()
    document = context.child
    return serve_stored(request, request.storage.path_for(document.sha256), document.filename)


# -- catalogue (center) --------------------------------------------------------------------


@view_config(route_name="im.type.new", renderer="intermediaries/form.jinja2",
             permission=Permission.IM_CATALOGUE_MANAGE, request_method=("GET", "POST"))
def new_service_type(request):
    form = _form(f.ServiceTypeSchema(), request, ("submit", _("添加服务类型")))

    def on_success(values):
        _service(request).add_service_type(actor=request.actor, **values)
        return redirect(request, "im.catalogue", _("服务类型已添加"))

    return _page(render_form(request, form, on_success=on_success), title=_("添加服务类型"))


@view_config(route_name="im.item.new", renderer="intermediaries/form.jinja2",
             permission=Permission.IM_CATALOGUE_MANAGE, request_method=("GET", "POST"))
def new_service_item(context, request):
    form = _form(f.ServiceItemSchema(), request, ("submit", _("添加服务事项")))

    def on_success(values):
        _service(request).add_service_item(context.row, actor=request.actor, **values)
        return redirect(request, "im.catalogue", _("服务事项已添加"))

    return _page(render_form(request, form, on_success=on_success),
                 title=_("添加服务事项") + " · " + context.row.name)


# -- entry (intermediary, center) -------------------------------------------------------------


def _entry_appstruct(entry: Entry | None) -> dict:
    if entry is None:
        return {}
    data = {k: getattr(entry, k) for k in ("licence_number", "legal_representative",
                                           "registered_capital", "business_scope", "address",
                                           "licence_valid_until")}
    data["practitioners"] = [{"name": p.name, "certificate": p.certificate,
                              "social_insurance_months": p.social_insurance_months}
                             for p in entry.practitioners]
    data["lines"] = [{"service_type_id": line.service_type_id,
                      "certificate_no": line.certificate_no, "grade": line.grade,
                      "valid_from": line.valid_from, "valid_until": line.valid_until}
                     for line in entry.lines]
    data["signed_by"] = entry.commitment_signed_by
    return data


@view_config(route_name="im.entry", renderer="intermediaries/entry.jinja2",
             permission=Permission.IM_ENTRY_APPLY, request_method=("GET", "POST"))
def entry_application(request):
    service, org = _service(request), request.identity.organisation
    entry = service.entry_of(org.id if org else None)
    form = _form(f.EntrySchema(), request, ("submit", _("保存并提交审核")), **service.choices())

    def on_success(values):
        saved = service.save_application(org, EntryInput.from_appstruct(values),
                                         actor=request.actor)
        service.submit_application(saved, actor=request.actor)
        return redirect(request, "im.entry", _("入驻申请已提交，等待交易中心审核"))

    editable = entry is None or entry.status in (EntryStatus.REGISTERED,
                                                 EntryStatus.RETURNED_FOR_CORRECTION)
    result = render_form(request, form, on_success=on_success,
                         appstruct=_entry_appstruct(entry)) if editable else {"form": None}
    from .service import COMMITMENT_TEXT

    return _page(result, entry=entry, commitment=COMMITMENT_TEXT,
                 notices=service.notices(org.id if org else None), **COMMON)


@view_config(route_name="im.line.renew", permission=Permission.IM_ENTRY_APPLY,
             request_method="POST")
def renew_line(context, request):
    values = _validated(f.RenewBody(), request)
    _service(request).renew_line(context.row, actor=request.actor, **values)
    return redirect(request, "im.entry", _("资质已更新"))


@view_config(route_name="im.entries", renderer="intermediaries/entries.jinja2",
             permission=Permission.IM_ENTRY_REVIEW)
def entry_queue(request):
    query = sa.select(Entry).order_by(Entry.status_changed_at.desc()).limit(200)
    return {"entries": list(request.dbsession.scalars(query)), **COMMON}


@view_config(route_name="im.entry.review", renderer="intermediaries/entry_review.jinja2",
             permission=Permission.IM_ENTRY_REVIEW, request_method=("GET", "POST"))
def review_entry(context, request):
    entry, service = context.row, _service(request)
    form = _form(f.ReviewSchema(), request, ("approve", _("审核通过")), ("return", _("退回修改")))
    button = "return" if "return" in request.POST else "approve"

    def on_success(values):
        if button == "approve":
            service.approve_entry(entry, actor=request.actor, reasons=values["reasons"])
            return redirect(request, "im.entries", _("入驻申请已通过"))
        service.return_entry(entry, reasons=values["reasons"], actor=request.actor)
        return redirect(request, "im.entries", _("入驻申请已退回"))

    result = render_form(request, form, on_success=on_success, button=button)
    return _page(result, entry=entry, **COMMON)


@view_config(route_name="im.entry.status", permission=Permission.IM_ENTRY_REVIEW,
             request_method="POST")
def change_entry_status(context, request):
    values = _validated(f.EntryStatusBody(), request)
    _service(request).change_entry_status(context.row, actor=request.actor, **values)
    return redirect(request, "im.intermediary", _("入驻状态已变更"), org_id=context.row.org_id)


@view_config(route_name="im.credit.record", permission=Permission.IM_CREDIT_MANAGE,
             request_method="POST")
def record_credit_event(context, request):
    values = _validated(f.CreditEventSchema(), request)
    _service(request).record_credit_event(context.row, kind=CreditEventKind(values["kind"]),
                                          note=values["note"], actor=request.actor)
    return redirect(request, "im.intermediary", _("不良行为已记录"), org_id=context.row.id)


# -- purchases (owner, center) ----------------------------------------------------------------


@view_config(route_name="im.purchases.mine", renderer="intermediaries/purchases.jinja2",
             permission=Permission.IM_PURCHASE_CREATE)
def my_purchases(request):
    query = (sa.select(Purchase).where(Purchase.owner_org_id == request.identity.organisation_id)
             .order_by(Purchase.id.desc()).limit(200))
    return {"purchases": list(request.dbsession.scalars(query)), "title": _("我的中介服务采购"),
            "mine": True, **COMMON}


@view_config(route_name="im.purchases.review", renderer="intermediaries/purchases.jinja2",
             permission=Permission.IM_ENTRY_REVIEW)
def purchase_queue(request):
    query = (sa.select(Purchase).where(Purchase.status == P.UNDER_REVIEW)
             .order_by(Purchase.status_changed_at))
    return {"purchases": list(request.dbsession.scalars(query)), "title": _("待审核采购公告"),
            **COMMON}


@view_config(route_name="im.purchase.new", renderer="intermediaries/form.jinja2",
             permission=Permission.IM_PURCHASE_CREATE, request_method=("GET", "POST"))
def new_purchase(request):
    form = _form(f.PurchaseSchema(), request, ("submit", _("保存草稿")),
                 **_service(request).choices())

    def on_success(values):
        purchase = _service(request).create_purchase(
            request.identity.organisation,
            PurchaseInput.from_appstruct(f.purchase_values(values)), actor=request.actor)
        return _go(request, purchase, _("草稿已保存，确认无误后提交审核"))

    return _page(render_form(request, form, on_success=on_success), title=_("发布中介服务采购"),
                 hint=True)


def _purchase_appstruct(p: Purchase) -> dict:
    names = ("title", "project_name", "contact", "service_type_id", "content", "time_limit",
             "qualification_requirements", "fixed_fen", "base_fen", "highest_fen",
             "rate_base_fen", "long_list_size", "short_list_size", "registration_deadline",
             "selection_time")
    data = {n: getattr(p, n) for n in names}
    term = service_term_of(p)
    if term is not None:
        data.update(service_days=term.days, service_working_days=term.working,
                    service_due_on=term.due_on)
        if p.time_limit == describe_service_term(term):
            data["time_limit"] = None  # generated: a changed limit regenerates it
    data.update(funding=str(p.funding), amount_mode=str(p.amount_mode), method=str(p.method),
                item_ids={str(i) for i in p.item_ids}, avoid="\n".join(p.avoid),
                min_rate=p.min_rate, max_rate=p.max_rate)
    return {k: v for k, v in data.items() if v is not None}


@view_config(route_name="im.purchase.edit", renderer="intermediaries/form.jinja2",
             permission=Permission.IM_PURCHASE_EDIT, request_method=("GET", "POST"))
def edit_purchase(context, request):
    purchase = context.purchase
    form = _form(f.PurchaseSchema(), request, ("submit", _("保存修改")),
                 **_service(request).choices())

    def on_success(values):
        _service(request).update_purchase(
            purchase, PurchaseInput.from_appstruct(f.purchase_values(values)),
            actor=request.actor)
        return _go(request, purchase, _("修改已保存"))

    result = render_form(request, form, on_success=on_success,
                         appstruct=_purchase_appstruct(purchase))
    return _page(result, title=_("修改中介服务采购"), purchase=purchase, hint=True)


@view_config(route_name="im.purchase.submit", permission=Permission.IM_PURCHASE_EDIT,
             request_method="POST")
def submit_purchase(context, request):
    _service(request).submit_purchase(context.purchase, actor=request.actor)
    return _go(request, context.purchase, _("已提交交易中心审核"))


@view_config(route_name="im.purchase.review", renderer="intermediaries/purchase_review.jinja2",
             permission=Permission.IM_PURCHASE_REVIEW, request_method=("GET", "POST"))
def review_purchase(context, request):
    purchase, service = context.purchase, _service(request)
    form = _form(f.ReviewSchema(), request, ("approve", _("审核通过并发布")),
                 ("return", _("退回修改")))
    button = "return" if "return" in request.POST else "approve"

    def on_success(values):
        if button == "approve":
            service.approve_purchase(purchase, actor=request.actor, reasons=values["reasons"])
            return _go(request, purchase, _("采购公告已发布"))
        service.return_purchase(purchase, reasons=values["reasons"], actor=request.actor)
        return _go(request, purchase, _("采购公告已退回"))

    result = render_form(request, form, on_success=on_success, button=button)
    return _page(result, purchase=purchase, **COMMON)


@view_config(route_name="im.purchase.run", permission=Permission.IM_PURCHASE_RUN,
             request_method="POST")
def run_due_steps(context, request):
    """The chronograph's step on demand (idempotent): what is due at the server's now."""
    _service(request).advance(context.purchase)
    return _go(request, context.purchase, _("已处理到期步骤"))


@view_config(route_name="im.purchase.choose", permission=Permission.IM_PURCHASE_MANAGE,
             request_method="POST")
def choose(context, request):
    values = _validated(f.ChooseBody(), request)
    _service(request).choose(context.purchase, org_id=values["org_id"],
                             reasons=values["reasons"], actor=request.actor)
    return _go(request, context.purchase, _("已选定中介机构"))


@view_config(route_name="im.purchase.contract_review", permission=Permission.IM_PURCHASE_MANAGE,
             request_method="POST")
def review_contract(context, request):
    values = _validated(f.ContractReviewBody(), request)
    _service(request).review_contract(context.purchase, valid=values["valid"],
                                      reason=values["reason"], actor=request.actor)
    return _go(request, context.purchase, _("合同审核意见已记录"))


@view_config(route_name="im.purchase.accept", permission=Permission.IM_PURCHASE_MANAGE,
             request_method="POST")
def accept_result(context, request):
    _service(request).accept_result(context.purchase, actor=request.actor)
    return _go(request, context.purchase, _("已确认服务成果，服务完成"))


@view_config(route_name="im.purchase.rate", permission=Permission.IM_PURCHASE_MANAGE,
             request_method="POST")
def rate(context, request):
    values = _validated(f.RatingBody(), request)
    comment = values.pop("comment", "")
    _service(request).rate(context.purchase, scores=values, comment=comment,
                           actor=request.actor)
    return _go(request, context.purchase, _("评价已提交"))


@view_config(route_name="im.purchase.terminate", permission=Permission.IM_PURCHASE_MANAGE,
             request_method="POST")
def terminate(context, request):
    values = _validated(f.ReasonBody(), request)
    _service(request).terminate(context.purchase, reason=values["reason"], actor=request.actor)
    return _go(request, context.purchase, _("采购已终止"))


@view_config(route_name="im.purchase.waive", permission=Permission.IM_PURCHASE_WAIVE,
             request_method="POST")
def waive(context, request):
    values = _validated(f.ReasonBody(), request)
    _service(request).waive_credit_event(context.child, reason=values["reason"],
                                         actor=request.actor)
    return _go(request, context.purchase, _("已接受放弃理由，不计不良行为"))


# -- intermediaries on a purchase ----------------------------------------------------------------


@view_config(route_name="im.purchase.register", permission=Permission.IM_PURCHASE_PARTICIPATE,
             request_method="POST")
def register(context, request):
    _service(request).register(context.purchase, user=request.identity, actor=request.actor)
    return _go(request, context.purchase, _("报名成功"))


@view_config(route_name="im.purchase.promise", permission=Permission.IM_PURCHASE_PARTICIPATE)
def download_promise(context, request):
    """The log's signed promise to merge the caller's registration (issue #17 pt 4):
    `python -m bid_crypto verify-set pool.json --promise promise.json` proves it is in
    the frozen pool, or names it left out."""
    import json


    org_id = request.identity.organisation_id
    doc = _service(request).registration_promise(context.purchase, org_id) if org_id else None
    if doc is None:
        raise NotFound("贵单位没有记入审计日志的报名", code="not_registered")
    body = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return serve_bytes(body.encode(), f"registration-promise-{context.purchase.id}.json",
                       "application/json")


def _sealed_quote(request, purchase) -> dict:
    """What the quote page's sealing form needs: ids, the key (in the page: no key route),
    the bounds to check before sealing (the opening checks them again)."""
    import base64
    import json


    key = json.loads(purchase.opening_public_key) if purchase.opening_public_key else {}
    mode = {"range": "range", "discount_rate": "rate"}.get(str(purchase.amount_mode), "fixed")
    data = {"plan-required": "1" if purchase.method is M.PLAN_BEST else ""}
    if mode == "range":
        data.update({"min-fen": purchase.base_fen, "max-fen": purchase.highest_fen,
                     "range-text": _("报价须在 %(low)s 至 %(high)s 元之间") % {
                         "low": format_yuan(purchase.base_fen),
                         "high": format_yuan(purchase.highest_fen)}})
    elif mode == "rate":
        data["rate-base"] = purchase.rate_base_fen
    else:
        data["fixed"] = purchase.fixed_fen
    org_id = request.identity.organisation_id
    return {"form_id": "quote", "action": request.route_url("im.purchase.quote",
                                                            purchase_id=purchase.id),
            "project": purchase_ref(purchase), "lot": QUOTE_LOT, "bidder": org_ref(org_id),
            "key_json": purchase.opening_public_key or "", "key_id": key.get("key_id", ""),
            "key_name": "quote.pub", "mode": mode, "plan": True, "data": data,
            "key_href": "data:application/json;base64," + base64.b64encode(
                (purchase.opening_public_key or "").encode()).decode(),
            "label": _("下浮率（%）") if mode == "rate" else _("报价（元）"),
            "button": _("在本机加密并提交报价")}


@view_config(route_name="im.purchase.quote", renderer="intermediaries/quote.jinja2",
             permission=Permission.IM_PURCHASE_PARTICIPATE, request_method=("GET", "POST"))
def submit_quote(context, request):
    """Only a sealed envelope: the page seals quote and plan in the browser (tbid.js)."""
    purchase, service = context.purchase, _service(request)
    page = {"purchase": purchase, "sealed": _sealed_quote(request, purchase), "error": None,
            **COMMON}
    if request.method != "POST":
        return page
    try:
        service.submit_envelope(purchase, user=request.identity,
                                stream=sealed_upload(request), actor=request.actor)
    except DomainError as error:
        return refused(request, error, page)
    return _go(request, purchase, _("报价已加密保存，选取时间到后统一开启"))


@view_config(route_name="im.purchase.confirm", permission=Permission.IM_PURCHASE_PARTICIPATE,
             request_method="POST")
def confirm(context, request):
    _service(request).confirm(context.purchase, user=request.identity, actor=request.actor)
    return _go(request, context.purchase, _("已确认中选，请上传合同"))


@view_config(route_name="im.purchase.decline", permission=Permission.IM_PURCHASE_PARTICIPATE,
             request_method="POST")
def decline(context, request):
    values = _validated(f.DeclineBody(), request)
    _service(request).decline(context.purchase, user=request.identity, reason=values["reason"],
                              actor=request.actor)
    return _go(request, context.purchase, _("已放弃中选，系统已按原选取方式重新选取"))


@view_config(route_name="im.purchase.contract", permission=Permission.IM_PURCHASE_PARTICIPATE,
             request_method="POST")
def upload_contract(context, request):
    _service(request).upload_contract(context.purchase, user=request.identity,
                                      actor=request.actor, **uploaded_file(request))
    return _go(request, context.purchase, _("合同已上传，等待业主确认"))


@view_config(route_name="im.purchase.result", permission=Permission.IM_PURCHASE_PARTICIPATE,
             request_method="POST")
def upload_result(context, request):
    _service(request).upload_result(context.purchase, user=request.identity,
                                    actor=request.actor, **uploaded_file(request))
    return _go(request, context.purchase, _("服务成果已上传，等待业主确认"))
