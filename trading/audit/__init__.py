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


def includeme(config):
    config.add_audit_actions(_audit_actions())
