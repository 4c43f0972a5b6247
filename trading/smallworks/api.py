"""The small-works JSON API: the same schemas and service as the pages.

A project's JSON carries its allocation record: the frozen pool, every excluded enterprise
with its reasons, the draws (each verifiable at /api/v1/draws/{id}) and the declines.
"""

import colander
from pyramid.view import view_config

from .. import notices
from ..api import InvalidBody, describe, json_body, json_object
from ..errors import DomainError
from ..forms import validated
from ..security import Permission
from . import forms, rules
from .errors import DirectAwardRefused
from .rules import Category
from .service import EXCLUSION_LABELS
from .status import AllocationStatus as A
from .status import RegistryStatus as R
from .views import enterprise_input, project_input, service

# Any of these in a posting is an attempt to name the contractor (业主直接指定).
WINNER_FIELDS = ("winner", "winner_id", "enterprise", "enterprise_id", "contractor")


def json_nulls_absent(request, schema) -> dict:
    """`json_body`, reading JSON null as an absent value (colander's null): a field's
    `missing` applies, as for "no cap" in the parameters."""
    return validated(schema, _nulls_absent(json_object(request, InvalidBody)), InvalidBody)


def _nulls_absent(value):
    if value is None:
        return colander.null
    if isinstance(value, dict):
        return {k: _nulls_absent(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulls_absent(v) for v in value]
    return value


def _day(value):
    return value.isoformat() if value else None


def enterprise_json(entry) -> dict:
    return {
        "id": entry.id, "name": entry.name, "credit_code": entry.credit_code,
        "status": str(entry.status), "credit_score": str(entry.credit_score),
        "safety_licence_until": _day(entry.safety_licence_until),
        "business_licence_until": _day(entry.business_licence_until),
        "local_office": entry.local_office, "local_insured_staff": entry.local_insured_staff,
        "status_reason": entry.status_reason or None,
        "suspended_until": _day(entry.suspended_until),
        "qualifications": [{"category": str(q.category), "sub_specialty": q.sub_specialty,
                            "grade": q.grade, "certificate_no": q.certificate_no,
                            "valid_from": _day(q.valid_from),
                            "valid_until": _day(q.valid_until)}
                           for q in entry.qualifications],
    }


def decline_json(decline) -> dict:
    """A decline and the center's decision: `decision` is undecided (counted as
    unjustified until the center decides), justified or unjustified."""
    decided = decline.decided_at is not None
    return {"id": decline.id, "enterprise_id": decline.enterprise_id,
            "reason": decline.reason, "at": decline.declined_at.isoformat(),
            "justified": decline.justified,
            "decision": ("justified" if decline.justified else "unjustified")
            if decided else "undecided",
            "decision_reason": decline.decision_reason or None,
            "decided_at": decline.decided_at.isoformat() if decided else None}


def work_json(request, work, *, detail=False) -> dict:
    data = {
        "id": work.id, "name": work.name, "category": str(work.category),
        "sub_specialty": work.sub_specialty, "object_type": str(work.object_type),
        "amount_fen": work.amount, "site": work.site, "method": str(work.method),
        "status": str(work.status), "owner": work.owner.name,
        "winner": ({"id": work.winner.id, "name": work.winner.name}
                   if work.winner is not None and work.status is not A.FAILED else None),
        "respond_by": work.respond_by.isoformat() if work.respond_by else None,
    }
    if detail:
        svc = service(request)
        data.update({
            "approved_on": _day(work.approved_on), "budget_proof": work.budget_proof,
            # the document itself only for the reviewers (smallworks:document:view)
            "budget_file": ({"filename": work.budget_file_name, "sha256":
                             work.budget_file_sha256, "size": work.budget_file_size,
                             "content_type": work.budget_file_type,
                             "url": request.route_url("smallworks.project.budget",
                                                      work_id=work.id)}
                            if work.budget_file_sha256 else None),
            "split_flag": work.split_flag, "split_decision": work.split_decision or None,
            "pool_on": _day(work.pool_on), "tier": work.tier or None,
            "profile_version": work.profile_version, "params": work.params,
            "eligible": work.eligible,
            "excluded": [{**e, "reason_labels": [EXCLUSION_LABELS.get(r, r)
                                                 for r in e["reasons"]]}
                         for e in work.excluded],
            "short_list": work.short_list, "decided_by": work.decided_by or None,
            "draws": [request.route_url("api.draw", draw_id=d.id)
                      for d in svc.draws.draws_for("smallworks_project", work.id)],
            "declines": [decline_json(d) for d in svc.declines_of(work)],
            "failure_reason": work.failure_reason or None,
            "result_notice": notices.api_json(
                notices.latest(request.dbsession, "smallworks", work.id),
                f"/smallworks/projects/{work.id}/notice.json"),
            "quotes_due_at": work.quotes_due_at.isoformat() if work.quotes_due_at else None,
            "quotes": [{"enterprise_id": q.enterprise_id, "envelope_sha256": q.envelope_sha256,
                        "price_fen": q.price, "problem": q.problem or None}
                       for q in svc.quotes_of(work)],
        })
    return data


OBJECT = {"type": "object"}
CATEGORY = {"name": "category", "in": "query", "required": False,
            "schema": {"type": "string", "enum": [str(c) for c in Category]}}

# -- registry ------------------------------------------------------------------------------

@describe("api.smallworks.enterprises", "GET",
          "在库企业 of one category, best credit first (public)", parameters=[CATEGORY])
@describe("api.smallworks.enterprises", "POST",
          "入库申请 for the caller's organisation (bidder); refused with duplicate_credit_code "
          "when its 统一社会信用代码 is already in the registry", auth=True,
          request_schema=forms.EnterpriseBody)
@view_config(route_name="api.smallworks.enterprises", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_registry(request):
    category = request.GET.get("category")
    if category is not None and category not in {str(c) for c in Category}:
        raise InvalidBody("未知的类别", field="category")
    entries = service(request).enterprises(
        status=(R.ACTIVE, R.SUSPENDED), category=Category(category) if category else None)
    return {"enterprises": [enterprise_json(e) for e in entries]}


@view_config(route_name="api.smallworks.enterprises", request_method="POST", renderer="json",
             permission=Permission.SMALLWORKS_APPLY)
def api_apply(request):
    values = json_body(request, forms.EnterpriseBody())
    entry = service(request).apply(request.identity.organisation, enterprise_input(values),
                                   actor=request.actor)
    return enterprise_json(entry)


@describe("api.smallworks.enterprise", "GET", "One registry entry", response=OBJECT)
@view_config(route_name="api.smallworks.enterprise", request_method="GET", renderer="json",
             permission=Permission.SMALLWORKS_VIEW)
def api_enterprise(context, request):
    return enterprise_json(context.entry)


@describe("api.smallworks.enterprise.review", "POST",
          "Center: approve (入库) or return an application with reasons", auth=True,
          request_schema=forms.DecisionBody)
@view_config(route_name="api.smallworks.enterprise.review", request_method="POST",
             renderer="json", permission=Permission.SMALLWORKS_MANAGE)
def api_review_enterprise(context, request):
    values, svc = json_body(request, forms.DecisionBody()), service(request)
    if values["decision"] == "approve":
        svc.approve_entry(context.entry, actor=request.actor)
    else:
        svc.return_entry(context.entry, reasons=values["reasons"], actor=request.actor)
    return enterprise_json(context.entry)


@describe("api.smallworks.enterprise.status", "POST",
          "Center: suspend, reinstate or exit an enterprise for cause", auth=True,
          request_schema=forms.StatusBody)
@view_config(route_name="api.smallworks.enterprise.status", request_method="POST",
             renderer="json", permission=Permission.SMALLWORKS_MANAGE)
def api_status(context, request):
    values, svc, entry = json_body(request, forms.StatusBody()), service(request), context.entry
    verbs = {"suspend": svc.suspend, "exit": svc.exit}
    if values["action"] in verbs:
        verbs[values["action"]](entry, reason=values["reason"], actor=request.actor)
    else:
        svc.reinstate(entry, reason=values["reason"], actor=request.actor)
    return enterprise_json(entry)


# -- projects ------------------------------------------------------------------------------

@describe("api.smallworks.projects", "GET", "Small works past review, newest first (public)")
@describe("api.smallworks.projects", "POST",
          "Owner posts a small work with its budget approval file (`budget_file`: filename "
          "and base64 content; PDF, JPG or PNG, at most 10 MiB); above_tender_threshold at "
          "or over the threshold, direct_award_refused when it names a contractor, "
          "file_too_large, application_invalid on budget_file for a missing or wrong file",
          auth=True,
          request_schema=forms.WorkBody)
@view_config(route_name="api.smallworks.projects", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_projects(request):
    public = [s for s in A if s not in (A.DRAFT, A.SUBMITTED, A.RETURNED, A.CANCELLED)]
    return {"projects": [work_json(request, w)
                         for w in service(request).projects(statuses=public)]}


@view_config(route_name="api.smallworks.projects", request_method="POST", renderer="json",
             permission=Permission.SMALLWORKS_POST)
def api_post(request):
    try:
        named = [f for f in WINNER_FIELDS if f in json_object(request)]
    except DomainError:
        named = []  # json_body below names what is wrong with the body
    if named:
        raise DirectAwardRefused("小额工程的承包企业只能由抽取或轮候产生，业主不能直接指定",
                                 field=named[0])
    values = json_body(request, forms.WorkBody())
    work = service(request).post(request.identity.organisation, project_input(values),
                                 actor=request.actor)
    return work_json(request, work, detail=True)


@describe("api.smallworks.project", "GET",
          "A small work with its allocation record: pool, exclusions with reasons, draws, "
          "declines", response=OBJECT)
@view_config(route_name="api.smallworks.project", request_method="GET", renderer="json",
             permission=Permission.SMALLWORKS_VIEW)
def api_project(context, request):
    return work_json(request, context.work, detail=True)


@describe("api.smallworks.profile", "GET",
          "The allocation parameters in force (the `smallworks` RuleProfile version; 0: the "
          "code defaults)", response=OBJECT)
@describe("api.smallworks.profile", "POST",
          "Center: save new parameters as the next profile version; invalid_params or "
          "invalid with the field when a value is out of range", auth=True,
          request_schema=forms.ProfileBody)
def profile_json(svc) -> dict:
    profile = svc.current_profile()
    return {"version": profile.version if profile else 0,
            "params": rules.profile_from_params(svc.params)}


@view_config(route_name="api.smallworks.profile", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_profile(request):
    return profile_json(service(request))


@view_config(route_name="api.smallworks.profile", request_method="POST", renderer="json",
             permission=Permission.SMALLWORKS_MANAGE)
def api_update_profile(request):
    values, svc = json_nulls_absent(request, forms.ProfileBody()), service(request)
    svc.update_profile(forms.profile_data(values), actor=request.actor)
    return profile_json(svc)


@describe("api.smallworks.statistics", "GET", "Monthly statistics of small works (public)")
@view_config(route_name="api.smallworks.statistics", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_statistics(request):
    return {"months": [{**m, "methods": dict(m["methods"])}
                       for m in service(request).monthly_statistics()]}


def _action(name, summary, permission, schema, run):
    """One POST step on a small work: parse with the form's schema, call the service."""
    @describe(f"api.smallworks.project.{name}", "POST", summary, auth=True,
              request_schema=schema)
    @view_config(route_name=f"api.smallworks.project.{name}", request_method="POST",
                 renderer="json", permission=permission)
    def view(context, request):
        values = json_body(request, schema()) if schema else {}
        run(service(request), context.work, values, request.actor)
        return work_json(request, context.work, detail=True)

    view.__name__ = f"api_{name}"
    return view


def _review(svc, work, values, actor):
    if values["decision"] == "approve":
        svc.approve_project(work, split_decision=values["split_decision"], actor=actor)
    else:
        svc.return_project(work, reasons=values["reasons"], actor=actor)


api_review = _action("review", "Center: approve (freezes the pool) or return",
                     Permission.SMALLWORKS_ALLOCATE, forms.DecisionBody, _review)
api_draw = _action("draw", "Center: reveal the draw (or take the rotation head)",
                   Permission.SMALLWORKS_ALLOCATE, None,
                   lambda svc, work, values, actor: svc.draw(work, actor=actor))
api_quote = _action("quote", "A short-listed enterprise's quote (合理低价), sealed at once",
                    Permission.SMALLWORKS_QUOTE, forms.QuoteBody,
                    lambda svc, work, values, actor: svc.submit_quote(
                        work, svc.enterprise_of(actor.organisation_id), price=values["price"],
                        actor=actor))
api_open = _action("open", "Center: open the sealed quotes after the deadline",
                   Permission.SMALLWORKS_ALLOCATE, None,
                   lambda svc, work, values, actor: svc.open_quotes(work, actor=actor))
api_accept = _action("accept", "The drawn enterprise confirms within its window",
                     Permission.SMALLWORKS_RESPOND, forms.AcceptBody,
                     lambda svc, work, values, actor: svc.accept(
                         work, work.winner, manager=values["manager"], actor=actor))
api_decline = _action("decline", "The drawn enterprise declines; the next is drawn",
                      Permission.SMALLWORKS_RESPOND, forms.DeclineBody,
                      lambda svc, work, values, actor: svc.decline(
                          work, work.winner, reason=values["reason"], actor=actor))
api_decision = _action(
    "decision", "Center: a decline was justified or not, with a reason; only unjustified "
    "declines count towards the suspension (a justified one lifts the suspension it "
    "caused)", Permission.SMALLWORKS_MANAGE, forms.DeclineDecisionBody,
    lambda svc, work, values, actor: svc.decide_decline(
        work, values["decline_id"], justified=values["decision"] == "justified",
        reason=values["reason"], actor=actor))
api_contract = _action("contract", "Center: contract signed after the publicity",
                       Permission.SMALLWORKS_ALLOCATE, None,
                       lambda svc, work, values, actor: svc.contract(work, actor=actor))
api_complete = _action("complete", "Owner: completion facts", Permission.SMALLWORKS_PERFORM,
                       forms.CompleteBody,
                       lambda svc, work, values, actor: svc.complete(work, actor=actor,
                                                                     **values))
api_evaluate = _action("evaluate", "Owner: performance evaluation (feeds credit)",
                       Permission.SMALLWORKS_PERFORM, forms.EvaluateBody,
                       lambda svc, work, values, actor: svc.evaluate(
                           work, score=values["score"], actor=actor))
