"""Bid security in open data (issue #20 point 7): the tender's requirement, valid against
OCDS 1.1.5 with this platform's extension; no payer and no guarantee holder before the
opening, however much has been paid or issued."""

import copy
import json
from pathlib import Path

import jsonschema
import sqlalchemy as sa
from bidsecurity_support import open_world, submit_bid
from factories import actor_for

from trading.opendata.models import OcdsRelease
from trading.opendata.ocds import SCHEMA_DIR

PATCH = Path(__file__).resolve().parents[2] / "trading" / "opendata" / \
    "bidsecurity-extension.json"
EITHER = {"security.form": "either", "security.rate": "0.02", "security.on_missing": "invalid"}


def merge_patch(target, patch):
    """RFC 7386, as OCDS applies an extension's release-schema.json."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def validator():
    schema = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    schema = merge_patch(copy.deepcopy(schema), json.loads(PATCH.read_text()))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def releases(world) -> list[dict]:
    return [json.loads(r.data_json) for r in world.dbsession.scalars(
        sa.select(OcdsRelease).where(OcdsRelease.project_id == world.project.id)
        .order_by(OcdsRelease.id))]


def test_pre_opening_releases_name_the_requirement_and_no_payer_or_holder(
        dbsession, clock, settings, registry, bank, simbank, provider, simguarantor):
    world = open_world(dbsession, clock, settings, registry, bank, simbank, params=EITHER)
    payer, holder = world.bidders[:2]
    for bidder in (payer, holder):
        submit_bid(world, bidder)
    service = world.service()
    service.provider = provider
    sub = world.sub_account(payer)
    assert service.receive(*world.note(payer)).code == "recorded"
    application = service.apply_guarantee(
        world.project, world.lot, org_id=holder.organisation_id, actor=actor_for(holder),
        notify_url="http://app/g", return_url="http://app/r")
    issued = simguarantor.issue(application.number)
    body = json.dumps(issued["document"], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()
    assert service.receive_guarantee(body, issued["signature"]).code == "recorded"
    # A stage change before the deadline: the platform publishes a release now.
    from trading.opendata.service import OpenDataService

    OpenDataService(dbsession, clock, settings).record_event(world.project, "bidding")
    published = releases(world)
    assert len(published) >= 2
    check = validator()
    # The factory published the project before the test set its profile: the last release
    # is the one with this requirement.
    security = published[-1]["tender"]["bidSecurity"]
    assert security["required"] is True and security["forms"] == ["deposit", "guarantee"]
    assert security["lots"] == [{"relatedLot": "1",
                                 "value": {"amount": 20000, "currency": "CNY"}}]
    for release in published:
        assert sorted(check.iter_errors(release), key=str) == []
        text = json.dumps(release, ensure_ascii=False)
        for secret in (payer.organisation.name, holder.organisation.name,
                       payer.organisation.credit_code, holder.organisation.credit_code,
                       world.accounts[payer.id], sub.number, application.number,
                       issued["document"]["guarantee_no"]):
            assert secret not in text
        assert "bids" not in release and "tenderers" not in release["tender"]


def test_a_project_without_security_says_so(dbsession, clock, settings, registry, bank,
                                            simbank):
    world = open_world(dbsession, clock, settings, registry, bank, simbank,
                       params={"security.form": "none"}, bidders=1)
    [release] = releases(world)[:1]
    assert release["tender"]["bidSecurity"] == {"required": False}
    assert sorted(validator().iter_errors(release), key=str) == []
