"""小额工程 pages: the public registry, projects with their allocation records, monthly
statistics, and the forms of every role. Thin: parse, call one service method, redirect."""

import base64
import binascii
import io
from decimal import Decimal

import colander
import deform
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from .. import notices
from ..draws.views import purpose_label
from ..files import serve_stored
from ..forms import format_yuan, redirect, render_form, validated
from ..i18n import N_, _
from ..security import Permission
from ..storage import FileTooLarge
from . import forms, rules
from .errors import ApplicationInvalid
from .models import SmallWork
from .rules import Category, Grade
from .service import (
    BUDGET_FILE_MAX,
    EXCLUSION_LABELS,
    STATUS_LABELS,
    BudgetFile,
    EnterpriseInput,
    ProjectInput,
    QualificationInput,
    SmallWorksService,
    exclusion_labels,
)
from .status import AllocationStatus as A
from .status import RegistryStatus as R

WORK_LABELS = {
    A.DRAFT: N_("草稿"),
    A.SUBMITTED: N_("待审核"),
    A.RETURNED: N_("已退回"),
    A.POOL_FROZEN: N_("候选库已锁定"),
    A.DRAWN: N_("待中选企业确认"),
    A.PUBLICITY: N_("结果公示"),
    A.CONTRACTED: N_("已签合同"),
    A.COMPLETED: N_("已竣工"),
    A.EVALUATED: N_("已履约评价"),
    A.FAILED: N_("流标"),
    A.CANCELLED: N_("已撤销"),
    A.TERMINATED: N_("合同解除"),
}


def service(request) -> SmallWorksService:
    return request.find_service(SmallWorksService)


def labels() -> dict:
    return {"CATEGORY_LABELS": forms.CATEGORY_LABELS, "GRADE_LABELS": forms.GRADE_LABELS,
            "METHOD_LABELS": forms.METHOD_LABELS, "STATUS_LABELS": {**STATUS_LABELS,
                                                                    **WORK_LABELS},
            "EXCLUSION_LABELS": EXCLUSION_LABELS, "exclusion_labels": exclusion_labels,
            "OBJECT_LABELS": forms.OBJECT_LABELS,
            # a frozen pool's attributes name the grade ("third"), as the draw record does
            "GRADE_WORDS": {g.name.lower(): w for g, w in forms.GRADE_LABELS.items()}}


def posted(request, schema: colander.Schema) -> dict:
    """A small POST form read with its API schema; a shape error is a clear refusal."""
    data = {key: value for key, value in request.POST.items() if key != "csrf_token"}
    for flag in ("on_time", "quality_accepted"):
        data[flag] = "true" if data.get(flag) else "false"
    return validated(schema.bind(request=request), data, ApplicationInvalid)


def enterprise_input(values: dict) -> EnterpriseInput:
    return EnterpriseInput(
        business_licence_until=values["business_licence_until"],
        safety_licence_no=values["safety_licence_no"],
        safety_licence_until=values["safety_licence_until"],
        local_office=values["local_office"], local_insured_staff=values["local_insured_staff"],
        managers=tuple(values["managers"]), similar_projects=values["similar_projects"],
        integrity_commitment=values["integrity_commitment"],
        qualifications=tuple(
            QualificationInput(Category(q["category"]), Grade(q["grade"]), q["certificate_no"],
                               q["valid_from"], q["valid_until"], q["sub_specialty"])
            for q in values["qualifications"]))


def project_input(values: dict) -> ProjectInput:
    return ProjectInput(**{**values, "category": Category(values["category"]),
                           "object_type": forms.ObjectType(values["object_type"]),
                           "method": forms.AllocationMethod(values["method"]),
                           "budget_file": budget_file(values.get("budget_file"))})


