"""Draw pages: list, the public record page, JSON download, a verify page, beacon entry."""

import colander
import deform
import sqlalchemy as sa
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from ..api import describe
from ..errors import DomainError
from ..forms import CSRFSchema, render_form
from ..i18n import _
from ..security import Permission
from .models import Draw
from .record import dump_record, load_record, verify_record
from .services import DrawService

MAX_RECORD = 5 * 1024 * 1024


def _service(request) -> DrawService:
    return request.find_service(DrawService)


@view_config(route_name="draws.list", renderer="draws/list.jinja2",
             permission=Permission.PUBLIC_VIEW)
def list_draws(request):
    draws = request.dbsession.scalars(sa.select(Draw).order_by(Draw.id.desc()).limit(200))
    return {"draws": list(draws)}


@view_config(route_name="draws.detail", renderer="draws/detail.jinja2",
             permission=Permission.PUBLIC_VIEW)
def draw_detail(context, request):
    return {"draw": context.draw, "record": _service(request).record_of(context.draw)}


@view_config(route_name="draws.record", permission=Permission.PUBLIC_VIEW)
def download_record(context, request):
    record = _service(request).record_of(context.draw)
    if record is None:
        raise DomainError("该抽取尚未承诺种子，暂无记录", code="not_committed")
    response = Response(dump_record(record), content_type="application/json", charset="utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="draw-{context.draw.id}.json"')
    return response


@view_config(route_name="draws.verify", renderer="draws/verify.jinja2",
             permission=Permission.PUBLIC_VIEW, request_method=("GET", "POST"))
def verify_page(request):
    """Anyone pastes or uploads a record; the server recomputes it like the offline tool."""
    if request.method != "POST":
        return {"result": None, "text": ""}
    upload = request.POST.get("file")
    text = (upload.file.read(MAX_RECORD + 1).decode("utf-8", "replace")
            if hasattr(upload, "file") else request.POST.get("record", ""))
    if len(text) > MAX_RECORD:
        raise DomainError("记录文件过大", code="too_large")
    try:
        result = verify_record(load_record(text))
    except ValueError as error:
        request.response.status_int = 400
        return {"result": None, "text": text[:20000], "error": str(error)}
    return {"result": result, "text": text[:20000]}


class BeaconSchema(CSRFSchema):
    value = colander.SchemaNode(colander.String(), title=_("公共随机数"),
                                validator=colander.Length(1, 500))
    source = colander.SchemaNode(colander.String(),
                                 title=_("来源（如：福利彩票第2026123期开奖号码）"),
                                 validator=colander.Length(1, 200))


@view_config(route_name="draws.beacon", renderer="draws/beacon.jinja2",
             permission=Permission.DRAW_BEACON, request_method=("GET", "POST"))
def enter_beacon(context, request):
    form = deform.Form(BeaconSchema().bind(request=request),
                       buttons=(deform.Button("submit", _("录入")),))

    def on_success(values):
        _service(request).enter_beacon(context.draw, value=values["value"],
                                       source=values["source"], actor=request.actor)
        request.session.flash(_("公共随机数已录入"), "success")
        return HTTPSeeOther(request.route_url("draws.detail", draw_id=context.draw.id))

    result = render_form(request, form, on_success=on_success)
    return result if isinstance(result, HTTPSeeOther) else {**result, "draw": context.draw}


# -- JSON API -----------------------------------------------------------------------------

describe("api.draws", "GET", "Every draw, newest first (purpose, status, commitment)")


@view_config(route_name="api.draws", renderer="json", permission=Permission.PUBLIC_VIEW)
def api_draws(request):
    draws = request.dbsession.scalars(sa.select(Draw).order_by(Draw.id.desc()).limit(500))
    return {"draws": [{"id": d.id, "purpose": d.purpose, "status": str(d.status),
                       "subject": {"type": d.subject_type, "id": d.subject_id},
                       "commitment": d.commitment,
                       "record": request.route_url("api.draw", draw_id=d.id)}
                      for d in draws]}


describe("api.draw", "GET", "A draw's public record (verify with python -m trading.draws)")


@view_config(route_name="api.draw", permission=Permission.PUBLIC_VIEW)
def api_draw(context, request):
    return download_record(context, request)


class BeaconBody(colander.MappingSchema):
    value = colander.SchemaNode(colander.String(), validator=colander.Length(1, 500))
    source = colander.SchemaNode(colander.String(), validator=colander.Length(1, 200))


describe("api.draw.beacon", "POST", "Enter the public beacon value (supervisor)", auth=True,
         request_schema=BeaconBody)


@view_config(route_name="api.draw.beacon", request_method="POST", renderer="json",
             permission=Permission.DRAW_BEACON)
def api_beacon(context, request):
    try:
        values = BeaconBody().deserialize(request.json_body)
    except (ValueError, colander.Invalid) as error:
        raise DomainError(f"请求体无效：{error}", code="invalid") from None
    draw = _service(request).enter_beacon(context.draw, value=values["value"],
                                          source=values["source"], actor=request.actor)
    return {"id": draw.id, "beacon": draw.beacon, "beacon_source": draw.beacon_source}
