"""Collusion scans after a real opening: a crafted lot raises the right signals with
their evidence, a clean lot raises none, the scan runs once and bidders never see it."""

import hashlib
import io

import pytest
import sqlalchemy as sa
from factories import make_project, make_user, project_service

from bid_crypto import Document, seal_bid
from trading.accounts.models import Role
from trading.actor import Actor
from trading.audit.models import AuditEvent
from trading.bidding.events import OpeningCompleted
from trading.bidding.service import BidService, bidder_ref, lot_ref, project_ref
from trading.jobs import chronograph
from trading.projects.models import ProjectDocument
from trading.supervision.collusion_service import CollusionService
from trading.supervision.models import CollusionScan, CollusionSignal

COPIED = b"%PDF-1.7 technical proposal written once " * 40


def actor(user, ip, device="") -> Actor:
    return Actor(user.id, user.username, user.organisation_id, str(user.role), ip,
                 device=device)


class Lot:
    """A project open for bidding; bidders sign up, download and submit from given IPs."""

    def __init__(self, dbsession, clock, settings, registry, n=3):
        self.db, self.clock, self.settings, self.registry = dbsession, clock, settings, registry
        self.project = make_project(dbsession, clock, settings, registry, open_bidding=True)
        self.projects = project_service(dbsession, clock, registry)
        self.bidders = [make_user(dbsession, clock, settings, role=Role.BIDDER)
                        for _ in range(n)]
        self.bids = BidService(dbsession, clock, registry["keys"], registry["storage"],
                               settings=settings)

    @property
    def lot(self):
        return self.project.lots[0]

    def take_part(self, bidder, ip, *, price, documents, device="", download=True):
        who = actor(bidder, ip, device)
        self.projects.sign_up(self.project, self.lot, bidder=bidder, actor=who)
        if download:
            tender = self.db.scalar(sa.select(ProjectDocument).where(
                ProjectDocument.project_id == self.project.id))
            self.projects.record_download(tender, user=bidder, actor=who)
        out = io.BytesIO()
        seal_bid(out, self.bids.public_key(self.project),
                 offer={"total_price": price, "currency": "CNY", "project_manager":
                        f"经理{bidder.id}"},
                 documents=[Document(n, io.BytesIO(d)) for n, d in documents],
                 project=project_ref(self.project), lot=lot_ref(self.lot),
                 bidder=bidder_ref(bidder.organisation_id), custody="auto", chunk_size=1024)
        out.seek(0)
        self.bids.submit_envelope(self.project, self.lot, stream=out, actor=who)

    def open(self):
        """Through the chronograph, as at a real deadline: opening, then documents."""
        self.clock.set(self.project.bid_deadline)
        chronograph.sweep_kind("project")
        if self.project.next_check is not None:  # unless the job queue ran it at once
            self.clock.set(self.project.next_check)
            chronograph.sweep_kind("project")
        assert CollusionService(self.db, self.clock).scan_of(self.project) is not None

    def signals(self):
        return {s.kind: s for s in CollusionService(self.db, self.clock).signals(self.project)}


@pytest.fixture
def lot(dbsession, clock, settings, registry):
    return Lot(dbsession, clock, settings, registry)


def own(i):
    return [("技术标.pdf", f"%PDF own proposal of bidder {i}".encode() * 30)]


def test_a_clean_lot_raises_no_signal(lot):
    prices = (85_123_400, 81_870_000, 87_004_500)
    for i, (bidder, price) in enumerate(zip(lot.bidders, prices, strict=True)):
        lot.clock.advance(hours=1)
        lot.take_part(bidder, f"198.51.{100 + i}.7", price=price, documents=own(i),
                      device=f"device{i}")
    lot.open()
    assert str(lot.project.status) == "evaluation"
    scan = CollusionService(lot.db, lot.clock).scan_of(lot.project)
    assert scan is not None and scan.lots[0]["bidders"] == 3 and scan.lots[0]["signals"] == 0
    assert lot.signals() == {}


