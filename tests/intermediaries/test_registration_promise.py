"""A 中介超市 registrant holds the log's signed promise for its registration (issue #17 pt 4),
like a bid receipt's: the entry, its leaf hash, the time and the maximum merge delay. With
it `python -m bid_crypto verify-set pool.json --promise` shows its registration in the frozen
pool, or proves it left out — a registration the platform promised and never put in the
pool is no longer the registrant's word against the platform's."""

import json
from datetime import timedelta

import pytest
from factories import actor_for
from set_attacks import EXIT_REFUSED

from bid_crypto import cli, tlog
from bid_crypto import logset as outsider
from trading.audit import logset, merkle
from trading.intermediaries.rules import CreditEventKind
from trading.intermediaries.service import org_ref, pool_key


@pytest.fixture
def pooled(im):
    firms = [im.intermediary() for _ in range(5)]
    purchase = im.purchase()
    im.register(purchase, *firms)
    promises = {f.organisation_id: im.service.registration_promise(purchase, f.organisation_id)
                for f in firms}
    im.service.record_credit_event(firms[4].organisation, kind=CreditEventKind.FAILED_TO_SIGN,
                                   note="未按时签约", actor=actor_for(im.center))
    im.to_deadline(purchase)
    (draw,) = im.service.draws_of(purchase)
    doc = im.service.draws.pool_doc(draw)
    log_key = merkle.log_verifier(im.registry["keys"], im.settings)
    return im, purchase, firms, promises, doc, log_key


def verify(tmp_path, capsys, doc, promise, key) -> tuple[int, str]:
    (tmp_path / "pool.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "promise.json").write_text(json.dumps(promise, ensure_ascii=False),
                                           encoding="utf-8")
    capsys.readouterr()
    code = cli.main(["verify-set", str(tmp_path / "pool.json"), "--log-key", key.vkey(),
                     "--promise", str(tmp_path / "promise.json")])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_each_registrant_finds_its_promised_entry_in_the_pool(pooled, tmp_path, capsys):
    _im, _purchase, firms, promises, doc, log_key = pooled
    promise = promises[firms[0].organisation_id]
    opened = tlog.open_promise(promise["promise"], log_key)
    assert opened.mmd > 0 and tlog.leaf_hash(promise["entry"].encode()) == opened.leaf
    code, out = verify(tmp_path, capsys, doc, promise, log_key)
    assert code == 0, out
    assert f"({org_ref(firms[0].organisation_id)}, entry 1 of the set)" in out
    assert "a member of the frozen list" in out
    # the one the deadline re-check excluded: in the pool's entries, taken out with a reason
    code, out = verify(tmp_path, capsys, doc, promises[firms[4].organisation_id], log_key)
    assert code == 0 and "taken out by a later entry" in out, out


def test_a_promised_registration_the_pool_leaves_out_is_proven(pooled, tmp_path, capsys):
    im, purchase, _firms, _promises, doc, log_key = pooled
    # The platform promised this registration before the freeze but kept its entry out of
    # the pool (sequenced only after the checkpoint): the registrant's promise says so.
    swallowed = im.intermediary()
    frozen = doc["frozen_at"]
    logset.append(im.db, pool_key(purchase), org_ref(swallowed.organisation_id), logset.IN,
                  now=im.clock() - timedelta(days=3), cause="registered")
    promise = im.service.registration_promise(purchase, swallowed.organisation_id)
    code, out = verify(tmp_path, capsys, doc, promise, log_key)
    assert code == EXIT_REFUSED, out
    assert "left out" in out and f"before the list was frozen at {frozen}" in out
    # a pool that numbers another registration where the promise put this one
    entry = json.loads(promise["entry"])
    entry["data"]["n"] = 2
    forged = dict(promise, entry=json.dumps(entry, ensure_ascii=False))
    forged["promise"] = tlog.sign_promise(
        tlog.Promise(log_key.name, entry["seq"], tlog.leaf_hash(forged["entry"].encode()),
                     tlog.open_promise(promise["promise"], log_key).time, 60),
        merkle.log_signer(im.registry["keys"], im.settings))
    code, out = verify(tmp_path, capsys, doc, forged, log_key)
    assert code == EXIT_REFUSED and "the pool's entry 2" in out and "is another" in out, out


def test_a_promise_that_is_not_the_logs_is_refused(pooled, tmp_path, capsys):
    _im, _purchase, firms, promises, doc, log_key = pooled
    promise = dict(promises[firms[0].organisation_id])
    stranger = tlog.NoteSigner(log_key.name, tlog.generate_seed()).verifier
    code, out = verify(tmp_path, capsys, doc, promise, stranger)
    assert code == EXIT_REFUSED and "not signed by the pinned key" in out, out
    entry = json.loads(promise["entry"])
    entry["data"]["member"] = "777777"
    promise["entry"] = json.dumps(entry, ensure_ascii=False)
    with pytest.raises(outsider.SetRefused, match="not the one its leaf hash names"):
        outsider.check_promise(doc, promise, log_key)


def test_the_registrant_downloads_its_promise_and_no_one_elses(im, testapp):
    firm, other = im.intermediary(), im.intermediary()
    purchase = im.purchase()
    im.register(purchase, firm)
    testapp.login(firm.username)
    page = testapp.get(f"/supermarket/purchases/{purchase.id}")
    url = f"/supermarket/purchases/{purchase.id}/registration-promise.json"
    assert url in page.text
    doc = testapp.get(url).json
    assert doc["member"] == org_ref(firm.organisation_id) and doc["set"] == pool_key(purchase)
    assert json.loads(doc["entry"])["data"]["cause"] == "registered"
    testapp.reset()
    testapp.login(other.username)
    assert "没有记入审计日志的报名" in testapp.get(url, status=404).text
