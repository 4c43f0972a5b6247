"""The payer list opens with the bids; refunds with interest, exactly once (rules §10.2–4)."""

from datetime import timedelta

import sqlalchemy as sa
from bidsecurity_support import SECURITY, open_bids, open_world, submit_bid

from trading.audit.models import AuditEvent
from trading.award.models import Award
from trading.bidding.models import LineStatus, Opening, OpeningLine
from trading.bidsecurity import rules as r
from trading.bidsecurity.bank import BankUnavailable, HttpBank
from trading.bidsecurity.models import (
    BankNotification,
    Refund,
    RefundStatus,
    SecurityCheck,
    SecurityStatus,
)
from trading.bidsecurity.service import local_date
from trading.bidsecurity.tasks import make_due_refunds
from trading.projects.status import ProjectStatus

L, P = LineStatus, r.PaymentState


def all_of(world, model):
    return list(world.dbsession.scalars(sa.select(model).order_by(model.id)))


def pay(world, bidder, amount=2_000_000):
    body, signature = world.note(bidder, amount=amount)
    return world.receive(body, signature)


def line_of(world, bidder) -> OpeningLine:
    opening = world.dbsession.scalar(sa.select(Opening).where(
        Opening.project_id == world.project.id))
    return next(line for line in world.dbsession.scalars(sa.select(OpeningLine).where(
        OpeningLine.opening_id == opening.id)) if line.bid.bidder_org_id ==
        bidder.organisation_id)


def test_the_opening_reconciles_and_a_bid_without_security_is_invalid(world):
    a, b, c = world.bidders
    for bidder in world.bidders:
        submit_bid(world, bidder)
    assert pay(world, a).code == "recorded"
    assert pay(world, a).code == "recorded"  # a second full payment: a duplicate
    assert pay(world, b).code == "recorded"
    assert pay(world, c, amount=1_000_000).code == "short_amount"
    # Before the opening nothing says who paid.
    assert all(n.opened is None and n.state is None and n.sub_account_id is None
               for n in all_of(world, BankNotification))
    open_bids(world)
    checks = {c_.organisation_id: c_ for c_ in all_of(world, SecurityCheck)}
    assert checks[a.organisation_id].status is SecurityStatus.SATISFIED
    assert checks[a.organisation_id].paid_fen == 2_000_000
    assert checks[c.organisation_id].status is SecurityStatus.MISSING
    assert "金额不足" in checks[c.organisation_id].detail
    assert line_of(world, c).status is L.INVALID
    assert line_of(world, c).reason == "security_missing"
    assert line_of(world, a).status is L.DECRYPTED
    assert any(x["message"] == "投标保证金：已按要求缴纳" for x in line_of(world, a).anomalies)
    states = sorted(str(n.state) for n in all_of(world, BankNotification))
    assert states == sorted(["paid", "duplicate", "paid", "short"])
    opened = all_of(world, BankNotification)[0]
    assert opened.opened["payer_name"] == a.organisation.name
    # Two valid bids of three required: the lot fails, and every payment is due back.
    assert world.project.status is ProjectStatus.FAILED
    refunds = all_of(world, Refund)
    assert len(refunds) == 4 and all(x.status is RefundStatus.DUE for x in refunds)
    causes = sorted(str(x.cause) for x in refunds)
    assert causes == sorted(["lost", "lost", "not_counted", "not_counted"])


def test_on_missing_note_keeps_the_bid(dbsession, clock, settings, registry, bank, simbank):
    world = open_world(dbsession, clock, settings, registry, bank, simbank,
                       params={**SECURITY, "security.on_missing": "note"})
    for bidder in world.bidders:
        submit_bid(world, bidder)
    open_bids(world)
    assert [line_of(world, b).status for b in world.bidders] == [L.DECRYPTED] * 3
    assert world.project.status is ProjectStatus.EVALUATION
    assert {c.status for c in all_of(world, SecurityCheck)} == {SecurityStatus.MISSING}


