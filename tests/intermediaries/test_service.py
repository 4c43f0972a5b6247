"""The supermarket service end to end on the database: entry, catalogue, purchase,
registration, random selection with its draw, decline and re-draw, contract, result, rating."""

import io
from datetime import timedelta

import sqlalchemy as sa
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.draws.record import verify_record
from trading.intermediaries.models import CreditRecord, Notice, Purchase
from trading.intermediaries.rules import CreditEventKind, SelectionMethod
from trading.intermediaries.status import EntryStatus, PurchaseStatus

P = PurchaseStatus


def test_entry_flow_submit_return_resubmit_approve(im, refused):
    user = make_user(im.db, im.clock, im.settings, role=Role.INTERMEDIARY)
    entry = im.service.save_application(user.organisation, im.entry_input(),
                                        actor=actor_for(user))
    assert entry.status is EntryStatus.REGISTERED
    im.service.submit_application(entry, actor=actor_for(user))
    assert entry.status is EntryStatus.ENTRY_SUBMITTED
    refused("entry_invalid", im.service.return_entry, entry, reasons=" ",
            actor=actor_for(im.center))
    im.service.return_entry(entry, reasons="执业人员社保证明缺失", actor=actor_for(im.center))
    assert entry.status is EntryStatus.RETURNED_FOR_CORRECTION
    im.service.save_application(user.organisation, im.entry_input(), actor=actor_for(user))
    im.service.submit_application(entry, actor=actor_for(user))
    im.service.approve_entry(entry, actor=actor_for(im.center))
    assert entry.status is EntryStatus.ACTIVE
    assert entry.commitment_sha256 and entry.lines[0].grade == "甲级"


def test_entry_needs_commitment_practitioner_and_valid_lines(im, refused):
    user = make_user(im.db, im.clock, im.settings, role=Role.INTERMEDIARY)
    org = user.organisation
    for kw, field in ((dict(commitment=False), "commitment"),
                      (dict(practitioners=()), "practitioners"), (dict(lines=()), "lines"),
                      (dict(valid_until=im.service.today() - timedelta(days=1)), "lines")):
        error = refused("entry_invalid", im.service.save_application, org,
                        im.entry_input(**kw), actor=actor_for(user))
        assert error.field == field
    assert im.service.entry_of(org.id) is None


def test_expiring_line_is_noticed_then_suspended_and_registration_refused(im, refused):
    soon = im.service.today() + timedelta(days=10)
    user = im.intermediary(valid_until=soon)
    assert im.service.check_qualifications() == (1, 0)
    assert im.service.check_qualifications() == (0, 0)  # noticed once
    im.clock.advance(days=11)
    assert im.service.check_qualifications() == (0, 1)
    kinds = [n.kind for n in im.db.scalars(sa.select(Notice).where(
        Notice.org_id == user.organisation_id))]
    assert "line_expiring" in kinds and "line_suspended" in kinds
    purchase = im.purchase()
    refused("qualification_expired", im.service.register, purchase, user=user,
            actor=actor_for(user))


def test_registration_refusals(im, refused):
    purchase_for_avoid = im.purchase_input()
    avoided = im.intermediary()
    purchase = im.purchase(avoid=(avoided.organisation.credit_code,))
    assert purchase_for_avoid.method is SelectionMethod.RANDOM
    pending = im.intermediary(active=False)
    other_type = im.service.add_service_type(code="OTHER", name="环境影响评价",
                                             actor=actor_for(im.center))
    unqualified = im.intermediary(service_type=other_type)
    suspended = im.intermediary()
    im.service.record_credit_event(suspended.organisation, kind=CreditEventKind.FAILED_TO_SIGN,
                                   note="未按时签约", actor=actor_for(im.center))
    liar = im.intermediary()
    im.service.record_credit_event(liar.organisation, kind=CreditEventKind.FALSE_MATERIALS,
                                   note="资质证书造假", actor=actor_for(im.center))
    for user, code in ((avoided, "avoidance"), (pending, "not_active"),
                       (unqualified, "no_qualification"), (suspended, "suspended"),
                       (liar, "blacklisted")):
        refused(code, im.service.register, purchase, user=user, actor=actor_for(user))
    assert purchase.registrations == []
    late = im.intermediary()
    im.clock.set(purchase.registration_deadline)
    refused("wrong_stage" if purchase.status is not P.REGISTRATION
            else "registration_closed", im.service.register, purchase, user=late,
            actor=actor_for(late))


