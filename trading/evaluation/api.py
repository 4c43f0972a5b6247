"""The evaluation JSON API: the same schemas and services as the pages."""

from pyramid.view import view_config

from ..api import describe, json_body
from ..errors import NotFound
from ..resources import get_or_404
from ..security import Permission
from .errors import EvaluationConflict, NotAMember
from .forms import (
    CommitteeSchema,
    ExpertEditSchema,
    ExpertSchema,
    MemberBody,
    SheetBody,
    SignSchema,
)
from .models import Expert
from .resources import member_of
from .scoring import Mark, SheetService
from .service import EvaluationService
from .views import (
    COMMITTEE_ACTIONS,
    _committees,
    _expert_user,
    _latest_report,
    _pool,
    expert_input,
    form_committee,
    update_expert,
)


def _service(request) -> EvaluationService:
    return request.find_service(EvaluationService)


def _expert_json(e) -> dict:
    return {"id": e.id, "code": e.code, "name": e.name, "region": e.region,
            "specialties": e.specialties, "title": e.title, "status": str(e.status),
            "username": e.user.username if e.user else None}


EXPERT = {"type": "object", "required": ["id", "code", "name", "status"],
          "properties": {"id": {"type": "integer"}, "code": {"type": "string"},
                         "name": {"type": "string"}, "status": {"type": "string",
                         "enum": ["active", "suspended", "blacklisted"]},
                         "specialties": {"type": "array", "items": {"type": "string"}}}}

@describe("api.evaluation.experts", "GET", "The expert pool (center, supervisor)", auth=True,
          response={"type": "object", "properties": {"experts": {"type": "array",
                                                                 "items": EXPERT}}})
@describe("api.evaluation.experts", "POST", "Enter an expert (center); lines as on the page",
          auth=True, request_schema=ExpertSchema, response=EXPERT)
@view_config(route_name="api.evaluation.experts", request_method="GET", renderer="json",
             permission=Permission.EVALUATION_VIEW)
def api_experts(request):
    return {"experts": [_expert_json(e) for e in _pool(request).listing()]}


@view_config(route_name="api.evaluation.experts", request_method="POST", renderer="json",
             permission=Permission.EVALUATION_POOL)
def api_create_expert(request):
    values = json_body(request, ExpertSchema())
    values.pop("csrf_token", None)
    expert = _pool(request).create(expert_input(values), actor=request.actor,
                                   user=_expert_user(request, values["username"]))
    request.response.status_int = 201
    return _expert_json(expert)


def _expert_detail(e) -> dict:
    """One expert as the center edits it (the facts the conflict checks compare)."""
    return {**_expert_json(e), "title": e.title, "years_experience": e.years_experience,
            "employers": e.employers, "shareholdings": e.shareholdings,
            "relatives": e.relatives, "status_reason": e.status_reason,
            "version": e.version_id}


@describe("api.evaluation.expert", "GET", "One expert of the pool with the facts the conflict "
          "checks use (center, supervisor)", auth=True, response=EXPERT)
@describe("api.evaluation.expert", "PUT", "Edit an expert (center): everything but the code "
          "and login, lines as on the page, the status with its reason, and the version read "
          "(409 on a stale one); checked whole, a bad line changes nothing", auth=True,
          request_schema=ExpertEditSchema, response=EXPERT)
@view_config(route_name="api.evaluation.expert", request_method="GET", renderer="json",
             permission=Permission.EVALUATION_VIEW)
def api_expert(request):
    return _expert_detail(get_or_404(request, Expert, "expert_id"))


@view_config(route_name="api.evaluation.expert", request_method="PUT", renderer="json",
             permission=Permission.EVALUATION_POOL)
def api_update_expert(request):
    expert = get_or_404(request, Expert, "expert_id")
    values = json_body(request, ExpertEditSchema())
    values.pop("csrf_token", None)
    return _expert_detail(update_expert(request, expert, values))


@describe("api.evaluation.committee", "GET", "The committee: before the evaluation starts only "
          "the center and supervisors see it; then the members and the owner. Names are "
          "secret until the award: for the owner's staff `name` is null and `names_withheld` "
          "true until then", auth=True)
@view_config(route_name="api.evaluation.committee", request_method="GET", renderer="json",
             permission=Permission.EVALUATION_VIEW)
