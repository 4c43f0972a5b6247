"""Identity → principals, the Permission enum, the root ACL, CSRF and error views.

Principals: `user:<id>`, `role:<role>`, `org:<id>`, `org:<id>:<role>`. Views name a
`Permission`; ACLs on the root and on domain resources grant them to principals.
"""

import enum
import hashlib
import logging

from pyramid.authorization import ACLHelper, Allow, Authenticated, Everyone
from pyramid.csrf import LegacySessionCSRFStoragePolicy
from pyramid.request import RequestLocalCache
from pyramid.response import Response
from pyramid.security import Denied
from pyramid.session import SignedCookieSessionFactory
from pyramid_retry import is_error_retryable

from .actor import Actor

log = logging.getLogger(__name__)

AUTH_COOKIE = "trading_auth"


class Permission(enum.StrEnum):
    """`scope:resource:action`. Keep the list alphabetised."""

    ACCOUNT_LOGIN = "account:session:login"
    ACCOUNT_REGISTER = "account:org:register"
    ACCOUNT_SELF = "account:self:manage"
    AUDIT_CHECKPOINT = "audit:checkpoint:sign"
    AUDIT_SIGNALS = "audit:signals:view"
    AUDIT_VIEW = "audit:log:view"
    AUDIT_LOG = "audit:log:read"
    ADMIN_ACCOUNTS = "admin:accounts:manage"
    ADMIN_POLICY = "admin:policy:manage"
    AWARD_AUCTION_BID = "award:auction:bid"
    AWARD_COMMITTEE_VIEW = "award:committee:view"
    AWARD_MANAGE = "award:process:manage"
    AWARD_NOTICE = "award:notice:view"
    AWARD_OBJECT = "award:objection:raise"
    AWARD_RESPOND = "award:notice:respond"
    AWARD_VOTE = "award:ballot:cast"
    BIDDER_WORKSPACE = "bidder:workspace:view"
    BID_CONFIRM = "bid:record:confirm"
    BID_DECRYPT = "bid:share:submit"
    BID_SUBMIT = "bid:envelope:submit"
    BID_VIEW = "bid:envelope:view"
    CENTER_WORKSPACE = "center:workspace:view"
    CUSTODY_DESIGNATE = "custody:custodians:designate"
    CUSTODY_ENROL = "custody:key:enrol"
    CUSTODY_RELEASE = "custody:share:release"
    DRAW_BEACON = "draw:beacon:enter"
    EVALUATION_BIDS = "evaluation:bids:read"
    EVALUATION_CHAIR = "evaluation:committee:chair"
    EVALUATION_EXPLAIN = "evaluation:lowprice:explain"
    EVALUATION_MANAGE = "evaluation:committee:manage"
    EVALUATION_NAMES = "evaluation:committee:names"
    EVALUATION_POOL = "evaluation:pool:manage"
    EVALUATION_SCORE = "evaluation:sheet:score"
    EVALUATION_SUPERVISE = "evaluation:unlock:decide"
    EVALUATION_VIEW = "evaluation:committee:view"
    EXPERT_WORKSPACE = "expert:workspace:view"
    FINAL_OFFER_SUBMIT = "award:final_offer:submit"
    IM_CATALOGUE_MANAGE = "intermediary:catalogue:manage"
    IM_CREDIT_MANAGE = "intermediary:credit:manage"
    IM_ENTRY_APPLY = "intermediary:entry:apply"
    IM_ENTRY_REVIEW = "intermediary:entry:review"
    IM_PURCHASE_CREATE = "intermediary:purchase:create"
    IM_PURCHASE_EDIT = "intermediary:purchase:edit"
    IM_PURCHASE_MANAGE = "intermediary:purchase:manage"
    IM_PURCHASE_PARTICIPATE = "intermediary:purchase:participate"
    IM_PURCHASE_REVIEW = "intermediary:purchase:review"
    IM_PURCHASE_RUN = "intermediary:purchase:run"
    IM_PURCHASE_VIEW = "intermediary:purchase:view"
    IM_PURCHASE_WAIVE = "intermediary:credit:waive"
    INTERMEDIARY_WORKSPACE = "intermediary:workspace:view"
    OWNER_WORKSPACE = "owner:workspace:view"
    PROJECT_CREATE = "project:posting:create"
    PROJECT_EDIT = "project:posting:edit"
    PROJECT_FREEZE = "project:posting:freeze"
    PROJECT_MANAGE = "project:posting:manage"
    PROJECT_PARTICIPATE = "project:posting:participate"
    PROJECT_REVIEW = "project:posting:review"
    PROJECT_SIGNUPS = "project:signups:view"
    PROJECT_VIEW = "project:posting:view"
    PUBLIC_VIEW = "public:view"
    SMALLWORKS_ALLOCATE = "smallworks:project:allocate"
    SMALLWORKS_APPLY = "smallworks:enterprise:apply"
    SMALLWORKS_DOCUMENT = "smallworks:document:view"
    SMALLWORKS_MANAGE = "smallworks:registry:manage"
    SMALLWORKS_PERFORM = "smallworks:project:perform"
    SMALLWORKS_POST = "smallworks:project:post"
    SMALLWORKS_QUOTE = "smallworks:quote:submit"
    SMALLWORKS_RESPOND = "smallworks:award:respond"
    SMALLWORKS_VIEW = "smallworks:record:view"
    SUPERVISOR_WORKSPACE = "supervisor:workspace:view"


