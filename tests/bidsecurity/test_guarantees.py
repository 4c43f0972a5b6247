"""Electronic guarantees (电子保函, issue #20 point 3): applied for through the provider,
verified by its signature, sealed to the opening key like a bid, checked at the opening,
released after the award or contract, claimed only on an approved forfeiture."""

import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from bidsecurity_support import SECURITY, open_bids, open_world, submit_bid
from factories import actor_for

from bid_crypto import PublicKey, seal_stream
from bid_crypto.receipts import SigningKey
from trading.audit.models import AuditEvent
from trading.bidding.models import LineStatus, Opening, OpeningKey, OpeningLine
from trading.bidsecurity import rules as r
from trading.bidsecurity.bank import sign
from trading.bidsecurity.guarantees import GuaranteeRefused
from trading.bidsecurity.models import (
    Guarantee,
    GuaranteeApplication,
    Refund,
    RefundStatus,
    SecurityCheck,
    SecurityStatus,
)
from trading.bidsecurity.tasks import make_due_claims, make_due_refunds
from trading.errors import DeadlinePassed, NotPermitted
from trading.projects.status import ProjectStatus

EITHER = {**SECURITY, "security.form": "either"}
REQUIRED = 2_000_000  # 2 % of the factory lot's budget


@pytest.fixture
def gworld(dbsession, clock, settings, registry, bank, simbank, provider):
    world = open_world(dbsession, clock, settings, registry, bank, simbank, params=EITHER)
    world.provider = provider
    return world


def service(world):
    return world.service().__class__(world.dbsession, world.clock, world.bank,
                                     world.provider)


def apply(world, bidder, lot=None):
    return service(world).apply_guarantee(
        world.project, lot or world.lot, org_id=bidder.organisation_id,
        actor=actor_for(bidder), notify_url="http://app/api/v1/bidsecurity/guarantees",
        return_url="http://app/projects/1/security")


def issued(world, simguarantor, bidder, **overrides):
    """The provider's signed document for the bidder's application, as (body, signature)."""
    application = apply(world, bidder)
    if not overrides:  # issued for real: the provider keeps it and can release it
        result = simguarantor.issue(application.number)
        return json.dumps(result["document"], ensure_ascii=False, sort_keys=True,
                          separators=(",", ":")).encode(), result["signature"]
    return simguarantor.document(simguarantor.application(application.number), **overrides)


def rows(world, model):
    return list(world.dbsession.scalars(sa.select(model).order_by(model.id)))


def test_apply_registers_with_the_provider_once(gworld, simguarantor):
    a = gworld.bidders[0]
    first = apply(gworld, a)
    assert apply(gworld, a).id == first.id
    assert first.pay_url.endswith(f"/apply/{first.number}")
    registered = simguarantor.application(first.number)
    assert registered["amount_fen"] == REQUIRED
    assert registered["beneficiary"] == gworld.project.owner.name
    assert registered["applicant_code"] == a.organisation.credit_code


def test_apply_is_refused_when_not_allowed(gworld, dbsession, clock, settings):
    from factories import make_user

    from trading.accounts.models import Role

    stranger = make_user(dbsession, clock, settings, role=Role.BIDDER)
    with pytest.raises(NotPermitted):
        apply(gworld, stranger)
    clock.set(gworld.project.bid_deadline)
    with pytest.raises(DeadlinePassed):
        apply(gworld, gworld.bidders[1])
    assert rows(gworld, GuaranteeApplication) == []


def test_a_deposit_only_lot_takes_no_guarantee(dbsession, clock, settings, registry, bank,
                                               simbank, provider):
    world = open_world(dbsession, clock, settings, registry, bank, simbank, bidders=1)
    world.provider = provider
    with pytest.raises(GuaranteeRefused):
        apply(world, world.bidders[0])
    assert rows(world, GuaranteeApplication) == []


def test_an_issued_guarantee_is_verified_and_sealed(gworld, simguarantor):
    a = gworld.bidders[0]
    body, signature = issued(gworld, simguarantor, a)
    answer = service(gworld).receive_guarantee(body, signature)
    assert (answer.status, answer.code) == (200, "recorded")
    [row] = rows(gworld, Guarantee)
    # Nothing in the row names the bidder before the opening.
    assert row.application_id is None and row.opened is None
    doc = json.loads(body)
    for secret in (doc["guarantee_no"], a.organisation.name, doc["application_no"],
                   a.organisation.credit_code):
        assert secret.encode() not in row.sealed
    assert row.lot_id == gworld.lot.id


