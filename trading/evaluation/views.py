"""Evaluation pages (HTML): the pool and draw (center), the member's room and score sheet,
the chair's steps, the report and its signing, the bidder's low-price explanation, and the
supervisor's unlock decisions. Thin: parse, call one service method, redirect."""

import deform
import sqlalchemy as sa
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from ..accounts.models import User
from ..draws.views import STATUS_LABELS as DRAW_STATUS_LABELS
from ..errors import DomainError
from ..files import serve_stored
from ..forms import redirect, refused, render_form, without_csrf
from ..i18n import N_, _
from ..resources import get_or_404
from ..security import Permission
from .committee import DECLARATION, EvaluationCommitteeService, ExpertInput, ExpertPoolService
from .consultation import is_consultation
from .documents import opened_bids, read_document
from .errors import EvaluationConflict, EvaluationInvalid
from .forms import (
    FORMULA_CHOICES,
    CommitteeSchema,
    CriteriaSchema,
    ExpertEditSchema,
    ExpertSchema,
    criteria_input,
    lines,
)
from .models import (
    SEATED,
    CommitteeStatus,
    EvaluationReport,
    Expert,
    ExpertStatus,
    MemberState,
    ScoreWarning,
    UnlockRequest,
)
from .params import evaluation_params
from .resources import member_of
from .scoring import CriteriaService, Mark, SheetService, scored
from .service import REPORT_CONFIRMATION, EvaluationService
from .words import (
    DECISION_LABELS,
    WARNING_LABELS,
    aggregation_text,
    price_base_text,
    trigger_texts,
    warning_text,
)

STATE_LABELS = {
    MemberState.RESERVE: N_("候补"), MemberState.NOTIFIED: N_("待确认"),
    MemberState.ACCEPTED: N_("已确认"), MemberState.SIGNED_IN: N_("已签到"),
    MemberState.DECLINED: N_("已拒绝"), MemberState.NO_ANSWER: N_("未应答"),
    MemberState.EXCLUDED: N_("已回避"),
}
EXPERT_STATUS_LABELS = {ExpertStatus.ACTIVE: N_("正常"), ExpertStatus.SUSPENDED: N_("暂停"),
                        ExpertStatus.BLACKLISTED: N_("禁入")}
COMMITTEE_LABELS = {CommitteeStatus.FORMING: N_("组建中"), CommitteeStatus.SITTING: N_("评标中"),
                    CommitteeStatus.DONE: N_("评标结束")}


def _service(request) -> EvaluationService:
    return request.find_service(EvaluationService)


def _committees(request) -> EvaluationCommitteeService:
    return EvaluationCommitteeService(request.dbsession, request.clock, request.registry["keys"])


def _back(request, route, message, **kw):
    return redirect(request, route, message, **kw)


# -- the expert pool (center) ---------------------------------------------------------------


def expert_input(values: dict) -> ExpertInput:
    specialties = tuple(s.strip() for s in values["specialties"].replace("，", ",").split(",")
                        if s.strip())
    if not specialties:
        raise EvaluationInvalid("请至少填写一个专业", field="specialties")
    employers = lines(values["employers"], "employers",
                      ("name", "credit_code", "from", "to"))
    for row in employers:
        row["to"] = row["to"] or None
    return ExpertInput(
        code=values["code"].strip(), name=values["name"].strip(),
        region=values["region"].strip(), specialties=specialties, title=values["title"],
        years_experience=values["years_experience"], phone=values["phone"],
        employers=tuple(employers),
        shareholdings=tuple(lines(values["shareholdings"], "shareholdings",
                                  ("name", "credit_code", "share"))),
        relatives=tuple(lines(values["relatives"], "relatives",
                              ("name", "relation", "org_name", "credit_code"))))


def _expert_user(request, username: str) -> User | None:
    if not username.strip():
        return None
    user = request.dbsession.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        raise EvaluationInvalid("找不到该登录账号", field="username")
    return user


