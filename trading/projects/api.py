"""The projects JSON API: the same schemas and services as the pages."""

import colander
from pyramid.httpexceptions import HTTPForbidden
from pyramid.view import view_config

from ..api import InvalidBody, describe, json_body, query_parameters
from ..files import serve_stored
from ..forms import Text, first_problem
from ..security import Permission
from .forms import AnswerBody, ClarificationBody, ProjectBody, QuestionBody
from .search import SearchSchema, parse_criteria, search
from .service import ProjectInput, ProjectService


def _service(request) -> ProjectService:
    return request.find_service(ProjectService)


def _instant(value):
    return value.isoformat() if value else None


def project_json(project, *, detail=False) -> dict:
    data = {
        "id": project.id, "number": project.number, "name": project.name,
        "project_type": str(project.project_type), "regime": str(project.regime),
        "object_type": str(project.object_type),
        "procurement_method": str(project.procurement_method),
        "evaluation_method": str(project.evaluation_method),
        "award_method": str(project.award_method), "custody_mode": str(project.custody_mode),
        "crypto_suite": str(project.crypto_suite) if project.crypto_suite else None,
        "region": project.region, "status": str(project.status),
        "frozen": bool(project.frozen_reason), "frozen_reason": project.frozen_reason or None,
        "budget_fen": project.budget, "owner": project.owner.name,
        "published_at": _instant(project.published_at),
        "doc_start": _instant(project.doc_start), "doc_end": _instant(project.doc_end),
        "clarification_deadline": _instant(project.clarification_deadline),
        "bid_deadline": _instant(project.bid_deadline),
    }
    if detail:
        data["description"] = project.description
        data["lots"] = [{"id": lot.id, "number": lot.number, "name": lot.name,
                         "budget_fen": lot.budget, "ceiling_price_fen": lot.ceiling_price}
                        for lot in project.lots]
        data["documents"] = [{"id": d.id, "filename": d.filename, "size": d.size,
                              "sha256": d.sha256} for d in project.documents]
        data["announcements"] = [_announcement_json(project, a) for a in project.announcements]
    return data


def _announcement_json(project, a) -> dict:
    """A notice with its platform signature (algorithm null: published before signing)."""
    return {"id": a.id, "kind": a.kind, "title": a.title, "body": a.body,
            "changes": a.changes, "published_at": _instant(a.published_at),
            "algorithm": a.signing_algorithm, "signature": a.signature,
            "signed_document": (f"/projects/{project.id}/announcements/{a.id}/notice.json"
                                if a.signature else None)}


PROJECT = {"type": "object", "required": ["id", "number", "name", "status"]}
PAGE = {"type": "object", "required": ["items", "total", "page", "per_page"],
        "properties": {"items": {"type": "array", "items": PROJECT},
                       "total": {"type": "integer"}, "page": {"type": "integer"},
                       "per_page": {"type": "integer"}}}
SEARCH_PARAMS = query_parameters(SearchSchema())

