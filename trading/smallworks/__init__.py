"""小额工程企业库 — small-value works and the enterprise registry (domain rules §6).

Enterprise entry and review, categories and grades, the below-threshold and
split checks, the frozen candidate pool with fairness controls, allocation by
lottery, rotation, double-random with credit or reasonable low price, declines,
suspension and credit.  `status` holds the registry and allocation status
machines; `rules` the pure rules.
"""


def includeme(config):
    from .service import SmallWorksService, smallworks_service_factory

    config.register_service_factory(smallworks_service_factory, SmallWorksService)
    config.add_draw_labels(subjects={"smallworks_project": "小额工程"}, attributes={
        "grade": "资质等级", "qualification_until": "资质有效期至",
        "safety_licence_until": "安全生产许可证有效期至", "credit_score": "信用分",
        "last_win_on": "同类上次承接日期", "free_managers": "空闲项目经理数",
        "sub_specialty": "细分专业"})
