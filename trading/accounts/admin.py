"""The three administrators' pages (三员分立, 等保 2.0 level 3).

系统管理员 (sysadmin): accounts — create staff and administrator accounts, disable and
enable them. 安全管理员 (secadmin): the security policy. 审计管理员 (auditor): the audit log
(trading.audit.views, permission AUDIT_LOG). Each page needs its own permission, which the
root ACL grants to one role only; every change is an audit row.
"""

import deform
import sqlalchemy as sa
from markupsafe import Markup
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from ..errors import DomainError
from ..forms import redirect, refused, render_form
from ..i18n import _
from ..security import Permission
from .forms import PolicySchema, ResetSecondFactorSchema, StaffSchema
from .labels import ROLE_LABELS
from .models import Role, User
from .policy import POLICY, PolicyService
from .service import AccountService
from .totp import SecondFactorInvalid, SecondFactorService


def _users_page(request, form_html=None) -> dict:
    form = deform.Form(StaffSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("创建账户")),))
    users = request.dbsession.scalars(sa.select(User).order_by(User.id)).all()
    return {"users": users, "ROLE_LABELS": ROLE_LABELS, "error": None,
            "form": form_html or Markup(form.render())}


@view_config(route_name="admin.users", renderer="admin/users.jinja2",
             permission=Permission.ADMIN_ACCOUNTS, request_method=("GET", "POST"))
def users(request):
    form = deform.Form(StaffSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("创建账户")),))
    accounts = request.find_service(AccountService)

    def on_success(values):
        accounts.create_user(username=values["username"], display_name=values["display_name"],
                             password=values["password"], role=Role(values["role"]),
                             organisation=None, actor=request.actor)
        return redirect(request, "admin.users", _("账户已创建"))

    result = render_form(request, form, on_success=on_success)
    if isinstance(result, HTTPSeeOther):
        return result
    return _users_page(request, result["form"])


@view_config(route_name="admin.user_active", renderer="admin/users.jinja2",
             permission=Permission.ADMIN_ACCOUNTS, request_method="POST")
def user_active(request):
    user = request.dbsession.get(User, int(request.matchdict["user_id"]))
    if user is None:
        raise HTTPNotFound()
    active = request.POST.get("active") == "1"
    try:
        request.find_service(AccountService).set_active(user, active, request.actor)
    except DomainError as error:
        return refused(request, error, _users_page(request), "admin/users.jinja2")
    return redirect(request, "admin.users", _("账户已启用") if active else _("账户已停用"))


@view_config(route_name="admin.policy", renderer="admin/policy.jinja2",
             permission=Permission.ADMIN_POLICY, request_method=("GET", "POST"))
def policy(request):
    return _policy(request)


def _reset_form(request) -> deform.Form:
    return deform.Form(ResetSecondFactorSchema().bind(request=request), formid="reset",
                       action=request.route_url("admin.second_factor_reset"),
                       buttons=(deform.Button("submit", _("重置两步验证")),))


@view_config(route_name="admin.second_factor_reset", renderer="admin/policy.jinja2",
             permission=Permission.ADMIN_POLICY, request_method="POST")
def reset_second_factor(request):
    """After a lost phone and lost recovery codes: the user enrols again at next sign-in."""
    form = _reset_form(request)

    def on_success(values):
        user = request.dbsession.scalar(sa.select(User).where(
            User.username == values["username"]))
        if user is None:
            raise SecondFactorInvalid("没有这个用户名", field="username")
        request.find_service(SecondFactorService).reset(user, request.actor)
        return redirect(request, "admin.policy",
                        _("已重置两步验证，该用户的登录已全部失效，下次登录须重新启用"))

    result = render_form(request, form, on_success=on_success)
    if isinstance(result, HTTPSeeOther):
        return result
    return _policy(request, reset_html=result["form"], run_form=False)


def _policy(request, reset_html=None, run_form=True):
    service = request.find_service(PolicyService)
    form = deform.Form(PolicySchema().bind(request=request),
                       buttons=(deform.Button("submit", _("保存安全策略")),))

    def on_success(values):
        changed = service.set({f"auth.{k}": v for k, v in values.items()}, request.actor)
        return redirect(request, "admin.policy",
                        _("安全策略已保存") if changed else _("安全策略未变化"))

    current = {key.removeprefix("auth."): value for key, value in service.current().items()}
    if run_form:
        result = render_form(request, form, on_success=on_success, appstruct=current)
        if isinstance(result, HTTPSeeOther):
            return result
    else:
        result = {"form": Markup(form.render(current))}
    return {**result, "POLICY": POLICY, "current": service.current(),
            "reset_form": reset_html or Markup(_reset_form(request).render())}
