"""Audit actions in words (issue #18 point 2).

The chain hashes the action's code (`project.signed_up`); pages show its Chinese label
(报名). Each domain names the actions it records from its includeme with
`config.add_audit_actions({code: N_(label)})`, so the table lives in the registry and a
domain that is not included adds nothing. Included before every domain (trading.main)."""

import re

ACTION_CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")
REGISTRY_KEY = "audit.actions"


def add_audit_actions(config, labels: dict[str, str]) -> None:
    """A domain's actions, code → Chinese label (marked with N_ for the catalog)."""
    table = config.registry[REGISTRY_KEY]
    for code, label in labels.items():
        if not ACTION_CODE.match(code):
            raise ValueError(f"not an audit action code: {code!r}")
        if table.get(code, label) != label:
            raise ValueError(f"audit action {code} labelled twice: {table[code]} / {label}")
        table[code] = label


def action_labels(registry) -> dict[str, str]:
    return registry[REGISTRY_KEY]


def action_code(registry, text: str, translate=lambda s: s) -> str | None:
    """The code a filter value names: a code itself, or a label in Chinese or in the
    viewer's language; None when it names no action."""
    text = text.strip()
    if ACTION_CODE.match(text):
        return text
    for code, label in action_labels(registry).items():
        if text in (label, translate(label)):
            return code
    return None


def includeme(config):
    config.registry[REGISTRY_KEY] = {}
    config.add_directive("add_audit_actions", add_audit_actions)
