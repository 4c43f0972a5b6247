"""The server never receives a final offer or final quote in clear (issue #15 point 1).

Every path that once took a typed amount and sealed it on the server — the 终次报价 page and
API, the 磋商 最后报价 page and API — is tried with an amount in clear, as a bidder's old
client or a hand-made request would send it: each is refused with a clear message and
nothing is kept (no envelope, no receipt, no audit row, no file in storage).
"""

import pytest
import sqlalchemy as sa
from award.test_consultation_api import consult, quotes_started  # noqa: F401 - fixture
from award.test_final_offer_pages import login_as, token
from factories import actor_for

from trading.audit.models import AuditEvent
from trading.rounds.models import FinalOfferParty

AMOUNT = "1234567.89"


def kept(w):
    w.dbsession.flush()
    files = sorted(p.name for p in w.registry["storage"].root.rglob("*") if p.is_file())
    return (w.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq))),
            w.dbsession.scalars(sa.select(FinalOfferParty.envelope_sha256)).all(), files)


def _final_offer_round(w):
    final_round = w.offers().start(w.project, w.lot, floor_fen=None, actor=actor_for(w.center))
    w.clock.set(final_round.eligibility_ends_at)
    return final_round


@pytest.mark.parametrize("how", ["page", "api"])
def test_a_final_offer_in_clear_is_refused_and_nothing_is_kept(testapp, award_world, how):
    w = award_world
    final_round = _final_offer_round(w)
    bidder = w.bidders[0]
    url = f"/projects/{w.project.id}/final-offer/{final_round.id}/offer"
    if how == "page":
        login_as(testapp, w, bidder)
        csrf = testapp.get_csrf_token(f"/projects/{w.project.id}/final-offer")
        before = kept(w)
        for fields in ({"amount": AMOUNT}, {"amount": AMOUNT, "envelope": AMOUNT}):
            page = testapp.post(url, {"csrf_token": csrf, **fields}, status=400)
            assert "平台不接收未加密的报价" in page.text
    else:
        api = f"/api/v1/projects/{w.project.id}/final-offer/{final_round.id}/offer"
        headers = token(w, bidder)
        before = kept(w)
        refused = testapp.post_json(api, {"amount": AMOUNT}, headers=headers, status=400).json
        assert refused["error"] == "plaintext_refused"
        form = testapp.post(api, {"amount": AMOUNT}, headers=headers, status=400).json
        assert form["error"] == "plaintext_refused"
    assert kept(w) == before
    # The same bidder's sealed offer is still its first and only one.
    assert w.submit_offer(final_round, bidder, 1_200_000_00).envelope_sha256


@pytest.mark.parametrize("how", ["page", "api"])
def test_a_final_quote_in_clear_is_refused_and_nothing_is_kept(testapp, consult, how):  # noqa: F811
    w = consult
    quotes_started(testapp, w)
    supplier = w.bidders[0]
    if how == "page":
        login_as(testapp, w, supplier)
        page = f"/projects/{w.project.id}/consultation/lots/{w.lot.id}/final-quote"
        csrf = testapp.get_csrf_token(page)
        before = kept(w)
        refused = testapp.post(page, {"csrf_token": csrf, "amount": AMOUNT}, status=400)
        assert "平台不接收未加密的报价" in refused.text
    else:
        api = f"/api/v1/projects/{w.project.id}/consultation/lots/{w.lot.id}/final-quote"
        headers = token(w, supplier)
        before = kept(w)
        refused = testapp.post_json(api, {"amount": AMOUNT}, headers=headers, status=400).json
        assert refused["error"] == "plaintext_refused"
    assert kept(w) == before
