"""The audit log: hash chain, signed checkpoints, browsing, supervision, dashboard,
collusion signals."""


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "collusion.scanned": N_("围标串标分析"),
    }


def includeme(config):
    from ..archive.service import SOURCES
    from ..bidding import opening
    from .collusion_service import (
        CollusionService,
        archive_source,
        collusion_service_factory,
        scan_after_opening,
    )
    from .resources import COMMITTEE_PRINCIPALS, sitting_committee

    config.add_audit_actions(_audit_actions())
    config.register_service_factory(collusion_service_factory, CollusionService)
    if scan_after_opening not in opening.COMPLETED_HOOKS:
        opening.COMPLETED_HOOKS.append(scan_after_opening)
    if archive_source not in SOURCES:
        SOURCES.append(archive_source)
    if sitting_committee not in COMMITTEE_PRINCIPALS:
        COMMITTEE_PRINCIPALS.append(sitting_committee)
