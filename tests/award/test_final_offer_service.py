"""The final-offer round end to end: eligibility, sealed offers, reveal, winner, draws."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from award_support import CEILING, FLOOR
from factories import actor_for, make_user

from bid_crypto import load_verify_key, verify_receipt
from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.award.errors import AwardRefused
from trading.bidding.errors import EnvelopeRefused
from trading.bidding.service import bidder_ref
from trading.draws.models import Draw, DrawStatus
from trading.jobs import chronograph
from trading.projects.kinds import ProcurementMethod, ProjectType
from trading.projects.status import ProjectStatus
from trading.rounds.errors import AlreadySubmitted, NotEligible, WindowClosed, WindowNotOpen
from trading.rounds.models import FinalOfferParty, FinalOfferRound, RoundState

UNIT = 10_000_000  # 分: the press example is in 亿元, scaled here to 10 万元


def start(world, floor=FLOOR):
    return world.offers().start(world.project, world.lot, floor_fen=floor,
                                actor=actor_for(world.center))


def to_window(world, final_round):
    world.clock.set(final_round.eligibility_ends_at)
    world.advance()


def close(world, final_round):
    world.clock.set(final_round.ends_at)
    assert chronograph.sweep_kind("project") >= 1


def offer(world, final_round, bidder, amount):
    return world.submit_offer(final_round, bidder, amount)


def snapshot(world):
    db = world.dbsession
    db.flush()
    return (db.scalar(sa.select(sa.func.count(AuditEvent.seq))),
            tuple(db.execute(sa.select(FinalOfferParty.id, FinalOfferParty.envelope_sha256,
                                       FinalOfferParty.amount_fen)).all()))


def test_the_worked_example_14_wins(award_world):
    """Offers 10, 13, 14, 15, 16 → mean 13.6 → 14 wins (rules §1.1)."""
    w = award_world
    final_round = start(w)
    assert final_round.state is RoundState.ELIGIBILITY
    assert len(final_round.parties) == 5  # every valid bid is eligible
    assert w.project.next_check == final_round.eligibility_ends_at
    to_window(w, final_round)
    assert final_round.state is RoundState.OPEN
    amounts = [10, 13, 14, 15, 16]
    for bidder, amount in zip(w.bidders[:4], amounts, strict=False):
        offer(w, final_round, bidder, amount * UNIT)
    # The fifth seals on its own machine and uploads the envelope.
    last = w.bidders[4]
    party = w.offers().submit_envelope(
        w.project, final_round, stream=io.BytesIO(w.seal_offer(final_round, last, 16 * UNIT)),
        actor=actor_for(last))
    # Nothing is readable before the window ends.
    assert all(p.amount_fen is None for p in final_round.parties)
    close(w, final_round)
    assert final_round.state is RoundState.DECIDED
    result = final_round.result
    assert result["outcome"] == "winner"
    assert result["winner"] == bidder_ref(w.bidders[2].organisation_id)
    assert result["price_fen"] == 14 * UNIT
    assert result["reference"] == "136000000.00"  # 分, exact, shown to 2 dp
    assert final_round.wrapped_key is None
    # The receipt verifies offline against the platform key.
    receipt = w.offers().receipt(w.project, final_round, party)
    key = load_verify_key(w.bids().platform_public_key_pem().encode())
    envelope = w.registry["storage"].path_for(party.envelope_sha256).read_bytes()
    signed = verify_receipt(key, receipt, io.BytesIO(envelope))
    assert signed["lot"] == f"L1.FO{final_round.id}"


def test_offers_only_inside_the_window_and_once(award_world):
    """Floor and ceiling are the reveal's to check: the server never sees an amount."""
    w = award_world
    final_round = start(w)
    bidder = w.bidders[0]
    before = snapshot(w)
    with pytest.raises(WindowNotOpen):
        offer(w, final_round, bidder, 1_000_000_00)
    assert snapshot(w) == before
    to_window(w, final_round)
    offer(w, final_round, bidder, CEILING)
    stranger = make_user(w.dbsession, w.clock, w.settings, role=Role.BIDDER)
    before = snapshot(w)
    with pytest.raises(AlreadySubmitted):
        offer(w, final_round, bidder, FLOOR)
    with pytest.raises(NotEligible):
        offer(w, final_round, stranger, FLOOR)
    w.clock.set(final_round.ends_at)  # the job has not run yet: the service refuses anyway
    with pytest.raises(WindowClosed):
        offer(w, final_round, w.bidders[1], FLOOR)
    assert snapshot(w) == before


