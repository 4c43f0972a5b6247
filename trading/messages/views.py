"""The message centre (站内消息): the signed-in account's own messages, pages and API.

Every view reads `request.identity`'s messages only: another account's message id is
"not found" (404) and nothing changes."""

import colander
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.i18n import TranslationString
from pyramid.view import view_config

from ..api import describe, query_parameters
from ..forms import redirect, validated
from ..security import Permission
from .kinds import label
from .service import InvalidEmail, MessageService


class ListParams(colander.MappingSchema):
    unread = colander.SchemaNode(colander.Boolean(), missing=False)
    page = colander.SchemaNode(colander.Integer(), missing=1,
                               validator=colander.Range(1, 10_000))


class BadQuery(InvalidEmail):
    code = "invalid_query"


def _params(request) -> dict:
    return validated(ListParams(), dict(request.GET), BadQuery)


def translated(request, text: str, args: dict) -> str:
    """A message's subject or body in the reader's language, its fields filled."""
    if not text:
        return ""
    mapping = {k: str(v) for k, v in (args or {}).items()}
    return request.localizer.translate(TranslationString(text, domain="trading",
                                                         mapping=mapping))


def _link(request, message) -> str:
    if not message.route:
        return ""
    try:
        return request.route_url(message.route, **message.route_args)
    except KeyError:
        return ""


@view_config(route_name="messages.list", renderer="messages/list.jinja2",
             permission=Permission.ACCOUNT_SELF)
def message_list(request):
    params = _params(request)
    service = request.find_service(MessageService)
    rows, total = service.listing(request.identity.id, unread_only=params["unread"],
                                  page=params["page"])
    return {"rows": rows, "total": total, "page": params["page"], "unread": params["unread"],
            "kind_label": label, "link": lambda m: _link(request, m),
            "text": lambda text, m: translated(request, text, m.args),
            "page_size": len(rows), "user": request.identity}


@view_config(route_name="messages.read", permission=Permission.ACCOUNT_SELF,
             request_method="POST")
def message_read(request):
    """查看: marks the message read and goes to what it is about (or back to the list)."""
    service = request.find_service(MessageService)
    message = service.own(int(request.matchdict["message_id"]), request.identity.id)
    service.mark_read(message)
    return HTTPSeeOther(_link(request, message) or request.route_url("messages.list"))


@view_config(route_name="messages.read_all", permission=Permission.ACCOUNT_SELF,
             request_method="POST")
def message_read_all(request):
    request.find_service(MessageService).mark_all_read(request.identity.id)
    return redirect(request, "messages.list", "全部消息已标为已读")


@view_config(route_name="messages.settings", renderer="messages/list.jinja2",
             permission=Permission.ACCOUNT_SELF, request_method="POST")
def message_settings(request):
    service = request.find_service(MessageService)
    try:
        service.set_email(request.identity, email=request.POST.get("email", ""),
                          notify=request.POST.get("notify_by_email") == "on",
                          actor=request.actor)
    except InvalidEmail as error:
        request.response.status_int = error.status
        page = message_list(request)
        return {**page, "settings_error": error.message,
                "typed_email": request.POST.get("email", "")}
    return redirect(request, "messages.list", "通知设置已保存")


# -- API ---------------------------------------------------------------------------------

MESSAGE = {
    "type": "object",
    "required": ["id", "kind", "kind_label", "subject", "body", "created_at", "read"],
    "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"},
        "kind_label": {"type": "string"}, "subject": {"type": "string"},
        "body": {"type": "string"}, "url": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
        "read_at": {"type": ["string", "null"], "format": "date-time"},
        "read": {"type": "boolean"},
    },
}


def _json(request, message) -> dict:
    return {"id": message.id, "kind": message.kind,
            "kind_label": request.localizer.translate(label(message.kind)),
            "subject": translated(request, message.subject, message.args),
            "body": translated(request, message.body, message.args),
            "url": _link(request, message) or None,
            "created_at": message.created_at.isoformat(),
            "read_at": message.read_at.isoformat() if message.read_at else None,
            "read": message.read_at is not None}


@describe("api.messages", "GET", "The authenticated account's messages (站内消息), newest "
          "first, with the unread count", auth=True, parameters=query_parameters(ListParams()),
          response={"type": "object", "required": ["unread", "total", "messages"],
                    "properties": {"unread": {"type": "integer"}, "total": {"type": "integer"},
                                   "page": {"type": "integer"},
                                   "messages": {"type": "array", "items": MESSAGE}}})
@view_config(route_name="api.messages", renderer="json", permission=Permission.ACCOUNT_SELF,
             request_method="GET")
def api_messages(request):
    params = _params(request)
    service = request.find_service(MessageService)
    rows, total = service.listing(request.identity.id, unread_only=params["unread"],
                                  page=params["page"])
    return {"unread": service.unread_count(request.identity.id), "total": total,
            "page": params["page"], "messages": [_json(request, m) for m in rows]}


@describe("api.message.read", "POST", "Mark one of the account's own messages read; another "
          "account's message is not found (404)", auth=True, response=MESSAGE)
@view_config(route_name="api.message.read", renderer="json", permission=Permission.ACCOUNT_SELF,
             request_method="POST")
def api_message_read(request):
    service = request.find_service(MessageService)
    message = service.own(int(request.matchdict["message_id"]), request.identity.id)
    return _json(request, service.mark_read(message))


@describe("api.messages.read_all", "POST", "Mark every message of the account read",
          auth=True, response={"type": "object", "required": ["marked"],
                               "properties": {"marked": {"type": "integer"}}})
@view_config(route_name="api.messages.read_all", renderer="json",
             permission=Permission.ACCOUNT_SELF, request_method="POST")
def api_messages_read_all(request):
    return {"marked": request.find_service(MessageService).mark_all_read(request.identity.id)}
