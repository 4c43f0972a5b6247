"""中介超市 — the online intermediary-services marketplace (domain rules §5).

Entry of intermediaries (入驻), service catalogue, purchase announcements (采购公告),
registration (报名), selection (选取: random, lowest/best price, direct, credit-best,
plan-best), confirmation and decline, contract, service result, rating and credit.
`status` holds the entry and purchase status machines; `rules` the pure rules;
`service` orchestrates them.
"""


def _draw_purpose_labels():
    from .rules import DrawPurpose as P

    return {
        P.RANDOM_SELECTION: "中介超市随机选取中选机构",
        P.LOWEST_PRICE_TIE: "中介超市最低价并列抽签",
        P.BEST_PRICE_TIE: "中介超市最优价并列抽签",
        P.BEST_PRICE_EXTREME: "中介超市并列最高/最低报价剔除抽签",
        P.BEST_PRICE_COEFFICIENT: "中介超市下浮系数抽取",
        P.CREDIT_SHORT_LIST: "中介超市信用择优短名单抽取",
    }


def includeme(config):
    from ..jobs import chronograph
    from .chronograph import advance_purchase, due_purchases
    from .service import IntermediaryService, intermediary_service_factory

    config.register_service_factory(intermediary_service_factory, IntermediaryService)
    config.add_draw_labels(purposes={str(k): v for k, v in _draw_purpose_labels().items()},
                           subjects={"intermediary_purchase": "中介服务采购"})
    chronograph.register("im_purchase", due=due_purchases, advance=advance_purchase)
