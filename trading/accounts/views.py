"""Login, logout, organisation registration, password change and API tokens (HTML)."""

import deform
from markupsafe import Markup
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..forms import redirect, render_form
from ..i18n import _
from ..security import AUTH_COOKIE, Permission
from .errors import LoginFailed
from .forms import LoginSchema, PasswordSchema, RegisterSchema, SecondFactorSchema, TokenSchema
from .labels import ROLE_LABELS
from .models import Role, User
from .scopes import scope_label
from .service import AccountService
from .totp import SecondFactorInvalid, SecondFactorService, qr_svg

# A password checked waits this long for its second factor (seconds).
SECOND_FACTOR_WINDOW = 300


def _safe_next(target: str) -> str:
    # Only local paths: an open redirect after login is a phishing tool.
    return target if target.startswith("/") and not target.startswith("//") else "/workspace"


def _log_in(request, accounts: AccountService, user, target: str):
    token = accounts.start_session(user, ip=request.client_addr or "")
    # A fresh session (and CSRF token) at login defeats session fixation.
    request.session.invalidate()
    response = HTTPSeeOther(_safe_next(target))
    response.set_cookie(AUTH_COOKIE, token, httponly=True, samesite="Lax", path="/",
                        secure=request.registry.settings["auth.cookie_secure"])
    return response


@view_config(route_name="accounts.login", renderer="accounts/login.jinja2",
             permission=Permission.ACCOUNT_LOGIN, request_method=("GET", "POST"))
def login(request):
    schema = LoginSchema().bind(request=request)
    form = deform.Form(schema, buttons=(deform.Button("submit", _("登录")),))
    accounts = request.find_service(AccountService)

    def on_success(values):
        try:
            user = accounts.authenticate(values["username"], values["password"],
                                         ip=request.client_addr or "")
        except LoginFailed:
            # The failed attempt must be kept for throttling although the page is an error.
            request.response.headers["X-TM"] = "commit"
            raise
        if request.find_service(SecondFactorService).enrolled(user):
            # No session yet: the password alone opens nothing (等保 2.0 §8.1.4.1 d).
            request.session["second_factor"] = {
                "user": user.id, "at": request.clock().timestamp(), "next": values["next"]}
            return HTTPSeeOther(request.route_url("accounts.second_factor"))
        return _after_login(request, accounts, user, values["next"])

    return render_form(request, form, on_success=on_success,
                       appstruct={"next": request.params.get("next", "")})


def _after_login(request, accounts, user, target):
    if accounts.password_expired(user):  # the account page says why
        return _log_in(request, accounts, user, "/account")
    return _log_in(request, accounts, user, target)


def _pending_user(request) -> tuple[User | None, str]:
    pending = request.session.get("second_factor") or {}
    fresh = request.clock().timestamp() - pending.get("at", 0) < SECOND_FACTOR_WINDOW
    user = request.dbsession.get(User, pending["user"]) if fresh and "user" in pending else None
    return (user if user is not None and user.is_active else None), pending.get("next", "")


@view_config(route_name="accounts.second_factor", renderer="accounts/second_factor.jinja2",
             permission=Permission.ACCOUNT_LOGIN, request_method=("GET", "POST"))
def second_factor(request):
    """The code from the authenticator app (or a recovery code) after the password."""
    user, target = _pending_user(request)
    if user is None:
        request.session.pop("second_factor", None)
        return redirect(request, "accounts.login", "请重新输入用户名和密码")
    form = deform.Form(SecondFactorSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("验证")),))
    accounts = request.find_service(AccountService)
    ip = request.client_addr or ""

    def on_success(values):
        # Counted like a password attempt (under the throttle rows' locks, before the
        # check): guessing codes is slowed exactly as guessing passwords is.
        rows = accounts.take_attempts(user.username, ip)
        try:
            request.find_service(SecondFactorService).verify(
                user, values["code"], accounts.actor_for(user, ip))
        except SecondFactorInvalid:
            accounts.second_factor_failed(user, ip)
            request.response.headers["X-TM"] = "commit"
            raise
        accounts.clear_attempts(rows)
        request.session.pop("second_factor", None)
        return _after_login(request, accounts, user, target)

    return render_form(request, form, on_success=on_success)


@view_config(route_name="accounts.totp", renderer="accounts/totp.jinja2",
             permission=Permission.ACCOUNT_SELF, request_method=("GET", "POST"))
def enrol_totp(request):
    """Enrolment: scan the QR code, type a code to confirm, keep the recovery codes."""
    service, user = request.find_service(SecondFactorService), request.identity
    form = deform.Form(SecondFactorSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("启用两步验证")),))
    secret, uri = service.begin(user)
    page = {"user": user, "secret": secret, "qr": qr_svg(uri), "codes": None,
            "enrolled": service.enrolled(user), "required": service.required(user),
            "left": service.recovery_left(user)}

    def on_success(values):
        page["codes"] = service.confirm(user, values["code"], request.actor)
        return {"form": ""}

    result = render_form(request, form, on_success=on_success)
    return {**page, **result}