def _pool(request) -> ExpertPoolService:
    return ExpertPoolService(request.dbsession, request.clock)


@view_config(route_name="evaluation.experts", renderer="evaluation/experts.jinja2",
             permission=Permission.EVALUATION_VIEW, request_method="GET")
@view_config(route_name="evaluation.experts", renderer="evaluation/experts.jinja2",
             permission=Permission.EVALUATION_POOL, request_method="POST")
def expert_pool(request):
    page = {"experts": _pool(request).listing(), "STATUS": EXPERT_STATUS_LABELS, "form": None}
    if not request.has_permission(Permission.EVALUATION_POOL):
        return page
    form = deform.Form(ExpertSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("录入专家")),))

    def on_success(values):
        values = without_csrf(values)
        _pool(request).create(expert_input(values), actor=request.actor,
                              user=_expert_user(request, values["username"]))
        return _back(request, "evaluation.experts", _("专家已录入"))

    result = render_form(request, form, on_success=on_success)
    if isinstance(result, HTTPSeeOther):
        return result
    return {**page, **result}


def _expert(request) -> Expert:
    return get_or_404(request, Expert, "expert_id")


def _joined(rows: list, columns: tuple[str, ...]) -> str:
    return "\n".join("|".join(str(row.get(c) or "") for c in columns) for row in rows)


def expert_appstruct(expert: Expert) -> dict:
    """The edit form as the record stands (the lines the pool page takes)."""
    return {"name": expert.name, "region": expert.region,
            "specialties": ", ".join(expert.specialties), "title": expert.title,
            "years_experience": expert.years_experience, "phone": expert.phone,
            "employers": _joined(expert.employers, ("name", "credit_code", "from", "to")),
            "shareholdings": _joined(expert.shareholdings, ("name", "credit_code", "share")),
            "relatives": _joined(expert.relatives,
                                 ("name", "relation", "org_name", "credit_code")),
            "status": str(expert.status), "reason": expert.status_reason,
            "version": expert.version_id}


def update_expert(request, expert: Expert, values: dict) -> Expert:
    """One edit, checked whole: the details and the status (the page's and the API's)."""
    return _pool(request).update(
        expert, expert_input({**values, "code": expert.code}), actor=request.actor,
        version=values.get("version"), status=ExpertStatus(values["status"]),
        reason=values["reason"])


@view_config(route_name="evaluation.expert", renderer="evaluation/expert.jinja2",
             permission=Permission.EVALUATION_POOL, request_method=("GET", "POST"))
def edit_expert(request):
    expert = _expert(request)
    form = deform.Form(ExpertEditSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("保存专家信息")),))

    def on_success(values):
        update_expert(request, expert, without_csrf(values))
        return _back(request, "evaluation.expert", _("专家信息已更新"), expert_id=expert.id)

    result = render_form(request, form, on_success=on_success,
                         appstruct=expert_appstruct(expert))
    if isinstance(result, HTTPSeeOther):
        return result
    return {**result, "expert": expert, "STATUS": EXPERT_STATUS_LABELS}


# -- criteria (owner, before publication) ------------------------------------------------


@view_config(route_name="evaluation.criteria", renderer="evaluation/criteria.jinja2",
             permission=Permission.PROJECT_VIEW, request_method="GET")
@view_config(route_name="evaluation.criteria", renderer="evaluation/criteria.jinja2",
             permission=Permission.PROJECT_EDIT, request_method="POST")
def criteria_page(context, request):
    project = context.project
    criteria = CriteriaService(request.dbsession, request.clock).of(project)
    page = {"project": project, "criteria": criteria, "form": None, "error": None,
            "FORMULAS": dict(FORMULA_CHOICES)}
    if not request.has_permission(Permission.PROJECT_EDIT) or (criteria and criteria.locked_at):
        return page
    form = deform.Form(CriteriaSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("保存评分办法")),))

    def on_success(values):
        CriteriaService(request.dbsession, request.clock).save(
            project, **criteria_input(without_csrf(values)), actor=request.actor)
        return _back(request, "evaluation.criteria", _("评分办法已保存，将随招标文件发布"),
                     project_id=project.id)

    result = render_form(request, form, on_success=on_success,
                         appstruct=_criteria_appstruct(criteria))
    if isinstance(result, HTTPSeeOther):
        return result
    return {**page, **result}