def budget_file(value: dict | None) -> BudgetFile | None:
    """The budget approval from the page (deform's upload) or the API (base64)."""
    if value is None or value is colander.null:
        return None
    if "fp" in value:
        return BudgetFile(value.get("filename") or "", value["fp"])
    text = value["content_base64"]
    if len(text) > (BUDGET_FILE_MAX // 3 + 1) * 4 + 8:  # refused before decoding
        raise FileTooLarge(f"预算批复文件超过 {BUDGET_FILE_MAX // (1024 * 1024)} MiB 上限",
                           field="budget_file")
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ApplicationInvalid("预算批复文件内容不是有效的 base64", field="budget_file") from None
    return BudgetFile(value["filename"], io.BytesIO(content))


# -- public ------------------------------------------------------------------------------


@view_config(route_name="smallworks.registry", renderer="smallworks/registry.jinja2",
             permission=Permission.PUBLIC_VIEW)
def registry(request):
    """在库企业 per category, with the grade held in it and the credit score."""
    category = request.GET.get("category", str(Category.BUILDING_MUNICIPAL))
    if category not in {str(c) for c in Category}:
        category = str(Category.BUILDING_MUNICIPAL)
    entries = service(request).enterprises(status=(R.ACTIVE, R.SUSPENDED),
                                           category=Category(category))
    rows = [(e, min(q.grade for q in e.qualifications if str(q.category) == category))
            for e in entries]
    return {"rows": rows, "category": category, **labels()}


@view_config(route_name="smallworks.enterprise", renderer="smallworks/enterprise.jinja2",
             permission=Permission.SMALLWORKS_VIEW)
def enterprise_detail(context, request):
    entry = context.entry
    return {"entry": entry, "wins": service(request).projects(winner_id=entry.id), **labels()}


@view_config(route_name="smallworks.projects", renderer="smallworks/projects.jinja2",
             permission=Permission.PUBLIC_VIEW)
def list_projects(request):
    public = [s for s in A if s not in (A.DRAFT, A.SUBMITTED, A.RETURNED, A.CANCELLED)]
    return {"works": service(request).projects(statuses=public), **labels()}


@view_config(route_name="smallworks.project", renderer="smallworks/project.jinja2",
             permission=Permission.SMALLWORKS_VIEW)
def project_detail(context, request):
    work, svc = context.work, service(request)
    quotes, declines = svc.quotes_of(work), svc.declines_of(work)
    draws = svc.draws.draws_for("smallworks_project", work.id)
    related = [r["project_id"] for r in (work.split_flag or {}).get("related", [])]
    return {"work": work, "draws": draws, "quotes": quotes, "declines": declines,
            "now": request.clock(), "A": A, **labels(),
            "tier": tier_label(request, svc.params_of(work), work.tier),
            "decided_by": decided_by_words(request, work.decided_by),
            "purposes": {d.id: purpose_label(request, d) for d in draws},
            "firm_names": svc.enterprise_names({q.enterprise_id for q in quotes}
                                               | {d.enterprise_id for d in declines}),
            "work_names": svc.work_names(related),
            **notices.page(request, notices.latest(request.dbsession, "smallworks", work.id),
                           "smallworks.project.notice", work_id=work.id)}


@view_config(route_name="smallworks.project.notice", permission=Permission.SMALLWORKS_VIEW)
def result_notice(context, request):
    """notice.json of the result publicity (结果公示), signed by the platform."""
    return notices.notice_json(notices.latest(request.dbsession, "smallworks", context.work.id))


def tier_label(request, params: rules.SmallWorksParams, code: str | None) -> str:
    """An amount band in words from its bounds (30–100 万元), never its code (1m_to_4m)."""
    bounds, lower = {}, 0
    for tier in params.tiers:
        bounds[tier.code] = (lower, tier.upper_fen)
        lower = tier.upper_fen or lower
    if code not in bounds:
        return ""
    low, high = (None if v is None else format_wan(v) for v in bounds[code])
    if low == "0":
        return _words(request, N_("%(b)s 万元及以下")) % {"b": high}
    if high is None:
        return _words(request, N_("%(a)s 万元以上")) % {"a": low}
    return _words(request, N_("%(a)s–%(b)s 万元")) % {"a": low, "b": high}


def _words(request, msgid: str) -> str:
    return request.localizer.translate(_(msgid))


def format_wan(fen: int) -> str:
    """分 in 万元 (1 万元 = 1 000 000 分), without trailing zeros."""
    wan = Decimal(fen) / 1_000_000
    return f"{wan.normalize():f}"


# What decided a small work's winner (rules.Selected.evidence), in words.
EVIDENCE_LABELS = {"decided_by": N_("抽签决定"), "last_win_on": N_("同类上次承接"),
                   "credit_score": N_("信用分"), "floor_fen": N_("合理低价下限（元）"),
                   "price_fen": N_("最低有效报价（元）")}


def decided_by_words(request, decided_by: str | None) -> list[tuple[str, str]]:
    """`work.decided_by` ("credit_score=99.00, …") as (label, value) pairs in words."""
    words = []
    for part in filter(None, (decided_by or "").split(", ")):
        key, _sep, value = part.partition("=")
        if key == "decided_by":
            value = request.registry["draws.labels"]["purposes"].get(value, value)
        elif key == "last_win_on" and value == "never":
            value = _words(request, N_("从未承接"))
        elif key.endswith("_fen") and value.isdigit():
            value = format_yuan(int(value))
        words.append((EVIDENCE_LABELS.get(key, key), value))
    return words


@view_config(route_name="smallworks.project.budget", permission=Permission.SMALLWORKS_DOCUMENT)
def download_budget_file(context, request):
    """预算批复文件, for the center reviewing the amount (and the owner, the supervisor)."""
    work = context.work
    if not work.budget_file_sha256:
        raise HTTPNotFound()
    return serve_stored(request, service(request).budget_file_path(work),
                        work.budget_file_name or "budget")


@view_config(route_name="smallworks.statistics", renderer="smallworks/statistics.jinja2",
             permission=Permission.PUBLIC_VIEW)
def statistics(request):
    return {"months": service(request).monthly_statistics(), **labels()}


# -- the center's parameters ----------------------------------------------------------------


@view_config(route_name="smallworks.profile", renderer="smallworks/profile.jinja2",
             permission=Permission.SMALLWORKS_MANAGE, request_method=("GET", "POST"))
def edit_profile(request):
    """分配参数: a new version of the registry's RuleProfile; every work keeps its own."""
    svc = service(request)
    form = deform.Form(forms.ProfileSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("保存为新版本")),))

    def on_success(values):
        svc.update_profile(forms.profile_data(values), actor=request.actor)
        return redirect(request, "smallworks.profile",
                        _("参数已保存为新版本，此后锁定的候选库按新参数执行"))

    profile = svc.current_profile()
    current = rules.profile_from_params(svc.params)
    result = render_form(request, form, on_success=on_success,
                         appstruct=forms.profile_values(current))
    if isinstance(result, HTTPSeeOther):
        return result
    return {**result, "profile": profile, **labels()}


