"""降价竞价 online: the committee's price stage as a timed descending auction among the
candidates — service, chronograph, pages without JavaScript, JSON API."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from award_support import committees, enrol, login_as, sign_all
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.accounts.service import AccountService
from trading.audit.models import AuditEvent
from trading.award.errors import (
    AlreadyLowest,
    AwardRefused,
    BidBelowFloor,
    BidNotBelowCurrent,
    BidOffStep,
)
from trading.award.models import AuctionBid
from trading.award.service import AwardService
from trading.jobs import chronograph
from trading.projects.status import ProjectStatus
from trading.rounds.errors import NotEligible, WindowClosed

STEP = 10_000_00  # 1 万元


def start(w, method="price_lowest", step=STEP, stage2=None):
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = committees(w).form(
        w.project, w.lot, size=5, stage1={"method": method, "descending_auction": True,
                                          "step_fen": step},
        stage2=stage2, actor=actor_for(w.owner))
    return committee, committees(w).auction_for(committee)


def bid(w, bidder, amount, auction=None):
    auction = auction or committees(w).auction_for(committees(w).committee_for(w.lot))
    return committees(w).bid(w.project, auction, amount_fen=amount, actor=actor_for(bidder))


def counts(w):
    w.dbsession.flush()
    return (w.dbsession.scalar(sa.select(sa.func.count(AuctionBid.id))),
            w.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq))))


def test_the_price_stage_opens_an_auction_the_chronograph_closes(world):
    w = world
    committee, auction = start(w)
    lowest = min(c["price_fen"] for c in AwardService(w.dbsession, w.clock)
                 .candidates_of(w.project, w.lot))
    assert committee.winner is None and auction.start_fen == lowest
    assert auction.floor_fen == lowest * 800 // 1000
    assert w.project.next_check == auction.ends_at == w.clock() + timedelta(minutes=5)
    a, b, _ = w.bidders
    w.clock.advance(minutes=1)
    bid(w, a, lowest - STEP)
    w.clock.advance(minutes=4)
    bid(w, b, lowest - 3 * STEP)  # three steps at once
    assert auction.ends_at == w.clock() + timedelta(minutes=5)  # extended by the bid
    assert w.project.next_check == auction.ends_at
    w.clock.set(auction.ends_at - timedelta(seconds=1))
    chronograph.sweep_kind("project")
    assert auction.closed_at is None
    w.clock.set(auction.ends_at)
    assert chronograph.sweep_kind("project") == 1
    assert auction.closed_at is not None
    assert committee.winner == f"B{b.organisation_id}"
    step = committee.steps[-1]
    assert step["auction"]["id"] == auction.id and len(step["auction"]["bids"]) == 2
    assert step["prices"][f"B{a.organisation_id}"] == lowest - STEP
    # Signed, the award follows by itself, at the auction's price.
    sign_all(w, committee)
    chronograph.sweep_kind("project")
    (award,) = AwardService(w.dbsession, w.clock).awards(w.project)
    assert award.winner_org_id == b.organisation_id and award.price_fen == lowest - 3 * STEP
    assert w.project.status is ProjectStatus.AWARDED
    assert committee.report_body["steps"][-1]["auction"]["bids"][1]["amount_fen"] == \
        lowest - 3 * STEP


def test_no_bid_at_all_falls_back_to_the_opened_prices(world):
    w = world
    committee, auction = start(w)
    w.clock.set(auction.ends_at)
    chronograph.sweep_kind("project")
    prices = committee.steps[-1]["prices"]
    assert committee.winner == min(prices, key=prices.get) and not auction.bids


def test_bad_bids_are_refused_with_the_reason_and_change_nothing(world):
    w = world
    committee, auction = start(w)
    a, b, c = w.bidders
    current = auction.start_fen
    stranger = make_user(w.dbsession, w.clock, w.settings, role=Role.BIDDER)
    before = counts(w)
    cases = [
        (a, current - STEP // 2, BidOffStep, "整数倍"),  # not on the step grid
        (a, current - STEP - 1, BidOffStep, "整数倍"),
        (a, current, BidNotBelowCurrent, "低于当前最低价"),
        (a, current - ((current - auction.floor_fen) // STEP + 1) * STEP, BidBelowFloor,
         "最低限价"),  # on the grid, one step under the floor
        (stranger, current - STEP, NotEligible, "定标候选人"),  # a non-candidate
        (w.owner, current - STEP, NotEligible, "定标候选人"),
    ]
    for who, amount, error, words in cases:
        with pytest.raises(error, match=words):
            bid(w, who, amount)
    assert counts(w) == before
    bid(w, a, current - STEP)
    after = counts(w)
    with pytest.raises(AlreadyLowest, match="已是当前最低价"):  # the same form twice
        bid(w, a, current - STEP)
    with pytest.raises(BidNotBelowCurrent):  # someone got there first
        bid(w, b, current - STEP)
    w.clock.set(auction.ends_at)
    with pytest.raises(WindowClosed, match="已结束"):  # late, before any job ran
        bid(w, c, current - 2 * STEP)
    assert counts(w) == after


@pytest.mark.parametrize("stage,match", [
    ({"method": "price_lowest", "descending_auction": True}, "decrement step"),
    ({"method": "price_lowest", "descending_auction": True, "step_fen": 0}, "decrement step"),
    ({"method": "price_lowest", "descending_auction": True, "step_fen": 10**12},
     "smaller than every price"),
    ({"method": "plurality", "descending_auction": True, "step_fen": STEP}, "price method"),
])
def test_auction_plans_breaking_the_rules_are_refused(world, stage, match):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    with pytest.raises(AwardRefused, match=match):
        committees(w).form(w.project, w.lot, size=5, stage1=stage, stage2=None,
                           actor=actor_for(w.owner))
    assert committees(w).committee_for(w.lot) is None


def test_an_auction_settles_the_award_no_second_stage(world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    with pytest.raises(AwardRefused, match="no second stage"):
        committees(w).form(w.project, w.lot, size=5,
                           stage1={"method": "price_lowest", "descending_auction": True,
                                   "step_fen": STEP},
                           stage2={"method": "direct_lottery"}, actor=actor_for(w.owner))


# -- pages: a form and a refresh ----------------------------------------------------------


def test_the_page_takes_bids_without_javascript(world, testapp):
    w = world
    committee, auction = start(w)
    url = f"/projects/{w.project.id}/award/auctions/{auction.id}"
    public = testapp.get(url)
    assert "当前最低价" in public.text and "auction-bid" not in public.text
    assert "<script" not in public.text and "刷新" in public.text
    a = w.bidders[0]
    login_as(testapp, w, a)
    form = testapp.get(url).forms["auction-bid"]
    form["amount"] = "1.23"
    refused = form.submit(status=422)
    assert "整数倍" in refused.text and not auction.bids
    form = testapp.get(url).forms["auction-bid"]  # prefilled with one step down
    done = form.submit().follow()
    assert "报价已提交" in done.text and "您的报价为当前最低价" in done.text
    again = testapp.post(url + "/bid", {"csrf_token": form["csrf_token"].value,
                                        "amount": form["amount"].value}, status=409)
    assert "已是当前最低价" in again.text and len(auction.bids) == 1
    award_page = testapp.get(f"/projects/{w.project.id}/award")
    assert f"/award/auctions/{auction.id}" in award_page.text


def _token(w, user):
    return {"Authorization": "Bearer " + AccountService(w.dbsession, w.clock, w.settings)
            .create_api_token(user, "t", actor_for(user))[1]}


def test_the_api_and_its_error_codes(world, testapp):
    w = world
    committee, auction = start(w)
    url = f"/api/v1/projects/{w.project.id}/award/auctions/{auction.id}"
    state = testapp.get(url).json
    assert state["current_fen"] == auction.start_fen and state["history"] is None
    a, b, _ = w.bidders
    yuan = f"{(auction.start_fen - STEP) / 100:.2f}"  # display only: the API takes yuan
    off = testapp.post_json(url + "/bids", {"amount": "1.50"}, headers=_token(w, a),
                            status=422).json
    assert off["error"] == "bid_off_step" and off["field"] == "amount"
    ok = testapp.post_json(url + "/bids", {"amount": yuan}, headers=_token(w, a),
                           status=201).json
    assert ok["leading"] is True and ok["current_fen"] == auction.start_fen - STEP
    twice = testapp.post_json(url + "/bids", {"amount": yuan}, headers=_token(w, a),
                              status=409).json
    assert twice["error"] == "already_lowest"
    stranger = make_user(w.dbsession, w.clock, w.settings, role=Role.BIDDER)
    other = testapp.post_json(url + "/bids", {"amount": "1.00"}, headers=_token(w, stranger),
                              status=409).json
    assert other["error"] == "not_eligible"
    w.clock.set(auction.ends_at)
    late = testapp.post_json(url + "/bids", {"amount": "1.00"}, headers=_token(w, b),
                             status=409).json
    assert late["error"] == "window_closed"
    spec = testapp.get("/api/v1/openapi.json").json
    assert any("auctions" in path for path in spec["paths"])
    chronograph.sweep_kind("project")
    closed = testapp.get(url).json
    assert closed["closed"] and closed["history"][0]["amount_fen"] == auction.start_fen - STEP