@pytest.mark.parametrize("case", ["tampered", "other_key", "no_signature"])
def test_a_forged_guarantee_is_refused_and_nothing_stored(gworld, simguarantor, case):
    body, signature = issued(gworld, simguarantor, gworld.bidders[0])
    if case == "tampered":
        body = body.replace(f'"amount_fen":{REQUIRED}'.encode(),
                            f'"amount_fen":{REQUIRED * 10}'.encode())
    elif case == "other_key":
        signature = sign(SigningKey.generate(), body)
    else:
        signature = None
    answer = service(gworld).receive_guarantee(body, signature)
    assert (answer.status, answer.code) == (401, "bad_signature")
    assert rows(gworld, Guarantee) == []


def test_a_guarantee_for_another_lot_or_short_or_replayed_or_late_is_refused(
        gworld, simguarantor, dbsession, clock, settings, registry, bank, simbank, provider):
    a, b = gworld.bidders[:2]
    svc = service(gworld)
    other = open_world(dbsession, clock, settings, registry, bank, simbank, params=EITHER,
                       bidders=1)
    from trading.bidding.service import lot_ref, project_ref

    cases = {
        "wrong_lot": dict(project=project_ref(other.project)),
        "short_amount": dict(amount_fen=REQUIRED - 1),
        "wrong_applicant": dict(applicant_code="91350100MA0000000X"),
        "short_validity": dict(valid_until=gworld.project.bid_deadline.isoformat()),
    }
    for code, overrides in cases.items():
        answer = svc.receive_guarantee(*issued(gworld, simguarantor, a, **overrides))
        assert (answer.status, answer.code) == (422, code)
    answer = svc.receive_guarantee(*issued(gworld, simguarantor, a, lot="L9"))
    assert answer.code == "wrong_lot" and lot_ref(gworld.lot) == "L1"
    assert rows(gworld, Guarantee) == []
    good = issued(gworld, simguarantor, b)
    assert svc.receive_guarantee(*good).code == "recorded"
    assert (svc.receive_guarantee(*good).status, svc.receive_guarantee(*good).code) == \
        (409, "replay")
    assert len(rows(gworld, Guarantee)) == 1
    clock.set(gworld.project.bid_deadline)
    answer = svc.receive_guarantee(*issued(gworld, simguarantor, a))
    assert (answer.status, answer.code) == (422, "late")
    assert len(rows(gworld, Guarantee)) == 1
    refused = dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "bidsecurity.guarantee_refused")).all()
    assert len(refused) == 8
    assert all(a.organisation.name not in json.dumps(e.data, ensure_ascii=False)
               for e in refused)


def test_the_webhook_answers_codes_and_stores_nothing_on_refusal(gworld, simguarantor,
                                                                  testapp):
    from trading.bidsecurity.guarantee import SIGNATURE_HEADER

    body, signature = issued(gworld, simguarantor, gworld.bidders[0])
    gworld.dbsession.flush()
    bad = testapp.post("/api/v1/bidsecurity/guarantees", body,
                       headers={"Content-Type": "application/json",
                                SIGNATURE_HEADER: sign(SigningKey.generate(), body)},
                       status=401)
    assert bad.json["error"] == "bad_signature"
    garbage = testapp.post("/api/v1/bidsecurity/guarantees", b"{not json",
                           headers={SIGNATURE_HEADER: "x"}, status=401)
    assert garbage.json["error"] == "bad_signature"


def line_of(world, bidder) -> OpeningLine:
    opening = world.dbsession.scalar(sa.select(Opening).where(
        Opening.project_id == world.project.id))
    return next(line for line in world.dbsession.scalars(sa.select(OpeningLine).where(
        OpeningLine.opening_id == opening.id)) if line.bid.bidder_org_id ==
        bidder.organisation_id)


