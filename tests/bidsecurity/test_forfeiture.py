"""Forfeiture only on listed grounds, proposed by the center, approved by a supervisor,
audited; a held deposit is never sent (rules §10.3)."""

import pytest
import sqlalchemy as sa
from bidsecurity_support import open_bids, submit_bid
from factories import actor_for, make_user

from trading import errors
from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.award.models import Award
from trading.bidsecurity import rules as r
from trading.bidsecurity.models import ForfeitureStatus, Refund, RefundStatus
from trading.bidsecurity.tasks import make_due_refunds

WHY = "中标人收到中标通知书后书面表示拒绝签订合同，无正当理由"


@pytest.fixture
def won(world):
    """Three paid bids opened; the first bidder is awarded."""
    for bidder in world.bidders:
        submit_bid(world, bidder)
        world.receive(*world.note(bidder))
    open_bids(world)
    world.dbsession.add(Award(project_id=world.project.id, lot_id=world.lot.id,
                              winner_org_id=world.bidders[0].organisation_id,
                              price_fen=80_000_000, method="rank_one", order=[],
                              declined=[], decided_at=world.clock()))
    world.dbsession.flush()
    world.service().schedule_refunds(world.project, "awarded")
    return next(x for x in world.dbsession.scalars(sa.select(Refund))
                if x.organisation_id == world.bidders[0].organisation_id)


def staff(world, role):
    return actor_for(make_user(world.dbsession, world.clock, world.settings, role=role))


def test_center_proposes_supervisor_approves_and_it_is_audited(world, won, use_bank, simbank):
    center, supervisor = staff(world, Role.CENTER), staff(world, Role.SUPERVISOR)
    item = world.service().propose_forfeiture(won, ground="refused_contract", statement=WHY,
                                              actor=center)
    assert won.status is RefundStatus.HELD and item.status is ForfeitureStatus.PROPOSED
    world.service().decide_forfeiture(item, approve=True, note="经核实属实，同意没收",
                                      actor=supervisor)
    assert won.status is RefundStatus.FORFEITED
    actions = world.dbsession.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.like("bidsecurity.forfeiture%"))).all()
    assert sorted(actions) == ["bidsecurity.forfeiture_decided",
                               "bidsecurity.forfeiture_proposed"]


def test_without_approval_nothing_is_kept_and_nothing_is_sent(world, won, use_bank, simbank):
    award = world.dbsession.scalar(sa.select(Award))
    award.contract_signed_at = world.clock()
    world.service().schedule_refunds(world.project, "contracted")
    assert won.status is RefundStatus.DUE
    world.service().propose_forfeiture(won, ground="refused_contract", statement=WHY,
                                       actor=staff(world, Role.CENTER))
    assert make_due_refunds() == {"made": 2, "failed": 0}  # the two others only
    assert won.status is RefundStatus.HELD
    assert won.idempotency_key not in {p["idempotency_key"] for p in simbank.refunds()}


def test_only_the_center_proposes_and_only_a_supervisor_decides(world, won):
    service = world.service()
    with pytest.raises(errors.NotPermitted):
        service.propose_forfeiture(won, ground="refused_contract", statement=WHY,
                                   actor=staff(world, Role.SUPERVISOR))
    item = service.propose_forfeiture(won, ground="refused_contract", statement=WHY,
                                      actor=staff(world, Role.CENTER))
    with pytest.raises(errors.NotPermitted):
        service.decide_forfeiture(item, approve=True, note="同意",
                                  actor=staff(world, Role.CENTER))
    assert item.status is ForfeitureStatus.PROPOSED and won.status is RefundStatus.HELD


def test_a_ground_not_listed_is_refused_and_changes_nothing(world, won):
    with pytest.raises(r.ForfeitureRefused):
        world.service().propose_forfeiture(won, ground="refused_contract", statement="拒签",
                                           actor=staff(world, Role.CENTER))
    loser = next(x for x in world.dbsession.scalars(sa.select(Refund))
                 if x.organisation_id == world.bidders[1].organisation_id)
    with pytest.raises(r.ForfeitureRefused):
        world.service().propose_forfeiture(loser, ground="refused_contract", statement=WHY,
                                           actor=staff(world, Role.CENTER))
    assert won.status is RefundStatus.WAITING and loser.status is not RefundStatus.HELD
    assert world.service().forfeitures() == []


def test_a_rejected_proposal_is_refunded_after_all(world, won, use_bank, simbank):
    service = world.service()
    item = service.propose_forfeiture(won, ground="refused_contract", statement=WHY,
                                      actor=staff(world, Role.CENTER))
    supervisor = staff(world, Role.SUPERVISOR)
    with pytest.raises(errors.DomainError):
        service.decide_forfeiture(item, approve=False, note=" ", actor=supervisor)
    service.decide_forfeiture(item, approve=False, note="理由不成立", actor=supervisor)
    assert won.status is RefundStatus.WAITING
    with pytest.raises(errors.Conflict):
        service.decide_forfeiture(item, approve=True, note="再次", actor=supervisor)


def test_a_refunded_deposit_cannot_be_forfeited(world, won, use_bank):
    loser = next(x for x in world.dbsession.scalars(sa.select(Refund))
                 if x.organisation_id == world.bidders[1].organisation_id)
    loser.status, loser.due_on = RefundStatus.DUE, world.clock().date()
    world.service().send(loser)
    with pytest.raises(errors.Conflict):
        world.service().propose_forfeiture(loser, ground="tender_document_ground",
                                           statement=WHY, actor=staff(world, Role.CENTER))
