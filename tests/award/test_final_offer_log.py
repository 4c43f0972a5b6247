"""A final-offer round's decision proves its inputs against the transparency log (issue #17
pt 4): each sealed offer is logged when it is submitted (its envelope's hash and receive
time, never the amount), the end of the window signs a checkpoint, and the decision names
each offer's entry; an outsider with the pinned log key checks offers.json offline."""

import copy
import json

import pytest
import sqlalchemy as sa
from award_support import FLOOR
from factories import actor_for
from set_attacks import check_all_refused, late_entry, with_first_proof

from bid_crypto import logset as outsider
from trading.audit import logset, merkle
from trading.audit.models import AuditEvent
from trading.bidding.service import bidder_ref
from trading.jobs import chronograph
from trading.rounds.errors import OffersNotLogged
from trading.rounds.models import RoundState
from trading.rounds.service import offers_key, sealed_round_log_problems

UNIT = 10_000_000


@pytest.fixture
def decided(award_world):
    w = award_world
    final_round = w.offers().start(w.project, w.lot, floor_fen=FLOOR,
                                   actor=actor_for(w.center))
    w.clock.set(final_round.eligibility_ends_at)
    w.advance()
    for bidder, amount in zip(w.bidders, (10, 13, 14, 15, 16), strict=True):
        w.submit_offer(final_round, bidder, amount * UNIT)
    # the entries as they stand before the window ends (not yet in the tree)
    submitted_log = list(w.dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_type == logset.SUBJECT,
        AuditEvent.subject_id == offers_key(final_round))))
    w.clock.set(final_round.ends_at)
    assert chronograph.sweep_kind("project") >= 1
    assert final_round.state is RoundState.DECIDED
    doc = w.offers().offers_doc(w.project, final_round)
    log_key = merkle.log_verifier(w.registry["keys"], w.settings)
    return w, final_round, doc, log_key, submitted_log


def test_the_decision_names_each_offers_entry(decided):
    w, final_round, doc, log_key, submitted_log = decided
    offered = sorted(bidder_ref(b.organisation_id) for b in w.bidders)
    fixed = final_round.result["log"]
    assert sorted(m["id"] for m in fixed["members"]) == offered and fixed["excluded"] == []
    # logged at submission: envelope and time, no amount (sealed until the reveal)
    assert len(submitted_log) == 5
    for event in submitted_log:
        assert "amount_fen" not in event.data and "price_fen" not in event.data
        assert event.data["envelope_sha256"] and event.data["cause"] == "submitted"
    report = outsider.check(doc, log_key)
    assert report.members == offered
    assert doc["award"]["winner"] in offered
    assert {i["id"]: i["amount_fen"] for i in doc["inputs"]}[doc["award"]["winner"]] == 14 * UNIT


def test_every_attack_on_offers_json_is_refused_with_its_reason(decided, tmp_path, capsys):
    w, final_round, doc, log_key, _ = decided
    late = late_entry(w.dbsession, w.registry["keys"], w.settings, offers_key(final_round),
                      "B999999", w.clock, envelope_sha256="0" * 64,
                      received_at=doc["inputs"][0]["received_at"])
    check_all_refused(doc, with_first_proof(w.dbsession, doc, late), log_key, tmp_path, capsys)


def test_another_envelope_or_an_unlogged_winner_is_named(decided):
    _w, _round, doc, log_key, _ = decided
    bad = copy.deepcopy(doc)
    bad["inputs"][0]["envelope_sha256"] = "f" * 64
    with pytest.raises(outsider.SetRefused, match="envelope_sha256 .* differs from its logged"):
        outsider.check(bad, log_key)
    bad = copy.deepcopy(doc)
    bad["award"]["winner"] = "B424242"
    with pytest.raises(outsider.SetRefused, match="the award counts B424242"):
        outsider.check(bad, log_key)


def test_a_round_whose_offers_are_not_the_logged_ones_is_not_decided(award_world):
    w = award_world
    final_round = w.offers().start(w.project, w.lot, floor_fen=None,
                                   actor=actor_for(w.center))
    w.clock.set(final_round.eligibility_ends_at)
    w.advance()
    for bidder, amount in zip(w.bidders[:3], (10, 13, 14), strict=True):
        w.submit_offer(final_round, bidder, amount * UNIT)
    # an operator swaps one party's envelope for another after its entry was logged
    party = final_round.parties[0]
    party.envelope_sha256 = "e" * 64
    with pytest.raises(OffersNotLogged, match=bidder_ref(party.bidder_org_id)):
        w.offers()._fix_offers(final_round, w.clock())


def test_audit_verify_names_a_round_whose_offers_were_rewritten(decided):
    w, final_round, _doc, _log_key, _ = decided
    assert sealed_round_log_problems(w.dbsession) == []
    result = copy.deepcopy(final_round.result)
    gone = result["log"]["members"].pop(0)
    final_round.result = result
    party = final_round.parties[1]
    party.envelope_sha256 = "d" * 64
    w.dbsession.flush()
    problems = sealed_round_log_problems(w.dbsession)
    assert any(gone["id"] in p and "left out" in p for p in problems), problems
    assert any(f"offer of {bidder_ref(party.bidder_org_id)} differs" in p
               for p in problems), problems


def test_the_round_page_links_the_proof(decided, testapp):
    w, final_round, doc, log_key, _ = decided
    page = testapp.get(f"/projects/{w.project.id}/final-offer")
    url = f"/projects/{w.project.id}/final-offer/{final_round.id}/offers.json"
    assert url in page.text and log_key.vkey() in page.text
    assert json.loads(testapp.get(url).body) == json.loads(json.dumps(doc))
