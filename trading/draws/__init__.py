"""Verifiable random draws: one engine for every lottery, a public record and a verifier.

`engine`, `record`, `errors` and `__main__` use the standard library only, so that
`python -m trading.draws verify RECORD.json` runs on a machine with nothing but the
checkout; this module therefore imports nothing at module level. `models`, `services`,
`views` and `api` are the database-backed part (ALGORITHM.md specifies the algorithm).
"""


def add_draw_labels(config, purposes=None, subjects=None, attributes=None, values=None):
    """A domain names its draw purposes and subject types in Chinese: the record keeps the
    code (services look draws up by it); pages show the words. `values` names an
    attribute's coded values ({"grade": {"third": "三级"}})."""
    labels = config.registry["draws.labels"]
    labels["purposes"].update(purposes or {})
    labels["subjects"].update(subjects or {})
    labels["attributes"].update(attributes or {})
    for attribute, words in (values or {}).items():
        labels["values"].setdefault(attribute, {}).update(words)


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "draw.frozen": N_("锁定抽取候选名单"),
        "draw.committed": N_("提交随机种子承诺"),
        "draw.beacon_entered": N_("录入公共随机数"),
        "draw.revealed": N_("揭示抽取结果"),
        "draw.redrawn": N_("补充抽取"),
    }


def includeme(config):
    from .services import DrawService, draw_service_factory

    config.add_audit_actions(_audit_actions())
    config.register_service_factory(draw_service_factory, DrawService)
    config.registry["draws.labels"] = {"purposes": {}, "subjects": {"project": "项目"},
                                      "attributes": {}, "values": {}}
    config.add_directive("add_draw_labels", add_draw_labels)
