"""A draw's frozen candidate list proves itself against the transparency log (issue #17
pt 4): every registration (报名) is logged when it happens, the closing-date exclusions by
entries of their own, the freeze signs a checkpoint and names each candidate's entry, and an
outsider with the pinned log key checks that the list is exactly the pool logged before it."""

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from factories import actor_for

from bid_crypto import logset as outsider
from bid_crypto import tlog
from trading.actor import Actor
from trading.audit import logset, merkle
from trading.draws.services import DrawService, NotLogged
from trading.intermediaries.rules import CreditEventKind
from trading.intermediaries.service import org_ref, pool_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pooled(im):
    firms = [im.intermediary() for _ in range(5)]
    purchase = im.purchase()
    im.register(purchase, *firms)
    # Sanctioned after registering: the closing-date re-check excludes it, by an entry.
    im.service.record_credit_event(firms[4].organisation, kind=CreditEventKind.FAILED_TO_SIGN,
                                   note="未按时签约", actor=actor_for(im.center))
    im.to_deadline(purchase)
    (draw,) = im.service.draws_of(purchase)
    doc = im.service.draws.pool_doc(draw)
    log_key = merkle.log_verifier(im.registry["keys"], im.settings)
    return im, purchase, firms, draw, doc, log_key


def _relisted(doc, ids):
    """The record rebuilt with another candidate list (hash recomputed, as a platform
    rewriting its own record would)."""
    bad = copy.deepcopy(doc)
    by_id = {c["id"]: c for c in doc["candidates"]}
    bad["candidates"] = [by_id.get(i, {"id": i}) for i in ids]
    bad["candidate_list_hash"] = hashlib.sha256(outsider.canonical(bad["candidates"])).hexdigest()
    return bad


def refused(doc, log_key, *words):
    with pytest.raises(outsider.SetRefused) as caught:
        outsider.check(doc, log_key)
    for word in words:
        assert word in str(caught.value), str(caught.value)
    return str(caught.value)


def test_the_frozen_list_names_each_registration_and_the_exclusion(pooled):
    im, purchase, firms, draw, doc, log_key = pooled
    ids = [org_ref(u.organisation_id) for u in firms]
    assert [c["id"] for c in draw.candidates] == sorted(ids[:4])
    body, _ = tlog.open_checkpoint(doc["log"]["checkpoint"]["checkpoint"], log_key)
    assert body.size == draw.log_size
    members = {m["id"]: m["index"] for m in draw.log_entries["members"]}
    assert sorted(members) == sorted(ids[:4])
    assert [e["id"] for e in draw.log_entries["excluded"]] == [ids[4]]
    entries = logset.entries(im.db, pool_key(purchase), draw.log_size)
    # five registrations as they happened, then the exclusion at the close
    assert [(e.member, e.kind, e.event.data["cause"]) for e in entries] == [
        *((i, "in", "registered") for i in ids), (ids[4], "out", "suspended")]
    assert all(e.index < draw.log_size for e in entries)
    # the entries carry no user or IP: they are published with the list
    assert all(e.event.actor_user_id is None and e.event.ip == "" for e in entries)
    report = outsider.check(doc, log_key)
    assert report.members == sorted(ids[:4]) and report.excluded == [ids[4]]


def test_a_candidate_left_out_is_named(pooled):
    im, _purchase, firms, _draw, doc, log_key = pooled
    gone = doc["candidates"][1]["id"]
    bad = _relisted(doc, [c["id"] for c in doc["candidates"] if c["id"] != gone])
    refused(bad, log_key, gone, "not in the frozen candidate list", "left out")
    bad["log"]["members"] = [m for m in bad["log"]["members"] if m["id"] != gone]
    refused(bad, log_key, f"{gone} was left out", "puts it in")
    # hiding its entry too breaks the set's numbering
    bad["log"]["entries"] = [e for e in bad["log"]["entries"]
                             if json.loads(e["entry"])["data"]["member"] != gone]
    refused(bad, log_key, "is missing from the record", "left out")