def role_principal(role) -> str:
    return f"role:{role}"


class RootFactory:
    __acl__ = [
        (Allow, Everyone, Permission.PUBLIC_VIEW),
        (Allow, Everyone, Permission.ACCOUNT_LOGIN),
        (Allow, Everyone, Permission.ACCOUNT_REGISTER),
        (Allow, Authenticated, Permission.ACCOUNT_SELF),
        (Allow, "role:owner", Permission.OWNER_WORKSPACE),
        (Allow, "role:owner", Permission.PROJECT_CREATE),
        (Allow, "role:bidder", Permission.BIDDER_WORKSPACE),
        (Allow, "role:intermediary", Permission.INTERMEDIARY_WORKSPACE),
        (Allow, "role:intermediary", Permission.IM_ENTRY_APPLY),
        (Allow, "role:owner", Permission.IM_PURCHASE_CREATE),
        (Allow, "role:center", Permission.IM_CATALOGUE_MANAGE),
        (Allow, "role:center", Permission.IM_CREDIT_MANAGE),
        (Allow, "role:center", Permission.IM_ENTRY_REVIEW),
        (Allow, "role:expert", Permission.EXPERT_WORKSPACE),
        (Allow, "role:center", Permission.CENTER_WORKSPACE),
        (Allow, "role:center", Permission.AUDIT_VIEW),
        (Allow, "role:center", Permission.AUDIT_LOG),
        (Allow, "role:supervisor", Permission.AUDIT_LOG),
        # 三员分立 (等保 2.0 level 3): the system administrator manages accounts, the security
        # administrator the security policy, the audit administrator reads the audit log;
        # none holds another's permission, and no role may change an audit row.
        (Allow, "role:sysadmin", Permission.ADMIN_ACCOUNTS),
        (Allow, "role:secadmin", Permission.ADMIN_POLICY),
        (Allow, "role:auditor", Permission.AUDIT_LOG),
        (Allow, "role:center", Permission.AUDIT_CHECKPOINT),
        (Allow, "role:center", Permission.PROJECT_REVIEW),
        (Allow, "role:supervisor", Permission.SUPERVISOR_WORKSPACE),
        (Allow, "role:supervisor", Permission.AUDIT_VIEW),
        # Collusion signals (rules §7.9): staff and supervisors here; the project's
        # evaluation committee through trading.supervision.resources; never bidders.
        (Allow, "role:center", Permission.AUDIT_SIGNALS),
        (Allow, "role:supervisor", Permission.AUDIT_SIGNALS),
        (Allow, "role:supervisor", Permission.DRAW_BEACON),
        (Allow, "role:supervisor", Permission.PROJECT_FREEZE),
        # Evaluation: the center keeps the pool and runs draws; supervisors watch and unlock.
        (Allow, "role:center", Permission.EVALUATION_POOL),
        (Allow, "role:center", Permission.EVALUATION_MANAGE),
        (Allow, "role:center", Permission.EVALUATION_VIEW),
        (Allow, "role:supervisor", Permission.EVALUATION_VIEW),
        # The members' names are secret until the award (招标投标法 Art 37, 87号令 Art 47):
        # the center that formed the committee and the supervisors; the rest per project.
        (Allow, "role:center", Permission.EVALUATION_NAMES),
        (Allow, "role:supervisor", Permission.EVALUATION_NAMES),
        (Allow, "role:supervisor", Permission.EVALUATION_SUPERVISE),
        # Who may hold a share of an opening key (architecture §7): staff and owners.
        (Allow, "role:center", Permission.CUSTODY_ENROL),
        (Allow, "role:supervisor", Permission.CUSTODY_ENROL),
        (Allow, "role:owner", Permission.CUSTODY_ENROL),
        # 小额工程: enterprises apply, owners post, the center runs the registry.
        (Allow, "role:bidder", Permission.SMALLWORKS_APPLY),
        (Allow, "role:owner", Permission.SMALLWORKS_POST),
        (Allow, "role:center", Permission.SMALLWORKS_MANAGE),
    ]

    def __init__(self, request):
        self.request = request


