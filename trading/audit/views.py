"""Audit pages: public checkpoints of the chain, and the log for center and supervisors."""

import base64
from datetime import datetime, time, timedelta

import colander
import sqlalchemy as sa
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..api import describe
from ..forms import Text
from ..i18n import DISPLAY_TZ, N_, _
from ..security import Permission
from ..subjects import subject_names
from . import merkle
from .actions import action_code, action_labels
from .models import AuditCheckpoint, AuditEvent, TlogCheckpoint, TlogCosignature
from .service import sign_checkpoint


def _checkpoints(request, limit=100):
    query = sa.select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(limit)
    return list(request.dbsession.scalars(query))


@view_config(route_name="audit.checkpoints", renderer="audit/checkpoints.jinja2",
             permission=Permission.PUBLIC_VIEW)
def list_checkpoints(request):
    keys = request.registry["keys"]
    algorithm = keys.checkpoint_algorithm
    return {
        **_log_checkpoints(request),
        "checkpoints": _checkpoints(request),
        "public_key": base64.b64encode(keys.public_key_for(algorithm)).decode(),
        "key_id": keys.key_id_for(algorithm),
        "algorithm": algorithm,
        "public_keys": {kid: base64.b64encode(raw).decode()
                        for kid, raw in keys.published().items()},
    }


def _log_checkpoints(request, limit=50) -> dict:
    """The transparency log's latest checkpoints, each with its witnesses' cosignatures."""
    rows = list(request.dbsession.scalars(
        sa.select(TlogCheckpoint).order_by(TlogCheckpoint.size.desc()).limit(limit)))
    witnessed: dict[int, list[str]] = {}
    if rows:
        for c in request.dbsession.scalars(sa.select(TlogCosignature).where(
                TlogCosignature.size.in_([r.size for r in rows]))):
            witnessed.setdefault(c.size, []).append(c.witness)
    settings = request.registry.settings
    return {"log_checkpoints": [(r, base64.b64encode(bytes.fromhex(r.root)).decode(),
                                 witnessed.get(r.size, [])) for r in rows],
            "log_key": merkle.log_verifier(request.registry["keys"], settings).vkey()}


@describe("api.audit.checkpoints", "GET", "Signed checkpoints of the audit hash chain")
@view_config(route_name="api.audit.checkpoints", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_checkpoints(request):
    keys = request.registry["keys"]
    algorithm = keys.checkpoint_algorithm
    return {
        "public_key": base64.b64encode(keys.public_key_for(algorithm)).decode(),
        "key_id": keys.key_id_for(algorithm),
        "algorithm": ("SM2 with SM3, signer ID 1234567812345678" if algorithm == "sm2"
                      else "Ed25519") + " over canonical JSON {chain, head_hash, seq}",
        # Every key the platform signs with (Ed25519; SM2 for 国密 projects), by key id:
        # checkpoints signed before a change of algorithm keep verifying.
        "public_keys": {kid: base64.b64encode(raw).decode()
                        for kid, raw in keys.published().items()},
        "checkpoints": [
            {"seq": c.seq, "head_hash": c.head_hash, "signed_at": c.signed_at.isoformat(),
             "key_id": c.key_id, "signature": c.signature}
            for c in _checkpoints(request)
        ],
    }


PAGE_SIZE = 100


class LogFilters(colander.MappingSchema):
    subject_type = colander.SchemaNode(Text(), missing="",
                                       validator=colander.Length(0, 40))
    subject_id = colander.SchemaNode(Text(), missing="",
                                     validator=colander.Length(0, 64))
    actor = colander.SchemaNode(Text(), missing="", validator=colander.Length(0, 100))
    action = colander.SchemaNode(Text(), missing="", validator=colander.Length(0, 64))
    date_from = colander.SchemaNode(colander.Date(), missing=None)
    date_to = colander.SchemaNode(colander.Date(), missing=None)
    # Paging by the hash of the last row shown, never by seq: a seq would count the rows
    # this viewer may not see (issue #15 point 5).
    before = colander.SchemaNode(Text(), missing="",
                                 validator=colander.Regex(r"^[0-9a-f]{64}$",
                                                          "翻页参数无效"))


# That a bid exists is the bidder's secret until the deadline (电子招标投标办法 Art 21), so
# the browse page never lists per-bid rows; they stay in the chain and in the archive.
HIDDEN_SUBJECTS = ("bid", "guarantee_application")


def _hidden(request):
    """Rows this viewer may not see: per-bid rows always, and the sign-up rows of every
    project whose sign-ups the sign-up page would not show them (one rule, in projects)."""
    from ..projects.service import SIGNUP_ACTIONS, ProjectService

    projects = request.find_service(ProjectService).signups_hidden_from(request.identity)
    hidden = AuditEvent.subject_type.in_(HIDDEN_SUBJECTS)
    if projects:
        hidden = hidden | (AuditEvent.action.in_(SIGNUP_ACTIONS)
                           & (AuditEvent.subject_type == "project")
                           & AuditEvent.subject_id.in_([str(i) for i in projects]))
    return hidden


def _log_query(f: dict, hidden, before_seq: int | None):
    query = (sa.select(AuditEvent).where(sa.not_(hidden))
             .order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE))
    for key, column in (("subject_type", AuditEvent.subject_type),
                        ("subject_id", AuditEvent.subject_id),
                        ("actor", AuditEvent.actor_label), ("action", AuditEvent.action)):
        if f[key]:
            query = query.where(column == f[key])
    if f["date_from"]:
        query = query.where(AuditEvent.occurred_at >= _day(f["date_from"]))
    if f["date_to"]:
        query = query.where(AuditEvent.occurred_at < _day(f["date_to"]) + timedelta(days=1))
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)  # keyset paging, newest first
    return query


