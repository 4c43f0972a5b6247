"""Project pages (HTML). Thin: parse, call one service method, redirect or render."""


import json

import colander
import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from ..files import serve_bytes, serve_stored
from ..forms import redirect, render_form, validated
from ..i18n import _
from ..security import Permission
from . import notices
from .forms import AnswerSchema, ClarificationSchema, ProjectSchema, QuestionSchema, ReviewSchema
from .models import Project, Question
from .search import PAGE_FIELDS, parse_criteria, search
from .service import PROJECT_FIELDS, ProjectInput, ProjectService
from .status import ProjectStatus, allowed_transitions

S = ProjectStatus


def _service(request) -> ProjectService:
    return request.find_service(ProjectService)


def _go(request, project, message=None):
    return redirect(request, "projects.detail", message, project_id=project.id)


# -- public listing and detail -----------------------------------------------------------


@view_config(route_name="projects.list", renderer="projects/list.jinja2",
             permission=Permission.PUBLIC_VIEW)
def list_projects(request):
    params = dict(request.GET.items())
    try:
        criteria = parse_criteria(params)
    except colander.Invalid as error:
        request.response.status_int = 400
        return {"page": None, "errors": error.asdict(), "params": params}
    # Each row's link is this prefix and the id: route_url per row cost more than the row.
    detail_url = request.route_url("projects.detail", project_id=0)[:-1]
    return {"page": search(request.dbsession, criteria, PAGE_FIELDS), "errors": {},
            "params": params, "detail_url": detail_url}


@view_config(route_name="projects.detail", renderer="projects/detail.jinja2",
             permission=Permission.PROJECT_VIEW)
def project_detail(context, request):
    project, service, user = context.project, _service(request), request.identity
    questions = request.dbsession.query(Question).filter_by(project_id=project.id)
    is_owner = request.has_permission(Permission.PROJECT_MANAGE)
    return {
        "project": project,
        "can": lambda permission: bool(request.has_permission(permission)),
        "next_statuses": allowed_transitions(project.status),
        "questions": [q for q in questions.order_by(Question.id)
                      if is_owner or q.answer is not None],
        "is_owner": is_owner,
        "may_download": service.may_download(project, user),
        "my_lots": service.signed_up_lots(project, user.organisation_id if user else None),
        "signups_visible": service.signups_visible_to(project, user),
        "now": request.clock(),
        "S": S,
    }


@view_config(route_name="projects.announcement", renderer="projects/announcement.jinja2",
             permission=Permission.PROJECT_VIEW)
def announcement(context, request):
    item = context.child
    return {"project": context.project, "item": item,
            "signed": notices.verify(request.registry["keys"], item)
            if item.signature else None}


@view_config(route_name="projects.announcement.signed", permission=Permission.PROJECT_VIEW)
def signed_announcement(context, request):
    """notice.json: the notice and the platform's signature, for
    `python -m bid_crypto verify-notice --platform-key platform.pub notice.json`."""
    document = notices.document(context.child)
    if document is None:
        raise HTTPNotFound()
    body = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return serve_bytes(body.encode(), f"notice-{context.child.id}.json", "application/json")


# -- owner -----------------------------------------------------------------------------------


@view_config(route_name="projects.mine", renderer="projects/mine.jinja2",
             permission=Permission.OWNER_WORKSPACE)
def my_projects(request):
    query = (request.dbsession.query(Project)
             .filter(Project.owner_org_id == request.identity.organisation_id)
             .order_by(Project.id.desc()).limit(200))
    return {"projects": query.all()}


def _project_form(request, action_label):
    schema = ProjectSchema().bind(request=request)
    return deform.Form(schema, buttons=(deform.Button("submit", action_label),))


@view_config(route_name="projects.new", renderer="projects/form.jinja2",
             permission=Permission.PROJECT_CREATE, request_method=("GET", "POST"))
def new_project(request):
    form = _project_form(request, _("保存草稿"))

    def on_success(values):
        project = _service(request).create_draft(
            ProjectInput.from_appstruct(values), owner=request.identity.organisation,
            actor=request.actor)
        return _go(request, project, _("草稿已保存，请上传招标文件后提交审核"))

    result = render_form(request, form, on_success=on_success)
    return result if isinstance(result, HTTPSeeOther) else {**result, "title": _("发布项目")}


@view_config(route_name="projects.edit", renderer="projects/form.jinja2",
             permission=Permission.PROJECT_EDIT, request_method=("GET", "POST"))
def edit_project(context, request):
    project = context.project
    form = _project_form(request, _("保存修改"))

    def on_success(values):
        _service(request).update_draft(project, ProjectInput.from_appstruct(values),
                                       actor=request.actor)
        return _go(request, project, _("修改已保存"))

    result = render_form(request, form, on_success=on_success, appstruct=_appstruct(project))
    if isinstance(result, HTTPSeeOther):
        return result
    return {**result, "title": _("修改项目"), "project": project}


def _appstruct(project: Project) -> dict:
    data = {f: getattr(project, f) for f in PROJECT_FIELDS}
    data["crypto_suite"] = str(project.crypto_suite or "")
    data["lots"] = [{"name": lot.name, "budget": lot.budget, "ceiling_price": lot.ceiling_price,
                     "description": lot.description} for lot in project.lots]
    return data


@view_config(route_name="projects.upload", permission=Permission.PROJECT_EDIT,
             request_method="POST")
