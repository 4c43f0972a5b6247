"""The final-offer pages and API: start, join, offer, refusals shown, reveal published."""

import json

import pytest
import sqlalchemy as sa
from award_support import FLOOR
from factories import actor_for
from webtest import Upload

from trading.accounts.service import AccountService
from trading.audit.models import AuditEvent
from trading.bidding.service import bidder_ref
from trading.jobs import chronograph, leases


def login_as(testapp, world, user):
    testapp.reset()
    testapp.set_cookie("trading_auth", AccountService(world.dbsession, world.clock,
                                                      world.settings).start_session(user, ip=""))


def token(world, user) -> dict:
    secret = AccountService(world.dbsession, world.clock, world.settings).create_api_token(
        user, "t", actor_for(user))[1]
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def page(award_world):
    return f"/projects/{award_world.project.id}/final-offer"


def test_center_starts_and_bidders_offer_through_the_pages(testapp, award_world, page):
    w = award_world
    login_as(testapp, w, w.center)
    form = testapp.get(page).forms["start-1"]
    form["floor"] = "500000.00"
    form.submit().follow()
    final_round = w.offers().rounds(w.project)[0]
    assert final_round.floor_fen == FLOOR
    w.clock.set(final_round.eligibility_ends_at)
    bidder = w.bidders[0]
    login_as(testapp, w, bidder)
    text = testapp.get(page).text
    assert "加密并提交" in text and final_round.public_key not in text
    form = testapp.get(page).forms[f"offer-{final_round.id}"]
    assert "amount" not in form.fields  # the typed amount never leaves the browser
    refused = form.submit(status=400)  # no script, no envelope: told how to seal offline
    assert "平台不接收未加密的报价" in refused.text and "离线加密" in refused.text
    assert final_round.parties[0].envelope_sha256 is None
    form = testapp.get(page).forms[f"offer-{final_round.id}"]
    form["envelope"] = Upload("offer.tbid", w.seal_offer(final_round, bidder, 1_200_000_00))
    shown = form.submit().follow()
    assert "已密封提交" in shown.text
    receipt = testapp.get(f"{page}/{final_round.id}/receipt.json").json
    assert receipt["lot"] == f"L1.FO{final_round.id}"
    w.clock.set(final_round.ends_at)
    chronograph.sweep_kind("project")
    testapp.reset()
    public = testapp.get(page).text  # anonymous: the result is public
    assert "竞得入选人" in public and "1,200,000.00" in public


def test_the_api_describes_and_refuses_precisely(testapp, award_world):
    w = award_world
    base = f"/api/v1/projects/{w.project.id}/final-offer"
    started = testapp.post_json(f"{base}/lots/{w.lot.id}/start", {"floor": "500000"},
                                headers=token(w, w.center), status=201).json
    assert started["phase"] == "eligibility" and len(started["parties"]) == 5
    bidder = token(w, w.bidders[0])
    final_round = w.offers().rounds(w.project)[0]
    envelope = w.seal_offer(final_round, w.bidders[0], 1_300_000_00)
    early = testapp.post(f"{base}/{started['id']}/offer", headers=bidder,
                         upload_files=[("envelope", "fo.tbid", envelope)], status=409).json
    assert early["error"] == "window_not_open"
    w.clock.set(final_round.eligibility_ends_at)
    clear = testapp.post_json(f"{base}/{started['id']}/offer", {"amount": "1000000"},
                              headers=bidder, status=400).json
    assert clear["error"] == "plaintext_refused" and clear["field"] == "envelope"
    made = testapp.post(f"{base}/{started['id']}/offer", headers=bidder,
                        upload_files=[("envelope", "fo.tbid", envelope)], status=201).json
    assert made["receipt"]["bidder"] == bidder_ref(w.bidders[0].organisation_id)
    again = testapp.post(f"{base}/{started['id']}/offer", headers=bidder,
                         upload_files=[("envelope", "fo.tbid", envelope)], status=409).json
    assert again["error"] == "already_submitted"
    listing = testapp.get(base, headers=bidder).json["items"][0]
    assert listing["mine"]["submitted"] is True and listing["parties"][0]["amount_fen"] is None
    w.clock.set(final_round.ends_at)
    w.advance()
    decided = testapp.get(base).json["items"][0]
    assert decided["result"]["winner"] == made["receipt"]["bidder"]
    assert json.loads(testapp.get(f"/projects/{w.project.id}/final-offer/{started['id']}"
                                  "/round.pub").body)["key_id"] == final_round.key_id


def test_the_center_reveals_by_hand_once_the_window_is_over(testapp, award_world, page):
    """No worker ran the chronograph: the center's button runs the same step, once."""
    w = award_world
    final_round = w.offers().start(w.project, w.lot, floor_fen=FLOOR, actor=actor_for(w.center))
    w.clock.set(final_round.eligibility_ends_at)
    w.submit_offer(final_round, w.bidders[0], 1_200_000_00)
    login_as(testapp, w, w.center)
    assert f"reveal-{final_round.id}" not in testapp.get(page).forms
    token = testapp.get_csrf_token(page)
    early = testapp.post(f"{page}/{final_round.id}/reveal", {"csrf_token": token}, status=409)
    assert "报价期尚未结束" in early.text and final_round.state.value != "decided"
    w.clock.set(final_round.ends_at)
    login_as(testapp, w, w.center)  # the window outlasts the idle timeout
    form = testapp.get(page).forms[f"reveal-{final_round.id}"]
    with leases.held(f"advance-project-{w.project.id}"):  # a worker is at it right now
        busy = form.submit(status=409)
    assert "平台正在解密" in busy.text and final_round.state.value != "decided"
    shown = form.submit().follow()
    assert "终次报价已全部解密" in shown.text and "竞得入选人" in shown.text
    assert final_round.state.value == "decided"
    assert f"reveal-{final_round.id}" not in shown.forms
    again = form.submit(status=409)
    assert "本轮终次报价已揭示" in again.text
    asked = w.dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "final_offer.reveal_by_hand")).all()
    assert [e.actor_user_id for e in asked] == [w.center.id]  # the refusals left none


def test_the_api_reveals_by_hand_once_and_only_after_the_window(testapp, award_world):
    w = award_world
    final_round = w.offers().start(w.project, w.lot, floor_fen=FLOOR, actor=actor_for(w.center))
    w.clock.set(final_round.eligibility_ends_at)
    w.submit_offer(final_round, w.bidders[2], 1_300_000_00)
    url = f"/api/v1/projects/{w.project.id}/final-offer/{final_round.id}/reveal"
    center = token(w, w.center)
    assert testapp.post(url, headers=center, status=409).json["error"] == "window_not_open"
    w.clock.set(final_round.ends_at)
    with leases.held(f"advance-project-{w.project.id}"):
        busy = testapp.post(url, headers=center, status=409).json
    assert busy["error"] == "reveal_in_progress"
    revealed = testapp.post(url, headers=center, status=200).json
    assert revealed["phase"] == "decided"
    assert revealed["result"]["winner"] == bidder_ref(w.bidders[2].organisation_id)
    assert testapp.post(url, headers=center, status=409).json["error"] == "award_refused"