def _criteria_appstruct(criteria) -> dict:
    if criteria is None:
        return {}
    kinds = {"pass_fail": "合格制", "objective": "客观", "subjective": "主观"}
    rows = ["|".join([i["item_id"], i["name"], kinds[i["kind"]], i.get("max_score") or "",
                      i.get("step") or "", "★" if i.get("key_requirement") else ""]).rstrip("|")
            for i in criteria.items]
    price, sme = criteria.price, criteria.price.get("sme") or {}
    return {"items": "\n".join(rows), "formula": price.get("formula", "none"),
            "weight": price.get("weight", ""), "coefficient": price.get("coefficient", ""),
            "sme_small_micro_rate": sme.get("small_micro_rate", ""),
            "sme_partnered_rate": sme.get("partnered_rate", ""),
            "n_candidates": criteria.n_candidates}


# -- the committee (center; supervisors watch) -------------------------------------------


def _committee_page(context, request) -> dict:
    committee = context.committee
    service = _committees(request)
    from ..draws.models import Draw

    draws = {d.id: request.dbsession.get(Draw, d.draw_id) for d in committee.draws} \
        if committee else {}
    return {"project": context.project, "committee": committee, "draws": draws,
            "seated": service.seated(committee) if committee else [],
            "chair": service.chair(committee) if committee else None,
            "step": service.next_step(context.project, committee),
            "STATE": STATE_LABELS, "COMMITTEE": COMMITTEE_LABELS, "error": None,
            "DRAW_STATUS": DRAW_STATUS_LABELS,
            "manage": request.has_permission(Permission.EVALUATION_MANAGE),
            "show_names": bool(request.has_permission(Permission.EVALUATION_NAMES)),
            # only the lots whose report exists: the link would be a 404 before
            "lots": [lot for lot in _service(request).evaluated_lots(context.project)
                     if _latest_report(request, lot) is not None]}


@view_config(route_name="evaluation.committee", renderer="evaluation/committee.jinja2",
             permission=Permission.EVALUATION_VIEW, request_method="GET")
@view_config(route_name="evaluation.committee", renderer="evaluation/committee.jinja2",
             permission=Permission.EVALUATION_MANAGE, request_method="POST")
def committee_page(context, request):
    page = _committee_page(context, request)
    if context.committee is not None or not page["manage"]:
        if request.method == "POST":
            return refused(request, EvaluationConflict("该项目已组建评标委员会"), page,
                           "evaluation/committee.jinja2")
        return page
    form = deform.Form(CommitteeSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("组建评标委员会")),))

    def on_success(values):
        form_committee(request, context.project, values)
        return _back(request, "evaluation.committee", _("评标委员会已组建，请抽取专家"),
                     project_id=context.project.id)

    result = render_form(request, form, on_success=on_success)
    if isinstance(result, HTTPSeeOther):
        return result
    return {**page, **result}


def form_committee(request, project, values) -> None:
    """Form the committee from a CommitteeSchema's values, the page's and the API's alike:
    the plan as 'specialty|count|reserves' lines, owner representatives' usernames, region."""
    plan = [{"specialty": r["specialty"], "count": _int(r["count"], "plan"),
             "reserves": _int(r["reserves"] or "0", "plan")}
            for r in lines(values["plan"], "plan", ("specialty", "count", "reserves"),
                           required=2)]
    _committees(request).form(project, plan=plan,
                              owner_rep_ids=_user_ids(request, values["owner_reps"]),
                              region=values["region"], actor=request.actor)