def bearer_token(request) -> str | None:
    auth = request.authorization
    if auth and auth.authtype.lower() == "bearer" and isinstance(auth.params, str):
        return auth.params.strip() or None
    return None


class TradingSecurityPolicy:
    """Session cookie for people, bearer tokens for API clients; both checked server-side."""

    def __init__(self):
        self.cache = RequestLocalCache(self._load_identity)

    def _load_identity(self, request):
        from .accounts.service import AccountService

        accounts = AccountService(request.dbsession, request.clock, request.registry.settings)
        token = bearer_token(request)
        if token:
            row = accounts.api_token(token)
            request.environ["trading.api_scopes"] = row.scope_set if row else frozenset()
            self._second_factor(request, row.user if row else None)
            return row.user if row else None
        cookie = request.cookies.get(AUTH_COOKIE)
        user = accounts.user_for_session_token(cookie) if cookie else None
        request.environ["trading.password_expired"] = bool(
            user and accounts.password_expired(user))
        self._second_factor(request, user)
        return user

    @staticmethod
    def _second_factor(request, user) -> None:
        """A user whose role (or custody) requires a second factor and who has none yet may
        only enrol (等保 2.0 §8.1.4.1 d): the account page, nothing else."""
        from .accounts.totp import SecondFactorService

        if user is None or user.totp_enabled_at is not None:
            return
        service = SecondFactorService(request.dbsession, request.clock,
                                      request.registry.settings, b"")
        request.environ["trading.second_factor_missing"] = service.required(user)

    def identity(self, request):
        return self.cache.get_or_create(request)

    def authenticated_userid(self, request):
        user = self.identity(request)
        return user.id if user else None

    def principals(self, request) -> list[str]:
        found = [Everyone]
        user = self.identity(request)
        if user is not None:
            found += [Authenticated, f"user:{user.id}", role_principal(user.role)]
            if user.organisation_id:
                org = user.organisation_id
                found += [f"org:{org}", f"org:{org}:{user.role}"]
        return found

    def permits(self, request, context, permission):
        from .accounts.scopes import allows

        self.identity(request)
        scopes = request.environ.get("trading.api_scopes")
        if scopes is not None and not allows(scopes, permission, request.method):
            return Denied(f"API token lacks the scope for {permission}")
        if request.environ.get("trading.password_expired") and permission not in (
                Permission.ACCOUNT_SELF, Permission.ACCOUNT_LOGIN, Permission.PUBLIC_VIEW):
            return Denied("password expired: change it on the account page first")
        if request.environ.get("trading.second_factor_missing") \
                and not _enrolment_only(request, permission):
            return Denied("second factor required: enrol on the account page first")
        return ACLHelper().permits(context, self.principals(request), permission)

    # Login and logout set and delete the cookie on their own responses (accounts.views);
    # the token comes from a server-side session row, not from the user id.
    def remember(self, request, userid, **kw):
        return []

    def forget(self, request, **kw):
        self.cache.clear(request)
        return []


