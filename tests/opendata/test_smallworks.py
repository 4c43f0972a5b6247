"""OCDS releases of small works: tender, one award per drawn enterprise (a decline cancels
it), contract, parties; valid against the official 1.1.5 schema; in the feed and the bulk
export; no quote before its opening."""

import json
from datetime import timedelta

import jsonschema
import pytest
import sqlalchemy as sa
from factories import actor_for, make_enterprise, make_user, smallwork_input, smallworks_service

from trading.accounts.models import Role
from trading.opendata.models import OcdsRelease
from trading.opendata.ocds import SCHEMA_DIR, load_json
from trading.opendata.service import WATERMARK


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((SCHEMA_DIR / "dereferenced-release-schema.json").read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture
def world(dbsession, clock, settings, registry):
    firms = [make_enterprise(dbsession, clock, settings, registry) for _ in range(4)]
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    center = actor_for(make_user(dbsession, clock, settings, role=Role.CENTER))
    return firms, owner, center, smallworks_service(dbsession, clock, registry)


def releases(dbsession, work):
    rows = dbsession.scalars(sa.select(OcdsRelease).where(OcdsRelease.smallwork_id == work.id)
                             .order_by(OcdsRelease.id))
    return [load_json(r.data_json) for r in rows]


def valid(validator, release):
    errors = sorted(validator.iter_errors(release), key=str)
    assert errors == [], (release["id"], [e.message for e in errors[:3]])


def winner_actor(dbsession, work):
    from trading.accounts.models import User

    return actor_for(dbsession.scalar(sa.select(User).where(
        User.organisation_id == work.winner.organisation_id)))


def test_a_lottery_work_from_tender_to_contract(dbsession, clock, world, validator):
    firms, owner, center, service = world
    work = service.post(owner.organisation, smallwork_input(clock), actor=actor_for(owner))
    assert releases(dbsession, work) == []  # under review: nothing is public yet
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    first = work.winner
    service.decline(work, first, reason="人员不足", actor=winner_actor(dbsession, work))
    second = work.winner
    service.accept(work, second, manager="张工", actor=winner_actor(dbsession, work))
    clock.advance(days=3)
    service.contract(work, actor=center)
    found = releases(dbsession, work)
    for release in found:
        valid(validator, release)
    assert [r["tag"][0] for r in found] == ["tender", "award", "award", "awardUpdate",
                                            "contract"]
    tender = found[0]["tender"]
    assert tender["procurementMethod"] == "selective"
    assert tender["procurementMethodDetails"] == "小额工程·随机抽取（摇号）"
    assert tender["status"] == "active" and str(tender["value"]["amount"]) == "500000.00"
    last = found[-1]
    assert last["tender"]["status"] == "complete"
    assert [(a["status"], a["suppliers"][0]["name"]) for a in last["awards"]] == [
        ("cancelled", first.name), ("active", second.name)]
    assert last["contracts"] == [{"id": f"SW-{work.id:06d}-C1", "title": work.name,
                                  "awardID": f"SW-{work.id:06d}-A2", "status": "active",
                                  "value": {"amount": last["awards"][1]["value"]["amount"],
                                            "currency": "CNY"}}]
    suppliers = {p["name"] for p in last["parties"] if "supplier" in p["roles"]}
    assert suppliers == {first.name, second.name}
    buyer = next(p for p in last["parties"] if "buyer" in p["roles"])
    assert buyer["identifier"]["id"] == owner.organisation.credit_code
    assert len({r["ocid"] for r in found}) == 1 and len({r["id"] for r in found}) == 5
    text = json.dumps(found, ensure_ascii=False, default=str)
    assert "人员不足" not in text and "预算批复" not in text  # the record stays on the page


def test_quotes_are_never_published_before_their_opening(dbsession, clock, world, validator):
    firms, owner, center, service = world
    work = service.post(owner.organisation, smallwork_input(clock, method="reasonable_low_price"),
                        actor=actor_for(owner))
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    for n, entry in enumerate(firms):
        user = entry.organisation.users[0]
        service.submit_quote(work, entry, price=45_000_000 + n * 100_000, actor=actor_for(user))
    before = releases(dbsession, work)
    assert before[-1]["tender"]["tenderPeriod"]["endDate"].endswith("Z")
    text = json.dumps(before, default=str)
    assert "bids" not in before[-1] and "awards" not in before[-1]
    assert not any(str(45_000_000 + n * 100_000)[:-2] in text for n in range(4))
    clock.set(work.quotes_due_at + timedelta(seconds=1))
    service.open_quotes(work, actor=center)
    after = releases(dbsession, work)[-1]
    valid(validator, after)
    assert after["tag"] == ["award"] and after["awards"][0]["status"] == "pending"
    assert str(after["awards"][0]["value"]["amount"]) == "450000.00"  # the lowest reasonable


def test_small_works_are_in_the_feed_and_the_bulk_export(dbsession, clock, world, testapp,
                                                         tmp_path):
    from trading.opendata.export import export_releases

    firms, owner, center, service = world
    work = service.post(owner.organisation, smallwork_input(clock), actor=actor_for(owner))
    service.approve_project(work, actor=center)
    ocid = releases(dbsession, work)[0]["ocid"]
    # Ids skipped by other tests' rolled-back transactions are gaps the feed waits on
    # until they are older than the watermark (PostgreSQL sequences are not transactional).
    clock.advance(seconds=WATERMARK.total_seconds() + 1)
    feed = testapp.get("/api/v1/ocds/releases", {"after": 0, "limit": 1000}).json
    assert ocid in {r["ocid"] for r in feed["releases"]}
    out = tmp_path / "releases.json"
    with out.open("w", encoding="utf-8") as fh:
        export_releases(dbsession, fh, now=clock())
    assert ocid in {r["ocid"] for r in json.loads(out.read_text())["releases"]}


@pytest.mark.slow
def test_every_demo_small_work_release_validates(dbsession, clock, settings, validator):
    from trading.demo import load_demo

    load_demo(dbsession, clock, settings)
    rows = list(dbsession.scalars(sa.select(OcdsRelease).where(
        OcdsRelease.smallwork_id.is_not(None))))
    details = {load_json(r.data_json)["tender"]["procurementMethodDetails"] for r in rows}
    assert {"小额工程·随机抽取（摇号）", "小额工程·轮候", "小额工程·双随机信用法",
            "小额工程·合理低价法"} <= details
    for row in rows:
        valid(validator, json.loads(row.data_json))