@describe("api.projects", "GET", "Search public projects", response=PAGE, parameters=SEARCH_PARAMS)
@view_config(route_name="api.projects", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_search(request):
    try:
        criteria = parse_criteria(dict(request.GET.items()))
    except colander.Invalid as error:
        raise first_problem(error, InvalidBody) from None
    page = search(request.dbsession, criteria)
    return {"items": [project_json(p) for p in page.items], "total": page.total,
            "total_capped": page.capped, "page": page.page, "per_page": page.per_page}


@describe("api.projects", "POST", "Create a draft posting (owner)", auth=True,
          request_schema=ProjectBody, response=PROJECT)
@view_config(route_name="api.projects", request_method="POST", renderer="json",
             permission=Permission.PROJECT_CREATE)
def api_create(request):
    values = json_body(request, ProjectBody())
    project = _service(request).create_draft(ProjectInput.from_appstruct(values),
                                             owner=request.identity.organisation,
                                             actor=request.actor)
    request.response.status_int = 201
    return project_json(project, detail=True)


@describe("api.project", "GET", "One project with lots, documents and announcements",
          response=PROJECT)
@view_config(route_name="api.project", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_detail(context, request):
    return project_json(context.project, detail=True)


@describe("api.project", "PUT", "Replace a draft posting (owner)", auth=True,
          request_schema=ProjectBody, response=PROJECT)
@view_config(route_name="api.project", request_method="PUT", renderer="json",
             permission=Permission.PROJECT_EDIT)
def api_update(context, request):
    values = json_body(request, ProjectBody())
    _service(request).update_draft(context.project, ProjectInput.from_appstruct(values),
                                   actor=request.actor)
    return project_json(context.project, detail=True)


@describe("api.project.documents", "POST", "Upload a tender document (multipart field 'file')",
          auth=True, response={"type": "object"})
@view_config(route_name="api.project.documents", request_method="POST", renderer="json",
             permission=Permission.PROJECT_EDIT)
def api_upload(context, request):
    upload = request.POST.get("file")
    if upload is None or not hasattr(upload, "file"):
        raise InvalidBody("缺少文件字段 file", field="file")
    doc = _service(request).add_document(context.project, filename=upload.filename,
                                         content_type=upload.type, stream=upload.file,
                                         actor=request.actor)
    request.response.status_int = 201
    return {"id": doc.id, "filename": doc.filename, "size": doc.size, "sha256": doc.sha256}


@describe("api.project.download", "GET", "Download a document (signed-up bidders, owner, center)",
          auth=True, response={"type": "string", "format": "binary"})
@view_config(route_name="api.project.download", request_method="GET",
             permission=Permission.PROJECT_VIEW)
def api_download(context, request):
    service = _service(request)
    if not service.may_download(context.project, request.identity):
        raise HTTPForbidden()
    service.record_download(context.child, user=request.identity, actor=request.actor)
    return serve_stored(request, request.storage.path_for(context.child.sha256),
                        context.child.filename)


def _action(route, summary, permission, call, schema=None):
    @describe(route, "POST", summary, auth=True, request_schema=schema, response=PROJECT)
    @view_config(route_name=route, request_method="POST", renderer="json",
                 permission=permission)
    def view(context, request):
        values = json_body(request, schema()) if schema else {}
        result = call(_service(request), context, request, values)
        return result if isinstance(result, dict) else project_json(context.project, detail=True)

    view.__name__ = route.replace(".", "_")
    return view


class ReasonBody(colander.MappingSchema):
    reasons = colander.SchemaNode(Text(), missing="",
                                  validator=colander.Length(0, 2000))


class CancelBody(colander.MappingSchema):
    reason = colander.SchemaNode(Text(), validator=colander.Length(1, 500))


api_submit = _action(
    "api.project.submit", "Submit a draft for review (owner)", Permission.PROJECT_MANAGE,
    lambda s, c, r, v: s.submit_for_review(c.project, actor=r.actor))
api_approve = _action(
    "api.project.approve", "Approve and publish (trading center)", Permission.PROJECT_REVIEW,
    lambda s, c, r, v: s.approve(c.project, actor=r.actor, reasons=v["reasons"]), ReasonBody)
api_return = _action(
    "api.project.return", "Return for changes with reasons (trading center)",
    Permission.PROJECT_REVIEW,
    lambda s, c, r, v: s.return_for_changes(c.project, reasons=v["reasons"], actor=r.actor),
    ReasonBody)
api_cancel = _action(
    "api.project.cancel", "Cancel the project (owner)", Permission.PROJECT_MANAGE,
    lambda s, c, r, v: s.cancel(c.project, reason=v["reason"], actor=r.actor), CancelBody)
@describe("api.project.retender", "POST", "Re-tender a failed project as a new draft (owner)",
          auth=True, response=PROJECT)
@view_config(route_name="api.project.retender", request_method="POST", renderer="json",
             permission=Permission.PROJECT_MANAGE)
def api_retender(context, request):
    copy = _service(request).retender(context.project, actor=request.actor)
    request.response.status_int = 201
    return project_json(copy, detail=True)


class FreezeBody(colander.MappingSchema):
    reason = colander.SchemaNode(Text(), validator=colander.Length(1, 500))


api_freeze = _action(
    "api.project.freeze", "Freeze the project: every transition is refused (supervisor)",
    Permission.PROJECT_FREEZE,
    lambda s, c, r, v: s.freeze(c.project, reason=v["reason"], actor=r.actor), FreezeBody)
api_unfreeze = _action(
    "api.project.unfreeze", "Lift a freeze (supervisor)", Permission.PROJECT_FREEZE,
    lambda s, c, r, v: s.unfreeze(c.project, reason=v["reason"], actor=r.actor), FreezeBody)
api_clarify = _action(
    "api.project.clarifications", "Publish a clarification or change (owner)",
    Permission.PROJECT_MANAGE,
    lambda s, c, r, v: s.publish_clarification(c.project, actor=r.actor, **v),
    ClarificationBody)
api_ask = _action(
    "api.project.questions", "Ask a question (signed-up bidder)", Permission.PROJECT_PARTICIPATE,
    lambda s, c, r, v: {"id": s.ask_question(c.project, text=v["text"], asker=r.identity,
                                             actor=r.actor).id},
    QuestionBody)
api_answer = _action(
    "api.project.answer", "Answer a question; published without the asker (owner)",
    Permission.PROJECT_MANAGE,
    lambda s, c, r, v: s.answer_question(c.child, answer=v["answer"], actor=r.actor),
    AnswerBody)
api_signup = _action(
    "api.project.signup", "Sign up to a lot (bidder)", Permission.PROJECT_PARTICIPATE,
    lambda s, c, r, v: {"signup_id": s.sign_up(c.project, c.child, bidder=r.identity,
                                               actor=r.actor).id})

@describe("api.project.signups", "GET", "Who signed up (center; owner and supervisor after the "
          "deadline)", auth=True, response={"type": "object"})
@view_config(route_name="api.project.signups", request_method="GET", renderer="json",
             permission=Permission.PROJECT_SIGNUPS)
def api_signups(context, request):
    service = _service(request)
    if not service.signups_visible_to(context.project, request.identity):
        raise HTTPForbidden()
    return {"signups": [{"lot": s.lot.number, "bidder": s.bidder.name,
                         "signed_up_at": _instant(s.signed_up_at)}
                        for s in service.signups(context.project)]}