# What a user who must have a second factor and has none yet may open: public pages, and of
# their own account the pages that enrol (not the workspace, which lists work).
ENROLMENT_ROUTES = frozenset({"accounts.me", "accounts.totp", "accounts.password",
                              "accounts.logout", "api.me"})


def _enrolment_only(request, permission) -> bool:
    if permission in (Permission.ACCOUNT_LOGIN, Permission.PUBLIC_VIEW):
        return True
    route = request.matched_route.name if request.matched_route else ""
    return permission == Permission.ACCOUNT_SELF and route in ENROLMENT_ROUTES


def request_actor(request) -> Actor:
    user = request.identity
    return Actor(
        user_id=user.id if user else None,
        label=user.username if user else "anonymous",
        organisation_id=user.organisation_id if user else None,
        role=str(user.role) if user else None,
        ip=request.client_addr or "",
        request_id=request.environ.get("trading.request_id", ""),
        device=device_fingerprint(request.headers),
    )


def device_fingerprint(headers) -> str:
    """A short hash of what the client says about itself, for collusion checks (rules
    §7.9: the same device behind two bidders). Only the hash is kept, not the headers.
    A client that sends no Accept-Language is not fingerprinted: an HTTP tool's bare
    User-Agent (curl/8.5) names a program many bidders share, not a machine."""
    agent, language = headers.get("User-Agent", ""), headers.get("Accept-Language", "")
    if not agent or not language:
        return ""
    return hashlib.sha256(f"{agent}\n{language}".encode()).hexdigest()[:16]


def _csrf_applies(request) -> bool:
    # Bearer-token API calls carry no ambient credential (no cookie), so CSRF cannot
    # forge them; everything authenticated by cookie is checked.
    return bearer_token(request) is None


SECURITY_HEADERS = {
    # No inline script anywhere: public pages work without JavaScript by design.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def security_headers_tween_factory(handler, registry):
    def tween(request):
        try:
            response = handler(request)
        except Exception as exc:
            # A retryable error goes back to pyramid_retry; anything else that no exception
            # view answered is a plain 500 here, with the same headers as every page
            # (waitress's own error page would have none).
            if is_error_retryable(request, exc):
                raise
            log.exception("unhandled error on %s %s", request.method, request.path)
            response = internal_error(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return tween


SESSION_COOKIE = "trading_session"


def pop_flashes(request, queue: str = "") -> list:
    """The session's messages of `queue`, removed. A request without a session cookie has
    none (unless this request made its session): its session is then not even created,
    so an anonymous page sets no cookie (and the public listing can be cached)."""
    if "session" not in request.__dict__ and SESSION_COOKIE not in request.cookies:
        return []
    # peek first: popping an empty queue would still mark the session changed.
    return request.session.pop_flash(queue) if request.session.peek_flash(queue) else []


def internal_error(request) -> Response:
    message = "服务器内部错误，已记录，请稍后重试"
    if request.path.startswith("/api/"):
        response = Response(json={"error": "internal_error", "message": message,
                                  "field": None})
    else:
        response = Response(f"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
                            f"<title>500</title><p>{message}</p></html>", charset="utf-8")
    response.status_int = 500
    return response


def includeme(config):
    settings = config.get_settings()
    config.set_session_factory(
        SignedCookieSessionFactory(
            settings["session.secret"],
            cookie_name=SESSION_COOKIE,
            httponly=True,
            samesite="Lax",
            secure=settings["auth.cookie_secure"],
            timeout=settings["auth.session_max_age"],
        )
    )
    config.set_csrf_storage_policy(LegacySessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True, callback=_csrf_applies)
    config.set_security_policy(TradingSecurityPolicy())
    config.add_request_method(request_actor, "actor", reify=True)
    config.add_request_method(pop_flashes, "pop_flashes")
    config.add_tween("trading.security.security_headers_tween_factory")