# -- enterprises ---------------------------------------------------------------------------


@view_config(route_name="smallworks.apply", renderer="smallworks/apply.jinja2",
             permission=Permission.SMALLWORKS_APPLY, request_method=("GET", "POST"))
def apply(request):
    """入库申请, or the corrected application after a return."""
    svc, organisation = service(request), request.identity.organisation
    entry = svc.enterprise_of(organisation.id)
    if entry is not None and entry.status is not R.RETURNED:
        return {"entry": entry, "form": None, **labels()}
    form = deform.Form(forms.EnterpriseSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("提交入库申请")),))

    def on_success(values):
        data = enterprise_input(values)
        if entry is None:
            created = svc.apply(organisation, data, actor=request.actor)
        else:
            created = svc.resubmit(entry, data, actor=request.actor)
        return redirect(request, "smallworks.enterprise", _("入库申请已提交，等待交易中心审核"),
                        enterprise_id=created.id)

    result = render_form(request, form, on_success=on_success)
    if isinstance(result, HTTPSeeOther):
        return result
    return {**result, "entry": entry, **labels()}


@view_config(route_name="smallworks.reviews", renderer="smallworks/reviews.jinja2",
             permission=Permission.SMALLWORKS_MANAGE)
def reviews(request):
    svc = service(request)
    return {"entries": svc.enterprises(status=(R.APPLIED,)),
            "works": svc.projects(statuses=(A.SUBMITTED, A.POOL_FROZEN, A.PUBLICITY)),
            "registry": svc.enterprises(status=(R.ACTIVE, R.SUSPENDED)), **labels()}


@view_config(route_name="smallworks.enterprise.review", request_method="POST",
             permission=Permission.SMALLWORKS_MANAGE)
def review_enterprise(context, request):
    values = posted(request, forms.DecisionBody())
    if values["decision"] == "approve":
        service(request).approve_entry(context.entry, actor=request.actor)
        message = _("已审核通过，企业入库")
    else:
        service(request).return_entry(context.entry, reasons=values["reasons"],
                                      actor=request.actor)
        message = _("已退回补正")
    return redirect(request, "smallworks.enterprise", message, enterprise_id=context.entry.id)


@view_config(route_name="smallworks.enterprise.status", request_method="POST",
             permission=Permission.SMALLWORKS_MANAGE)
def change_status(context, request):
    values, svc, entry = posted(request, forms.StatusBody()), service(request), context.entry
    if values["action"] == "suspend":
        svc.suspend(entry, reason=values["reason"], actor=request.actor)
    elif values["action"] == "exit":
        svc.exit(entry, reason=values["reason"], actor=request.actor)
    else:
        svc.reinstate(entry, reason=values["reason"], actor=request.actor)
    return redirect(request, "smallworks.enterprise", _("企业状态已更新"),
                    enterprise_id=entry.id)


# -- projects ------------------------------------------------------------------------------


@view_config(route_name="smallworks.new", renderer="smallworks/new.jinja2",
             permission=Permission.SMALLWORKS_POST, request_method=("GET", "POST"))
def new_project(request):
    form = deform.Form(forms.WorkSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("提交交易中心审核")),))

    def on_success(values):
        work = service(request).post(request.identity.organisation, project_input(values),
                                     actor=request.actor)
        return redirect(request, "smallworks.project", _("小额工程已提交审核"),
                        work_id=work.id)

    result = render_form(request, form, on_success=on_success)
    return result if isinstance(result, HTTPSeeOther) else result


