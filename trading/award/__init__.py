"""Award (定标 / 成交): the final-offer round (终次报价, a sealed round of
``trading.rounds``), 评定分离 award committees and methods, and publicity. The rule
algorithms are pure functions in ``rules``; services orchestrate them and the chronograph
drives time. 竞争性磋商 and its final quotes are the evaluation's."""

from ..projects.kinds import ProcurementMethod


def _final_offers(service):
    from .final_offer import FinalOfferService

    registry = service.registry
    return FinalOfferService(service.db, service.clock, registry["keys"],
                             service.storage or registry["storage"], service.enqueue,
                             registry.settings)


def final_offer_due(event):
    """ProjectDue: open the offer window, then reveal and decide at its end."""
    if event.project.procurement_method is ProcurementMethod.FINAL_OFFER:
        event.wake_at(_final_offers(event.service).run_due(event.service, event.project))


def final_offer_next(event):
    """ProjectScheduling: keep the chronograph on an undecided round."""
    if event.project.procurement_method is ProcurementMethod.FINAL_OFFER:
        event.wake_at(_final_offers(event.service).next_instant(event.project))


def publicise_candidates(event):
    """ProjectStatusChanged: candidates reached → 中标候选人公示 (rules §7.8)."""
    if event.status != "candidates_publicised":
        return
    _award_service(event.service).start_publicity(event.project)


def _award_service(service):
    from .service import AwardService

    return AwardService(service.db, service.clock, keys=service.keys, storage=service.storage,
                        enqueue=service.enqueue)


def publicity_due(event):
    """ProjectDue: the publicity has ended → the award, its result and notices; before
    that, the instant it ends."""
    awards = _award_service(event.service)
    awards.advance(event.project)
    event.wake_at(awards.next_instant(event.project))


def publicity_next(event):
    """ProjectScheduling: wake the project when its candidate publicity ends."""
    event.wake_at(_award_service(event.service).next_instant(event.project))


def _committees(service):
    from .committee import AwardCommitteeService

    # The keys sign lotteries only (a tie when an auction closes).
    return AwardCommitteeService(service.db, service.clock, service.registry["keys"],
                            service.storage, service.enqueue)


def auction_due(event):
    """ProjectDue: close the descending auctions whose time is up (降价竞价)."""
    event.wake_at(_committees(event.service).close_due_auctions(event.project))


def auction_next(event):
    """ProjectScheduling: the end of an open descending auction."""
    event.wake_at(_committees(event.service).open_auction_ends(event.project))


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "award.roster_added": N_("定标委员库新增成员"),
        "award.roster_removed": N_("定标委员库移除成员"),
        "award.committee_formed": N_("组建定标委员会"),
        "award.committee_decided": N_("定标委员会作出决定"),
        "award.auction_opened": N_("定标竞价开始"),
        "award.auction_bid": N_("定标竞价出价"),
        "award.auction_closed": N_("定标竞价结束"),
        "award.ballot_cast": N_("定标投票"),
        "award.report_signed": N_("签署定标报告"),
        "award.publicity_started": N_("中标候选人公示开始"),
        "award.objection_raised": N_("提出异议"),
        "award.objection_answered": N_("答复异议"),
        "award.decided": N_("确认定标"),
        "award.declined": N_("中标人放弃中标"),
        "final_offer.started": N_("发起终次报价"),
        "final_offer.joined": N_("参加终次报价"),
        "final_offer.submitted": N_("提交终次报价"),
        "final_offer.window_opened": N_("终次报价窗口开启"),
        "final_offer.reveal_by_hand": N_("手动揭示终次报价"),
        "final_offer.decided": N_("终次报价结果"),
    }


def includeme(config):
    from ..projects.events import ProjectDue, ProjectScheduling, ProjectStatusChanged
    from .committee import AwardCommitteeService, committee_service_factory
    from .final_offer import FinalOfferService, final_offer_service_factory
    from .service import AwardService, award_service_factory

    config.add_audit_actions(_audit_actions())
    from .workspace import part as workspace_part

    config.add_workspace_part(workspace_part)
    config.add_draw_labels(subjects={"award_committee": "定标委员会",
                                     "final_offer_round": "终次报价轮次"})
    config.register_service_factory(final_offer_service_factory, FinalOfferService)
    config.register_service_factory(award_service_factory, AwardService)
    config.register_service_factory(committee_service_factory, AwardCommitteeService)
    # Award is included before open data and archive (trading.main), so the publicity is
    # started before open data records the release: it is then part of it.
    config.add_subscriber(publicise_candidates, ProjectStatusChanged)
    from ..opendata.events import ReleaseAssembling
    from .service import ocds_part

    config.add_subscriber(ocds_part, ReleaseAssembling)
    config.add_subscriber(final_offer_due, ProjectDue)
    config.add_subscriber(final_offer_next, ProjectScheduling)
    # Before the publicity's subscriber: a closed auction may complete the committee's
    # decision.
    config.add_subscriber(auction_due, ProjectDue)
    config.add_subscriber(auction_next, ProjectScheduling)
    config.add_subscriber(publicity_due, ProjectDue)
    config.add_subscriber(publicity_next, ProjectScheduling)
