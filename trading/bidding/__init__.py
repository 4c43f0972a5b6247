"""Sealed bids (投标与开标): opening keys and custody, submission, receipts, the opening.

The cryptography is bid_crypto's; this package decides who may do what and when, stores
ciphertext and metadata only, and runs the opening at the deadline through the
projects' chronograph (a `ProjectDue` subscriber).
"""


# Registry key: while set (the demo, posting its projects before any bid exists), the
# opening waits; the demo's bid loader clears it.
OPENING_PAUSED = "bidding.opening_paused"


def prepare_opening_key(event):
    """ProjectApproving: the opening key is generated when the project is approved."""
    from .service import BidService

    service, registry = event.service, event.service.registry
    BidService(service.db, service.clock, registry["keys"],
               service.storage or registry["storage"],
               settings=registry.settings).prepare_key(event.project, actor=event.actor)


def open_when_due(event):
    """ProjectDue: open the bids once the deadline and custody allow."""
    from ..projects.status import ProjectStatus
    from .opening import OpeningService

    service, project, registry = event.service, event.project, event.service.registry
    if registry.get(OPENING_PAUSED) or project.status in (
            ProjectStatus.DRAFT, ProjectStatus.PENDING_REVIEW, ProjectStatus.RETURNED,
            ProjectStatus.PUBLISHED, ProjectStatus.BIDDING):
        return
    opening = OpeningService(service.db, service.clock, registry["keys"],
                             service.storage or registry["storage"],
                             settings=registry.settings)
    event.wake_at(opening.run_due(service, project))


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "bid.opening_key_generated": N_("生成开标密钥"),
        "bid.submitted": N_("递交投标文件"),
        "bid.withdrawn": N_("撤回投标文件"),
        "custody.key_enrolled": N_("登记托管人公钥"),
        "custody.designated": N_("指定密钥托管人"),
        "custody.share_released": N_("托管人释放密钥分片"),
        "opening.started": N_("开标开始"),
        "opening.share_submitted": N_("投标人提交解密分片"),
        "opening.completed": N_("开标完成"),
        "opening.documents_stored": N_("保存解密后的投标文件"),
        "opening.line_confirmed": N_("投标人确认开标记录"),
    }


def includeme(config):
    from ..projects.events import ProjectApproving, ProjectDue
    from .opening import OpeningService, opening_service_factory
    from .service import BidService, bid_service_factory
    from .uploads import EnvelopeUploads, uploads_factory

    config.add_audit_actions(_audit_actions())
    config.register_service_factory(bid_service_factory, BidService)
    config.register_service_factory(opening_service_factory, OpeningService)
    config.add_subscriber(prepare_opening_key, ProjectApproving)
    config.add_subscriber(open_when_due, ProjectDue)
    config.register_service_factory(uploads_factory, EnvelopeUploads)
