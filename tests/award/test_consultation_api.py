"""The 竞争性磋商 JSON API and pages: rounds, changes, sessions, withdrawal, the sealed
final quote, the reveal — and every refusal with its code, nothing changed."""

import pytest
import sqlalchemy as sa
from award.test_final_offer_pages import login_as, token
from webtest import Upload

from trading.audit.models import AuditEvent
from trading.projects.kinds import ProcurementMethod, ProjectType
from trading.projects.status import ProjectStatus
from trading.rounds.service import round_ref

WAN = 1_000_000


@pytest.fixture
def consult(award_world_factory):
    return award_world_factory(bids=4, project_type=ProjectType.GOVERNMENT_PROCUREMENT,
                               procurement_method=ProcurementMethod.COMPETITIVE_CONSULTATION)


def base(w) -> str:
    return f"/api/v1/projects/{w.project.id}/consultation"


def lot(w) -> str:
    return f"{base(w)}/lots/{w.lot.id}"


def quote(testapp, w, i, amount, **kw):
    """Supplier i's final quote as its client sends it: sealed, the .tbid only."""
    envelope = w.seal_offer(w.offers().round_for(w.lot), w.bidders[i], amount)
    return testapp.post(f"{lot(w)}/final-quote", headers=token(w, w.bidders[i]),
                        upload_files=[("envelope", "q.tbid", envelope)], **kw)


def quotes_started(testapp, w, *, withdraw=(3,)):
    center = token(w, w.center)
    testapp.post_json(f"{lot(w)}/rounds", {}, headers=center, status=201)
    testapp.post_json(f"{lot(w)}/changes", {"text": "服务期调整为两年。"}, headers=center,
                      status=201)
    testapp.post_json(f"{lot(w)}/sessions", {"org_id": w.bidders[0].organisation_id,
                                             "text": "就服务方案逐项磋商。"}, headers=center,
                      status=201)
    testapp.post_json(f"{lot(w)}/rounds/close", {}, headers=center)
    for i in withdraw:
        testapp.post_json(f"{lot(w)}/withdraw", {"reason": "不能满足变更后的需求"},
                          headers=token(w, w.bidders[i]))
    return testapp.post_json(f"{lot(w)}/final-quotes", {}, headers=center, status=201).json


def test_the_api_drives_a_consultation_to_its_revealed_quotes(testapp, consult):
    w = consult
    state = quotes_started(testapp, w)
    item = state["lots"][0]
    assert item["withdrawn"] == [w.bidders[3].organisation_id] and len(item["suppliers"]) == 3
    assert item["final_quotes"]["phase"] == "open"
    seen = testapp.get(base(w), headers=token(w, w.bidders[1])).json["lots"][0]
    notes = [n for r in seen["rounds"] for n in r["notes"]]
    assert [n["kind"] for n in notes] == ["change"]  # another supplier's minutes stay hidden
    for i, amount in enumerate((75 * WAN, 72 * WAN, 80 * WAN)):
        made = quote(testapp, w, i, amount, status=201).json
        assert made["receipt"]["lot"] == round_ref(w.offers().round_for(w.lot))
    open_state = testapp.get(base(w)).json["lots"][0]["final_quotes"]
    assert {p["amount_fen"] for p in open_state["parties"]} == {None}  # sealed until the end
    w.clock.set(w.offers().round_for(w.lot).ends_at)
    w.advance()
    revealed = testapp.get(base(w)).json["lots"][0]
    assert revealed["guard"] == {"valid": 3, "minimum": 3, "proceed": True}
    assert sorted(p["amount_fen"] for p in revealed["final_quotes"]["parties"]) == [
        72 * WAN, 75 * WAN, 80 * WAN]
    assert "/consultation" in testapp.get("/api/v1/openapi.json").text


def test_each_refusal_has_its_code_and_changes_nothing(testapp, consult):
    w = consult
    quotes_started(testapp, w)
    final_round = w.offers().round_for(w.lot)
    withdrawn = quote(testapp, w, 3, 70 * WAN, status=409).json
    assert withdrawn["error"] == "supplier_withdrawn"
    clear = testapp.post_json(f"{lot(w)}/final-quote", {"amount": "700000"},
                              headers=token(w, w.bidders[0]), status=400).json
    assert clear["error"] == "plaintext_refused" and clear["field"] == "envelope"
    envelope = w.seal_offer(final_round, w.bidders[0], 70 * WAN)
    for tampered, status, code in ((envelope[:64], 422, "not_an_envelope"),  # no header
                                   (envelope[:-16], 422, "envelope_incomplete")):  # cut short
        cut = testapp.post(f"{lot(w)}/final-quote", headers=token(w, w.bidders[0]),
                           upload_files=[("envelope", "q.tbid", tampered)], status=status).json
        assert cut["error"] == code
    assert final_round.parties[0].envelope_sha256 is None
    testapp.post(f"{lot(w)}/final-quote", headers=token(w, w.bidders[0]),
                 upload_files=[("envelope", "q.tbid", envelope)], status=201)
    twice = quote(testapp, w, 0, 70 * WAN, status=409).json
    assert twice["error"] == "already_submitted"
    w.clock.set(final_round.ends_at)
    late = quote(testapp, w, 1, 70 * WAN, status=409).json
    assert late["error"] == "window_closed" and final_round.parties[1].envelope_sha256 is None