def test_an_envelope_for_another_round_or_key_is_refused(award_world):
    w = award_world
    final_round = start(w)
    to_window(w, final_round)
    bidder = w.bidders[0]
    before = snapshot(w)
    with pytest.raises(EnvelopeRefused) as wrong_lot:
        w.offers().submit_envelope(w.project, final_round, stream=io.BytesIO(
            w.seal_offer(final_round, bidder, FLOOR, lot="L1")), actor=actor_for(bidder))
    assert wrong_lot.value.code == "envelope_mismatch"
    with pytest.raises(EnvelopeRefused) as wrong_key:
        w.offers().submit_envelope(w.project, final_round, stream=io.BytesIO(
            w.seal_offer(final_round, bidder, FLOOR, key=w.bids().public_key(w.project))),
            actor=actor_for(bidder))
    assert wrong_key.value.code == "wrong_key"
    assert snapshot(w) == before


def test_a_sealed_offer_out_of_range_is_rejected_at_the_reveal(award_world):
    w = award_world
    final_round = start(w)
    to_window(w, final_round)
    high = w.bidders[0]
    w.offers().submit_envelope(w.project, final_round, stream=io.BytesIO(
        w.seal_offer(final_round, high, CEILING + 100)), actor=actor_for(high))
    offer(w, final_round, w.bidders[1], 1_200_000_00)
    close(w, final_round)
    result = final_round.result
    assert result["winner"] == bidder_ref(w.bidders[1].organisation_id)
    assert result["rejected"][0]["bidder"] == bidder_ref(high.organisation_id)
    assert "ceiling" in result["rejected"][0]["reason"]


def test_equally_close_offers_are_drawn_by_the_draw_engine(award_world):
    w = award_world
    final_round = start(w)
    to_window(w, final_round)
    offer(w, final_round, w.bidders[0], 1_000_000_00)
    offer(w, final_round, w.bidders[1], 1_200_000_00)  # mean 1.1: both 0.1 away
    close(w, final_round)
    result = final_round.result
    tied = {bidder_ref(b.organisation_id) for b in w.bidders[:2]}
    assert result["winner"] in tied and len(result["draws"]) == 1
    draw = w.dbsession.get(Draw, result["draws"][0])
    assert draw.status is DrawStatus.REVEALED and draw.result[0] == result["winner"]
    assert {c["id"] for c in draw.candidates} == tied


def test_no_offer_falls_back_to_the_lowest_earlier_price(award_world):
    w = award_world
    final_round = start(w)
    close(w, final_round)
    result = final_round.result
    # The fixture's bids fall by 1 分 per bidder: the fifth bid is the lowest.
    assert result["fallback"] is True
    assert result["winner"] == bidder_ref(w.bidders[4].organisation_id)
    assert result["price_fen"] == 1_900_000_00 - 400


def test_a_single_offer_wins_when_the_profile_allows_one(award_world):
    w = award_world
    final_round = start(w)
    to_window(w, final_round)
    offer(w, final_round, w.bidders[3], 1_500_000_00)
    close(w, final_round)
    assert final_round.result["winner"] == bidder_ref(w.bidders[3].organisation_id)
    assert final_round.result["reference"] == "150000000.00"