def _day(value) -> datetime:
    return datetime.combine(value, time.min, DISPLAY_TZ)


def _before_seq(request, f: dict, hidden) -> int | None:
    """The seq behind a paging hash, only for a row this viewer may see."""
    if not f["before"]:
        return None
    seq = request.dbsession.scalar(sa.select(AuditEvent.seq).where(
        AuditEvent.hash == f["before"], sa.not_(hidden)))
    if seq is None:
        raise colander.Invalid(LogFilters()["before"], "翻页参数无效")
    return seq


# What an audit row is about, in words (the row keeps the code the chain hashed).
SUBJECT_LABELS = {
    "project": N_("项目"), "lot": N_("标段"), "bid": N_("投标文件"), "user": N_("用户"),
    "organisation": N_("单位"), "api_token": N_("接口令牌"), "expert": N_("评标专家"),
    "committee": N_("评标委员会"), "report": N_("报告"), "final_offer_round": N_("终次报价轮次"),
    "round": N_("报价轮次"), "clarification": N_("澄清"), "objection": N_("异议"),
    "contract": N_("合同"), "checkpoint": N_("审计检查点"), "draw": N_("随机抽取"),
    "custody": N_("开标密钥托管"), "custody_mode": N_("托管方式"), "custodian": N_("密钥托管人"),
    "custodians": N_("密钥托管人"), "im_purchase": N_("中介服务采购"),
    "intermediary_purchase": N_("中介服务采购"), "im_entry": N_("中介机构入驻"),
    "intermediary": N_("中介机构"), "im_service_type": N_("中介服务类型"),
    "smallworks_project": N_("小额工程"), "small_work": N_("小额工程"),
    "smallworks_enterprise": N_("小额工程企业"), "refund": N_("保证金退还"),
    "notification": N_("到账通知"), "security": N_("投标保证金"),
    "guarantee": N_("电子保函"), "guarantee_application": N_("电子保函申请"),
    "logset": N_("日志登记的候选库或定标依据"),
}


@view_config(route_name="audit.log", renderer="audit/log.jinja2",
             permission=Permission.AUDIT_LOG)
def audit_log(request):
    """By subject, actor, action and period, newest first (center and supervisors).

    Rows carry no seq: the chain's numbering counts every event, so numbered rows with
    some hidden would show gaps that count and time hidden sign-ups and bids. A row is
    named by its hash, which `trading audit verify` and the checkpoints pin as firmly.
    Actions are shown and chosen by their labels; the row keeps the code the chain hashed."""
    params = {k: v for k, v in request.GET.items() if v}
    hidden = _hidden(request)
    words = {"SUBJECTS": SUBJECT_LABELS, "ACTIONS": action_labels(request.registry),
             "action_groups": _action_groups(request)}
    try:
        filters = LogFilters().deserialize(params)
        filters["action"] = _action_filter(request, filters["action"])
        before = _before_seq(request, filters, hidden)
    except colander.Invalid as error:
        request.response.status_int = 400
        return {"events": [], "f": params, "errors": error.asdict(), "next": None, **words,
                "NAMES": {}}
    events = list(request.dbsession.scalars(_log_query(filters, hidden, before)))
    words["NAMES"] = subject_names(request, ((e.subject_type, e.subject_id) for e in events))
    more = len(events) == PAGE_SIZE
    if filters["action"]:
        params["action"] = filters["action"]  # a label typed in the address pages as its code
    return {"events": events, "f": params, "errors": {}, **words,
            "next": {**params, "before": events[-1].hash} if more else None}


def _action_filter(request, text: str) -> str:
    """A label (Chinese or the viewer's language) or a code; anything else is refused."""
    if not text:
        return ""
    code = action_code(request.registry, text, lambda s: request.localizer.translate(_(s)))
    if code is None:
        raise colander.Invalid(LogFilters()["action"], "没有这项操作，请从列表中选择")
    return code


def _action_groups(request) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filter's choices, grouped by what they act on (the code's first part)."""
    def translate(text):
        return request.localizer.translate(_(text))

    groups: dict[str, list[tuple[str, str]]] = {}
    for code, label in action_labels(request.registry).items():
        groups.setdefault(code.split(".")[0], []).append((code, translate(label)))
    return [(translate(ACTION_GROUPS.get(prefix, prefix)), choices)
            for prefix, choices in groups.items()]


# The filter's group headings: the part of an action code before its first dot.
ACTION_GROUPS = {
    "account": N_("账号"), "security": N_("安全策略"), "project": N_("项目"),
    "bid": N_("投标文件"), "custody": N_("开标密钥托管"), "opening": N_("开标"),
    "bidsecurity": N_("投标保证金"), "expert": N_("评标专家"), "committee": N_("评标委员会"),
    "criteria": N_("评分标准"), "sheet": N_("评分表"), "evaluation": N_("评标"),
    "award": N_("定标"), "consultation": N_("磋商"), "final_offer": N_("终次报价"),
    "final_quote": N_("最后报价"), "draw": N_("随机抽取"), "collusion": N_("电子监察"),
    "intermediary": N_("中介超市"), "smallworks": N_("小额工程"),
}


@view_config(route_name="audit.checkpoints.sign", permission=Permission.AUDIT_CHECKPOINT,
             request_method="POST")
def sign_now(request):
    sign_checkpoint(request.dbsession, request.registry["keys"], now=request.clock())
    cp = merkle.sequence(request.dbsession, request.registry["keys"],
                         request.registry.settings, now=request.clock())
    request.session.flash(f"已签署检查点（{cp.size} 条）" if cp else "暂无可签署的事件",
                          "success")
    return HTTPSeeOther(request.route_url("audit.checkpoints"))
