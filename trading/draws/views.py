"""Draw pages (HTML): the public list and record page, the JSON download, a verify page
anyone can use, and the supervisor's beacon form. Thin: parse, call one service method."""

from datetime import datetime

import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..audit.merkle import log_verifier
from ..errors import NotFound
from ..files import serve_bytes
from ..forms import redirect, render_form
from ..i18n import N_, _
from ..security import Permission
from ..subjects import subject_names
from .errors import MalformedInput
from .forms import RECORD_MAX, BeaconSchema, VerifyBody
from .models import Draw, DrawStatus
from .record import dump_record, load_record, verify_record
from .services import DrawService, NotCommitted

STATUS_LABELS = {
    DrawStatus.FROZEN: N_("名单已冻结"),
    DrawStatus.COMMITTED: N_("已承诺种子"),
    DrawStatus.REVEALED: N_("已揭示"),
}
CANDIDATES_SHOWN = 500  # a longer list is in the record file
ECHO_MAX = 100_000  # pasted text longer than this is not echoed back into the page


def _service(request) -> DrawService:
    return request.find_service(DrawService)


def _labels(request) -> dict:
    return request.registry["draws.labels"]


def purpose_label(request, draw: Draw) -> str:
    return _labels(request)["purposes"].get(draw.purpose, draw.purpose)


def subject_label(request, draw: Draw) -> str:
    return _labels(request)["subjects"].get(draw.subject_type, draw.subject_type)


@view_config(route_name="draws.list", renderer="draws/list.jinja2",
             permission=Permission.PUBLIC_VIEW)
def list_draws(request):
    draws = _service(request).recent()
    return {"draws": draws, "STATUS_LABELS": STATUS_LABELS,
            "purposes": {d.id: purpose_label(request, d) for d in draws},
            "subjects": {d.id: subject_label(request, d) for d in draws},
            "NAMES": subject_names(request, ((d.subject_type, d.subject_id) for d in draws))}


@view_config(route_name="draws.detail", renderer="draws/detail.jinja2",
             permission=Permission.PUBLIC_VIEW)
def draw_detail(context, request):
    draw = context.draw
    return {
        "draw": draw,
        "purpose": purpose_label(request, draw),
        "subject": subject_label(request, draw),
        "named": subject_names(request, [(draw.subject_type, draw.subject_id)]).get(
            (draw.subject_type, str(draw.subject_id))),
        "attribute_labels": _labels(request)["attributes"],
        "attribute_values": _labels(request)["values"],
        # The record exists from the commitment on; building it here would only re-hash.
        "has_record": draw.status is not DrawStatus.FROZEN,
        "labels": {c["id"]: c.get("label", "") for c in draw.candidates},
        "positions": _positions(draw),
        "declined": draw.declined,
        "follow_ups": [{**f, "at": datetime.fromisoformat(f["at"])} for f in draw.follow_ups],
        "shown": CANDIDATES_SHOWN,
        "STATUS_LABELS": STATUS_LABELS,
        "pooled": draw.log_set is not None,
        "log_key": _log_key(request) if draw.log_set is not None else None,
        "may_enter_beacon": (draw.status is DrawStatus.COMMITTED and draw.beacon is None
                             and request.has_permission(Permission.DRAW_BEACON)),
    }


def _log_key(request) -> str:
    return log_verifier(request.registry["keys"], request.registry.settings).vkey()


def _positions(draw: Draw) -> dict:
    """Each drawn id's place in the draw order (1-based), declined or not."""
    return {ident: index for index, ident in enumerate(draw.drawn, start=1)}


@view_config(route_name="draws.record", permission=Permission.PUBLIC_VIEW)
def download_record(context, request):
    record = _service(request).record_of(context.draw)
    if record is None:
        raise NotCommitted("该抽取尚未承诺种子，还没有可公布的记录")
    return serve_bytes(dump_record(record), f"draw-{context.draw.id}.json", "application/json")


class NotPooled(NotFound):
    code = "not_pooled"


def pool_of(request, draw: Draw) -> dict:
    doc = _service(request).pool_doc(draw)
    if doc is None:
        raise NotPooled("该抽取的候选名单不是从审计日志记录的候选库冻结的")
    return doc


@view_config(route_name="draws.pool", permission=Permission.PUBLIC_VIEW)
def download_pool(context, request):
    """The frozen list's proof against the transparency log (issue #17 pt 4):
    `python -m bid_crypto verify-set pool.json --log-key KEY` checks it offline."""
    import json

    body = json.dumps(pool_of(request, context.draw), ensure_ascii=False, indent=2) + "\n"
    return serve_bytes(body.encode(), f"draw-{context.draw.id}-pool.json", "application/json")


# -- verify any record -------------------------------------------------------------------


@view_config(route_name="draws.verify", renderer="draws/verify.jinja2",
             permission=Permission.PUBLIC_VIEW, request_method=("GET", "POST"))
def verify_page(request):
    """Anyone pastes or uploads a record; the server recomputes it as the offline tool does."""
    if request.method != "POST":
        return {"outcome": None, "text": "", "error": None, "record": None}
    pasted = request.POST.get("record", "")
    page = {"outcome": None, "error": None, "record": None,
            "text": pasted if isinstance(pasted, str) and len(pasted) <= ECHO_MAX else ""}
    try:
        record = load_record(_posted_record(request))
    except (colander.Invalid, MalformedInput, ValueError) as error:
        request.response.status_int = 400
        return {**page, "error": _read_error(error)}
    return {**page, "outcome": verify_record(record),
            "record": record if isinstance(record, dict) else None}


def _posted_record(request) -> bytes:
    """The uploaded file if there is one, else the pasted text; at most RECORD_MAX bytes."""
    upload = request.POST.get("file")
    if hasattr(upload, "file"):
        data = upload.file.read(RECORD_MAX + 1)
    else:
        text = request.POST.get("record", "")
        if not text.strip():  # before the schema, whose blank refusal says less than this
            raise ValueError(_("请粘贴或上传抽取记录"))
        pasted = VerifyBody().deserialize({"record": text})
        data = pasted["record"].encode("utf-8")
    if len(data) > RECORD_MAX:
        raise ValueError(_("记录超过 5 MB"))
    if not data.strip():
        raise ValueError(_("请粘贴或上传抽取记录"))
    return data


def _read_error(error: Exception):
    """Our own messages stay translation strings; the reader's are shown as they are."""
    if isinstance(error, colander.Invalid):
        return "；".join(error.asdict().values())
    if isinstance(error, UnicodeError):
        return _("记录不是有效的 UTF-8 文本")
    return error.args[0] if error.args else str(error)


# -- beacon (supervisor) -----------------------------------------------------------------


@view_config(route_name="draws.beacon", renderer="draws/beacon.jinja2",
             permission=Permission.DRAW_BEACON, request_method=("GET", "POST"))
def enter_beacon(context, request):
    draw = context.draw
    form = deform.Form(BeaconSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("录入")),))

    def on_success(values):
        _service(request).enter_beacon(draw, value=values["value"], source=values["source"],
                                       actor=request.actor)
        return redirect(request, "draws.detail", _("公共随机数已录入"), draw_id=draw.id)

    result = render_form(request, form, on_success=on_success)
    if isinstance(result, HTTPSeeOther):
        return result
    return {**result, "draw": draw, "purpose": purpose_label(request, draw),
            "STATUS_LABELS": STATUS_LABELS}
