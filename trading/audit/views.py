"""Public checkpoints of the audit chain (anyone can pin the history they saw)."""

import base64

import sqlalchemy as sa
from pyramid.view import view_config

from ..security import Permission
from .models import AuditCheckpoint


def _checkpoints(request, limit=100):
    query = sa.select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(limit)
    return list(request.dbsession.scalars(query))


@view_config(route_name="audit.checkpoints", renderer="audit/checkpoints.jinja2",
             permission=Permission.PUBLIC_VIEW)
def list_checkpoints(request):
    keys = request.registry["keys"]
    return {
        "checkpoints": _checkpoints(request),
        "public_key": base64.b64encode(keys.public_key_bytes).decode(),
        "key_id": keys.key_id,
    }


@view_config(route_name="api.audit.checkpoints", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_checkpoints(request):
    keys = request.registry["keys"]
    return {
        "public_key": base64.b64encode(keys.public_key_bytes).decode(),
        "key_id": keys.key_id,
        "algorithm": "Ed25519 over canonical JSON {chain, head_hash, seq}",
        "checkpoints": [
            {"seq": c.seq, "head_hash": c.head_hash, "signed_at": c.signed_at.isoformat(),
             "key_id": c.key_id, "signature": c.signature}
            for c in _checkpoints(request)
        ],
    }
