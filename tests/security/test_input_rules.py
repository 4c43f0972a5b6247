"""Issue #16 point 6: one normalisation rule for every text field of every schema —
bidi controls, zero-width-only and blank names, NUL and lone surrogates are refused."""

import colander
import pytest
from functional.test_accounts_flow import registration
from security.test_schema_fuzz import schema_classes

from trading.accounts.models import Organisation
from trading.forms import Text, text_problem

REFUSED = ["\u202e福州公司", "某公司\u2066", "\u200b\u200b", "\u200d", "   ", "\u3000",
           "a\x00b", "\x00", "x\ud800", "名\u200f称", "\x1b[31m"]
ACCEPTED = ["福州某建设有限公司", "A & B Co.", "第一行\n第二行", "tab\there", "👩\u200d💻 工作室"]


@pytest.mark.parametrize("value", REFUSED)
def test_the_rule_refuses(value):
    assert text_problem(value)
    with pytest.raises(colander.Invalid):
        colander.SchemaNode(Text()).deserialize(value)


@pytest.mark.parametrize("value", ACCEPTED)
def test_the_rule_accepts_real_text(value):
    assert text_problem(value) is None


def test_text_is_nfc_normalised():
    assert colander.SchemaNode(Text()).deserialize("e\u0301") == "\u00e9"


def _string_nodes(node, path=""):
    here = f"{path}.{node.name}" if path else node.name
    if type(node.typ) is colander.String:
        yield here
    for child in node.children:
        yield from _string_nodes(child, here)


def test_no_schema_uses_a_bare_string():
    """Every text field goes through the one rule (trading.forms.Text)."""
    bare = [f"{cls.__module__}.{cls.__name__}:{p}"
            for cls in schema_classes() for p in _string_nodes(cls())]
    assert bare == []


@pytest.mark.parametrize("value", ["\u202e司公", "\u200b", "  ", "某\x00公司"])
def test_a_registration_with_a_disguised_name_changes_nothing(testapp, dbsession, value):
    import sqlalchemy as sa

    before = dbsession.scalar(sa.select(sa.func.count()).select_from(Organisation))
    testapp.post("/register", registration(testapp, name=value), status=400)
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Organisation)) == before
