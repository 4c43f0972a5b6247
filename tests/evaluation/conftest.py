"""Evaluation fixtures: a project opened with valid bids, now in `evaluation`, whose
scoring criteria were published with it."""

from datetime import timedelta

import pytest
from bidding.conftest import FAST, World, signed_up_bidders
from factories import actor_for, make_project, make_user, project_service

from trading.accounts.models import Role, User
from trading.evaluation.scoring import CriteriaService

PRICES = (80_000_000, 78_000_000, 84_000_000)  # 分, under the 90 万 ceiling
ITEMS = [
    {"item_id": "q1", "name": "资格审查", "kind": "pass_fail", "key_requirement": True},
    {"item_id": "t1", "name": "类似业绩", "kind": "objective", "max_score": "10", "step": "1"},
    {"item_id": "t2", "name": "技术方案", "kind": "subjective", "max_score": "30",
     "step": "0.5"},
    {"item_id": "t3", "name": "施工组织设计", "kind": "subjective", "max_score": "20",
     "step": "0.5"},
]
PRICE = {"formula": "low_price_first", "weight": "0.40"}


@pytest.fixture(autouse=True)
def _fast_settings(settings, monkeypatch):
    for key, value in FAST.items():
        monkeypatch.setitem(settings, key, value)


@pytest.fixture
def evaluated_factory(dbsession, clock, settings, registry):
    """`evaluated_factory(prices=…, items=…, price=…, **project_overrides)`."""

    def build(prices=PRICES, items=ITEMS, price=PRICE, n_candidates=3, documents=(),
              **overrides) -> World:
        w = World(dbsession, clock, settings, registry)
        w.project = make_project(dbsession, clock, settings, registry, **overrides)
        owner = dbsession.get(User, w.project.created_by_id)
        if items is not None:
            CriteriaService(dbsession, clock).save(w.project, items=items, price=price,
                                                   n_candidates=n_candidates,
                                                   actor=actor_for(owner))
        service = project_service(dbsession, clock, registry)
        service.submit_for_review(w.project, actor=actor_for(owner))
        w.center = make_user(dbsession, clock, settings, role=Role.CENTER)
        service.approve(w.project, actor=actor_for(w.center))
        clock.set(w.project.doc_start)
        service.advance(w.project)
        w.bidders = signed_up_bidders(w, len(prices))
        for bidder, p in zip(w.bidders, prices, strict=True):
            w.submit(bidder, w.seal(bidder, offer_=w.offer(p), documents=documents))
        clock.set(w.project.bid_deadline)
        w.advance()
        if documents:  # extracted in the opening's second pass, a moment later
            clock.set(w.project.bid_deadline + timedelta(seconds=1))
            w.advance()
        return w

    return build


@pytest.fixture
def evaluated(evaluated_factory) -> World:
    return evaluated_factory()