def test_the_opening_shows_deposits_and_guarantees(gworld, simguarantor):
    a, b, c = gworld.bidders
    for bidder in gworld.bidders:
        submit_bid(gworld, bidder)
    svc = service(gworld)
    assert svc.receive(*gworld.note(a)).code == "recorded"
    assert svc.receive_guarantee(*issued(gworld, simguarantor, b)).code == "recorded"
    open_bids(gworld)
    checks = {x.organisation_id: x for x in rows(gworld, SecurityCheck)}
    assert checks[a.organisation_id].status is SecurityStatus.SATISFIED
    assert checks[a.organisation_id].guarantee_id is None
    assert checks[b.organisation_id].status is SecurityStatus.SATISFIED
    assert checks[b.organisation_id].guarantee_id is not None
    assert checks[b.organisation_id].paid_fen == REQUIRED
    assert "电子保函" in checks[b.organisation_id].detail
    assert checks[c.organisation_id].status is SecurityStatus.MISSING
    assert "未提交有效的电子保函" in checks[c.organisation_id].detail
    assert line_of(gworld, c).status is LineStatus.INVALID
    messages = [x["message"] for x in line_of(gworld, b).anomalies]
    assert any("电子保函" in m for m in messages)
    [row] = rows(gworld, Guarantee)
    assert row.application.organisation_id == b.organisation_id
    refund = next(x for x in rows(gworld, Refund) if x.guarantee_id == row.id)
    # Two valid bids of three: the lot failed, so the guarantee is due for release now.
    assert gworld.project.status is ProjectStatus.FAILED
    assert refund.cause is r.RefundCause.LOST and refund.status is RefundStatus.DUE


def test_a_guarantee_sealed_by_the_platform_itself_counts_for_nothing(gworld, simguarantor):
    """The opening key is public: an operator could seal a document of his own into the
    table. The opening verifies the provider's signature again."""
    a = gworld.bidders[0]
    for bidder in gworld.bidders:
        submit_bid(gworld, bidder)
    application = apply(gworld, a)
    forger = SigningKey.generate()
    from trading.bidsecurity.simguarantor import SimGuarantor

    body, signature = SimGuarantor(forger, now=gworld.clock).document(
        simguarantor.application(application.number))
    key = gworld.dbsession.scalar(sa.select(OpeningKey).where(
        OpeningKey.project_id == gworld.project.id))
    payload = json.dumps({"body": body.decode(), "signature": signature}).encode()
    out = io.BytesIO()
    seal_stream(io.BytesIO(payload), out, PublicKey.from_json(key.public_key),
                project=f"P{gworld.project.id}", lot=f"L{gworld.lot.id}", bidder="GUARANTOR",
                chunk_size=4096)
    gworld.dbsession.add(Guarantee(received_at=gworld.clock(), project_id=gworld.project.id,
                                   lot_id=gworld.lot.id, number_sha256="0" * 64,
                                   sealed=out.getvalue()))
    gworld.dbsession.flush()
    open_bids(gworld)
    check = next(x for x in rows(gworld, SecurityCheck)
                 if x.organisation_id == a.organisation_id)
    assert check.status is SecurityStatus.MISSING and check.guarantee_id is None
    assert rows(gworld, Guarantee)[0].opened["rejected"] == "bad_signature"


def awarded(world, winner):
    from trading.award.models import Award

    award = Award(project_id=world.project.id, lot_id=world.lot.id,
                  winner_org_id=winner.organisation_id, price_fen=80_000_000,
                  method="rank_one", order=[winner.organisation_id], declined=[],
                  decided_at=world.clock())
    world.dbsession.add(award)
    world.dbsession.flush()
    service(world).schedule_refunds(world.project, "awarded")
    return award


def _all_guaranteed(world, simguarantor):
    for bidder in world.bidders:
        submit_bid(world, bidder)
        assert service(world).receive_guarantee(
            *issued(world, simguarantor, bidder)).code == "recorded"
    open_bids(world)
    return {x.organisation_id: x for x in rows(world, Refund)}


def test_guarantees_are_released_after_the_contract_once(gworld, simguarantor):
    refunds = _all_guaranteed(gworld, simguarantor)
    winner = gworld.bidders[0]
    award = awarded(gworld, winner)
    assert make_due_refunds() == {"made": 0, "failed": 0}  # 招投标: after the contract
    gworld.clock.advance(days=10)
    award.contract_signed_at = gworld.clock()
    service(gworld).schedule_refunds(gworld.project, "contracted")
    assert make_due_refunds() == {"made": 3, "failed": 0}, [x.last_error for x in refunds.values()]
    assert make_due_refunds() == {"made": 0, "failed": 0}
    assert {x.status for x in refunds.values()} == {RefundStatus.REFUNDED}
    assert {x.interest_fen for x in refunds.values()} == {0}
    assert refunds[winner.organisation_id].cause is r.RefundCause.WON
    provided = simguarantor.guarantees()
    assert [g["status"] for g in provided] == ["released"] * 3
    assert [g["orders"] for g in provided] == [1] * 3


