"""Request guards that hold before any view reads a body (issue #16 points 5 and 6).

- The public host is pinned: with `trading.public_url` set, every URL the app builds
  (redirects, absolute links, the OpenAPI server, CSRF's origin check) uses it, whatever
  `Host` or `X-Forwarded-Host` the client sent.
- A multipart body must name its boundary and end with its closing delimiter: WebOb's
  parser would otherwise raise on the first (a 500) and keep a truncated file on the second.
- JSON bodies: nesting is bounded and a string must be text (no lone surrogates), so a
  deep or malformed body is a 400 with a code, never a RecursionError or an encoding error
  at the database.
"""

import json
import re
from urllib.parse import urlsplit

from pyramid.request import Request

from .config import ConfigError
from .errors import DomainError

MAX_JSON_DEPTH = 32
_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?', re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")
TAIL = 512


class MalformedBody(DomainError):
    code = "invalid"
    status = 400


def pinned_environ(public_url: str) -> dict:
    """The WSGI keys that fix the scheme, host and prefix of every URL the app builds."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigError(f"trading.public_url must be an http(s) URL, not {public_url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return {"wsgi.url_scheme": parts.scheme, "HTTP_HOST": parts.netloc,
            "SERVER_NAME": parts.hostname, "SERVER_PORT": str(port),
            "SCRIPT_NAME": parts.path.rstrip("/")}


def pin_host_tween_factory(handler, registry):
    pinned = registry.settings.get("trading.pinned_environ")
    if not pinned:
        return handler

    def tween(request):
        request.environ.pop("HTTP_X_FORWARDED_HOST", None)
        request.environ.update(pinned)
        return handler(request)

    return tween


def check_multipart(event) -> None:
    """Refuse a multipart POST without a boundary or without its closing delimiter."""
    request = event.request
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    content_type = request.headers.get("Content-Type", "")
    if not content_type.lower().startswith("multipart/"):
        return
    match = _BOUNDARY.search(content_type)
    if not match:
        _refuse(request, "multipart 请求缺少 boundary")
    if not request.is_body_seekable:
        request.make_body_seekable()
    body = request.body_file_raw
    body.seek(0, 2)
    size = body.tell()
    body.seek(max(0, size - TAIL))
    tail = body.read().rstrip(b"\r\n\t ")
    body.seek(0)
    if not tail.endswith(b"--" + match.group(1).encode("latin-1") + b"--"):
        _refuse(request, "上传数据不完整（缺少结束分隔符），请重新上传")


def _refuse(request, message: str):
    """Refuse the body, and let nobody parse it on the way out (the error page's locale
    negotiation reads request.params)."""
    from webob.multidict import MultiDict

    request.environ["webob._parsed_post_vars"] = (MultiDict(), request.body_file_raw)
    raise MalformedBody(message)


def parse_json(body: bytes | str, error: type[DomainError] = MalformedBody):
    """JSON with bounded nesting and real text, or `error`."""
    try:
        value = json.loads(body)
    except RecursionError:
        raise error("JSON 嵌套过深") from None
    except (ValueError, UnicodeDecodeError):
        raise error("请求体不是有效的 JSON") from None
    check_json_value(value, error)
    return value


def check_json_value(value, error: type[DomainError] = MalformedBody, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise error(f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层")
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise error("JSON 字符串含有无效的 Unicode 字符（孤立代理项）")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_json_value(key, error, depth + 1)
            check_json_value(item, error, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json_value(item, error, depth + 1)


class SpooledBodyRequest(Request):
    """The request, its body flagged seekable when the server has already spooled it whole.

    waitress reads a request body to its end into a buffer (memory, or a temporary file for
    a large one) before the app runs, and hands that buffer over at its start. Saying so
    spares pyramid_retry's `make_body_seekable` a second copy of every upload. A class (not
    a function) so scripts' `bootstrap` can still call `blank()` on it."""

    def __init__(self, environ, *args, **kwargs):
        body = environ.get("wsgi.input")
        if (str(environ.get("SERVER_SOFTWARE", "")).startswith("waitress")
                and environ.get("CONTENT_LENGTH") and getattr(body, "seekable", None)
                and body.seekable() and body.tell() == 0):
            environ.setdefault("webob.is_body_seekable", True)
        super().__init__(environ, *args, **kwargs)


def includeme(config):
    from pyramid.events import NewRequest

    config.set_request_factory(SpooledBodyRequest)

    settings = config.get_settings()
    public_url = settings.get("trading.public_url")
    if public_url:
        settings["trading.pinned_environ"] = pinned_environ(public_url)
    config.add_tween("trading.guards.pin_host_tween_factory")
    config.add_subscriber(check_multipart, NewRequest)