def test_a_candidate_added_without_an_entry_is_named(pooled):
    _im, _purchase, firms, _draw, doc, log_key = pooled
    bad = _relisted(doc, [*(c["id"] for c in doc["candidates"]), "999999"])
    refused(bad, log_key, "candidate 999999", "added without an entry")
    bad["log"]["members"].append({"id": "999999", "index": doc["log"]["entries"][0]["index"]})
    refused(bad, log_key, "999999 is listed as member without an entry",
            "added without an entry")
    # the excluded one put back in: its last entry takes it out
    out = doc["log"]["excluded"][0]
    back = _relisted(doc, [*(c["id"] for c in doc["candidates"]), out["id"]])
    back["log"]["members"].append(out)
    back["log"]["excluded"] = []
    refused(back, log_key, out["id"], "takes it out")


def test_an_entry_after_the_checkpoint_does_not_count(pooled):
    im, purchase, firms, draw, doc, log_key = pooled
    latecomer = im.intermediary()
    event = logset.append(im.db, pool_key(purchase), org_ref(latecomer.organisation_id),
                          logset.IN, now=im.clock(), cause="registered")
    cp = merkle.drain(im.db, im.registry["keys"], im.settings, now=im.clock())
    leaf = merkle.leaf_of_event(im.db, event.seq)
    assert leaf.idx >= draw.log_size
    bad = _relisted(doc, [*(c["id"] for c in doc["candidates"]),
                          org_ref(latecomer.organisation_id)])
    bad["log"]["members"].append({"id": org_ref(latecomer.organisation_id), "index": leaf.idx})
    bad["log"]["entries"].append({
        "index": leaf.idx, "entry": merkle.leaf_data(event).decode(),
        "proof": [tlog.b64(h) for h in merkle.inclusion(im.db, leaf.idx, cp.size)]})
    refused(bad, log_key, f"index {leaf.idx}", "after the checkpoint")
    # the server's own record is unchanged by the later entry, and still checks
    assert outsider.check(im.service.draws.pool_doc(draw), log_key).members == sorted(
        c["id"] for c in doc["candidates"])


def test_a_proof_for_another_tree_size_is_refused(pooled):
    im, _purchase, _firms, draw, doc, log_key = pooled
    merkle.sequence(im.db, im.registry["keys"], im.settings, now=im.clock())
    from trading.audit.service import record

    record(im.db, Actor.system("test"), "logset.entry", "t", 1, now=im.clock())
    bigger = merkle.drain(im.db, im.registry["keys"], im.settings, now=im.clock())
    assert bigger.size > draw.log_size
    bad = copy.deepcopy(doc)
    entry = bad["log"]["entries"][0]
    entry["proof"] = [tlog.b64(h) for h in merkle.inclusion(im.db, entry["index"], bigger.size)]
    entry["size"] = bigger.size
    refused(bad, log_key, f"for a tree of {bigger.size} entries",
            f"the checkpoint has {draw.log_size}")
    del entry["size"]
    refused(bad, log_key, f"index {entry['index']}", "another tree size")


def test_a_checkpoint_under_another_key_or_a_rewritten_entry_is_refused(pooled):
    _im, _purchase, _firms, _draw, doc, log_key = pooled
    stranger = tlog.NoteSigner(log_key.name, tlog.generate_seed()).verifier
    with pytest.raises(tlog.ProofError):
        outsider.check(doc, stranger)
    bad = copy.deepcopy(doc)
    row = json.loads(bad["log"]["entries"][0]["entry"])
    row["data"]["cause"] = "approved"
    bad["log"]["entries"][0]["entry"] = json.dumps(row, ensure_ascii=False)
    refused(bad, log_key, "does not lead to the root")


def test_freezing_a_list_that_is_not_the_logged_pool_is_refused(im):
    draws = DrawService(im.db, im.clock, im.registry["keys"])
    now = im.clock()
    for member in ("a", "b", "c"):
        logset.append(im.db, "test:pool", member, logset.IN, now=now, cause="registered")
    logset.append(im.db, "test:pool", "c", logset.OUT, now=now, cause="avoidance")
    kw = dict(purpose="p", subject_type="t", subject_id=1, count=1, rule="r",
              actor=actor_for(im.center), log_set="test:pool")
    with pytest.raises(NotLogged) as caught:
        draws.freeze(candidates=[{"id": "a"}, {"id": "c"}], **kw)
    assert "c 没有入库记录" in caught.value.message and "b 不在名单中" in caught.value.message
    draw = draws.freeze(candidates=[{"id": "a"}, {"id": "b"}], **kw)
    assert [m["id"] for m in draw.log_entries["members"]] == ["a", "b"]
    assert [m["id"] for m in draw.log_entries["excluded"]] == ["c"]
    assert logset.problems(im.db, "test:pool", {"size": draw.log_size,
                                                **draw.log_entries}) == []


