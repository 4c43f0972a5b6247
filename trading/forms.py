"""Shared form pieces: the CSRF base schema, the Money type and one render_form helper."""

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import colander
import deform
import peppercorn
from markupsafe import Markup
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPSeeOther

from .errors import DomainError
from .i18n import DISPLAY_TZ, _

# Characters no name or text typed by a person needs, which disguise what is shown: the
# bidi embeddings, overrides and isolates (a "\u202etxt.exe" name reads backwards), the
# marks, NUL and the other control characters (tab and line breaks excepted).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why `value` is not acceptable text, or None: the one normalisation rule."""
    if _SURROGATE.search(value):
        return _("含有无效的 Unicode 字符")
    if _CONTROL.search(value):
        return _("不能包含控制字符（如 NUL）")
    if BIDI_CONTROLS.intersection(value):
        return _("不能包含双向文字控制字符")
    if value and all(c.isspace() or c in INVISIBLE for c in value):
        return _("不能只包含空白或不可见字符")
    return None


class Text(colander.String):
    """Every text field of every form and API body (tests/security/test_input_rules.py
    checks that no schema uses a bare colander.String): NFC-normalised, and refused when
    `text_problem` says so."""

    def deserialize(self, node, cstruct):
        value = super().deserialize(node, cstruct)
        if not isinstance(value, str):
            return value
        problem = text_problem(value)
        if problem:
            raise colander.Invalid(node, problem)
        return unicodedata.normalize("NFC", value)


@colander.deferred
def deferred_csrf_token(node, kw):
    return get_csrf_token(kw["request"])


class CSRFSchema(colander.MappingSchema):
    # Named csrf_token because that is the field Pyramid's automatic check reads.
    csrf_token = colander.SchemaNode(
        Text(), widget=deform.widget.HiddenWidget(), default=deferred_csrf_token,
        missing=colander.drop,
    )


# Keys are 32-bit integers: a larger id is refused at the schema (and stated in the
# OpenAPI document as minimum/maximum), never handed to the database to overflow.
ID_MAX = 2**31 - 1


def id_range() -> colander.Range:
    """The validator of every id field of a form or an API body."""
    return colander.Range(1, ID_MAX, min_err=_("编号无效"), max_err=_("编号无效"))


YUAN_PATTERN = re.compile(r"^[0-9]{1,13}(\.[0-9]{1,2})?$")  # ASCII digits only


class Money(colander.SchemaType):
    """Yuan as typed by a person ('1234.50') ⇄ integer 分 (fen). Never a float."""

    def serialize(self, node, appstruct):
        # None too: a refused form re-renders the values it deserialized (missing=None)
        if appstruct is colander.null or appstruct is None:
            return colander.null
        return f"{appstruct // 100}.{appstruct % 100:02d}"

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, ""):
            return colander.null
        text = str(cstruct).strip().replace(",", "")
        if not YUAN_PATTERN.match(text):
            raise colander.Invalid(node, "请输入以元为单位的金额，最多两位小数")
        try:
            return int((Decimal(text) * 100).to_integral_exact())
        except InvalidOperation as exc:
            raise colander.Invalid(node, "金额格式错误") from exc


def format_yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


class Ticked:
    """A box that must be ticked (a signed commitment, a declaration): only True passes.

    The OpenAPI document states it as `enum: [true]` with this description."""

    description = "must be true"

    def __init__(self, msg):
        self.msg = msg

    def __call__(self, node, value):
        if value is not True:
            raise colander.Invalid(node, self.msg)


class NotBlank(colander.Regex):
    """Text with at least one character that is not white space (a name, a signature).

    A Regex so that the OpenAPI document carries the same rule as a `pattern`."""

    def __init__(self, msg):
        super().__init__(r"\s*\S", msg)


def first_problem(invalid: colander.Invalid, error: type[DomainError] = DomainError):
    """colander's first problem as `error` naming the field (code `invalid` unless the
    class says otherwise): what API bodies, queries and small POST forms answer."""
    field, message = next(iter(invalid.asdict().items()))
    if error is DomainError:
        return DomainError(message, field=field, code="invalid")
    return error(message, field=field)


def validated(schema: colander.SchemaNode, data, error: type[DomainError] = DomainError) -> dict:
    """`schema.deserialize(data)`, or the first problem raised as `error`."""
    try:
        return schema.deserialize(data)
    except colander.Invalid as invalid:
        raise first_problem(invalid, error) from None


def without_csrf(appstruct: dict) -> dict:
    return {k: v for k, v in appstruct.items() if k != "csrf_token"}


def _posted_cstruct(request) -> dict:
    cstruct = peppercorn.parse(list(request.POST.items()))
    for name, items in list(cstruct.items()):
        if isinstance(items, list):
            # An item whose fields were all left empty is how a person removes it.
            cstruct[name] = [i for i in items if not _all_empty(i)]
    return cstruct


def _all_empty(item) -> bool:
    if isinstance(item, dict):
        return all(_all_empty(v) for v in item.values())
    return item in ("", None, colander.null)


def _validate(form: deform.Form, request):
    return form.validate_pstruct(_posted_cstruct(request))