def test_a_payer_that_did_not_bid_is_refunded_from_the_opening(world):
    for bidder in world.bidders:
        submit_bid(world, bidder)
        pay(world, bidder)
    from bidsecurity_support import World  # noqa: F401 - the same world, one more payer
    from factories import actor_for, make_user, project_service

    from trading.accounts.models import Role

    extra = make_user(world.dbsession, world.clock, world.settings, role=Role.BIDDER)
    project_service(world.dbsession, world.clock, world.registry).sign_up(
        world.project, world.lot, bidder=extra, actor=actor_for(extra))
    world.accounts[extra.id] = "6222000011112222"
    world.service().add_account(extra.organisation_id, account_no="6222000011112222",
                                account_name="丁", bank_name="建行", actor=actor_for(extra))
    pay(world, extra)
    open_bids(world)
    assert world.project.status is ProjectStatus.EVALUATION
    refunds = {x.organisation_id: x for x in all_of(world, Refund)}
    assert refunds[extra.organisation_id].status is RefundStatus.DUE
    assert refunds[extra.organisation_id].cause is r.RefundCause.NOT_COUNTED
    assert refunds[world.bidders[0].organisation_id].status is RefundStatus.WAITING


def awarded(world, winner):
    """The award as the award domain records it, then the project's event."""
    award = Award(project_id=world.project.id, lot_id=world.lot.id,
                  winner_org_id=winner.organisation_id, price_fen=80_000_000,
                  method="rank_one", order=[winner.organisation_id], declined=[],
                  decided_at=world.clock())
    world.dbsession.add(award)
    world.dbsession.flush()
    world.service().schedule_refunds(world.project, "awarded")
    return award


def test_tendering_refunds_everyone_within_five_days_of_the_contract(world):
    for bidder in world.bidders:
        submit_bid(world, bidder)
        pay(world, bidder)
    open_bids(world)
    award = awarded(world, world.bidders[0])
    refunds = all_of(world, Refund)
    assert {x.status for x in refunds} == {RefundStatus.WAITING}  # 招投标: the contract
    won = next(x for x in refunds if x.organisation_id == world.bidders[0].organisation_id)
    assert won.cause is r.RefundCause.WON
    world.clock.advance(days=20)
    award.contract_signed_at = world.clock()
    world.service().schedule_refunds(world.project, "contracted")
    due = local_date(world.clock()) + timedelta(days=5)
    assert {(x.status, x.due_on) for x in refunds} == {(RefundStatus.DUE, due)}


def test_procurement_losers_are_due_from_the_award_notice(dbsession, clock, settings,
                                                          registry, bank, simbank):
    from trading.projects.kinds import ObjectType, ProjectType

    world = open_world(dbsession, clock, settings, registry, bank, simbank,
                       project_type=ProjectType.GOVERNMENT_PROCUREMENT,
                       object_type=ObjectType.GOODS)
    assert str(world.project.regime) == "government_procurement"
    for bidder in world.bidders:
        submit_bid(world, bidder)
        pay(world, bidder)
    open_bids(world)
    awarded(world, world.bidders[0])
    status = {x.organisation_id: x.status for x in all_of(world, Refund)}
    assert status[world.bidders[0].organisation_id] is RefundStatus.WAITING
    assert status[world.bidders[1].organisation_id] is RefundStatus.DUE


def _paid_and_due(world):
    for bidder in world.bidders[:2]:
        submit_bid(world, bidder)
        pay(world, bidder)
    open_bids(world)  # two bids of three: failed, every deposit due
    return all_of(world, Refund)


def test_the_job_refunds_with_interest_exactly_once(world, use_bank, simbank):
    refunds = _paid_and_due(world)
    world.clock.advance(days=3)
    assert make_due_refunds() == {"made": 2, "failed": 0}
    assert make_due_refunds() == {"made": 0, "failed": 0}
    for refund in refunds:
        days = (local_date(refund.refunded_at) - refund.received_on).days
        assert days >= 33
        assert refund.interest_fen == r.interest_fen(2_000_000, refund.received_on,
                                                     local_date(refund.refunded_at))
        assert refund.status is RefundStatus.REFUNDED and refund.bank_reference
    paid = simbank.refunds()
    assert len(paid) == 2 and {p["amount_fen"] for p in paid} == {
        2_000_000 + refunds[0].interest_fen}