def _int(text: str, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise EvaluationInvalid(f"“{text}”不是整数", field=field) from None


def _user_ids(request, text: str) -> list[int]:
    names = [n.strip() for n in text.replace("，", ",").split(",") if n.strip()]
    users = request.dbsession.scalars(sa.select(User).where(User.username.in_(names))).all()
    if len(users) != len(set(names)):
        raise EvaluationInvalid("有业主代表账号不存在", field="owner_reps")
    return [u.id for u in users]


COMMITTEE_ACTIONS = {
    "draw": (lambda s, c, r: s.draw(c.project, actor=r.actor), N_("专家抽取名单已冻结并承诺种子")),
    "reveal": (lambda s, c, r: s.reveal(c.project, actor=r.actor),
               N_("抽取结果已揭示，已通知专家")),
    "start": (lambda s, c, r: s.start(c.project, actor=r.actor), N_("评标已开始")),
    "no-answer": (lambda s, c, r: s.no_answer(_member(c, r), actor=r.actor),
                  N_("已登记未应答，并从同一名单递补")),
}


def _member(context, request):
    try:
        member_id = int(request.POST.get("member_id", ""))
    except ValueError:
        member_id = None
    member = next((m for m in context.committee.members if m.id == member_id), None) \
        if context.committee else None
    if member is None:
        raise EvaluationInvalid("请选择委员会成员", field="member_id")
    return member


@view_config(route_name="evaluation.committee.act", renderer="evaluation/committee.jinja2",
             permission=Permission.EVALUATION_MANAGE, request_method="POST")
def committee_action(context, request):
    action = COMMITTEE_ACTIONS.get(request.matchdict["action"])
    if action is None:
        raise HTTPNotFound()
    try:
        action[0](_committees(request), context, request)
    except DomainError as error:
        return refused(request, error, _committee_page(context, request),
                       "evaluation/committee.jinja2")
    message = action[1]
    if request.matchdict["action"] == "start" and context.committee.status is \
            CommitteeStatus.FORMING:
        message = N_("有专家与投标人存在利害关系，已回避并从同一名单递补；递补专家签到后再开始评标")
    return _back(request, "evaluation.committee", message, project_id=context.project.id)


# -- the member's room ------------------------------------------------------------------


def _room(context, request) -> dict:
    member = member_of(request, context)
    committee = context.committee
    service = _service(request)
    work = service.work()
    lots = service.evaluated_lots(context.project)
    sitting = committee is not None and committee.status is not CommitteeStatus.FORMING
    warnings = [w for lot in lots for w in work.warnings_of(committee, lot)] if sitting else []
    reviews = [r for lot in lots for r in work.reviews(committee, lot)] if sitting else []
    words, t = _vocabulary(request, context), request.localizer.translate
    return {
        "project": context.project, "committee": committee, "member": member,
        "seated": _committees(request).seated(committee) if committee else [],
        "lots": lots, "sitting": sitting, "DECLARATION": DECLARATION,
        "REPORT_CONFIRMATION": REPORT_CONFIRMATION, "STATE": STATE_LABELS,
        "warnings": warnings, "reviews": reviews,
        "warning_texts": {w.id: t(warning_text(_warning_dict(w), **words)) for w in warnings},
        "trigger_texts": {r.id: [t(x) for x in trigger_texts(r.triggers, words["params"])]
                          for r in reviews},
        "bidders": words["bidders"], "WARNING": WARNING_LABELS, "DECISION": DECISION_LABELS,
        "may_read_bids": bool(request.has_permission(Permission.EVALUATION_BIDS)),
        "reports": {lot.id: _latest_report(request, lot) for lot in lots},
        "sheets": {lot.id: work.sheets(committee, lot) for lot in lots} if sitting else {},
        "unlocks": _unlocks(request, committee) if committee else [],
        "error": None,
    }


def _warning_dict(w: ScoreWarning) -> dict:
    return {"kind": str(w.kind), "member_id": w.member_id, "bid_id": w.bid_id,
            "item_id": w.item_id, "detail": w.detail}


def _vocabulary(request, context) -> dict:
    """Names for the flags' ids: members (as this user may read them), bidders, items."""
    from ..bidding.models import Bid

    committee = context.committee
    seated = _committees(request).seated(committee) if committee else []
    body = {"members": [{"member_id": m.id, "pseudonym": m.pseudonym,
                         "name": m.expert.name if m.expert else m.user.display_name}
                        for m in seated]}
    criteria = CriteriaService(request.dbsession, request.clock).of(context.project)
    bids = request.dbsession.scalars(sa.select(Bid).where(
        Bid.project_id == context.project.id)).all()
    return {"members": member_names(request, body),
            "bidders": {b.id: b.bidder.name for b in bids},
            "items": {i["item_id"]: i["name"] for i in (criteria.items if criteria else [])},
            "params": evaluation_params(context.project)}


def _latest_report(request, lot) -> EvaluationReport | None:
    return request.dbsession.scalar(sa.select(EvaluationReport).where(
        EvaluationReport.lot_id == lot.id).order_by(EvaluationReport.id.desc()).limit(1))


def _unlocks(request, committee) -> list[UnlockRequest]:
    return list(request.dbsession.scalars(sa.select(UnlockRequest).where(
        UnlockRequest.committee_id == committee.id).order_by(UnlockRequest.id.desc())))


@view_config(route_name="evaluation.room", renderer="evaluation/room.jinja2",
             permission=Permission.EVALUATION_SCORE)
def room(context, request):
    return _room(context, request)


def _warning(context, request) -> ScoreWarning:
    try:
        warning = request.dbsession.get(ScoreWarning, int(request.POST.get("warning_id", "")))
    except ValueError:
        warning = None
    if warning is None or warning.committee_id != context.committee.id:
        raise EvaluationInvalid("请选择评分提示", field="warning_id")
    return warning


def _candidate(context, request):
    try:
        candidate_id = int(request.POST.get("candidate_id", ""))
    except ValueError:
        candidate_id = None
    found = next((m for m in context.committee.members if m.id == candidate_id
                  and m.state in SEATED), None)
    if found is None:
        raise EvaluationInvalid("请选择组长人选", field="candidate_id")
    return found


ROOM_ACTIONS = {
    "accept": (lambda s, c, r, m: s.answer(m, accept=True, reason="", actor=r.actor),
               N_("已确认参加评标")),
    "decline": (lambda s, c, r, m: s.answer(m, accept=False, reason=r.POST.get("reason", ""),
                                            actor=r.actor), N_("已拒绝，平台已从同一名单递补")),
    "sign-in": (lambda s, c, r, m: s.sign_in(m, confirmation=r.POST.get("confirmation", ""),
                                             conflict=r.POST.get("conflict", ""),
                                             actor=r.actor), N_("签到已完成")),
    "vote-chair": (lambda s, c, r, m: s.vote_chair(m, _candidate(c, r), actor=r.actor),
                   N_("已推选组长")),
}


@view_config(route_name="evaluation.room.act", renderer="evaluation/room.jinja2",
             permission=Permission.EVALUATION_SCORE, request_method="POST")
def room_action(context, request):
    name = request.matchdict["action"]
    try:
        if name == "answer-warning":
            _service(request).work().answer_warning(
                _warning(context, request), reason=request.POST.get("reason", ""),
                actor=request.actor)
            message = N_("理由已记录")
        else:
            action = ROOM_ACTIONS.get(name)
            if action is None:
                raise HTTPNotFound()
            action[0](_committees(request), context, request, member_of(request, context))
            message = action[1]
    except DomainError as error:
        return refused(request, error, _room(context, request), "evaluation/room.jinja2")
    return _back(request, "evaluation.room", message, project_id=context.project.id)


# -- the opened bid documents (members only) -------------------------------------------


@view_config(route_name="evaluation.bids", renderer="evaluation/bids.jinja2",
             permission=Permission.EVALUATION_BIDS, request_method="GET")
def bid_documents(context, request):
    lots = {lot.id: lot for lot in _service(request).evaluated_lots(context.project)}
    bids = [b for b in opened_bids(request.dbsession, request.storage, context.project)
            if b.line.lot_id in lots]
    return {"project": context.project, "bids": bids, "lots": lots,
            "member": member_of(request, context)}


@view_config(route_name="evaluation.bid_document", permission=Permission.EVALUATION_BIDS,
             request_method="GET")
def bid_document(context, request):
    try:
        document = read_document(request.dbsession, request.storage, request.clock,
                                 context.project, int(request.matchdict["bid_id"]),
                                 int(request.matchdict["index"]), actor=request.actor)
    except DomainError:
        raise HTTPNotFound() from None
    return serve_stored(request, request.storage.path_for(document.sha256), document.name,
                        inline=request.GET.get("view") == "1")


# -- the score sheet ------------------------------------------------------------------------


def _sheet_page(context, request, sheet) -> dict:
    sheets = SheetService(request.dbsession, request.clock)
    items, lines_ = sheets.grid(sheet)
    cells = {(e.bid_id, e.item_id): e for e in sheet.entries}
    # 磋商: the panel scores the final responses, so each column shows the final quote
    # (once revealed), not the first response's price.
    found = scored(request.dbsession, context.lot)
    return {"project": context.project, "lot": context.lot, "sheet": sheet, "items": items,
            "lines": lines_, "cells": cells, "error": None, "posted": {},
            "consultation": is_consultation(context.project), "prices": found.prices,
            "revealed": found.revealed, "open_warnings": _open_warnings(request, context, sheet)}


def _open_warnings(request, context, sheet) -> list[str]:
    """The warnings this member still has to answer on this lot, in words: shown on the
    sheet too, where the scores they question are."""
    warnings = [w for w in _service(request).work().warnings_of(context.committee, context.lot)
                if w.member_id == sheet.member_id and w.answered_at is None]
    if not warnings:
        return []
    words = _vocabulary(request, context)
    t = request.localizer.translate
    return [t(warning_text(_warning_dict(w), **words)) for w in warnings]


def _marks(request, items, lines_) -> list[Mark]:
    marks = []
    for line in lines_:
        for item in items:
            key = f"s-{line.bid_id}-{item['item_id']}"
            raw = request.POST.get(key, "")
            if item["kind"] == "pass_fail":
                if raw in ("pass", "fail"):
                    marks.append(Mark(line.bid_id, item["item_id"], passed=raw == "pass"))
            elif raw.strip():
                marks.append(Mark(line.bid_id, item["item_id"], value=raw))
    return marks


@view_config(route_name="evaluation.sheet", renderer="evaluation/sheet.jinja2",
             permission=Permission.EVALUATION_SCORE, request_method=("GET", "POST"))
def score_sheet(context, request):
    member = member_of(request, context)
    sheets = SheetService(request.dbsession, request.clock)
    try:
        sheet = sheets.sheet(member, context.lot, actor=request.actor)
        page = _sheet_page(context, request, sheet)
    except DomainError as error:
        request.response.status_int = error.status
        return {"project": context.project, "lot": context.lot, "sheet": None,
                "error": error.message}
    if request.method != "POST":
        return page
    try:
        sheets.save(sheet, _marks(request, page["items"], page["lines"]), actor=request.actor)
        if "submit" in request.POST:
            sheets.submit(sheet, actor=request.actor)
    except DomainError as error:
        request.response.status_int = error.status
        return {**page, "error": error.message, "posted": dict(request.POST.items())}
    message = _("评分表已提交并锁定") if "submit" in request.POST else _("评分已暂存")
    return _back(request, "evaluation.sheet", message, project_id=context.project.id,
                 lot_id=context.lot.id)


# -- the chair's steps and the report -----------------------------------------------------


def _review_of(context, request):
    from .models import LowPriceReview

    try:
        review = request.dbsession.get(LowPriceReview, int(request.POST.get("review_id", "")))
    except ValueError:
        review = None
    if review is None or review.committee_id != context.committee.id:
        raise EvaluationInvalid("请选择异常低价审查", field="review_id")
    return review


CHAIR_ACTIONS = {
    "evaluate": (lambda w, c, r: w.evaluate(c.project, c.lot, actor=r.actor), None),
    "generate": (lambda w, c, r: w.generate(c.project, c.lot, actor=r.actor),
                 N_("评标报告已生成，请全体成员签署")),
    "decide": (lambda w, c, r: w.decide(_review_of(c, r), accepted=r.POST.get("accepted") == "1",
                                        reason=r.POST.get("reason", ""), actor=r.actor),
               N_("已作出认定")),
    "unlock": (lambda w, c, r: w.request_unlock(
        c.project, target=r.POST.get("target", ""), target_id=_int(
            r.POST.get("target_id", "0"), "target_id"), reason=r.POST.get("reason", ""),
        actor=r.actor), N_("解锁申请已提交监管部门")),
}


@view_config(route_name="evaluation.chair", renderer="evaluation/room.jinja2",
             permission=Permission.EVALUATION_CHAIR, request_method="POST")
def chair_action(context, request):
    action = CHAIR_ACTIONS.get(request.matchdict["action"])
    if action is None:
        raise HTTPNotFound()
    work = _service(request).work()
    try:
        action[0](work, context, request)
    except DomainError as error:
        return refused(request, error, _room(context, request), "evaluation/room.jinja2")
    message = action[1] or _tabulated_message(request, work, context)
    return _back(request, "evaluation.room", message, project_id=context.project.id)


def _tabulated_message(request, work, context) -> str:
    """After 汇总: what is left to handle, counted, or that nothing was raised."""
    from .models import LowPriceDecision

    warnings = [w for w in work.warnings_of(context.committee, context.lot)
                if w.answered_at is None]
    reviews = [r for r in work.reviews(context.committee, context.lot)
               if r.decision is LowPriceDecision.PENDING]
    if not warnings and not reviews:
        return _("已汇总：未发现评分偏离，无异常低价报价，可以生成评标报告")
    return request.localizer.translate(_(
        "已汇总：${w}条评分偏离提示待书面说明理由，${r}家异常低价报价待说明和认定，请在下方处理",
        mapping={"w": len(warnings), "r": len(reviews)}))


def member_names(request, body: dict) -> dict:
    """member id → what this user may read of the member: the name, or before the award
    (for all but the center, supervisors and the members) the pseudonym (招标投标法 Art 37)."""
    shown = request.has_permission(Permission.EVALUATION_NAMES)
    return {m["member_id"]: m["name"] if shown else f"{_('成员')} {m.get('pseudonym', '')}"
            for m in body.get("members", [])}


def _report_page(context, request) -> dict:
    report = _latest_report(request, context.lot)
    if report is None:
        raise HTTPNotFound()
    member = member_of(request, context)
    signed = {s.member_id for s in report.signatures}
    return {"project": context.project, "lot": context.lot, "report": report,
            "body": report.body, "member": member, "error": None,
            "may_sign": member is not None and member.id not in signed
            and str(report.state) == "signing"
            and (report.sign_by is None or request.clock() < report.sign_by),
            "valid": _service(request).verify_report(report) if report.signature else None,
            "REPORT_CONFIRMATION": REPORT_CONFIRMATION,
            # A report written by another domain's fixtures may carry only candidates.
            "names": member_names(request, report.body),
            "bidders": {b["bid_id"]: b["bidder"] for b in report.body.get("bids", [])},
            **report_words(request, context.project, report.body)}


def report_words(request, project, body: dict) -> dict:
    """The report's flags, reviews and price rules in words (the page's and the print's)."""
    params, t = evaluation_params(project), request.localizer.translate
    names = member_names(request, body)
    bidders = {b["bid_id"]: b["bidder"] for b in body.get("bids", [])}
    items = {i["item_id"]: i["name"] for i in (body.get("criteria") or {}).get("items", [])}
    priced = sum(1 for b in body.get("bids", []) if b.get("price_score") is not None)
    return {
        "warning_texts": [t(warning_text(w, members=names, bidders=bidders, items=items,
                                         params=params)) for w in body.get("warnings", [])],
        "review_texts": [[t(x) for x in trigger_texts(r.get("triggers", []), params)]
                         for r in body.get("low_price", [])],
        "price_base": t(price_base_text((body.get("criteria") or {}).get("price", {}),
                                        priced=priced, params=params,
                                        final_quote=body.get("price_source") == "final_quote")),
        "aggregation": t(aggregation_text(bool(body.get("trimmed")))),
        "WARNING": WARNING_LABELS, "DECISION": DECISION_LABELS}


@view_config(route_name="evaluation.report", renderer="evaluation/report.jinja2",
             permission=Permission.EVALUATION_VIEW, request_method="GET")
def report_page(context, request):
    return _report_page(context, request)


@view_config(route_name="evaluation.report", renderer="evaluation/report.jinja2",
             permission=Permission.EVALUATION_SCORE, request_method="POST")
def sign_report(context, request):
    page = _report_page(context, request)
    try:
        _service(request).work().sign(
            page["report"], confirmation=request.POST.get("confirmation", ""),
            agrees=request.POST.get("agrees", "1") == "1",
            dissent=request.POST.get("dissent", ""), actor=request.actor)
    except DomainError as error:
        return refused(request, error, page, "evaluation/report.jinja2")
    return _back(request, "evaluation.report", _("已签署评标报告"),
                 project_id=context.project.id, lot_id=context.lot.id)


# -- the bidder's explanation ---------------------------------------------------------------


@view_config(route_name="evaluation.lowprice", renderer="evaluation/lowprice.jinja2",
             permission=Permission.EVALUATION_EXPLAIN, request_method=("GET", "POST"))
def low_price(context, request):
    page = {"project": context.project, "review": context.review, "error": None,
            "triggers": [request.localizer.translate(x) for x in trigger_texts(
                context.review.triggers, evaluation_params(context.project))],
            "DECISION": DECISION_LABELS}
    if request.method != "POST":
        return page
    try:
        _service(request).work().explain(context.review, text=request.POST.get("explanation", ""),
                                         actor=request.actor)
    except DomainError as error:
        return refused(request, error, page, "evaluation/lowprice.jinja2")
    return _back(request, "evaluation.lowprice", _("书面说明已提交评标委员会"),
                 project_id=context.project.id, review_id=context.review.id)


# -- unlocks (supervisor) ---------------------------------------------------------------


def _unlock_page(request) -> dict:
    query = sa.select(UnlockRequest).order_by(UnlockRequest.decided_at.is_not(None),
                                              UnlockRequest.id.desc()).limit(200)
    return {"requests": list(request.dbsession.scalars(query)), "error": None}


@view_config(route_name="evaluation.unlocks", renderer="evaluation/unlocks.jinja2",
             permission=Permission.EVALUATION_SUPERVISE, request_method=("GET", "POST"))
def unlocks(request):
    if request.method != "POST":
        return _unlock_page(request)
    try:
        unlock = request.dbsession.get(UnlockRequest,
                                       _int(request.POST.get("request_id", "0"), "request_id"))
        if unlock is None:
            raise EvaluationInvalid("解锁申请不存在", field="request_id")
        _service(request).work().decide_unlock(unlock, approve=request.POST.get("approve") == "1",
                                               actor=request.actor)
    except DomainError as error:
        return refused(request, error, _unlock_page(request), "evaluation/unlocks.jinja2")
    return _back(request, "evaluation.unlocks", _("已处理解锁申请"))

