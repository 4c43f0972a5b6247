"""The audit log, a leaf every domain writes to: the hash chain (`service.record`), the
Merkle transparency log (merkle, sequencer, logset), signed checkpoints, the log's pages
and API, the actions' labels (actions) and the database protection. It imports no other
domain at module level; what reads every domain's tables (the dashboard, electronic
supervision, collusion signals) lives in trading.supervision."""


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "logset.entry": N_("候选库或定标依据登记"),
    }


# A logged set's key (trading.audit.logset) by its prefix: what the set holds, in words,
# so the audit log names it instead of printing the key (`sw-work:5:excluded`).
_SET_KINDS = (  # msgids: trading.po
    ("im-purchase:", "中介超市报名名单（采购编号 ${id}）"),
    ("sw-registry:", "小额工程企业库名录（${id}）"),
    ("sw-work:", "小额工程排除名单（工程 ${id}）"),
    ("experts:", "评标专家抽取名单（委员会 ${id}）"),
    ("final-offers:round:", "最终报价（轮次 ${id}）"),
    ("award-inputs:lot:", "定标依据（标段 ${id}）"),
)


def name_sets(request, keys: set[str]) -> dict[str, tuple[str, str]]:
    """Logged sets in words, each linked to the signed checkpoints that prove it."""
    from ..i18n import _

    link = request.route_url("audit.checkpoints")
    named = {}
    for key in keys:
        for prefix, words in _SET_KINDS:
            if key.startswith(prefix):
                ident = key[len(prefix):].split(":")[0]
                named[key] = (request.localizer.translate(_(words, mapping={"id": ident})),
                              link)
                break
    return named


def includeme(config):
    config.add_audit_actions(_audit_actions())
    config.add_subject_namer("logset", name_sets)