def test_outsider_checks_the_published_json_offline(pooled, tmp_path, testapp):
    _im, _purchase, _firms, draw, doc, log_key = pooled
    page = testapp.get(f"/draws/{draw.id}")
    assert f"/draws/{draw.id}/pool.json" in page.text and "verify-set" in page.text
    saved = tmp_path / "pool.json"
    saved.write_bytes(testapp.get(f"/draws/{draw.id}/pool.json").body)
    assert testapp.get(f"/api/v1/draws/{draw.id}/pool").json == json.loads(saved.read_text())

    def run(path):
        return subprocess.run([sys.executable, "-m", "bid_crypto", "verify-set", str(path),
                               "--log-key", log_key.vkey()], cwd=ROOT, capture_output=True,
                              text=True)

    done = run(saved)
    assert done.returncode == 0, done.stderr
    assert "exactly the set the log holds" in done.stdout
    gone = doc["candidates"][0]["id"]
    bad = _relisted(doc, [c["id"] for c in doc["candidates"] if c["id"] != gone])
    bad["log"]["members"] = [m for m in bad["log"]["members"] if m["id"] != gone]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    done = run(tmp_path / "bad.json")
    assert done.returncode != 0 and f"{gone} was left out" in done.stderr, done.stderr


def test_a_draw_not_frozen_from_a_pool_has_no_pool_proof(im, testapp):
    draws = DrawService(im.db, im.clock, im.registry["keys"])
    draw = draws.freeze(purpose="p", subject_type="t", subject_id=1, count=1, rule="r",
                        candidates=[{"id": "a"}, {"id": "b"}], actor=actor_for(im.center))
    im.db.flush()
    assert testapp.get(f"/api/v1/draws/{draw.id}/pool", status=404).json["error"] == "not_pooled"
    testapp.get(f"/draws/{draw.id}/pool.json", status=404)


def test_audit_verify_names_a_draw_whose_list_was_rewritten(pooled):
    from trading.draws.services import draw_log_problems

    im, _purchase, _firms, draw, _doc, _log_key = pooled
    assert draw_log_problems(im.db) == []
    entries = copy.deepcopy(draw.log_entries)
    gone = entries["members"].pop(0)
    draw.log_entries = entries
    im.db.flush()
    problems = draw_log_problems(im.db)
    assert any(f"{gone['id']}: entry at index {gone['index']}" in p and "left out" in p
               for p in problems), problems


def test_entries_appended_in_one_go_number_and_chain_as_one_at_a_time(im):
    """append_many (a draw's pool of dozens) takes the set's numbers and lock in one row
    update: its entries read exactly as `append`'s would, continuing the set's chain."""
    now = im.clock()
    first = logset.append(im.db, "test:many", "a", logset.IN, now=now, cause="registered")
    many = logset.append_many(im.db, "test:many", [
        logset.Put("b", logset.IN, "registered"),
        logset.Put("a", logset.OUT, "avoidance", {"reasons": ["relative"]})], now=now)
    last = logset.append(im.db, "test:many", "c", logset.IN, now=now, cause="registered")
    chain = [first, *many, last]
    assert [e.data["n"] for e in chain] == [1, 2, 3, 4]
    assert [e.data["prev"] for e in chain] == [None, *(e.seq for e in chain[:-1])]
    assert many[1].data["reasons"] == ["relative"] and many[1].data["kind"] == logset.OUT
    assert logset.append_many(im.db, "test:many", [], now=now) == []
    with pytest.raises(ValueError):
        logset.append_many(im.db, "test:many", [logset.Put("d", "maybe", "x")], now=now)
    assert logset.current_members(im.db, "test:many") == {"b", "c"}
    fresh = logset.append_many(im.db, "test:fresh", [logset.Put("x", logset.IN, "r"),
                                                     logset.Put("y", logset.IN, "r")], now=now)
    assert [(e.data["n"], e.data["prev"]) for e in fresh] == [(1, None), (2, fresh[0].seq)]
