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