def test_a_bank_that_is_down_is_retried_alerted_and_never_pays_twice(world, monkeypatch,
                                                                     registry, bank,
                                                                     simbank, bank_key):
    refunds = _paid_and_due(world)
    calls = {"n": 0}

    def down(url, body, headers):
        calls["n"] += 1
        raise BankUnavailable("connection refused")

    monkeypatch.setitem(registry, "bidsecurity.bank", HttpBank(
        "http://simbank", lambda: bank_key.public_key(), down))
    assert make_due_refunds() == {"made": 0, "failed": 2}
    assert {x.status for x in refunds} == {RefundStatus.RETRYING}
    assert all(x.attempts == 1 and "connection refused" in x.last_error for x in refunds)
    assert make_due_refunds() == {"made": 0, "failed": 0}  # backing off, not hammering
    failures = world.dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "bidsecurity.refund_failed")).all()
    assert len(failures) == 2
    # Past the statutory day: the 电子监察 alert.
    world.clock.advance(days=8)
    assert world.service().alert_overdue() == 2
    amounts = {x.id: x.principal_fen + x.interest_fen for x in refunds}
    # The bank paid the first order but its answer was lost; it comes back.
    bank.refund(_order(refunds[0]))
    monkeypatch.setitem(registry, "bidsecurity.bank", bank)
    assert make_due_refunds() == {"made": 2, "failed": 0}
    assert len(simbank.refunds()) == 2
    assert {p["amount_fen"] for p in simbank.refunds()} == set(amounts.values())
    assert world.service().overdue() == []


def _order(refund):
    from trading.bidsecurity.bank import RefundOrder

    return RefundOrder(refund.idempotency_key, refund.payee_name, refund.payee_account,
                       refund.principal_fen + refund.interest_fen,
                       f"投标保证金退还（{r.CAUSE_LABELS[refund.cause]}）")


def test_a_refund_cannot_be_sent_twice(world, use_bank):
    refunds = _paid_and_due(world)
    service = world.service()
    assert service.send(refunds[0]) is True
    import pytest

    from trading.bidsecurity.service import RefundRefused

    with pytest.raises(RefundRefused):
        service.send(refunds[0])


def test_a_project_cancelled_before_the_opening_pays_everyone_back(world, use_bank, simbank):
    from factories import actor_for

    from trading.projects.models import Project

    for bidder in world.bidders:
        submit_bid(world, bidder)
        pay(world, bidder)
    project = world.dbsession.get(Project, world.project.id)
    owner = next(u for u in project.owner.users)
    from bidsecurity_support import project_service

    project_service(world.dbsession, world.clock, world.registry).cancel(
        project, reason="项目资金调整，终止本次招标。", actor=actor_for(owner))
    refunds = all_of(world, Refund)
    assert len(refunds) == 3 and {x.status for x in refunds} == {RefundStatus.DUE}
    assert make_due_refunds() == {"made": 3, "failed": 0}
    assert len(simbank.refunds()) == 3


def test_a_profile_above_the_cap_is_not_approved(dbsession, clock, settings, registry):
    import pytest
    from factories import actor_for, make_project, make_user, project_service

    from trading.accounts.models import Role

    project = make_project(dbsession, clock, settings, registry)
    project.rule_profile.params = {**project.rule_profile.params, **SECURITY,
                                   "security.rate": "0.025"}
    owner = project.owner.users[0]
    service = project_service(dbsession, clock, registry)
    service.submit_for_review(project, actor=actor_for(owner))
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    with pytest.raises(r.AboveStatutoryCap):
        service.approve(project, actor=actor_for(center))
    assert project.status is ProjectStatus.PENDING_REVIEW


def test_an_invalid_profile_does_not_stop_the_opening(world):
    for bidder in world.bidders:
        submit_bid(world, bidder)
    world.project.rule_profile.params = {**world.project.rule_profile.params,
                                         "security.rate": "0.5"}
    open_bids(world)
    assert world.project.status is ProjectStatus.EVALUATION
    assert all_of(world, SecurityCheck) == []
    assert world.dbsession.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "bidsecurity.opening_unchecked")) is not None