def render_form(request, form: deform.Form, *, on_success, button="submit", appstruct=None):
    """GET renders; POST validates, calls `on_success(appstruct)` and expects a redirect.

    A POST carrying `seq_add` (the server-side "add an item" button of our sequence
    template) re-renders with one more empty item instead of validating.

    A DomainError from the service is shown on its field (or on the form) and the form is
    re-rendered; nothing was changed because the service raised before committing.
    """
    if request.method == "POST" and "seq_add" in request.POST:
        pstruct = peppercorn.parse(list(request.POST.items()))
        pstruct.setdefault(request.POST["seq_add"], []).append({})
        form.cstruct = form.widget.deserialize(form, pstruct)
        return {"form": Markup(form.render())}
    if request.method == "POST" and button in request.POST:
        try:
            values = _validate(form, request)
        except deform.ValidationFailure as failure:
            request.response.status_int = 400
            return {"form": Markup(failure.render())}
        try:
            return on_success(without_csrf(values))
        except DomainError as error:
            # The error status makes pyramid_tm's commit veto abort whatever the service
            # did before raising: a refused form changes nothing.
            _attach_error(form, error)
            request.response.status_int = refusal_status(error)
            return {"form": Markup(form.render(values))}
    return {"form": Markup(form.render(appstruct or {}))}


def _attach_error(form: deform.Form, error: DomainError) -> None:
    field = error.field and next((f for f in form.children if f.name == error.field), None)
    if field is not None:
        form.widget.handle_error(form, colander.Invalid(form.widget, error.message))
        field.widget.handle_error(field, colander.Invalid(field.widget, error.message))
    else:
        form.widget.handle_error(form, colander.Invalid(form.widget, error.message))


def redirect(request, route_name, message=None, **kw):
    if message:
        request.session.flash(message, "success")
    return HTTPSeeOther(request.route_url(route_name, **kw))


def refusal_status(error: DomainError) -> int:
    """The status of a page that refuses a person's step: the error's own, but never a 5xx,
    since the page shows the reason and the person can act on it. Any error status makes
    pyramid_tm's commit veto abort whatever the service did before refusing."""
    return error.status if error.status < 500 else 400


def refused(request, error: DomainError, page: dict, renderer: str | None = None) -> dict:
    """A refused step: `page` again (with `renderer`, when the step's own is another) and
    the reason in its `error`; nothing the service did before refusing is kept."""
    if renderer is not None:
        request.override_renderer = renderer
    request.response.status_int = refusal_status(error)
    return {**page, "error": error.message}


def act(request, action, *, page, renderer, route, message, **kw):
    """A page's POST step: run `action()`; done → redirect to `route` with `message`
    flashed; refused → `page()` (built after the refusal) shown again with the reason."""
    try:
        action()
    except DomainError as error:
        return refused(request, error, page(), renderer)
    return redirect(request, route, message, **kw)


def includeme(config):
    from .i18n import deform_translator

    config.add_static_view("static_deform", "deform:static", cache_max_age=3600)
    config.add_static_view("static", "trading:static", cache_max_age=3600)
    overrides = Path(__file__).resolve().parent.parent / "templates" / "deform"
    deform.Form.set_zpt_renderer([str(overrides), "deform:templates"], translator=deform_translator)


# The window every typed date or time must fall in (a year like 0309 or 9999 is a typo):
# from 2000, older than anything the platform records, to ten years after the clock's year,
# past any deadline, certificate or completion it deals in. Whole years, so that the OpenAPI
# document can state the window exactly (as a pattern on the year as written).
EARLIEST_YEAR = 2000
YEARS_AHEAD = 10
OPEN_ENDED = date(9999, 12, 31)  # 长期: how a licence without an end date is written


def year_window(now: datetime, years_ahead: int = YEARS_AHEAD) -> tuple[int, int]:
    """The first and last year a typed date may carry, on the clock's (Beijing) year."""
    return EARLIEST_YEAR, now.astimezone(DISPLAY_TZ).year + years_ahead


def _clock_of(node: colander.SchemaNode):
    bindings = node.bindings or {}
    if "clock" in bindings:
        return bindings["clock"]
    if "request" in bindings:
        return bindings["request"].registry["clock"]
    # Failing loudly: an unbound schema would otherwise let any year through.
    raise RuntimeError(f"{node.name}: bind the schema (request= or clock=) to check dates")


class WindowedDate:
    """The year check shared by the date types (`years_ahead` widens it for one field)."""

    def check_year(self, node, year: int) -> None:
        low, high = self.window(node)
        if not low <= year <= high:
            raise colander.Invalid(node, _("日期须在 ${low} 年至 ${high} 年之间",
                                           mapping={"low": low, "high": high}))

    def window(self, node) -> tuple[int, int]:
        return year_window(_clock_of(node)(), self.years_ahead)


class Day(WindowedDate, colander.Date):
    """A calendar date (2026-03-25) inside the year window; `open_ended` also takes
    9999-12-31, the written form of 长期 (no end)."""

    def __init__(self, *, years_ahead: int = YEARS_AHEAD, open_ended: bool = False):
        super().__init__()
        self.years_ahead, self.open_ended = years_ahead, open_ended

    def deserialize(self, node, cstruct):
        value = super().deserialize(node, cstruct)
        if value is not colander.null and not (self.open_ended and value == OPEN_ENDED):
            self.check_year(node, value.year)
        return value


class LocalDateTime(WindowedDate, colander.SchemaType):
    """'2026-03-25 09:30' in Asia/Shanghai ⇄ an aware UTC datetime (ISO 8601 also accepted).

    A plain text field: it needs no JavaScript date picker. The year as written must be
    inside the year window.
    """

    FORMAT = "%Y-%m-%d %H:%M"
    years_ahead = YEARS_AHEAD

    def serialize(self, node, appstruct):
        if appstruct in (colander.null, None):
            return colander.null
        return appstruct.astimezone(DISPLAY_TZ).strftime(self.FORMAT)

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, ""):
            return colander.null
        text = str(cstruct).strip().replace("T", " ")
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise colander.Invalid(node, "时间格式应为 2026-03-25 09:30") from exc
        self.check_year(node, value.year)
        if value.tzinfo is None:
            value = value.replace(tzinfo=DISPLAY_TZ)
        return value.astimezone(UTC)