def test_a_guarantee_is_claimed_only_after_an_approved_forfeiture(gworld, simguarantor):
    from factories import make_user

    from trading.accounts.models import Role

    refunds = _all_guaranteed(gworld, simguarantor)
    winner = gworld.bidders[0]
    awarded(gworld, winner)
    refund = refunds[winner.organisation_id]
    svc = service(gworld)
    center = make_user(gworld.dbsession, gworld.clock, gworld.settings, role=Role.CENTER)
    supervisor = make_user(gworld.dbsession, gworld.clock, gworld.settings,
                           role=Role.SUPERVISOR)
    item = svc.propose_forfeiture(refund, ground="refused_contract",
                                  statement="中标人书面表示放弃中标，拒绝签订合同。",
                                  actor=actor_for(center))
    assert refund.status is RefundStatus.HELD
    with pytest.raises(GuaranteeRefused):
        svc.claim(refund)  # proposed, not approved: nothing is claimed
    assert make_due_claims() == {"claimed": 0, "failed": 0}
    svc.decide_forfeiture(item, approve=True, note="拒签属实，依第七十四条不予退还。",
                          actor=actor_for(supervisor))
    assert make_due_claims() == {"claimed": 1, "failed": 0}
    assert make_due_claims() == {"claimed": 0, "failed": 0}
    assert refund.status is RefundStatus.FORFEITED and refund.claimed
    statuses = {g["status"] for g in simguarantor.guarantees()}
    assert "claimed" in statuses
    from trading.bidsecurity.service import refund_label

    assert refund_label(refund) == "已索赔"


def test_a_bidder_applies_by_buttons_and_the_provider_delivers(gworld, simguarantor,
                                                               testapp):
    import re

    import webtest

    from trading.bidsecurity.guarantee import SIGNATURE_HEADER

    bidder = gworld.bidders[1]
    testapp.login(bidder.username)
    page = testapp.get(f"/projects/{gworld.project.id}/security")
    assert "申请电子保函" in page.text and "模拟担保机构" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    action = next(a for a in re.findall(r'action="([^"]+)"', page.text)
                  if "/security/guarantee" in a)
    answer = testapp.post(action.replace("http://localhost:6543", ""),
                          {"csrf_token": token}, status=303)
    application = service(gworld).application_of(gworld.lot, bidder.organisation_id)
    # Back on the platform's page (a browser refuses a form post redirected to another
    # origin under form-action 'self'), whose link leads to the provider.
    assert answer.location.endswith(f"/projects/{gworld.project.id}/security")
    assert application.pay_url in answer.follow().text
    # On the provider's own site: its page, its button.
    site = webtest.TestApp(simguarantor.wsgi)
    offer = site.get(f"/apply/{application.number}")
    assert "支付保费并出具保函" in offer.text and bidder.organisation.name in offer.text
    done = offer.forms[0].submit()
    assert "电子投标保函已出具" in done.text and "返回交易平台" in done.text
    [(url, body, headers)] = simguarantor.delivered
    assert url == "http://localhost:6543/api/v1/bidsecurity/guarantees"
    delivered = testapp.post("/api/v1/bidsecurity/guarantees", body, headers={
        "Content-Type": "application/json", SIGNATURE_HEADER: headers[SIGNATURE_HEADER]})
    assert delivered.json["result"] == "recorded"
    page = testapp.get(f"/projects/{gworld.project.id}/security")
    assert application.number in page.text and "前往担保机构办理" in page.text
    assert "开标前平台（包括交易中心）无法查看谁已提交保函" in page.text
    spec = testapp.get("/api/v1/openapi.json").json
    assert "/api/v1/bidsecurity/guarantees" in spec["paths"]
    assert any(p.endswith("/security/guarantee") for p in spec["paths"])


def test_a_malformed_or_stale_guarantee_is_refused(gworld, simguarantor):
    long_number = issued(gworld, simguarantor, gworld.bidders[0], guarantee_no="B" * 35)
    answer = service(gworld).receive_guarantee(*long_number)
    assert (answer.status, answer.code) == (400, "malformed")
    stale = issued(gworld, simguarantor, gworld.bidders[0],
                   sent_at=(gworld.clock() - timedelta(hours=1)).isoformat())
    assert service(gworld).receive_guarantee(*stale).code == "stale"
    assert rows(gworld, Guarantee) == []
