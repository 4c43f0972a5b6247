"""The one JSON-body reader and the one route-id reader every domain uses."""

import colander
import pytest
from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request
from pyramid.testing import DummyRequest

from trading.api import InvalidBody, json_body, json_object
from trading.errors import DomainError
from trading.forms import validated
from trading.resources import ID_MAX, get_or_404, route_id


class Body(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), validator=colander.Length(1, 5))


class Custom(DomainError):
    code = "custom"


def _json_request(body: bytes) -> Request:
    return Request.blank("/", method="POST", body=body, content_type="application/json")


@pytest.mark.parametrize("body, message, field", [
    (b"{", "请求体不是有效的 JSON", None),
    (b"[1, 2]", "请求体应为 JSON 对象", None),
    (b'"text"', "请求体应为 JSON 对象", None),
    (b"{}", None, "name"),
    (b'{"name": "toolong"}', None, "name"),
])
def test_json_body_refuses_with_code_invalid_and_the_field(body, message, field):
    with pytest.raises(InvalidBody) as caught:
        json_body(_json_request(body), Body())
    assert caught.value.code == "invalid" and caught.value.status == 400
    assert caught.value.field == field
    if message is not None:
        assert caught.value.message == message


def test_json_body_returns_the_deserialized_object():
    assert json_body(_json_request(b'{"name": "ok"}'), Body()) == {"name": "ok"}


def test_the_domain_may_choose_its_error_class():
    with pytest.raises(Custom) as caught:
        json_object(_json_request(b"[]"), Custom)
    assert caught.value.code == "custom"
    with pytest.raises(Custom):
        validated(Body(), {}, Custom)


def test_validated_defaults_to_a_domain_error_coded_invalid():
    with pytest.raises(DomainError) as caught:
        validated(Body(), {"name": ""})
    assert (caught.value.code, caught.value.field) == ("invalid", "name")


def _matched(**matchdict) -> DummyRequest:
    request = DummyRequest()
    request.matchdict = matchdict
    return request


@pytest.mark.parametrize("matchdict", [
    {}, {"id": "x"}, {"id": ""}, {"id": "0"}, {"id": "-3"}, {"id": str(ID_MAX + 1)},
    {"id": "1" * 40}, {"id": "1.5"},
])
def test_route_id_is_404_for_anything_but_a_32_bit_positive_integer(matchdict):
    with pytest.raises(HTTPNotFound):
        route_id(_matched(**matchdict), "id")


@pytest.mark.parametrize("text, value", [("1", 1), ("42", 42), (str(ID_MAX), ID_MAX)])
def test_route_id_reads_the_id(text, value):
    assert route_id(_matched(id=text), "id") == value


class _Row:
    def __init__(self, parent_id):
        self.parent_id = parent_id


class _Session:
    def __init__(self, rows):
        self.rows = rows

    def get(self, model, ident):
        return self.rows.get(ident)


def test_get_or_404_finds_a_child_only_under_its_own_parent():
    request = _matched(id="7")
    request.dbsession = _Session({7: _Row(parent_id=1)})
    assert get_or_404(request, _Row, "id", parent_id=1).parent_id == 1
    with pytest.raises(HTTPNotFound):
        get_or_404(request, _Row, "id", parent_id=2)
    request.matchdict = {"id": "8"}
    with pytest.raises(HTTPNotFound):
        get_or_404(request, _Row, "id")


def test_the_commitment_validators_and_their_openapi_translation():
    from hypothesis import given
    from hypothesis import strategies as st

    from trading.api import node_schema
    from trading.forms import NotBlank, Ticked

    class Signed(colander.MappingSchema):
        ticked = colander.SchemaNode(colander.Boolean(), validator=Ticked("须勾选"))
        name = colander.SchemaNode(colander.String(), validator=NotBlank("须填写"))
        names = colander.SchemaNode(colander.Sequence(), colander.SchemaNode(colander.String()),
                                    validator=colander.Length(1, 3))

    schema = node_schema(Signed())
    assert schema["required"] == ["ticked", "name", "names"]
    assert schema["properties"]["ticked"] == {"type": "boolean", "enum": [True],
                                              "description": Ticked.description}
    assert schema["properties"]["name"] == {"type": "string", "pattern": r"^\s*\S"}
    assert schema["properties"]["names"]["minItems"] == 1
    assert schema["properties"]["names"]["maxItems"] == 3
    with pytest.raises(colander.Invalid) as caught:
        Signed().deserialize({"ticked": "false", "name": "x", "names": ["a"]})
    assert caught.value.asdict() == {"ticked": "须勾选"}

    @given(st.text(max_size=12))
    def not_blank_is_what_the_service_calls_blank(text):
        # The service refuses `not signed_by.strip()`: the schema must refuse the same.
        node = colander.SchemaNode(colander.String(), validator=NotBlank("须填写"),
                                   missing=None)
        try:
            node.deserialize(text)
            accepted = True
        except colander.Invalid:
            accepted = False
        assert accepted == bool(text.strip()) or text == ""

    not_blank_is_what_the_service_calls_blank()
