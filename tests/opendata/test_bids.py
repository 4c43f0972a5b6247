"""The OCDS bids extension: statistics and each bid's public line after the opening,
never before; valid against the 1.1.5 schema with the extension's fields; nothing
confidential (no bid contents, no downloads, no sign-ups) ever."""

import copy
import io
import json
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user, project_service

from trading.accounts.models import Role
from trading.bidding.service import BidService
from trading.demo import load_demo
from trading.demo.helpers import seal_and_submit
from trading.jobs import chronograph
from trading.opendata.models import OcdsRelease
from trading.opendata.ocds import SCHEMA_DIR, load_json
from trading.opendata.service import OpenDataService

PATCH = Path(__file__).resolve().parents[2] / "trading" / "opendata" / "bids-extension.json"
DETAIL_FIELDS = {"id", "date", "status", "tenderers", "value", "relatedLots"}


@pytest.fixture(scope="module")
def validator():
    """The official release schema (its definitions, local refs only) plus the bids
    extension's fields: validation needs no network."""
    schema = copy.deepcopy(json.loads((SCHEMA_DIR / "release-schema.json").read_text()))
    patch = json.loads(PATCH.read_text())
    schema["properties"].update(patch["properties"])
    schema["definitions"].update(patch["definitions"])
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def published(dbsession, project) -> list[dict]:
    return [json.loads(r.data_json) for r in dbsession.scalars(
        sa.select(OcdsRelease).where(OcdsRelease.project_id == project.id)
        .order_by(OcdsRelease.id))]


def assert_valid(validator, release):
    errors = sorted(validator.iter_errors(release), key=str)
    assert errors == [], (release["id"], [e.message for e in errors[:3]])


class Tender:
    def __init__(self, dbsession, clock, settings, registry, n=3):
        self.db, self.clock = dbsession, clock
        self.project = make_project(dbsession, clock, settings, registry, open_bidding=True)
        self.projects = project_service(dbsession, clock, registry)
        self.bids = BidService(dbsession, clock, registry["keys"], registry["storage"], None,
                               settings)
        self.bidders = [make_user(dbsession, clock, settings, role=Role.BIDDER)
                        for _ in range(n)]
        for bidder in self.bidders:
            self.projects.sign_up(self.project, self.project.lots[0], bidder=bidder,
                                  actor=actor_for(bidder))

    def bid(self, bidder, price):
        offer = {"total_price": price, "currency": "CNY", "project_manager": "保密的项目经理",
                 "items": [{"name": "保密的分项", "total_price": price}]}
        seal_and_submit(self.bids, self.project, self.project.lots[0], offer=offer,
                              documents=[("机密技术标.pdf", io.BytesIO(b"%PDF secret proposal"))],
                              actor=actor_for(bidder))

    def open(self):
        self.clock.set(self.project.bid_deadline)
        chronograph.sweep_kind("project")


@pytest.fixture
def tender(dbsession, clock, settings, registry):
    return Tender(dbsession, clock, settings, registry)


def test_nothing_about_bids_before_the_opening(tender, validator):
    for bidder, price in zip(tender.bidders, (80_000_000, 81_000_000, 79_500_000),
                             strict=True):
        tender.bid(bidder, price)
    tender.projects.publish_clarification(tender.project, title="澄清", body="更正",
                                          affects_bids=False, new_deadline=None,
                                          actor=actor_for(tender.bidders[0]))
    before = published(tender.db, tender.project)
    assert len(before) >= 2
    text = json.dumps(before, ensure_ascii=False)
    assert "bids" not in {k for r in before for k in r}
    for bidder in tender.bidders:
        assert bidder.organisation.name not in text
    for release in before:
        assert_valid(validator, release)


def test_after_the_opening_statistics_and_details(tender, validator):
    prices = (80_000_000, 81_000_000, 79_500_000)
    for bidder, price in zip(tender.bidders, prices, strict=True):
        tender.bid(bidder, price)
    tender.open()
    assert str(tender.project.status) == "evaluation"
    release = published(tender.db, tender.project)[-1]
    assert_valid(validator, release)
    bids = release["bids"]
    stats = {(s["measure"], s.get("relatedLot")): s["value"] for s in bids["statistics"]}
    assert stats[("bids", None)] == stats[("bids", "1")] == 3
    assert stats[("validBids", None)] == stats[("bidders", None)] == 3
    assert stats[("lowestValidBidValue", "1")] == 795000
    assert stats[("highestValidBidValue", None)] == 810000
    assert [s["id"] for s in bids["statistics"]] == [str(i) for i in
                                                     range(1, len(bids["statistics"]) + 1)]
    assert {d["status"] for d in bids["details"]} == {"valid"}
    assert sorted(d["value"]["amount"] for d in bids["details"]) == [795000, 800000, 810000]
    for detail in bids["details"]:
        assert set(detail) <= DETAIL_FIELDS and detail["relatedLots"] == ["1"]
    tenderers = {p["name"] for p in release["parties"] if p["roles"] == ["tenderer"]}
    assert tenderers == {b.organisation.name for b in tender.bidders}
    broken = copy.deepcopy(release)
    broken["bids"]["details"][0]["status"] = "won"  # not on the closed bidStatus list
    assert list(validator.iter_errors(broken))
    text = json.dumps(release, ensure_ascii=False)
    for secret in ("保密的项目经理", "保密的分项", "机密技术标", "192.0.2.1"):
        assert secret not in text


def test_the_record_compiles_the_bids(tender, dbsession, clock, settings):
    for bidder, price in zip(tender.bidders, (80_000_000, 81_000_000, 79_500_000),
                             strict=True):
        tender.bid(bidder, price)
    tender.open()
    compiled = OpenDataService(dbsession, clock, settings).compiled(tender.project.id)
    assert len(compiled["bids"]["details"]) == 3


def test_a_failed_opening_publishes_counts_without_prices(tender, validator):
    for bidder in tender.bidders[:2]:
        tender.bid(bidder, 80_000_000)
    tender.open()
    assert str(tender.project.status) == "failed"
    release = published(tender.db, tender.project)[-1]
    assert_valid(validator, release)
    stats = {(s["measure"], s.get("relatedLot")): s["value"]
             for s in release["bids"]["statistics"]}
    assert stats[("bids", None)] == 2 and stats[("validBids", None)] == 0
    assert ("lowestValidBidValue", None) not in stats
    assert all("value" not in d and "status" not in d for d in release["bids"]["details"])


@pytest.mark.slow
def test_every_demo_release_validates_with_the_bids_extension(dbsession, clock, settings,
                                                               validator):
    load_demo(dbsession, clock, settings)
    rows = list(dbsession.scalars(sa.select(OcdsRelease)))
    with_bids = [load_json(r.data_json) for r in rows if '"bids"' in r.data_json]
    assert with_bids, "the demo should show the bids extension"
    for row in rows:
        assert_valid(validator, json.loads(row.data_json))