def test_copied_documents_and_arithmetic_prices_raise_their_signals(lot):
    a, b, c = lot.bidders
    lot.take_part(a, "203.0.113.7", price=80_000_000,
                  documents=[("技术标.pdf", COPIED), ("招标文件.pdf", b"%PDF tender")])
    lot.clock.advance(seconds=30)
    lot.take_part(b, "203.0.113.8", price=81_000_000, documents=[("技术方案.pdf", COPIED)])
    lot.clock.advance(hours=3)
    lot.take_part(c, "198.51.100.9", price=82_000_000, documents=own(3))
    lot.open()
    assert str(lot.project.status) == "evaluation"
    found = lot.signals()
    assert set(found) == {"identical_document", "price_constant_difference",
                          "clustered_submissions"}
    document = found["identical_document"]
    assert document.level == "hard"
    assert document.bidder_org_ids == sorted([a.organisation_id, b.organisation_id])

    assert document.evidence["sha256"] == hashlib.sha256(COPIED).hexdigest()
    assert {f["name"] for f in document.evidence["files"]} == {"技术标.pdf", "技术方案.pdf"}
    prices = found["price_constant_difference"]
    assert prices.evidence["differences"] == [1_000_000, 1_000_000]
    assert len(prices.bidder_org_ids) == 3
    cluster = found["clustered_submissions"]
    assert cluster.evidence["network"] == "203.0.113.0/24"
    # The tender's own file, which a bidder attached too, is no evidence.
    assert "%PDF tender" not in str(found)


def test_one_address_behind_two_bidders_at_signup_download_and_submit(lot):
    a, b, c = lot.bidders
    lot.take_part(a, "203.0.113.7", price=85_123_400, documents=own(1), device="same-box")
    lot.clock.advance(hours=5)
    lot.take_part(b, "203.0.113.7", price=81_870_000, documents=own(2), device="same-box")
    lot.clock.advance(hours=5)
    lot.take_part(c, "198.51.100.9", price=87_004_500, documents=own(3))
    lot.open()
    found = lot.signals()
    assert set(found) == {"same_ip", "same_device"}
    channels = [e["channel"] for e in found["same_ip"].evidence["events"]]
    assert sorted(channels) == sorted(["signup", "download", "submit"] * 2)


def test_the_scan_runs_once_and_is_audited_without_evidence(lot):
    for i, bidder in enumerate(lot.bidders):
        lot.take_part(bidder, "203.0.113.7", price=80_000_000 + i * 1_000_000,
                      documents=own(i))
    lot.open()
    service = CollusionService(lot.db, lot.clock)
    scan, count = service.scan_of(lot.project), len(service.signals(lot.project))
    assert service.scan(lot.project) is scan
    assert len(service.signals(lot.project)) == count > 0
    [event] = lot.db.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "collusion.scanned"))
    assert event.data == {"rules": "collusion-v1", "signals": count}
    assert "203.0.113.7" not in str(event.data)


def test_nothing_is_scanned_before_the_opening_is_done(lot):
    for i, bidder in enumerate(lot.bidders):
        lot.take_part(bidder, "203.0.113.7", price=80_000_000 + i, documents=own(i))
    assert CollusionService(lot.db, lot.clock).scan(lot.project) is None
    assert lot.db.scalar(sa.select(sa.func.count(CollusionScan.id))) == 0


def test_the_scan_subscribes_once_to_a_completed_opening(registry):
    from zope.interface import implementedBy

    from trading.supervision.collusion_service import scan_after_opening

    subscribers = registry.adapters.subscriptions([implementedBy(OpeningCompleted)], None)
    # Pyramid registers a wrapper that names the subscriber in __wrapped__.
    assert [getattr(s, "__wrapped__", s) for s in subscribers].count(scan_after_opening) == 1