def api_committee(context, request):
    committee = context.committee
    if committee is None:
        raise NotFound("该项目尚未组建评标委员会")
    shown = bool(request.has_permission(Permission.EVALUATION_NAMES))
    return {"status": str(committee.status), "plan": committee.plan,
            "names_withheld": not shown,
            "draws": [{"specialty": d.specialty, "need": d.need, "reserves": d.reserves,
                       "draw_id": d.draw_id} for d in committee.draws],
            "pseudonym_salt": committee.pseudonym_salt if committee.members_public_at else None,
            "members": [{"id": m.id, "role": str(m.role), "state": str(m.state),
                         "pseudonym": m.pseudonym, "specialty": m.specialty,
                         "chair": m.is_chair,
                         "name": (m.expert.name if m.expert else m.user.display_name)
                         if shown else None}
                        for m in _committees(request).seated(committee)]}


def _sheet(context, request):
    return SheetService(request.dbsession, request.clock).sheet(
        member_of(request, context), context.lot, actor=request.actor)


def _sheet_json(sheet) -> dict:
    return {"id": sheet.id, "state": str(sheet.state), "lot_id": sheet.lot_id,
            "marks": [{"bid_id": e.bid_id, "item_id": e.item_id,
                       "value": None if e.value is None else str(e.value), "passed": e.passed,
                       "reason": e.reason} for e in sheet.entries]}


SHEET = {"type": "object", "required": ["id", "state", "marks"],
         "properties": {"id": {"type": "integer"}, "state": {"type": "string",
                                                              "enum": ["draft", "submitted"]},
                        "marks": {"type": "array"}}}
@describe("api.evaluation.sheet", "GET", "My score sheet for the lot (member)", auth=True,
          response=SHEET)
@describe("api.evaluation.sheet", "PUT", "Save marks: value (decimal text) for scored items, "
          "passed for pass/fail; all checked first, a bad one changes nothing", auth=True,
          request_schema=SheetBody, response=SHEET)
@describe("api.evaluation.sheet.submit", "POST", "Submit and lock my sheet", auth=True,
          response=SHEET)
@view_config(route_name="api.evaluation.sheet", request_method="GET", renderer="json",
             permission=Permission.EVALUATION_SCORE)
def api_sheet(context, request):
    return _sheet_json(_sheet(context, request))


@view_config(route_name="api.evaluation.sheet", request_method="PUT", renderer="json",
             permission=Permission.EVALUATION_SCORE)
def api_save_sheet(context, request):
    values = json_body(request, SheetBody())
    sheet = _sheet(context, request)
    marks = [Mark(m["bid_id"], m["item_id"], value=m["value"], passed=m["passed"],
                  reason=m["reason"]) for m in values["marks"]]
    SheetService(request.dbsession, request.clock).save(sheet, marks, actor=request.actor)
    return _sheet_json(sheet)


@view_config(route_name="api.evaluation.sheet.submit", request_method="POST", renderer="json",
             permission=Permission.EVALUATION_SCORE)
def api_submit_sheet(context, request):
    sheet = _sheet(context, request)
    SheetService(request.dbsession, request.clock).submit(sheet, actor=request.actor)
    return _sheet_json(sheet)


def _report_json(report) -> dict:
    return {"id": report.id, "state": str(report.state), "ranked": report.ranked,
            "body_sha256": report.body_sha256, "signature": report.signature,
            "body": report.body,
            "sign_by": report.sign_by.isoformat() if report.sign_by else None,
            "signatures": [{"member_id": s.member_id, "agrees": s.agrees, "dissent": s.dissent,
                            "deemed": s.deemed, "signed_at": s.signed_at.isoformat(),
                            "signature": s.signature}
                           for s in report.signatures]}


REPORT = {"type": "object", "required": ["id", "state", "body", "body_sha256"]}
@describe("api.evaluation.report", "GET", "The lot's latest evaluation report. Until the award "
          "the owner's staff get it with the members' names null and `names_withheld` true "
          "(body_sha256 and the signature are those of the whole body)", auth=True,
          response=REPORT)
@describe("api.evaluation.report.sign", "POST", "Sign the report (member): the typed "
          "confirmation, agrees, and reasons when dissenting", auth=True,
          request_schema=SignSchema, response=REPORT)
def _report(context, request):
    report = _latest_report(request, context.lot)
    if report is None:
        raise NotFound("本标段尚未生成评标报告")
    return report


@view_config(route_name="api.evaluation.report", request_method="GET", renderer="json",
             permission=Permission.EVALUATION_VIEW)
