"""降价竞价 (descending auction) rules: step grid, floor, time, leader, final prices."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.award import rules as a

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
PRICES = {"B1": 1_500_000_00, "B2": 1_400_000_00, "B3": 1_600_000_00}
STEP = 10_000_00  # 1 万元


def opened(step=STEP, **kw):
    return a.open_auction(PRICES, step, T0, a.AuctionParams(**kw))


def test_the_auction_starts_at_the_lowest_price_with_its_floor_and_clock():
    auction = opened()
    assert auction.current_fen == 1_400_000_00 and auction.leader is None
    assert auction.floor_fen == 1_120_000_00  # 80 % of the start
    assert auction.ends_at == T0 + timedelta(minutes=5)
    assert auction.hard_end == T0 + timedelta(minutes=60)


@pytest.mark.parametrize("step,ok", [
    (1, True), (STEP, True), (1_399_999_99, True),
    (1_400_000_00, False),  # not smaller than every price
    (0, False), (-1, False), (True, False), (1.5, False),
])
def test_the_step_is_a_positive_integer_smaller_than_every_price(step, ok):
    if ok:
        assert opened(step).step_fen == step
    else:
        with pytest.raises(a.RuleError):
            opened(step)


def test_one_candidate_is_no_auction():
    with pytest.raises(a.TooFewCandidates):
        a.open_auction({"B1": 100_00}, 1, T0)


@pytest.mark.parametrize("params", [
    {"idle_minutes": 0}, {"max_minutes": 0}, {"idle_minutes": 61, "max_minutes": 60},
    {"floor_permille": 1000}, {"floor_permille": -1},
])
def test_bad_auction_params(params):
    with pytest.raises(a.RuleError):
        a.AuctionParams(**params)


AT = T0 + timedelta(minutes=1)


@pytest.mark.parametrize("bidder,amount,at,error", [
    ("B1", 1_390_000_00, AT, None),  # one step
    ("B3", 1_200_000_00, AT, None),  # twenty steps
    ("B1", 1_395_000_00, AT, a.OffStepGrid),  # half a step
    ("B1", 1_389_999_99, AT, a.OffStepGrid),
    ("B1", 1_400_000_00, AT, a.NotBelowCurrent),  # no step at all
    ("B1", 1_410_000_00, AT, a.NotBelowCurrent),
    ("B1", 1_110_000_00, AT, a.BelowFloor),  # on the grid, under the floor
    ("B9", 1_390_000_00, AT, a.NotACandidate),
    ("B1", 1_390_000_00, T0 + timedelta(minutes=5), a.AuctionClosed),  # at the end: late
    ("B1", 0, AT, a.RuleError),
])
def test_place_bid_table(bidder, amount, at, error):
    auction = opened()
    if error is None:
        after = a.place_bid(auction, bidder, amount, at)
        assert after.current_fen == amount and after.leader == bidder
        assert after.ends_at == at + timedelta(minutes=5)
    else:
        with pytest.raises(error):
            a.place_bid(auction, bidder, amount, at)


def test_the_leader_cannot_underbid_itself_and_a_double_submit_is_refused():
    auction = a.place_bid(opened(), "B1", 1_390_000_00, AT)
    with pytest.raises(a.AlreadyLowestBid):
        a.place_bid(auction, "B1", 1_390_000_00, AT)  # the same form sent twice
    with pytest.raises(a.AlreadyLowestBid):
        a.place_bid(auction, "B1", 1_380_000_00, AT)
    auction = a.place_bid(auction, "B2", 1_380_000_00, AT + timedelta(minutes=1))
    assert a.place_bid(auction, "B1", 1_370_000_00, AT + timedelta(minutes=2)).leader == "B1"


def test_each_bid_extends_the_end_but_never_past_the_hard_end():
    auction, at = opened(idle_minutes=5, max_minutes=12), T0
    for bidder in ["B1", "B2", "B1", "B2"]:
        at += timedelta(minutes=4)
        if at >= auction.ends_at:
            with pytest.raises(a.AuctionClosed):
                a.place_bid(auction, bidder, auction.current_fen - STEP, at)
            break
        auction = a.place_bid(auction, bidder, auction.current_fen - STEP, at)
    assert auction.ends_at == T0 + timedelta(minutes=12)
    assert len(auction.bids) == 2  # at 4 and 8 minutes; 12 is the hard end
    assert not a.auction_is_over(auction, T0 + timedelta(minutes=11, seconds=59))
    assert a.auction_is_over(auction, T0 + timedelta(minutes=12))


def test_final_prices_are_each_candidates_lowest():
    auction = a.place_bid(opened(), "B3", 1_390_000_00, AT)
    auction = a.place_bid(auction, "B1", 1_380_000_00, AT)
    assert a.auction_prices(auction, PRICES) == {
        "B1": 1_380_000_00, "B2": 1_400_000_00, "B3": 1_390_000_00}
    result = a.price_competition(a.auction_prices(auction, PRICES), a.PriceMethod.LOWEST)
    assert result.winner == "B1" and result.price_fen == 1_380_000_00


@given(st.lists(st.tuples(st.sampled_from(["B1", "B2", "B3"]),
                          st.integers(min_value=-3, max_value=30)), max_size=25))
def test_every_accepted_bid_is_on_the_grid_and_above_the_floor(attempts):
    auction, at = opened(), T0
    for bidder, steps in attempts:
        at += timedelta(seconds=30)
        try:
            auction = a.place_bid(auction, bidder, auction.current_fen - steps * STEP, at)
        except a.RuleError:
            continue
    amounts = [b.amount_fen for b in auction.bids]
    assert amounts == sorted(amounts, reverse=True) and len(set(amounts)) == len(amounts)
    for bid in auction.bids:
        assert (auction.start_fen - bid.amount_fen) % STEP == 0
        assert bid.amount_fen >= auction.floor_fen
    assert all(x.bidder != y.bidder for x, y in zip(auction.bids, auction.bids[1:], strict=False))
