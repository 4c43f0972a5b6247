"""Marking UI words for the catalogs, without the web framework: the pure rule modules
label their enums and findings with `N_` and must import nothing impure
(tests/test_rule_purity.py); trading.i18n re-exports it for everything else."""


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a message id for extraction where the text is translated later, at display."""
    return text