def test_counts_hidden_until_the_deadline(im, refused):
    purchase = im.purchase()
    im.register(purchase, im.intermediary())
    assert not im.service.counts_visible_to(purchase, im.owner)
    assert im.service.counts_visible_to(purchase, im.center)
    im.clock.set(purchase.registration_deadline)
    assert im.service.counts_visible_to(purchase, im.owner)


def test_random_selection_decline_redraw_confirm_contract_result_rating(im, refused):
    firms = [im.intermediary() for _ in range(4)]
    purchase = im.purchase()
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    assert purchase.status is P.SELECTING
    (draw,) = im.service.draws_of(purchase)
    assert draw.status == "committed" and len(draw.candidates) == 4
    im.to_selection(purchase)
    assert purchase.status is P.SELECTED
    assert verify_record(im.service.draws.record_of(draw)).valid
    first = next(u for u in firms if u.organisation_id == purchase.selected_org_id)
    others = [u for u in firms if u is not first]
    refused("not_selected", im.service.confirm, purchase, user=others[0],
            actor=actor_for(others[0]))
    im.service.decline(purchase, user=first, reason="人员不足", actor=actor_for(first))
    assert purchase.status is P.SELECTED and purchase.selected_org_id != first.organisation_id
    assert draw.follow_ups and draw.follow_ups[0]["declined"] == [str(first.organisation_id)]
    assert verify_record(im.service.draws.record_of(draw)).valid
    event = im.db.scalar(sa.select(CreditRecord).where(
        CreditRecord.org_id == first.organisation_id))
    assert event.kind is CreditEventKind.UNJUSTIFIED_DECLINE
    im.service.waive_credit_event(event, reason="业主认可人员不足的理由",
                                  actor=actor_for(im.owner))
    assert im.service.sanction_of(first.organisation_id) is None

    second = next(u for u in firms if u.organisation_id == purchase.selected_org_id)
    im.service.confirm(purchase, user=second, actor=actor_for(second))
    assert purchase.status is P.CONTRACT_UPLOAD
    im.service.upload_contract(purchase, user=second, filename="合同.pdf",
                               content_type="application/pdf", stream=io.BytesIO(b"%PDF c"),
                               actor=actor_for(second))
    refused("purchase_invalid", im.service.review_contract, purchase, valid=False,
            reason="", actor=actor_for(im.owner))
    im.service.review_contract(purchase, valid=False, reason="金额与公告不符",
                               actor=actor_for(im.owner))
    assert purchase.status is P.CONTRACT_UPLOAD
    im.service.upload_contract(purchase, user=second, filename="合同v2.pdf",
                               content_type="application/pdf", stream=io.BytesIO(b"%PDF c2"),
                               actor=actor_for(second))
    im.service.review_contract(purchase, valid=True, reason="", actor=actor_for(im.owner))
    im.service.upload_result(purchase, user=second, filename="预算书.pdf",
                             content_type="application/pdf", stream=io.BytesIO(b"%PDF r"),
                             actor=actor_for(second))
    im.service.accept_result(purchase, actor=actor_for(im.owner))
    assert purchase.status is P.SERVICE_FINISHED
    scores = {"quality": 5, "timeliness": 4, "attitude": 5, "fee_compliance": 5}
    refused("invalid_rating", im.service.rate, purchase,
            scores={**scores, "quality": 6}, comment="", actor=actor_for(im.owner))
    refused("invalid_rating", im.service.rate, purchase,
            scores={"quality": 5}, comment="", actor=actor_for(im.owner))
    rating = im.service.rate(purchase, scores=scores, comment="按时高质", actor=actor_for(im.owner))
    assert rating.score == "93.75" and purchase.status is P.EVALUATED
    assert im.service.credit_of(second.organisation_id) == rating_decimal("93.75")


def rating_decimal(text):
    from decimal import Decimal

    return Decimal(text)


def test_rating_after_the_window_is_refused(im, refused):
    purchase = _finished(im)
    im.clock.advance(days=30)
    refused("rating_window_closed", im.service.rate, purchase,
            scores={"quality": 5, "timeliness": 5, "attitude": 5, "fee_compliance": 5},
            comment="", actor=actor_for(im.owner))
    assert purchase.status is P.SERVICE_FINISHED


