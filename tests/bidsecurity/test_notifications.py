"""Requirement, sub-accounts and the bank's signed notification (rules §10.1, §10.4).

Every bad notification gets its code, changes nothing else, and is itself stored."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from bidsecurity_support import SECURITY, open_world, post_note
from factories import actor_for, make_user

from bid_crypto.receipts import SigningKey
from trading import errors
from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.bidsecurity import rules as r
from trading.bidsecurity.models import (
    BankNotification,
    Disposition,
    Refund,
    RefundStatus,
    SubAccount,
)
from trading.bidsecurity.service import requirement_of
from trading.bidsecurity.simbank import SimBank


def rows(world, model):
    return list(world.dbsession.scalars(sa.select(model).order_by(model.id)))


def test_requirement_comes_from_the_rule_profile(world):
    req = requirement_of(world.project, world.lot)
    assert req.form is r.SecurityForm.DEPOSIT
    assert req.base_fen == 100_000_000 and req.required_fen == 2_000_000  # 2 % of 100 万
    assert req.deadline == world.project.bid_deadline and req.on_missing == "invalid"


def test_a_profile_above_the_cap_is_refused(world):
    world.project.rule_profile.params = {**SECURITY, "security.rate": "0.03"}
    with pytest.raises(r.AboveStatutoryCap):
        requirement_of(world.project, world.lot)


def test_sub_account_is_per_bidder_and_lot_and_stable(world):
    a, b = world.bidders[:2]
    first = world.sub_account(a)
    assert world.sub_account(a).id == first.id
    other = world.sub_account(b)
    assert other.number != first.number and len(first.number) == 18


def test_sub_account_needs_a_sign_up_and_the_time_before_the_deadline(world):
    stranger = make_user(world.dbsession, world.clock, world.settings, role=Role.BIDDER)
    with pytest.raises(errors.NotPermitted):
        world.sub_account(stranger)
    world.clock.set(world.project.bid_deadline)
    with pytest.raises(errors.DeadlinePassed):
        world.sub_account(world.bidders[0])
    assert rows(world, SubAccount) == []


def test_a_lot_without_deposit_gives_no_sub_account(world):
    world.project.rule_profile.params = {**SECURITY, "security.form": "none"}
    with pytest.raises(errors.DomainError) as refused:
        world.sub_account(world.bidders[0])
    assert refused.value.code == "sub_account_refused"


def test_bad_account_numbers_are_refused(world):
    bidder = world.bidders[0]
    with pytest.raises(errors.DomainError) as refused:
        world.service().add_account(bidder.organisation_id, account_no="12ab",
                                    account_name="甲", bank_name="乙",
                                    actor=actor_for(bidder))
    assert refused.value.code == "account_invalid"
    with pytest.raises(errors.Conflict):
        world.service().add_account(bidder.organisation_id,
                                    account_no=world.accounts[bidder.id], account_name="甲",
                                    bank_name="乙", actor=actor_for(bidder))


# -- the webhook -----------------------------------------------------------------------------

def test_a_good_payment_is_recorded_sealed(world, testapp, use_bank):
    bidder = world.bidders[0]
    body, signature = world.note(bidder)
    answer = post_note(testapp, body, signature, 200)
    assert answer["result"] == "recorded"
    (row,) = rows(world, BankNotification)
    assert row.disposition is Disposition.RECORDED and row.reason == ""
    assert row.lot_id == world.lot.id and row.sub_account_id is None and row.state is None
    assert row.body is None and row.opened is None and row.sealed
    # Nothing stored in plaintext names the payer, the account or the amount.
    name = bidder.organisation.name.encode()
    for needle in (name, world.accounts[bidder.id].encode(), b"2000000"):
        assert needle not in row.sealed
    events = world.dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "bidsecurity.notification")).all()
    assert events and all(bidder.organisation.name not in json.dumps(e.data, ensure_ascii=False)
                          for e in events)
    assert rows(world, Refund) == []


def _assert_rejected(world, code, count=1):
    stored = rows(world, BankNotification)
    assert len(stored) == count
    assert stored[-1].disposition is Disposition.REJECTED and stored[-1].reason == code
    assert stored[-1].serial_sha256 is None
    assert rows(world, Refund) == []


def test_bad_signature(world, testapp, use_bank):
    body, _ = world.note(world.bidders[0])
    forged = SimBank(SigningKey.generate(), ":memory:", now=world.clock)
    _, wrong = forged.notification(**json.loads(body))
    assert post_note(testapp, body, wrong, 401)["error"] == "bad_signature"
    _assert_rejected(world, "bad_signature")
    # the sealed copy still keeps the payer hidden
    assert rows(world, BankNotification)[0].sealed and rows(world, BankNotification)[0].body is None


def test_missing_or_garbled_signature(world, testapp, use_bank):
    body, _ = world.note(world.bidders[0])
    assert post_note(testapp, body, None, 401)["error"] == "bad_signature"
    assert post_note(testapp, body, "not base64!!", 401)["error"] == "bad_signature"
    _assert_rejected(world, "bad_signature", count=2)


def test_a_changed_amount_breaks_the_signature(world, testapp, use_bank):
    body, signature = world.note(world.bidders[0])
    tampered = body.replace(b'"amount_fen":2000000', b'"amount_fen":2000001')
    assert tampered != body
    assert post_note(testapp, tampered, signature, 401)["error"] == "bad_signature"
    _assert_rejected(world, "bad_signature")


def test_replay(world, testapp, use_bank):
    body, signature = world.note(world.bidders[0])
    post_note(testapp, body, signature, 200)
    assert post_note(testapp, body, signature, 409)["error"] == "replay"
    stored = rows(world, BankNotification)
    assert [s.disposition for s in stored] == [Disposition.RECORDED, Disposition.REJECTED]
    assert stored[1].reason == "replay"


def test_unknown_sub_account_is_recorded_and_sent_back(world, testapp, use_bank):
    body, signature = world.note(world.bidders[0], reference="950000000000000000")
    assert post_note(testapp, body, signature, 422)["error"] == "unknown_reference"
    (row,) = rows(world, BankNotification)
    assert row.disposition is Disposition.RECORDED and row.state is r.PaymentState.UNKNOWN_REFERENCE
    (refund,) = rows(world, Refund)
    assert refund.cause is r.RefundCause.NOT_COUNTED and refund.status is RefundStatus.DUE
    assert refund.principal_fen == 2_000_000 and refund.payee_account == world.accounts[
        world.bidders[0].id]


def test_wrong_amount_is_recorded_sealed_with_its_code(world, testapp, use_bank):
    body, signature = world.note(world.bidders[0], amount=1_999_999)
    assert post_note(testapp, body, signature, 422)["error"] == "short_amount"
    (row,) = rows(world, BankNotification)
    assert row.disposition is Disposition.RECORDED and row.sealed and row.reason == ""
    assert rows(world, Refund) == []  # reconciled, and refunded, from the opening


def test_wrong_payer_account(world, testapp, use_bank):
    body, signature = world.note(world.bidders[0], account="6222000099998888")
    assert post_note(testapp, body, signature, 422)["error"] == "wrong_account"
    assert rows(world, BankNotification)[0].sealed


def test_after_the_deadline_is_late_and_sent_back(world, testapp, use_bank):
    sub = world.sub_account(world.bidders[0])
    world.clock.set(world.project.bid_deadline + timedelta(minutes=1))
    body, signature = world.note(world.bidders[0], reference=sub.number)
    assert post_note(testapp, body, signature, 422)["error"] == "late_payment"
    (row,) = rows(world, BankNotification)
    assert row.state is r.PaymentState.LATE and row.sub_account_id == sub.id
    (refund,) = rows(world, Refund)
    assert refund.status is RefundStatus.DUE and refund.cause is r.RefundCause.NOT_COUNTED


def test_stale_and_malformed(world, testapp, use_bank):
    bidder = world.bidders[0]
    old = (world.clock() - timedelta(hours=1)).isoformat()
    body, signature = world.note(bidder, sent_at=old)
    assert post_note(testapp, body, signature, 400)["error"] == "stale"
    body, _ = world.note(bidder)
    data = json.loads(body)
    data["amount_fen"] = "2000000"
    bad = json.dumps(data).encode()
    assert post_note(testapp, bad, _sign(world, bad), 400)["error"] == "malformed"
    assert post_note(testapp, b"\xff not json", _sign(world, b"\xff not json"),
                     400)["error"] == "malformed"
    _assert_rejected(world, "malformed", count=3)


def _sign(world, body):
    from trading.bidsecurity.bank import sign

    return sign(world.simbank.key, body)


def test_without_a_configured_bank_nothing_is_accepted(world, testapp):
    body, signature = world.note(world.bidders[0])
    assert post_note(testapp, body, signature, 401)["error"] == "bad_signature"


def test_the_simulated_bank_delivers_to_the_webhook(world, testapp, use_bank):
    from bidsecurity_support import wsgi_poster

    world.simbank.notify_url = "http://platform/api/v1/bidsecurity/notifications"
    world.simbank.post = wsgi_poster(lambda environ, start: testapp.app(
        {**environ, **testapp.extra_environ}, start))
    sub = world.sub_account(world.bidders[1])
    paid = world.simbank.pay(reference=sub.number, amount_fen=2_000_000,
                             payer_name="乙", payer_account=world.accounts[world.bidders[1].id])
    assert paid["delivered"]["status"] == 200
    assert rows(world, BankNotification)[0].disposition is Disposition.RECORDED


def test_other_projects_do_not_share_sub_accounts(dbsession, clock, settings, registry, bank,
                                                  simbank):
    one = open_world(dbsession, clock, settings, registry, bank, simbank, bidders=1)
    numbers = {one.sub_account(one.bidders[0]).number}
    two = open_world(dbsession, clock, settings, registry, bank, simbank, bidders=1,
                     name="另一个项目")
    numbers.add(two.sub_account(two.bidders[0]).number)
    assert len(numbers) == 2