@view_config(route_name="accounts.logout", permission=Permission.PUBLIC_VIEW,
             request_method="POST")
def logout(request):
    token = request.cookies.get(AUTH_COOKIE)
    if token:
        request.find_service(AccountService).end_session(token, request.actor)
    response = HTTPSeeOther(request.route_url("home"))
    response.delete_cookie(AUTH_COOKIE, path="/")
    request.session.invalidate()
    return response


@view_config(route_name="accounts.register", renderer="accounts/register.jinja2",
             permission=Permission.ACCOUNT_REGISTER, request_method=("GET", "POST"))
def register(request):
    schema = RegisterSchema().bind(request=request)
    form = deform.Form(schema, buttons=(deform.Button("submit", _("提交注册")),))
    accounts = request.find_service(AccountService)

    def on_success(values):
        _org, user = accounts.register_organisation(
            name=values["name"], credit_code=values["credit_code"], role=Role(values["role"]),
            username=values["username"], display_name=values["display_name"],
            password=values["password"], region=values["region"],
            contact_name=values["contact_name"], contact_phone=values["contact_phone"],
            contact_email=values["contact_email"], actor=request.actor,
        )
        request.session.flash("注册成功，欢迎使用阳光交易平台", "success")
        return _log_in(request, accounts, user, "/workspace")

    return render_form(request, form, on_success=on_success)


def _account_forms(request):
    password = deform.Form(PasswordSchema().bind(request=request), formid="password",
                           action=request.route_url("accounts.password"),
                           buttons=(deform.Button("submit", _("修改密码")),))
    token = deform.Form(TokenSchema().bind(request=request), formid="token",
                        action=request.route_url("accounts.tokens"),
                        buttons=(deform.Button("submit", _("创建令牌")),))
    return password, token


def _role_label(user) -> str:
    return ROLE_LABELS.get(user.role, str(user.role))


def _account_page(request, password_html=None, token_html=None, new_token=None):
    password, token = _account_forms(request)
    user = request.identity
    return {
        "user": user,
        "now": request.clock(),
        "scope_label": scope_label,
        "password_expired": request.environ.get("trading.password_expired", False),
        "second_factor_missing": request.environ.get("trading.second_factor_missing", False),
        "second_factor": request.find_service(SecondFactorService).enrolled(user),
        "role_label": _role_label(user),
        "tokens": request.find_service(AccountService).tokens_of(user),
        "password_form": password_html or Markup(password.render()),
        "token_form": token_html or Markup(token.render()),
        "new_token": new_token,
    }


@view_config(route_name="accounts.me", renderer="accounts/me.jinja2",
             permission=Permission.ACCOUNT_SELF)
def me(request):
    return _account_page(request)


@view_config(route_name="accounts.password", renderer="accounts/me.jinja2",
             permission=Permission.ACCOUNT_SELF, request_method="POST")
def change_password(request):
    password, _ = _account_forms(request)
    accounts = request.find_service(AccountService)

    def on_success(values):
        accounts.change_password(request.identity, values["old_password"],
                                 values["new_password"],
                                 keep_token=request.cookies.get(AUTH_COOKIE),
                                 actor=request.actor)
        return redirect(request, "accounts.me", "密码已修改，其他登录已失效")

    result = render_form(request, password, on_success=on_success)
    if isinstance(result, HTTPSeeOther):
        return result
    return _account_page(request, password_html=result["form"])


@view_config(route_name="accounts.tokens", renderer="accounts/me.jinja2",
             permission=Permission.ACCOUNT_SELF, request_method="POST")
def create_token(request):
    _, token = _account_forms(request)
    accounts = request.find_service(AccountService)
    created = {}

    def on_success(values):
        _row, created["token"] = accounts.create_api_token(
            request.identity, values["name"], request.actor, scopes=values["scopes"],
            days=values["days"])
        return None

    result = render_form(request, token, on_success=on_success)
    if result is None:
        return _account_page(request, new_token=created["token"])
    return _account_page(request, token_html=result["form"])


@view_config(route_name="accounts.token_revoke", permission=Permission.ACCOUNT_SELF,
             request_method="POST")
def revoke_token(request):
    token_id = int(request.matchdict["token_id"])
    accounts = request.find_service(AccountService)
    if accounts.revoke_api_token(request.identity, token_id, request.actor) is None:
        return redirect(request, "accounts.me")
    return redirect(request, "accounts.me", "令牌已吊销")