def test_a_flipped_byte_is_caught_at_the_reveal(testapp, consult):
    w = consult
    quotes_started(testapp, w)
    final_round = w.offers().round_for(w.lot)
    envelope = bytearray(w.seal_offer(final_round, w.bidders[0], 70 * WAN))
    envelope[-40] ^= 0x01  # inside the sealed payload: only decryption can tell
    testapp.post(f"{lot(w)}/final-quote", headers=token(w, w.bidders[0]),
                 upload_files=[("envelope", "q.tbid", bytes(envelope))], status=201)
    w.clock.set(final_round.ends_at)
    w.advance()
    quote = next(q for q in final_round.result["quotes"] if q["amount_fen"] is None
                 and q["problem"])
    assert quote["excluded"] == "no_quote"


def test_too_few_suppliers_is_refused_then_terminated(testapp, consult):
    w = consult
    center = token(w, w.center)
    for bidder in w.bidders[:2]:
        testapp.post_json(f"{lot(w)}/withdraw", {}, headers=token(w, bidder))
    few = testapp.post_json(f"{lot(w)}/final-quotes", {}, headers=center, status=409).json
    assert few["error"] == "too_few_suppliers" and w.offers().round_for(w.lot) is None
    empty = testapp.post_json(f"{base(w)}/terminate", {"reason": ""}, headers=center,
                              status=400).json
    assert empty["field"] == "reason" and w.project.status is ProjectStatus.EVALUATION
    done = testapp.post_json(f"{base(w)}/terminate", {"reason": "参加磋商的供应商不足3家"},
                             headers=center).json
    assert done["status"] == "failed"


def test_the_pages_give_the_consultation_its_own_final_quote(testapp, consult):
    w = consult
    quotes_started(testapp, w)
    page = f"/projects/{w.project.id}/consultation"
    login_as(testapp, w, w.bidders[0])
    hall = testapp.get(page)
    assert "提交最后报价" in hall.text and "就服务方案逐项磋商" in hall.text
    form = hall.click(description="提交最后报价").forms["quote"]
    assert "amount" not in form.fields  # sealed in the browser; nothing typed is posted
    refused = form.submit(status=400)
    assert "平台不接收未加密的报价" in refused.text
    form = refused.forms["quote"]
    final_round = w.offers().round_for(w.lot)
    form["envelope"] = Upload("q.tbid", w.seal_offer(final_round, w.bidders[0], 75 * WAN))
    assert "已密封提交" in form.submit().follow().text
    login_as(testapp, w, w.bidders[1])
    assert "就服务方案逐项磋商" not in testapp.get(page).text  # not its minutes
    final_page = testapp.get(f"/projects/{w.project.id}/final-offer")
    assert final_page.status_int == 303 and final_page.location.endswith(page)


def test_the_center_reveals_once_the_window_has_ended_never_before(testapp, consult):
    """No worker took the deadline: the center's reveal runs the chronograph's own step."""
    w = consult
    quotes_started(testapp, w)
    center = token(w, w.center)
    for i, amount in enumerate((75 * WAN, 72 * WAN, 80 * WAN)):
        quote(testapp, w, i, amount, status=201)
    early = testapp.post_json(f"{lot(w)}/final-quotes/reveal", {}, headers=center, status=409)
    assert early.json["error"] == "window_not_open"
    assert early.json["message"] == "最后报价截止后才能解密"
    assert testapp.get(base(w)).json["lots"][0]["final_quotes"]["phase"] == "open"
    testapp.post_json(f"{lot(w)}/final-quotes/reveal", {}, headers=token(w, w.bidders[0]),
                      status=403)
    w.clock.set(w.offers().round_for(w.lot).ends_at)
    page = f"/projects/{w.project.id}/consultation"
    login_as(testapp, w, w.center)
    hall = testapp.get(page)
    assert "立即解密最后报价" in hall.text
    revealed = hall.forms["reveal-1"].submit().follow()
    assert "有效最后报价3家" in revealed.text and "reveal-1" not in revealed.text
    again = testapp.post_json(f"{lot(w)}/final-quotes/reveal", {}, headers=center, status=409)
    assert again.json["message"] == "最后报价已解密"
    actions = w.dbsession.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.like("final_quote.reveal%"))).all()
    assert actions == ["final_quote.revealed"]  # once, by the chronograph's step
    asked = w.dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "final_offer.reveal_by_hand")).all()
    assert [(e.actor_user_id, e.data["purpose"]) for e in asked] == [(w.center.id,
                                                                       "final_quote")]
