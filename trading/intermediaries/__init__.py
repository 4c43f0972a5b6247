"""中介超市 — the online intermediary-services marketplace (domain rules §5).

Entry of intermediaries (入驻), service catalogue, purchase announcements (采购公告),
registration (报名), selection (选取: random, lowest/best price, direct, credit-best,
plan-best), confirmation and decline, contract, service result, rating and credit.
`status` holds the entry and purchase status machines; `rules` the pure rules;
`service` orchestrates them.
"""


def includeme(config):
    from ..jobs import chronograph
    from .chronograph import advance_purchase, due_purchases
    from .service import IntermediaryService, intermediary_service_factory

    config.register_service_factory(intermediary_service_factory, IntermediaryService)
    chronograph.register("im_purchase", due=due_purchases, advance=advance_purchase)