def test_nothing_to_fall_back_on_fails_the_project(award_world_factory):
    w = award_world_factory()
    params = dict(w.project.rule_profile.params)
    params.update({"final_offer.on_no_offer": "fail", "final_offer.min_offers": 3})
    w.project.rule_profile.params = params
    final_round = start(w)
    to_window(w, final_round)
    offer(w, final_round, w.bidders[0], 1_500_000_00)
    close(w, final_round)
    assert final_round.result["outcome"] == "failed"
    assert w.project.status is ProjectStatus.FAILED


def test_a_signed_up_bidder_without_a_bid_joins_by_accepting_the_floor(award_world_factory):
    w = award_world_factory(bids=3, signups=4)
    final_round = start(w)
    late = w.bidders[3]
    assert w.offers().party_of(final_round, late.organisation_id) is None
    party = w.offers().join(w.project, final_round, actor=actor_for(late))
    assert party.basis == "accepted_floor"
    with pytest.raises(AlreadySubmitted):
        w.offers().join(w.project, final_round, actor=actor_for(late))
    to_window(w, final_round)
    offer(w, final_round, late, 1_000_000_00)
    with pytest.raises(WindowClosed):
        w.offers().join(w.project, final_round, actor=actor_for(w.bidders[0]))


def test_the_reference_coefficient_is_committed_before_and_drawn_after(award_world_factory):
    w = award_world_factory()
    params = dict(w.project.rule_profile.params)
    params["final_offer.coefficient_set"] = ["0.95", "0.96", "0.97", "0.98"]
    w.project.rule_profile.params = params
    final_round = start(w)
    draw = w.dbsession.get(Draw, final_round.coefficient_draw_id)
    assert draw.status is DrawStatus.COMMITTED and draw.commitment
    to_window(w, final_round)
    offer(w, final_round, w.bidders[0], 1_000_000_00)
    offer(w, final_round, w.bidders[1], 2_000_000_00)
    close(w, final_round)
    assert draw.status is DrawStatus.REVEALED
    k = final_round.result["coefficient"]
    assert k == draw.result[0]
    from decimal import Decimal
    assert Decimal(final_round.result["reference"]) == Decimal(150_000_000) * Decimal(k)
    assert final_round.result["winner"] == bidder_ref(w.bidders[0].organisation_id)


def test_rounds_need_a_final_offer_project_after_its_opening(award_world_factory,
                                                             dbsession, clock, settings,
                                                             registry):
    w = award_world_factory()
    start(w)
    with pytest.raises(AwardRefused, match="已发起"):
        start(w)
    from factories import make_project
    other = make_project(dbsession, clock, settings, registry, open_bidding=True)
    with pytest.raises(AwardRefused, match="不是终次报价"):
        w.offers().start(other, other.lots[0], floor_fen=None, actor=actor_for(w.center))
    gp = make_project(dbsession, clock, settings, registry, open_bidding=True,
                      procurement_method=ProcurementMethod.FINAL_OFFER)
    with pytest.raises(AwardRefused, match="评审阶段"):
        w.offers().start(gp, gp.lots[0], floor_fen=None, actor=actor_for(w.center))


def test_government_procurement_may_not_average(award_world_factory):
    w = award_world_factory(project_type=ProjectType.GOVERNMENT_PROCUREMENT)
    assert w.project.params["final_offer.winner_rule"] == "lowest"
    params = dict(w.project.rule_profile.params)
    params["final_offer.winner_rule"] = "closest"
    w.project.rule_profile.params = params
    with pytest.raises(AwardRefused, match="政府采购"):
        start(w)
    assert w.dbsession.scalar(sa.select(sa.func.count(FinalOfferRound.id))) == 0


def test_the_default_floor_is_the_profiles_share_of_the_ceiling(award_world):
    final_round = start(award_world, floor=None)
    assert final_round.floor_fen == CEILING * 800 // 1000
    assert final_round.ends_at - final_round.eligibility_ends_at == timedelta(minutes=30)