def upload_document(context, request):
    upload = request.POST.get("file")
    if upload is None or not hasattr(upload, "file"):
        request.session.flash(_("请选择要上传的文件"), "error")
        return _go(request, context.project)
    _service(request).add_document(context.project, filename=upload.filename,
                                   content_type=upload.type, stream=upload.file,
                                   actor=request.actor)
    return _go(request, context.project, _("文件已上传"))


@view_config(route_name="projects.submit", permission=Permission.PROJECT_MANAGE,
             request_method="POST")
def submit_project(context, request):
    _service(request).submit_for_review(context.project, actor=request.actor)
    return _go(request, context.project, _("已提交交易中心审核"))


@view_config(route_name="projects.cancel", permission=Permission.PROJECT_MANAGE,
             request_method="POST")
def cancel_project(context, request):
    _service(request).cancel(context.project, reason=request.POST.get("reason", "")[:500],
                             actor=request.actor)
    return _go(request, context.project, _("项目已终止"))


@view_config(route_name="projects.retender", permission=Permission.PROJECT_MANAGE,
             request_method="POST")
def retender_project(context, request):
    copy = _service(request).retender(context.project, actor=request.actor)
    return redirect(request, "projects.edit", _("已创建重新招标草稿，请调整时间安排后提交审核"),
                    project_id=copy.id)


@view_config(route_name="projects.freeze", permission=Permission.PROJECT_FREEZE,
             request_method="POST")
def freeze_project(context, request):
    _service(request).freeze(context.project, reason=request.POST.get("reason", "")[:500],
                             actor=request.actor)
    return _go(request, context.project, _("项目已冻结"))


@view_config(route_name="projects.unfreeze", permission=Permission.PROJECT_FREEZE,
             request_method="POST")
def unfreeze_project(context, request):
    _service(request).unfreeze(context.project, reason=request.POST.get("reason", "")[:500],
                               actor=request.actor)
    return _go(request, context.project, _("项目已解除冻结"))


@view_config(route_name="projects.clarify", renderer="projects/clarify.jinja2",
             permission=Permission.PROJECT_MANAGE, request_method=("GET", "POST"))
def clarify(context, request):
    form = deform.Form(ClarificationSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("发布公告")),))

    def on_success(values):
        _service(request).publish_clarification(context.project, actor=request.actor, **values)
        return _go(request, context.project, _("澄清/变更公告已发布"))

    result = render_form(request, form, on_success=on_success)
    return result if isinstance(result, HTTPSeeOther) else {**result, "project": context.project}


@view_config(route_name="projects.answer", permission=Permission.PROJECT_MANAGE,
             request_method="POST")
def answer_question(context, request):
    values = _validated(AnswerSchema(), request)
    _service(request).answer_question(context.child, answer=values["answer"],
                                      actor=request.actor)
    return _go(request, context.project, _("答复已发布"))


# -- trading center -------------------------------------------------------------------------


@view_config(route_name="projects.reviews", renderer="projects/reviews.jinja2",
             permission=Permission.PROJECT_REVIEW)
def review_queue(request):
    query = (request.dbsession.query(Project).filter(Project.status == S.PENDING_REVIEW)
             .order_by(Project.status_changed_at))
    return {"projects": query.all()}


@view_config(route_name="projects.review", renderer="projects/review.jinja2",
             permission=Permission.PROJECT_REVIEW, request_method=("GET", "POST"))
def review_project(context, request):
    project, service = context.project, _service(request)
    form = deform.Form(ReviewSchema().bind(request=request), buttons=(
        deform.Button("approve", _("审核通过并发布")), deform.Button("return", _("退回修改"))))
    button = "return" if "return" in request.POST else "approve"

    def on_success(values):
        if button == "approve":
            service.approve(project, actor=request.actor, reasons=values["reasons"])
            return _go(request, project, _("项目已发布"))
        service.return_for_changes(project, reasons=values["reasons"], actor=request.actor)
        return _go(request, project, _("项目已退回"))

    result = render_form(request, form, on_success=on_success, button=button)
    return result if isinstance(result, HTTPSeeOther) else {**result, "project": project}


# -- bidders ---------------------------------------------------------------------------------


@view_config(route_name="projects.signup", permission=Permission.PROJECT_PARTICIPATE,
             request_method="POST")
def sign_up(context, request):
    _service(request).sign_up(context.project, context.child, bidder=request.identity,
                              actor=request.actor)
    return _go(request, context.project, _("报名成功，可以下载招标文件"))


@view_config(route_name="projects.ask", permission=Permission.PROJECT_PARTICIPATE,
             request_method="POST")
def ask_question(context, request):
    values = _validated(QuestionSchema(), request)
    _service(request).ask_question(context.project, text=values["text"],
                                   asker=request.identity, actor=request.actor)
    return _go(request, context.project, _("问题已提交，答复将匿名公开"))


@view_config(route_name="projects.download", permission=Permission.PROJECT_VIEW)
def download(context, request):
    service, document = _service(request), context.child
    if not service.may_download(context.project, request.identity):
        raise HTTPForbidden()
    service.record_download(document, user=request.identity, actor=request.actor)
    return serve_stored(request, request.storage.path_for(document.sha256), document.filename)


@view_config(route_name="projects.signups", renderer="projects/signups.jinja2",
             permission=Permission.PROJECT_SIGNUPS)
def list_signups(context, request):
    service = _service(request)
    if not service.signups_visible_to(context.project, request.identity):
        raise HTTPForbidden()
    return {"project": context.project, "signups": service.signups(context.project)}


def _validated(schema, request) -> dict:
    """Small POST forms without a page of their own: invalid input is a DomainError page."""
    values = validated(schema.bind(request=request), dict(request.POST))
    values.pop("csrf_token", None)
    return values
