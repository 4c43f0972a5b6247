"""中介超市 — the online intermediary-services marketplace (domain rules §5).

Entry of intermediaries (入驻), service catalogue, purchase announcements (采购公告),
registration (报名), selection (选取: random, lowest/best price, direct, credit-best,
plan-best), confirmation and decline, contract, service result, rating and credit.
`status` holds the entry and purchase status machines; `rules` the pure rules;
`service` orchestrates them.
"""

from ..subjects import is_staff, numeric


def _draw_purpose_labels():
    from .rules import IntermediaryDrawPurpose as P

    return {
        P.RANDOM_SELECTION: "中介超市随机选取中选机构",
        P.LOWEST_PRICE_TIE: "中介超市最低价并列抽签",
        P.BEST_PRICE_TIE: "中介超市最优价并列抽签",
        P.BEST_PRICE_EXTREME: "中介超市并列最高/最低报价剔除抽签",
        P.BEST_PRICE_COEFFICIENT: "中介超市下浮系数抽取",
        P.CREDIT_SHORT_LIST: "中介超市信用择优短名单抽取",
    }


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "intermediary.service_type_added": N_("新增中介服务类型"),
        "intermediary.service_item_added": N_("新增中介服务事项"),
        "intermediary.entry_saved": N_("提交中介机构入驻信息"),
        "intermediary.entry_status_changed": N_("中介机构入驻状态变更"),
        "intermediary.line_suspended": N_("暂停中介服务类别"),
        "intermediary.line_renewed": N_("恢复中介服务类别"),
        "intermediary.credit_event": N_("记录中介信用事件"),
        "intermediary.credit_event_waived": N_("撤销中介信用事件"),
        "intermediary.purchase_drafted": N_("创建中介服务采购"),
        "intermediary.purchase_edited": N_("编辑中介服务采购"),
        "intermediary.purchase_status_changed": N_("中介服务采购状态变更"),
        "intermediary.purchase_republished": N_("重新发布中介服务采购"),
        "intermediary.purchase_result_published": N_("发布中选结果公示（平台签名）"),
        "intermediary.registered": N_("中介机构报名"),
        "intermediary.quoted": N_("中介机构报价"),
        "intermediary.quotes_opened": N_("开启中介机构报价"),
        "intermediary.declined": N_("中选机构放弃"),
        "intermediary.contract_uploaded": N_("上传中介服务合同"),
        "intermediary.result_uploaded": N_("上传中介服务成果"),
        "intermediary.rated": N_("评价中介服务"),
    }



def name_purchases(request, ids: set[str]) -> dict[str, tuple[str, str]]:
    """中介服务采购 by title, linked; a draft or one under review only to staff."""
    import sqlalchemy as sa

    from .models import Purchase
    from .status import PurchaseStatus as P

    query = sa.select(Purchase.id, Purchase.title).where(Purchase.id.in_(numeric(ids)))
    if not is_staff(request):
        query = query.where(Purchase.status.not_in((P.DRAFT, P.UNDER_REVIEW, P.RETURNED)))
    return {str(i): (title, request.route_url("im.purchase", purchase_id=i))
            for i, title in request.dbsession.execute(query)}


def includeme(config):
    from .chronograph import advance_purchase, due_purchases
    from .service import IntermediaryService, intermediary_service_factory

    config.add_audit_actions(_audit_actions())
    from .workspace import part as workspace_part

    config.add_workspace_part(workspace_part)
    config.add_subject_namer("intermediary_purchase", name_purchases)
    config.add_subject_namer("im_purchase", name_purchases)
    config.register_service_factory(intermediary_service_factory, IntermediaryService)
    config.add_draw_labels(purposes={str(k): v for k, v in _draw_purpose_labels().items()},
                           subjects={"intermediary_purchase": "中介服务采购"})
    config.add_chronograph_kind("im_purchase", due=due_purchases, advance=advance_purchase)
