"""The draws JSON API: the same schemas and service as the pages.

`GET /api/v1/draws/{id}` returns the public record itself, so
`curl …/api/v1/draws/7 | python3 -m trading.draws verify -` checks a draw end to end.
"""

from pyramid.view import view_config

from ..api import describe, json_body
from ..security import Permission
from .forms import BeaconBody
from .models import Draw
from .services import DrawService, NotCommitted

LIST_MAX = 500


def _service(request) -> DrawService:
    return request.find_service(DrawService)


def _instant(value):
    return value.isoformat() if value else None


def draw_summary(request, draw: Draw) -> dict:
    return {
        "id": draw.id, "purpose": draw.purpose, "status": str(draw.status),
        "subject": {"type": draw.subject_type, "id": draw.subject_id},
        "count": draw.count, "candidate_list_hash": draw.candidate_list_hash,
        "commitment": draw.commitment, "beacon": draw.beacon,
        "beacon_source": draw.beacon_source, "beacon_at": _instant(draw.beacon_at),
        "committed_at": _instant(draw.committed_at), "drawn_at": _instant(draw.revealed_at),
        "record": request.route_url("api.draw", draw_id=draw.id),
    }


SUMMARY = {"type": "object", "required": ["id", "purpose", "status", "subject", "record"],
           "properties": {"id": {"type": "integer"}, "purpose": {"type": "string"},
                          "status": {"type": "string",
                                     "enum": ["frozen", "committed", "revealed"]},
                          "commitment": {"type": ["string", "null"]},
                          "record": {"type": "string", "format": "uri"}}}
RECORD = {"type": "object", "description": "draw-v1 record, see trading/draws/ALGORITHM.md §9",
          "required": ["algorithm", "purpose", "subject", "rule", "count", "candidates",
                       "candidate_list_hash", "commitment", "beacon", "beacon_source", "seed",
                       "result", "follow_ups", "witnesses", "timestamps"]}
NAMED = {"type": "array", "items": {"type": "object", "required": ["id", "index"],
                                   "properties": {"id": {"type": "string"},
                                                  "index": {"type": "integer"}}}}
LOGSET = {"type": "object",
          "required": ["set", "size", "checkpoint", "members", "excluded", "entries"],
          "properties": {
              "set": {"type": "string"}, "size": {"type": "integer"},
              "checkpoint": {"type": "object"}, "members": NAMED, "excluded": NAMED,
              "entries": {"type": "array", "items": {
                  "type": "object", "required": ["index", "entry", "proof"],
                  "properties": {"index": {"type": "integer"},
                                 "size": {"type": "integer"},
                                 "entry": {"type": "string"},
                                 "proof": {"type": "array",
                                           "items": {"type": "string"}}}}}}}
POOL = {"type": "object", "required": ["draw", "candidates", "candidate_list_hash", "log"],
        "properties": {
            "draw": {"type": "integer"}, "candidates": {"type": "array"},
            "candidate_list_hash": {"type": "string"},
            # a small work's exclusions, subtracted; an expert draw's library, accounted
            # for entry by entry (by pseudonym once `cover_salt` is published)
            "log": LOGSET, "minus": LOGSET, "cover": LOGSET,
            "cover_salt": {"type": "string"}}}
SUBJECT_PARAMS = [
    {"name": "subject_type", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "subject_id", "in": "query", "required": False, "schema": {"type": "string"}},
]

@describe("api.draws", "GET", "Draws, newest first; filter by subject_type and subject_id",
          response={"type": "object", "properties": {"draws": {"type": "array",
                                                               "items": SUMMARY}}},
          parameters=SUBJECT_PARAMS)
@view_config(route_name="api.draws", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_draws(request):
    subject_type = request.GET.get("subject_type")
    if subject_type:
        draws = _service(request).draws_for(subject_type, request.GET.get("subject_id", ""))
    else:
        draws = _service(request).recent(LIST_MAX)
    return {"draws": [draw_summary(request, draw) for draw in draws]}


@describe("api.draw", "GET", "A draw's public record (verify it with python3 -m trading.draws "
          "verify); 409 not_committed while only the list is frozen", response=RECORD)
@view_config(route_name="api.draw", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_draw(context, request):
    record = _service(request).record_of(context.draw)
    if record is None:
        raise NotCommitted("该抽取尚未承诺种子，还没有可公布的记录")
    return record


@describe("api.draw.beacon", "POST", "Enter the public beacon value while committed "
          "(supervisor); refused after the reveal or once entered", auth=True,
          request_schema=BeaconBody, response=SUMMARY)
@view_config(route_name="api.draw.beacon", request_method="POST", renderer="json",
             permission=Permission.DRAW_BEACON)
def api_beacon(context, request):
    values = json_body(request, BeaconBody())
    draw = _service(request).enter_beacon(context.draw, value=values["value"],
                                          source=values["source"], actor=request.actor)
    return draw_summary(request, draw)


@describe("api.draw.pool", "GET", "The frozen candidate list's proof against the transparency "
          "log (issue #17): the checkpoint signed at the freeze, every pool entry (registration, "
          "exclusion …) logged below it with its inclusion proof, and each candidate's and each "
          "excluded one's leaf index; a small work's exclusions as `minus`, an expert draw's "
          "library set as `cover` (and, once the evaluation starts, the pseudonym salt as "
          "`cover_salt`); check with python -m bid_crypto verify-set. 404 "
          "not_pooled for a list not frozen from a logged pool", response=POOL)
@view_config(route_name="api.draw.pool", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_pool(context, request):
    from .views import pool_of

    return pool_of(request, context.draw)