def _finished(im):
    firms = [im.intermediary() for _ in range(3)]
    purchase = im.purchase()
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    im.to_selection(purchase)
    winner = next(u for u in firms if u.organisation_id == purchase.selected_org_id)
    im.service.confirm(purchase, user=winner, actor=actor_for(winner))
    im.service.upload_contract(purchase, user=winner, filename="c.pdf", content_type="",
                               stream=io.BytesIO(b"c"), actor=actor_for(winner))
    im.service.review_contract(purchase, valid=True, reason="", actor=actor_for(im.owner))
    im.service.upload_result(purchase, user=winner, filename="r.pdf", content_type="",
                             stream=io.BytesIO(b"r"), actor=actor_for(winner))
    im.service.accept_result(purchase, actor=actor_for(im.owner))
    return purchase


def test_decline_after_the_confirmation_deadline_is_refused_and_lapses(im, refused):
    firms = [im.intermediary() for _ in range(4)]
    purchase = im.purchase()
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    im.to_selection(purchase)
    winner = next(u for u in firms if u.organisation_id == purchase.selected_org_id)
    im.clock.set(purchase.confirm_deadline + timedelta(seconds=1))
    refused("decline_window_closed", im.service.decline, purchase, user=winner,
            reason="太忙", actor=actor_for(winner))
    assert purchase.selected_org_id == winner.organisation_id
    im.service.advance(purchase)  # the lapse is a decline without an accepted reason
    assert purchase.selected_org_id not in (None, winner.organisation_id)
    assert im.service.sanction_of(winner.organisation_id) is not None


def test_too_few_registrants_fails_and_republishes(im, refused):
    purchase = im.purchase()
    im.register(purchase, im.intermediary(), im.intermediary())  # state funds need 3
    im.to_deadline(purchase)
    assert purchase.status is P.EXPIRED
    copy = im.db.scalar(sa.select(Purchase).where(Purchase.republished_from_id == purchase.id))
    assert copy.status is P.REGISTRATION and copy.title == purchase.title
    assert copy.registration_deadline > im.clock()


def test_purchase_bad_input(im, refused):
    refused("method_not_allowed", im.service.create_purchase, im.owner.organisation,
            im.purchase_input(method=SelectionMethod.LOWEST_PRICE,
                              amount_mode=im.purchase_input().amount_mode, fixed_fen=1000,
                              base_fen=None, highest_fen=None), actor=actor_for(im.owner))
    refused("direct_selection_refused", im.service.create_purchase,
            im.owner.organisation, im.purchase_input(method=SelectionMethod.DIRECT,
                                                     fixed_fen=60_000_00),
            actor=actor_for(im.owner))
    purchase = im.purchase(publish=False, registration_deadline=im.clock() + timedelta(days=1),
                           selection_time=im.clock() + timedelta(days=2))
    refused("registration_period_too_short", im.service.submit_purchase, purchase,
            actor=actor_for(im.owner))
    assert purchase.status is P.DRAFT


def test_center_suspends_reinstates_and_removes_an_entry(im, refused):
    user = im.intermediary()
    entry = im.service.entry_of(user.organisation_id)
    center = actor_for(im.center)
    refused("entry_invalid", im.service.change_entry_status, entry, action="suspend",
            reason=" ", actor=center)
    refused("not_editable", im.service.change_entry_status, entry, action="reinstate",
            reason="已整改", actor=center)
    im.service.change_entry_status(entry, action="suspend", reason="投诉调查中", actor=center)
    purchase = im.purchase()
    refused("suspended", im.service.register, purchase, user=user, actor=actor_for(user))
    im.service.change_entry_status(entry, action="reinstate", reason="调查结束", actor=center)
    im.service.register(purchase, user=user, actor=actor_for(user))
    im.service.change_entry_status(entry, action="exit", reason="主动申请退出", actor=center)
    assert entry.status is EntryStatus.EXITED
    refused("not_editable", im.service.change_entry_status, entry, action="reinstate",
            reason="x", actor=center)


def test_a_suspended_line_is_renewed_by_its_own_firm_only(im, refused):
    user = im.intermediary(valid_until=im.service.today() + timedelta(days=1))
    other = im.intermediary()
    im.clock.advance(days=3)
    im.service.check_qualifications()
    line = im.service.entry_of(user.organisation_id).lines[0]
    assert line.suspended_at is not None
    later = im.service.today() + timedelta(days=365)
    refused("not_permitted", im.service.renew_line, line, certificate_no="Z-2",
            valid_until=later, actor=actor_for(other))
    refused("entry_invalid", im.service.renew_line, line, certificate_no="Z-2",
            valid_until=im.service.today() - timedelta(days=1), actor=actor_for(user))
    im.service.renew_line(line, certificate_no="Z-2", valid_until=later, actor=actor_for(user))
    assert line.suspended_at is None
    purchase = im.purchase()
    im.service.register(purchase, user=user, actor=actor_for(user))
