"""Evaluation fixtures: a project opened with three valid bids, now in `evaluation`."""

import pytest
from bidding.conftest import FAST, World, signed_up_bidders
from factories import make_project

PRICES = (80_000_000, 78_000_000, 84_000_000)  # 分, under the 90 万 ceiling


@pytest.fixture(autouse=True)
def _fast_settings(settings, monkeypatch):
    for key, value in FAST.items():
        monkeypatch.setitem(settings, key, value)


@pytest.fixture
def evaluated_factory(dbsession, clock, settings, registry):
    """`evaluated_factory(prices=…, **project_overrides)`: a project in evaluation."""

    def build(prices=PRICES, **overrides) -> World:
        w = World(dbsession, clock, settings, registry)
        w.project = make_project(dbsession, clock, settings, registry, open_bidding=True,
                                 **overrides)
        w.bidders = signed_up_bidders(w, len(prices))
        for bidder, price in zip(w.bidders, prices, strict=True):
            w.submit(bidder, w.seal(bidder, offer_=w.offer(price)))
        clock.set(w.project.bid_deadline)
        w.advance()
        return w

    return build


@pytest.fixture
def evaluated(evaluated_factory) -> World:
    return evaluated_factory()
