"""Award fixtures: a 终次报价 project whose bids are opened, and its final-offer service."""

import pytest
from award_support import CEILING, AwardWorld, bid_offer, sign_report
from factories import actor_for, make_project, make_user

from trading.accounts.models import Role
from trading.award.service import AwardService
from trading.demo.helpers import seal_and_submit
from trading.projects.kinds import AwardMethod, ProcurementMethod
from trading.projects.status import ProjectStatus


@pytest.fixture(autouse=True)
def _small_chunks(settings, monkeypatch):
    monkeypatch.setitem(settings, "bidding.chunk_size", "1024")


@pytest.fixture
def award_world_factory(dbsession, clock, settings, registry):
    """`award_world_factory(bids=5, signups=5, **project_overrides)`: bids opened."""

    def build(bids=5, signups=None, **overrides) -> AwardWorld:
        w = AwardWorld(dbsession, clock, settings, registry)
        w.owner = make_user(dbsession, clock, settings, role=Role.OWNER)
        w.center = make_user(dbsession, clock, settings, role=Role.CENTER)
        overrides.setdefault("procurement_method", ProcurementMethod.FINAL_OFFER)
        overrides.setdefault("lots", (("一标段", 2_500_000_00, CEILING),))
        w.project = make_project(dbsession, clock, settings, registry, owner=w.owner,
                                 open_bidding=True, **overrides)
        service = w.projects()
        w.bidders = [make_user(dbsession, clock, settings, role=Role.BIDDER)
                     for _ in range(signups or bids)]
        for i, bidder in enumerate(w.bidders):
            service.sign_up(w.project, w.lot, bidder=bidder, actor=actor_for(bidder))
            if i < bids:
                seal_and_submit(w.bids(), w.project, w.lot,
                                offer=bid_offer(1_900_000_00 - i * 100), actor=actor_for(bidder))
        clock.set(w.project.bid_deadline)
        w.advance()
        assert w.project.status is ProjectStatus.EVALUATION
        return w

    return build


@pytest.fixture
def award_world(award_world_factory) -> AwardWorld:
    return award_world_factory()


@pytest.fixture
def world(award_world_factory):
    """A 评定分离 project after its publicity; the roster is for each test to fill."""
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER,
                            award_method=AwardMethod.SEPARATED)
    sign_report(w, ranked=False)
    w.clock.set(AwardService(w.dbsession, w.clock).publicity(w.project).ends_at)
    w.staff = []
    return w
