"""Sealed bids (投标与开标): opening keys and custody, submission, receipts, the opening.

The cryptography is bid_crypto's; this package decides who may do what and when, stores
ciphertext and metadata only, and runs the opening at the deadline through the
projects' chronograph (`DUE_HANDLERS`).
"""


from ..db import registry_of


def prepare_opening_key(service, project, actor):
    """PUBLISH_HOOKS entry: the opening key is generated when the project is approved."""
    from .service import BidService

    BidService(service.db, service.clock, registry_of(service.db)["keys"],
               service.storage or registry_of(service.db)["storage"],
               settings=registry_of(service.db).settings).prepare_key(project, actor=actor)


def open_when_due(service, project, now):
    """DUE_HANDLERS entry: open the bids once the deadline and custody allow."""
    from ..projects.status import ProjectStatus
    from .opening import OpeningService

    if project.status in (ProjectStatus.DRAFT, ProjectStatus.PENDING_REVIEW,
                          ProjectStatus.RETURNED, ProjectStatus.PUBLISHED,
                          ProjectStatus.BIDDING):
        return None
    opening = OpeningService(service.db, service.clock, registry_of(service.db)["keys"],
                             service.storage or registry_of(service.db)["storage"],
                             settings=registry_of(service.db).settings)
    return opening.run_due(service, project)


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
    from ..projects import service as projects_service
    from .opening import OpeningService, opening_service_factory
    from .service import BidService, bid_service_factory
    from .uploads import EnvelopeUploads, uploads_factory

    config.add_audit_actions(_audit_actions())
    config.register_service_factory(bid_service_factory, BidService)
    config.register_service_factory(opening_service_factory, OpeningService)
    if prepare_opening_key not in projects_service.PUBLISH_HOOKS:
        projects_service.PUBLISH_HOOKS.append(prepare_opening_key)
    if open_when_due not in projects_service.DUE_HANDLERS:
        projects_service.DUE_HANDLERS.append(open_when_due)
    config.register_service_factory(uploads_factory, EnvelopeUploads)