def api_report(context, request):
    report = _report_json(_report(context, request))
    if not request.has_permission(Permission.EVALUATION_NAMES):
        # Names secret until the award: the body without them (body_sha256 and the
        # signature stay those of the whole body, checkable once the names are public).
        members = [{**m, "name": None} for m in report["body"].get("members", [])]
        report["body"] = {**report["body"], "members": members}
        report["names_withheld"] = True
    return report


@view_config(route_name="api.evaluation.report.sign", request_method="POST", renderer="json",
             permission=Permission.EVALUATION_SCORE)
def api_sign(context, request):
    values = json_body(request, SignSchema())
    report = _report(context, request)
    if member_of(request, context) is None:
        raise NotAMember("只有评标委员会成员可以签署评标报告")
    _service(request).work().sign(report, confirmation=values["confirmation"],
                                  agrees=values["agrees"], dissent=values["dissent"],
                                  actor=request.actor)
    return _report_json(report)


CANDIDATE = {"type": "object", "required": ["bidder_org_id", "bid_id", "total_score", "rank"],
             "properties": {"bidder_org_id": {"type": "integer"}, "bid_id": {"type": "integer"},
                            "bidder": {"type": "string"}, "total_score": {"type": "string"},
                            "price": {"type": "integer", "description": "分"},
                            "rank": {"type": ["integer", "null"]}}}
@describe("api.evaluation.candidates", "GET", "Candidates of the signed report (rank null under "
          "评定分离); 409 until every member has signed",
          response={"type": "object", "properties": {"candidates": {"type": "array",
                                                                    "items": CANDIDATE}}})
@view_config(route_name="api.evaluation.candidates", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_candidates(context, request):
    if _service(request).report_for(context.lot) is None:
        raise EvaluationConflict("评标报告尚未全体签署")
    return {"candidates": [{"bidder_org_id": c.bidder_org_id, "bid_id": c.bid_id,
                            "bidder": c.bidder.name, "total_score": str(c.total_score),
                            "price": c.price, "rank": c.rank}
                           for c in _service(request).candidates(context.lot)]}


@describe("api.evaluation.committee", "POST", "Form the committee (center): the plan as "
          "'specialty|count|reserves' lines, owner representatives' usernames, region",
          auth=True, request_schema=CommitteeSchema)
@describe("api.evaluation.committee.act", "POST", "draw (freeze lists, commit seeds), reveal, "
          "start, or no-answer with {\"member_id\"} (center)", auth=True)
@view_config(route_name="api.evaluation.committee", request_method="POST", renderer="json",
             permission=Permission.EVALUATION_MANAGE)
def api_form_committee(context, request):
    form_committee(request, context.project, json_body(request, CommitteeSchema()))
    request.response.status_int = 201
    context.committee = _committees(request).committee_of(context.project)
    return api_committee(context, request)


@view_config(route_name="api.evaluation.committee.act", request_method="POST", renderer="json",
             permission=Permission.EVALUATION_MANAGE)
def api_committee_action(context, request):
    name, service = request.matchdict["action"], _committees(request)
    if name == "no-answer":
        member_id = json_body(request, MemberBody())["member_id"]
        committee = context.committee
        member = next((m for m in committee.members if m.id == member_id), None) \
            if committee else None
        if member is None:
            raise NotFound("委员会中没有该成员", field="member_id")
        service.no_answer(member, actor=request.actor)
    elif name in COMMITTEE_ACTIONS:
        COMMITTEE_ACTIONS[name][0](service, context, request)
    else:
        raise NotFound("未知的操作", field="action")
    context.committee = service.committee_of(context.project)
    return api_committee(context, request)


@describe("api.evaluation.chair", "POST", "evaluate (汇总: totals, warnings, low-price "
          "reviews) or generate (the report) for the lot (chair)", auth=True)
@view_config(route_name="api.evaluation.chair", request_method="POST", renderer="json",
             permission=Permission.EVALUATION_CHAIR)
def api_chair(context, request):
    work = _service(request).work()
    name = request.matchdict["action"]
    if name == "evaluate":
        tab = work.evaluate(context.project, context.lot, actor=request.actor)
        return {"totals": {str(k): str(v) for k, v in tab.totals.items()},
                "ranking": tab.ranked_ids}
    if name == "generate":
        return _report_json(work.generate(context.project, context.lot, actor=request.actor))
    raise NotFound("未知的操作", field="action")