@view_config(route_name="smallworks.mine", renderer="smallworks/mine.jinja2",
             permission=Permission.ACCOUNT_SELF)
def mine(request):
    """An owner's small works; an enterprise's entry and the awards it must answer."""
    svc, user = service(request), request.identity
    entry = svc.enterprise_of(user.organisation_id) if user.organisation_id else None
    owned = svc.projects(owner_org_id=user.organisation_id) if user.organisation_id else []
    won = svc.projects(winner_id=entry.id) if entry else []
    return {"entry": entry, "owned": owned if str(user.role) == "owner" else [], "won": won,
            **labels()}


def _to_project(request, work: SmallWork, message):
    return redirect(request, "smallworks.project", message, work_id=work.id)


@view_config(route_name="smallworks.project.review", request_method="POST",
             permission=Permission.SMALLWORKS_ALLOCATE)
def review_project(context, request):
    values, svc = posted(request, forms.DecisionBody()), service(request)
    if values["decision"] == "approve":
        svc.approve_project(context.work, split_decision=values["split_decision"],
                            actor=request.actor)
        return _to_project(request, context.work, _("审核通过，候选库已锁定并公示"))
    svc.return_project(context.work, reasons=values["reasons"], actor=request.actor)
    return _to_project(request, context.work, _("已退回业主"))


@view_config(route_name="smallworks.project.draw", request_method="POST",
             permission=Permission.SMALLWORKS_ALLOCATE)
def draw(context, request):
    service(request).draw(context.work, actor=request.actor)
    return _to_project(request, context.work, _("已抽取，等待中选企业确认"))


@view_config(route_name="smallworks.project.quote", request_method="POST",
             permission=Permission.SMALLWORKS_QUOTE)
def quote(context, request):
    values, svc = posted(request, forms.QuoteBody()), service(request)
    entry = svc.enterprise_of(request.identity.organisation_id)
    svc.submit_quote(context.work, entry, price=values["price"], actor=request.actor)
    return _to_project(request, context.work, _("报价已加密提交，开启前任何人都无法查看"))


@view_config(route_name="smallworks.project.open", request_method="POST",
             permission=Permission.SMALLWORKS_ALLOCATE)
def open_quotes(context, request):
    service(request).open_quotes(context.work, actor=request.actor)
    return _to_project(request, context.work, _("报价已开启"))


@view_config(route_name="smallworks.project.accept", request_method="POST",
             permission=Permission.SMALLWORKS_RESPOND)
def accept(context, request):
    values, work = posted(request, forms.AcceptBody()), context.work
    service(request).accept(work, work.winner, manager=values["manager"], actor=request.actor)
    return _to_project(request, work, _("已确认承接，结果公示中"))


@view_config(route_name="smallworks.project.decline", request_method="POST",
             permission=Permission.SMALLWORKS_RESPOND)
def decline(context, request):
    values, work = posted(request, forms.DeclineBody()), context.work
    service(request).decline(work, work.winner, reason=values["reason"], actor=request.actor)
    return _to_project(request, work, _("已放弃；已从同一候选名单递补下一家"))


@view_config(route_name="smallworks.project.decision", request_method="POST",
             permission=Permission.SMALLWORKS_MANAGE)
def decide_decline(context, request):
    values = posted(request, forms.DeclineDecisionBody())
    service(request).decide_decline(context.work, values["decline_id"],
                                    justified=values["decision"] == "justified",
                                    reason=values["reason"], actor=request.actor)
    return _to_project(request, context.work, _("已认定放弃理由，企业状态已按认定重新核算"))


@view_config(route_name="smallworks.project.contract", request_method="POST",
             permission=Permission.SMALLWORKS_ALLOCATE)
def contract(context, request):
    service(request).contract(context.work, actor=request.actor)
    return _to_project(request, context.work, _("合同已登记"))


@view_config(route_name="smallworks.project.complete", request_method="POST",
             permission=Permission.SMALLWORKS_PERFORM)
def complete(context, request):
    values = posted(request, forms.CompleteBody())
    service(request).complete(context.work, actor=request.actor, **values)
    return _to_project(request, context.work, _("竣工信息已登记"))


@view_config(route_name="smallworks.project.evaluate", request_method="POST",
             permission=Permission.SMALLWORKS_PERFORM)
def evaluate(context, request):
    values = posted(request, forms.EvaluateBody())
    service(request).evaluate(context.work, score=values["score"], actor=request.actor)
    return _to_project(request, context.work, _("履约评价已提交，企业信用分已更新"))
