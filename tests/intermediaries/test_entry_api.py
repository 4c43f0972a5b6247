"""PUT /api/v1/supermarket/entry: the schema states the signed commitment (承诺书), so an
unsigned one is a 400 the document predicts; a rule the schema cannot state is a 422."""

import pytest
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.accounts.service import AccountService


@pytest.fixture
def firm(testapp, im):
    user = make_user(im.db, im.clock, im.settings, role=Role.INTERMEDIARY)
    token = AccountService(im.db, im.clock, im.settings).create_api_token(
        user, "t", actor_for(user))[1]
    return user, {"Authorization": f"Bearer {token}"}


def _body(im, **changes):
    body = {"licence_number": "LIC-9", "legal_representative": "张法人",
            "practitioners": [{"name": "李造价"}],
            "lines": [{"service_type_id": im.type.id, "certificate_no": "Z-1",
                       "valid_from": "2025-01-01", "valid_until": "2027-12-31"}],
            "commitment": True, "signed_by": "张法人"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.mark.parametrize("changes, field", [
    ({"commitment": False}, "commitment"),
    ({"commitment": ...}, "commitment"),
    ({"signed_by": ...}, "signed_by"),
    ({"signed_by": "   "}, "signed_by"),
    ({"signed_by": "\u3000\t"}, "signed_by"),
    ({"practitioners": []}, "practitioners"),
    ({"lines": []}, "lines"),
])
def test_an_unsigned_or_empty_application_is_400_on_its_field(testapp, im, firm, changes,
                                                               field):
    user, headers = firm
    refused = testapp.put_json("/api/v1/supermarket/entry", _body(im, **changes),
                               headers=headers, status=400)
    assert refused.json["error"] == "invalid" and refused.json["field"] == field
    assert refused.json["message"]
    assert im.service.entry_of(user.organisation_id) is None


@pytest.mark.parametrize("line, message", [
    ({"service_type_id": 999_999}, "资质所属的服务类型不在服务清单中"),
    ({"valid_from": "2027-01-01", "valid_until": "2026-01-01"}, "资质有效期的起始日不能晚于截止日"),
])
def test_a_rule_the_schema_cannot_state_is_422(testapp, im, firm, line, message):
    user, headers = firm
    body = _body(im)
    body["lines"][0].update(line)
    refused = testapp.put_json("/api/v1/supermarket/entry", body, headers=headers, status=422)
    assert (refused.json["error"], refused.json["message"]) == ("entry_invalid", message)
    assert im.service.entry_of(user.organisation_id) is None


def test_a_signed_application_is_saved(testapp, im, firm):
    user, headers = firm
    saved = testapp.put_json("/api/v1/supermarket/entry", _body(im), headers=headers)
    assert saved.status_int == 200
    assert im.service.entry_of(user.organisation_id).commitment_signed_by == "张法人"


def test_the_document_marks_the_commitment_required_and_true(testapp):
    spec = testapp.get("/api/v1/openapi.json").json
    body = spec["paths"]["/api/v1/supermarket/entry"]["put"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert {"commitment", "signed_by", "practitioners", "lines"} <= set(schema["required"])
    props = schema["properties"]
    assert props["commitment"]["enum"] == [True] and props["commitment"]["description"]
    assert props["signed_by"]["pattern"] == r"^\s*\S" and props["signed_by"]["minLength"] == 1
    assert props["practitioners"]["minItems"] == 1 and props["lines"]["minItems"] == 1
