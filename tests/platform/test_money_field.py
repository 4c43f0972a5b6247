import colander
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.forms import Money, format_yuan

node = colander.SchemaNode(Money())


@pytest.mark.parametrize("text,fen", [("1234.50", 123450), ("0.01", 1), ("7", 700),
                                      ("1,000.5", 100050)])
def test_yuan_text_becomes_integer_fen(text, fen):
    assert node.deserialize(text) == fen


@pytest.mark.parametrize("text", ["1.234", "-5", "abc", "1e5", "NaN", "１２"])
def test_malformed_amounts_are_refused(text):
    with pytest.raises(colander.Invalid):
        node.deserialize(text)


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_serialise_then_parse_is_identity(fen):
    assert node.deserialize(node.serialize(fen)) == fen
    assert format_yuan(fen).replace(",", "") == node.serialize(fen)