def test_a_failed_lot_is_scanned_too(lot):
    a, b, _c = lot.bidders
    lot.take_part(a, "203.0.113.7", price=80_000_000, documents=own(1))
    lot.take_part(b, "203.0.113.7", price=81_000_000, documents=own(2))
    lot.clock.set(lot.project.bid_deadline)
    chronograph.sweep_kind("project")
    assert str(lot.project.status) == "failed"
    kinds = {s.kind for s in lot.db.scalars(sa.select(CollusionSignal))}
    assert kinds == {"same_ip", "clustered_submissions"}


def crafted(lot):
    a, b, c = lot.bidders
    lot.take_part(a, "203.0.113.7", price=80_000_000, documents=[("技术标.pdf", COPIED)])
    lot.take_part(b, "198.51.100.8", price=81_000_000, documents=[("技术标.pdf", COPIED)])
    lot.take_part(c, "198.51.101.9", price=82_000_000, documents=own(3))
    lot.open()
    return a, b, c


def test_supervisors_read_the_evidence_and_the_dashboard_links_to_it(lot, testapp):
    a, b, _c = crafted(lot)
    make_user(lot.db, lot.clock, lot.settings, role=Role.SUPERVISOR, username="sig_sup")
    testapp.login("sig_sup")
    dashboard = testapp.get("/supervision")
    link = f"/projects/{lot.project.id}/signals"
    assert link in dashboard.text and lot.project.number in dashboard.text
    page = testapp.get(link)
    assert "投标文件雷同" in page.text and "报价呈等差规律" in page.text
    assert a.organisation.name in page.text and b.organisation.name in page.text
    assert hashlib.sha256(COPIED).hexdigest() in page.text
    body = testapp.get(f"/api/v1/projects/{lot.project.id}/signals").json
    kinds = {s["kind"] for s in body["lots"][0]["signals"]}
    assert kinds == {"identical_document", "price_constant_difference"}
    assert body["lots"][0]["signals"][0]["summary"]


def test_bidders_never_see_the_signals_not_even_their_own(lot, testapp):
    a, _b, _c = crafted(lot)
    testapp.login(a.username)
    assert testapp.get(f"/projects/{lot.project.id}/signals", expect_errors=True).status_int \
        == 403
    assert testapp.get(f"/api/v1/projects/{lot.project.id}/signals",
                       expect_errors=True).status_int == 403
    assert "围标串标预警" not in testapp.get(f"/projects/{lot.project.id}").text


def test_the_evaluation_committee_reads_them_through_its_hook(lot, testapp, monkeypatch,
                                                              registry):
    from trading.supervision import resources

    crafted(lot)
    expert = make_user(lot.db, lot.clock, lot.settings, role=Role.EXPERT, username="sig_exp")
    other = make_user(lot.db, lot.clock, lot.settings, role=Role.EXPERT, username="sig_exp2")
    monkeypatch.setitem(registry, resources.SIGNAL_READERS,
                        [lambda db, project: [f"user:{expert.id}"]])
    testapp.login(expert.username)
    assert testapp.get(f"/projects/{lot.project.id}/signals").status_int == 200
    testapp.reset()
    testapp.login(other.username)
    assert testapp.get(f"/projects/{lot.project.id}/signals", expect_errors=True).status_int \
        == 403


@pytest.mark.slow
def test_the_demo_has_one_flagged_lot_and_every_other_opening_is_clean(
        dbsession, clock, settings):
    from trading.demo import load_demo
    from trading.demo.audit import NAME
    from trading.projects.models import Project

    load_demo(dbsession, clock, settings)
    service = CollusionService(dbsession, clock)
    [flagged] = service.flagged_lots()
    assert flagged.name == NAME and flagged.counts.keys() >= {"hard", "deemed", "pattern"}
    project = dbsession.scalar(sa.select(Project).where(Project.name == NAME))
    assert str(project.status) == "evaluation"
    kinds = {s.kind for s in service.signals(project)}
    assert kinds == {"identical_document", "same_ip", "same_device", "same_project_manager",
                     "price_constant_difference", "clustered_submissions"}
    scans = dbsession.scalars(sa.select(CollusionScan)).all()
    assert len(scans) > 3 and sum(lot["signals"] for s in scans for lot in s.lots) \
        == len(service.signals(project))
    load_demo(dbsession, clock, settings)  # idempotent
    assert len(dbsession.scalars(sa.select(CollusionScan)).all()) == len(scans)


