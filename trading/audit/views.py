"""Audit pages: public checkpoints of the chain, and the log for center and supervisors."""

import base64

import sqlalchemy as sa
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..security import Permission
from .models import AuditCheckpoint, AuditEvent
from .service import sign_checkpoint


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


PAGE_SIZE = 100


@view_config(route_name="audit.log", renderer="audit/log.jinja2",
             permission=Permission.AUDIT_VIEW)
def audit_log(request):
    """The newest events first; filters by subject and action (center and supervisors)."""
    query = sa.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE)
    subject_type = request.params.get("subject_type", "")[:40]
    action = request.params.get("action", "")[:64]
    if subject_type:
        query = query.where(AuditEvent.subject_type == subject_type)
    if action:
        query = query.where(AuditEvent.action == action)
    return {"events": list(request.dbsession.scalars(query)),
            "subject_type": subject_type, "action": action}


@view_config(route_name="audit.checkpoints.sign", permission=Permission.AUDIT_CHECKPOINT,
             request_method="POST")
def sign_now(request):
    cp = sign_checkpoint(request.dbsession, request.registry["keys"], now=request.clock())
    request.session.flash(f"已签署检查点 #{cp.seq}" if cp else "暂无可签署的事件", "success")
    return HTTPSeeOther(request.route_url("audit.checkpoints"))
