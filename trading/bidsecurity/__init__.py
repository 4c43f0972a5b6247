"""投标保证金 — bid security from payment to refund, sealed like the bids (rules §10).

* `rules` — the pure rules: statutory cap, requirement, refund deadline, interest,
  reconciliation of one notification, forfeiture grounds;
* `bank` — the bank adapter interface and its wire format (signed notifications, refund
  orders with idempotency keys); `simbank` — the simulated bank, its own process;
* `guarantee` — the guarantee provider interface (apply, issue, verify, claim, release)
  and its signed wire format; `simguarantor` — the simulated provider, its own process;
  `guarantees` — the documents verified, sealed to the opening key, released or claimed;
* `service` — requirement per lot from the rule profile, payer accounts, sub-accounts, the
  notification webhook (sealed to the opening key), the check at the opening, refunds.
"""


def check_requirement(event):
    """ProjectApproving: a project whose profile asks for security above the
    statutory cap (or malformed) is not approved; the refusal names the reason."""
    from .service import requirement_of

    for lot in event.project.lots:
        requirement_of(event.project, lot)


def check_at_opening(event):
    """BidsOpened: the payer list opens with the bids. A profile changed into an invalid
    requirement after approval must not stop the opening: the bids open, the security is
    left unchecked and the audit says why."""
    from ..audit.service import record
    from ..db import registry_of
    from ..errors import RuleRefused
    from .service import SYSTEM, BidSecurityService

    # The provider's key re-verifies each opened guarantee: a row sealed by anyone else
    # (the opening key is public) counts for nothing.
    opening_service, project = event.service, event.project
    provider = registry_of(opening_service.db).get("bidsecurity.guarantor")
    try:
        BidSecurityService(opening_service.db, opening_service.clock,
                           provider=provider).at_opening(
            project, event.lines,
            lambda: opening_service.private_key(project), opening_service.invalidate)
    except RuleRefused as error:
        record(opening_service.db, SYSTEM, "bidsecurity.opening_unchecked", "project",
               project.id, now=opening_service.clock(), outcome="failure",
               reason=error.message)


def schedule_refunds(event):
    """ProjectStatusChanged: the award, the contract or the end starts refund clocks."""
    from .service import REFUND_EVENTS, BidSecurityService

    if event.status in REFUND_EVENTS:
        BidSecurityService(event.service.db, event.service.clock).schedule_refunds(
            event.project, event.status)


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "bidsecurity.account_added": N_("登记保证金付款账户"),
        "bidsecurity.sub_account_issued": N_("分配保证金子账户"),
        "bidsecurity.notification": N_("保证金到账通知"),
        "bidsecurity.opened": N_("开标时核验保证金"),
        "bidsecurity.opening_unchecked": N_("开标时未能核验保证金"),
        "bidsecurity.settled_unopened": N_("未开标项目保证金结算"),
        "bidsecurity.refunded": N_("退还保证金"),
        "bidsecurity.refund_failed": N_("保证金退还失败"),
        "bidsecurity.refund_overdue": N_("保证金逾期未退"),
        "bidsecurity.forfeiture_proposed": N_("提请不予退还保证金"),
        "bidsecurity.forfeiture_decided": N_("决定是否不予退还保证金"),
        "bidsecurity.guarantee_applied": N_("申请电子保函"),
        "bidsecurity.guarantee_received": N_("接收电子保函（已密封）"),
        "bidsecurity.guarantee_refused": N_("拒收电子保函"),
        "bidsecurity.guarantee_released": N_("解除电子保函"),
        "bidsecurity.claimed": N_("电子保函索赔"),
        "bidsecurity.claim_failed": N_("电子保函索赔失败"),
    }


def release_part(event):
    """ReleaseAssembling: the lots' bid security (tender.bidSecurity)."""
    from .ocds import ocds_part

    event.add(ocds_part(event.dbsession, event.project))


def includeme(config):
    from .bank import BankAdapter, bank_from_settings
    from .guarantee import GuaranteeProvider, provider_from_settings
    from .service import BidSecurityService, bid_security_service_factory

    config.add_audit_actions(_audit_actions())
    bank = bank_from_settings(config.get_settings())
    # The registry holds the adapters: jobs read them there, requests through find_service.
    config.registry["bidsecurity.bank"] = bank
    config.register_service(bank, BankAdapter)
    provider = provider_from_settings(config.get_settings())
    config.registry["bidsecurity.guarantor"] = provider
    config.register_service(provider, GuaranteeProvider)
    config.register_service_factory(bid_security_service_factory, BidSecurityService)
    from ..bidding.events import BidsOpened
    from ..projects.events import ProjectApproving, ProjectStatusChanged

    config.add_subscriber(check_at_opening, BidsOpened)
    config.add_subscriber(check_requirement, ProjectApproving)
    config.add_subscriber(schedule_refunds, ProjectStatusChanged)
    from ..opendata.events import ReleaseAssembling

    config.add_subscriber(release_part, ReleaseAssembling)