def test_a_browser_is_fingerprinted_a_bare_tool_is_not():
    from trading.security import device_fingerprint

    browser = {"User-Agent": "Mozilla/5.0 (X11) Chrome/130", "Accept-Language": "zh-CN"}
    assert len(device_fingerprint(browser)) == 16
    assert device_fingerprint(browser) == device_fingerprint(dict(browser))
    assert device_fingerprint({**browser, "Accept-Language": "en"}) != \
        device_fingerprint(browser)
    assert device_fingerprint({"User-Agent": "curl/8.5.0"}) == ""
    assert device_fingerprint({}) == ""


def test_a_signup_through_the_web_records_address_and_device(lot, testapp):
    from trading.projects.models import SignUp

    bidder = lot.bidders[0]
    testapp.login(bidder.username)
    token = testapp.get_csrf_token(f"/projects/{lot.project.id}")
    testapp.post(f"/projects/{lot.project.id}/lots/{lot.lot.id}/signup",
                 {"csrf_token": token},
                 headers={"User-Agent": "Mozilla/5.0 test", "Accept-Language": "zh-CN"})
    signup = lot.db.scalar(sa.select(SignUp).where(SignUp.bidder_org_id
                                                   == bidder.organisation_id))
    assert signup.ip == "192.0.2.10" and len(signup.device) == 16


def _archived(lot) -> list:
    from trading.archive.events import ArchiveAssembling
    from trading.db import registry_of

    assembling = ArchiveAssembling(lot.db, lot.project, "30y")
    registry_of(lot.db).notify(assembling)
    return assembling.entries


def test_the_signals_go_into_the_archive_package(lot):
    assert _archived(lot) == []
    crafted(lot)
    [entry] = _archived(lot)
    assert entry.path == "collusion-signals.json" and entry.retention == "30y"
    assert b"identical_document" in entry.data


def test_the_signed_in_members_of_a_sitting_committee_read_them(lot, testapp):
    from trading.evaluation.models import (
        Committee,
        CommitteeMember,
        CommitteeStatus,
        MemberState,
    )
    from trading.evaluation.rules import MemberRole
    from trading.supervision.resources import sitting_committee

    crafted(lot)
    seated = make_user(lot.db, lot.clock, lot.settings, role=Role.EXPERT, username="sig_in")
    notified = make_user(lot.db, lot.clock, lot.settings, role=Role.EXPERT, username="sig_no")
    committee = Committee(project_id=lot.project.id, status=CommitteeStatus.FORMING,
                          pseudonym_salt="00", created_at=lot.clock())
    lot.db.add(committee)
    lot.db.flush()
    for user, state in ((seated, MemberState.SIGNED_IN), (notified, MemberState.NOTIFIED)):
        lot.db.add(CommitteeMember(committee_id=committee.id, role=MemberRole.EXPERT,
                                   user_id=user.id, state=state, created_at=lot.clock(),
                                   updated_at=lot.clock()))
    lot.db.flush()
    assert sitting_committee(lot.db, lot.project) == []  # secret until the evaluation
    committee.status = CommitteeStatus.SITTING
    lot.db.flush()
    assert sitting_committee(lot.db, lot.project) == [f"user:{seated.id}"]
    testapp.login(seated.username)
    assert testapp.get(f"/projects/{lot.project.id}/signals").status_int == 200
    testapp.reset()
    testapp.login(notified.username)
    assert testapp.get(f"/projects/{lot.project.id}/signals", expect_errors=True).status_int \
        == 403
