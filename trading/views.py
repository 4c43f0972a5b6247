"""Site-wide pages: home, workspace, locale switch, and the error pages."""

import sqlalchemy as sa
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import forbidden_view_config, notfound_view_config, view_config
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError

from .accounts.labels import ROLE_LABELS
from .errors import DomainError
from .evaluation.workspace import summary as evaluation_summary
from .i18n import LOCALE_COOKIE, LOCALES
from .projects.models import Announcement, Project
from .projects.status import PUBLIC
from .projects.workspace import summary as project_summary
from .security import Permission
from .words import N_
from .workspace import sections as workspace_sections


def wants_json(request) -> bool:
    return request.path.startswith("/api/")


def json_error(request, status: int, code: str, message: str, field=None):
    request.response.status_int = status
    request.response.content_type = "application/json"
    return {"error": code, "message": message, "field": field}


# The portal's notice columns (issue #18 pt 7): each a label and the announcement kinds it shows.
HOME_NOTICES = (
    (N_("招标/采购公告"), ("tender",)),
    (N_("更正公告"), ("clarification",)),
    (N_("中标候选人公示"), ("candidates",)),
    (N_("中标结果公告"), ("result",)),
    (N_("流标/终止公告"), ("failure", "cancellation")),
)
HOME_NOTICES_EACH = 6


def latest_notices(dbsession, kinds, limit=HOME_NOTICES_EACH):
    """The newest notices of these kinds on public projects (drafts never show)."""
    query = (sa.select(Announcement).join(Project)
             .where(Announcement.kind.in_(kinds), Project.status.in_(PUBLIC))
             .order_by(Announcement.published_at.desc(), Announcement.id.desc()).limit(limit)
             .options(contains_eager(Announcement.project)))
    return dbsession.scalars(query).all()


@view_config(route_name="home", renderer="home.jinja2", permission=Permission.PUBLIC_VIEW)
def home(request):
    return {"columns": [(label, latest_notices(request.dbsession, kinds))
                        for label, kinds in HOME_NOTICES]}


@view_config(route_name="workspace", renderer="workspace.jinja2",
             permission=Permission.ACCOUNT_SELF)
def workspace(request):
    """Each role's landing page: what is waiting for this user."""
    user = request.identity
    found = project_summary(request.dbsession, user)
    found.update(evaluation_summary(request.dbsession, user))
    return {"role_label": ROLE_LABELS[user.role], "summary": found,
            "sections": workspace_sections(request)}


@view_config(route_name="locale", permission=Permission.PUBLIC_VIEW)
def switch_locale(request):
    code = request.matchdict["code"]
    if code not in LOCALES:
        raise HTTPNotFound()
    target = request.referer if request.referer and request.referer.startswith(
        request.host_url) else request.route_url("home")
    response = HTTPSeeOther(target)
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                        httponly=True)
    return response


@notfound_view_config(renderer="errors/404.jinja2", append_slash=HTTPSeeOther)
def not_found(request):
    if wants_json(request):
        request.override_renderer = "json"
        return json_error(request, 404, "not_found", "资源不存在")
    request.response.status_int = 404
    return {}


@forbidden_view_config(renderer="errors/403.jinja2")
def forbidden(exc, request):
    if wants_json(request):
        request.override_renderer = "json"
        if request.identity is None:
            return json_error(request, 401, "unauthenticated", "需要登录或有效的 API 令牌")
        return json_error(request, 403, "forbidden", "无权执行此操作")
    if request.identity is None and request.method == "GET":
        return HTTPSeeOther(request.route_url("accounts.login", _query={"next": request.path_qs}))
    request.response.status_int = 403
    return {}


@view_config(context=BadCSRFToken, renderer="errors/400.jinja2")
@view_config(context=BadCSRFOrigin, renderer="errors/400.jinja2")
def bad_csrf(exc, request):
    message = "表单已过期或来源无效，请刷新页面后重试"
    if wants_json(request):
        request.override_renderer = "json"
        return json_error(request, 400, "csrf_failed", message)
    request.response.status_int = 400
    return {"message": message}


@view_config(context=DomainError, renderer="json")
def domain_error(exc, request):
    """A service refusal that a view did not handle itself: a precise error, never a 500."""
    if not wants_json(request):
        request.override_renderer = "errors/400.jinja2"
        request.response.status_int = exc.status
        return {"message": exc.message}
    request.response.status_int = exc.status
    request.response.content_type = "application/json"
    return exc.as_json()


@view_config(context=DBAPIError)
def database_unavailable(exc, request):
    """The database went away mid-request or at commit (a restart, a failover): a clear 503
    instead of a bare 500. No receipt is sent, and a bid upload may be retried as it is (the
    same envelope gets the same receipt). No template: the layout would need the database."""
    if not (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)):
        raise exc
    message = "数据库暂时不可用，请稍后重试"
    if wants_json(request):
        response = Response(json=json_error(request, 503, "database_unavailable", message))
    else:
        response = Response(f"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
                            f"<title>503</title><p>{message}</p></html>", charset="utf-8")
    response.status_int = 503
    response.headers["Retry-After"] = "5"
    return response


@view_config(context=StaleDataError)
def concurrent_change(exc, request):
    """Someone changed the same row at the same moment and the retries ran out: a 409 the
    client may repeat, never a 500 (pyramid_retry retried it first)."""
    message = "数据已被同时修改，请刷新后重试"
    if wants_json(request):
        response = Response(json=json_error(request, 409, "concurrent_change", message))
    else:
        response = Response(f"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
                            f"<title>409</title><p>{message}</p></html>", charset="utf-8")
    response.status_int = 409
    return response
