"""小额工程企业库 — small-value works and the enterprise registry (domain rules §6).

Enterprise entry and review, categories and grades, the below-threshold and
split checks, the frozen candidate pool with fairness controls, allocation by
lottery, rotation, double-random with credit or reasonable low price, declines,
suspension and credit.  `status` holds the registry and allocation status
machines; `rules` the pure rules.
"""

from ..subjects import is_staff, numeric


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "smallworks.profile.updated": N_("修改小额工程规则参数"),
        "smallworks.enterprise.applied": N_("企业申请入库"),
        "smallworks.enterprise.resubmitted": N_("企业重新提交入库申请"),
        "smallworks.enterprise.approved": N_("入库审核通过"),
        "smallworks.enterprise.activated": N_("企业入库生效"),
        "smallworks.enterprise.returned": N_("退回入库申请"),
        "smallworks.enterprise.suspended": N_("暂停企业承接资格"),
        "smallworks.enterprise.reinstated": N_("恢复企业承接资格"),
        "smallworks.enterprise.exited": N_("企业出库"),
        "smallworks.enterprise.expiry_notice": N_("资质证照到期提醒"),
        "smallworks.enterprise.suspension_rescheduled": N_("调整暂停期限"),
        "smallworks.project.posted": N_("登记小额工程"),
        "smallworks.project.submitted": N_("提交小额工程"),
        "smallworks.project.returned": N_("退回小额工程"),
        "smallworks.project.pool_frozen": N_("锁定备选企业池"),
        "smallworks.project.drawn": N_("随机抽取承接企业"),
        "smallworks.project.failed": N_("小额工程抽取失败"),
        "smallworks.project.accepted": N_("承接企业确认承接"),
        "smallworks.project.result_published": N_("发布结果公示（平台签名）"),
        "smallworks.project.declined": N_("承接企业放弃承接"),
        "smallworks.project.quotes_invited": N_("邀请报价"),
        "smallworks.project.quote_sealed": N_("提交密封报价"),
        "smallworks.project.quotes_opened": N_("开启小额工程报价"),
        "smallworks.project.contracted": N_("小额工程签订合同"),
        "smallworks.project.completed": N_("小额工程完工"),
        "smallworks.project.evaluated": N_("小额工程履约评价"),
        "smallworks.decline.justified": N_("认定放弃理由正当"),
        "smallworks.decline.unjustified": N_("认定放弃理由不正当"),
    }



def name_works(request, ids: set[str]) -> dict[str, tuple[str, str]]:
    """Small works by name, linked; a draft or one under review only to staff."""
    import sqlalchemy as sa

    from .models import SmallWork
    from .status import AllocationStatus as A

    query = sa.select(SmallWork.id, SmallWork.name).where(SmallWork.id.in_(numeric(ids)))
    if not is_staff(request):
        query = query.where(SmallWork.status.not_in((A.DRAFT, A.SUBMITTED, A.RETURNED)))
    return {str(i): (name, request.route_url("smallworks.project", work_id=i))
            for i, name in request.dbsession.execute(query)}


def includeme(config):
    from .service import SmallWorksService, smallworks_service_factory

    config.add_audit_actions(_audit_actions())
    from .workspace import part as workspace_part

    config.add_workspace_part(workspace_part)
    config.add_subject_namer("smallworks_project", name_works)
    config.register_service_factory(smallworks_service_factory, SmallWorksService)
    config.add_draw_labels(purposes={
        "smallworks.lottery": "小额工程随机抽取承接企业（摇号）",
        "smallworks.rotation_tie": "小额工程轮候并列抽签",
        "smallworks.short_list": "小额工程合理低价随机短名单",
        "smallworks.credit_tie": "小额工程信用分并列抽签",
        "smallworks.price_tie": "小额工程合理低价并列抽签",
    }, subjects={"smallworks_project": "小额工程"}, attributes={
        "grade": "资质等级", "qualification_until": "资质有效期至",
        "safety_licence_until": "安全生产许可证有效期至", "credit_score": "信用分",
        "last_win_on": "同类上次承接日期", "free_managers": "空闲项目经理数",
        "sub_specialty": "细分专业"},
        values={"grade": {"special": "特级", "first": "一级", "second": "二级", "third": "三级"}})
