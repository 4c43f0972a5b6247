"""Supervision of every domain: the dashboard (一屏统览), electronic supervision (电子监察:
steps past their deadline) and the collusion signals (围标串标预警). It reads the other
domains' tables and writes to the audit log; nothing below it imports it."""

from ..archive.events import ArchiveAssembling
from ..bidding.events import OpeningCompleted


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "collusion.scanned": N_("围标串标分析"),
    }


def includeme(config):
    from .collusion_service import (
        CollusionService,
        archive_source,
        collusion_service_factory,
        scan_after_opening,
    )
    from .resources import SIGNAL_READERS, add_signal_readers, sitting_committee

    config.add_audit_actions(_audit_actions())
    from .workspace import part as workspace_part

    config.add_workspace_part(workspace_part)
    config.register_service_factory(collusion_service_factory, CollusionService)
    config.add_subscriber(scan_after_opening, OpeningCompleted)
    config.add_subscriber(archive_source, ArchiveAssembling)
    config.registry[SIGNAL_READERS] = []
    config.add_directive("add_signal_readers", add_signal_readers)
    config.add_signal_readers(sitting_committee)
