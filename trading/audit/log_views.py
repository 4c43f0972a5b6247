"""The transparency log's public API: the latest (or a given) signed checkpoint, an event's
inclusion proof, a consistency proof between two tree sizes. No sign-in: an outsider —
a bidder, a witness, a journalist — checks them with bid_crypto alone."""

import colander
from pyramid.view import view_config

from ..api import describe, json_object, query_parameters
from ..forms import validated
from ..security import Permission
from . import merkle

SIZE = colander.Range(1, 2**62)
B64 = {"type": "string", "contentEncoding": "base64"}
CHECKPOINT = {
    "type": "object", "required": ["origin", "size", "root", "checkpoint", "log_key"],
    "properties": {
        "origin": {"type": "string"}, "size": {"type": "integer"}, "root": B64,
        "signed_at": {"type": "string", "format": "date-time"},
        "checkpoint": {"type": "string", "description": "C2SP tlog-checkpoint signed note"},
        "log_key": {"type": "string", "description": "the log's verifier key "
                                                     "(name+id+base64 key, Go note format)"}},
}


class CheckpointParams(colander.MappingSchema):
    size = colander.SchemaNode(colander.Integer(), missing=None, validator=SIZE)


class InclusionParams(colander.MappingSchema):
    seq = colander.SchemaNode(colander.Integer(), validator=colander.Range(1, 2**62))
    size = colander.SchemaNode(colander.Integer(), missing=None, validator=SIZE)


class ConsistencyParams(colander.MappingSchema):
    old = colander.SchemaNode(colander.Integer(), validator=colander.Range(0, 2**62))
    new = colander.SchemaNode(colander.Integer(), missing=None, validator=SIZE)


def _params(request, schema) -> dict:
    return validated(schema(), dict(request.GET.items()))


def _ctx(request):
    return request.dbsession, request.registry["keys"], request.registry.settings


@describe("api.audit.log.checkpoint", "GET",
          "The audit log's latest signed checkpoint (or the one of `size` leaves)",
          response=CHECKPOINT, parameters=query_parameters(CheckpointParams()))
@view_config(route_name="api.audit.log.checkpoint", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_log_checkpoint(request):
    dbsession, keys, settings = _ctx(request)
    size = _params(request, CheckpointParams)["size"]
    return merkle.checkpoint_doc(merkle._signed(dbsession, size), keys, settings)


@describe("api.audit.log.inclusion", "GET",
          "Inclusion proof (RFC 9162 §2.1.3) of audit event `seq` in the checkpoint of `size` "
          "leaves (the latest by default); 404 not_logged_yet while it is queued",
          parameters=query_parameters(InclusionParams()), response={
              "type": "object",
              "required": ["seq", "index", "size", "leaf_hash", "proof", "checkpoint"],
              "properties": {"seq": {"type": "integer"}, "index": {"type": "integer"},
                             "size": {"type": "integer"}, "leaf_hash": B64,
                             "integrated_at": {"type": "string", "format": "date-time"},
                             "proof": {"type": "array", "items": B64},
                             "checkpoint": CHECKPOINT}})
@view_config(route_name="api.audit.log.inclusion", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_log_inclusion(request):
    params = _params(request, InclusionParams)
    return merkle.inclusion_doc(*_ctx(request), seq=params["seq"], size=params["size"])


@describe("api.audit.log.consistency", "GET",
          "Consistency proof (RFC 9162 §2.1.4) that the checkpoint of `new` leaves (the latest "
          "by default) extends the tree of `old` leaves",
          parameters=query_parameters(ConsistencyParams()), response={
              "type": "object", "required": ["old", "new", "proof", "checkpoint"],
              "properties": {"old": {"type": "integer"}, "new": {"type": "integer"},
                             "proof": {"type": "array", "items": B64},
                             "old_checkpoint": {"oneOf": [CHECKPOINT, {"type": "null"}]},
                             "checkpoint": CHECKPOINT}})
@view_config(route_name="api.audit.log.consistency", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_log_consistency(request):
    params = _params(request, ConsistencyParams)
    return merkle.consistency_doc(*_ctx(request), old=params["old"], new=params["new"])


@describe("api.audit.log.cosignatures", "POST",
          "A witness gives back its cosignature (C2SP tlog-cosignature) of a checkpoint this log "
          "signed: body {\"checkpoint\": cosigned note}; kept for the witnesses listed in "
          "audit.witnesses (422 cosignature_refused / unknown_witness otherwise)",
          response={"type": "object", "required": ["size", "witnesses"],
                    "properties": {"size": {"type": "integer"},
                                   "witnesses": {"type": "array", "items": {"type": "string"}}}})
@view_config(route_name="api.audit.log.cosignatures", request_method="POST", renderer="json",
             permission=Permission.PUBLIC_VIEW, require_csrf=False)
def api_log_cosignatures(request):
    """No account: the cosignature is its own credential (a witness's pinned key)."""
    text = json_object(request).get("checkpoint")
    if not isinstance(text, str) or len(text) > 20_000:
        raise merkle.CosignatureRefused("请提交副署后的检查点文本", field="checkpoint")
    dbsession, _keys, settings = _ctx(request)
    size, names = merkle.store_cosignatures(dbsession, settings, text, now=request.clock())
    request.response.status_int = 201
    return {"size": size, "witnesses": names}
