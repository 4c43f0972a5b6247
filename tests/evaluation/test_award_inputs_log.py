"""An award's inputs prove themselves against the transparency log (issue #17 pt 4): the
locked report's candidates are logged with their rank, price and score when it locks, the
publicity signs a checkpoint when the inputs are fixed and names each one's entry, and an
outsider checks that the award was decided from exactly those inputs."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from evaluation.helpers import plain_marks, score_all, sitting_committee
from evaluation.test_scoring import chair_actor, sign_all, work

from bid_crypto import logset as outsider
from trading.audit import logset, merkle
from trading.award.inputs import inputs_key
from trading.award.service import AwardService

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fixed(evaluated):
    _, seated = sitting_committee(evaluated)
    score_all(evaluated, seated, plain_marks)
    chair = chair_actor(evaluated, seated)
    work(evaluated).evaluate(evaluated.project, evaluated.lot, actor=chair)
    report = work(evaluated).generate(evaluated.project, evaluated.lot, actor=chair)
    sign_all(evaluated, report, seated)
    awards = AwardService(evaluated.dbsession, evaluated.clock, evaluated.registry["keys"])
    doc = awards.inputs_doc(evaluated.project, evaluated.lot)
    log_key = merkle.log_verifier(evaluated.registry["keys"], evaluated.settings)
    return evaluated, awards, doc, log_key


def refused(doc, log_key, *words):
    with pytest.raises(outsider.SetRefused) as caught:
        outsider.check(doc, log_key)
    for word in words:
        assert word in str(caught.value), str(caught.value)


def test_the_publicity_names_each_input_logged_when_the_report_locked(fixed):
    w, awards, doc, log_key = fixed
    publicity = awards.publicity(w.project)
    stored = publicity.log_inputs[str(w.lot.id)]
    entries = logset.entries(w.dbsession, inputs_key(w.lot.id), stored["size"])
    assert [e.event.data["cause"] for e in entries] == ["report_locked"] * 3
    assert sorted(m["id"] for m in stored["members"]) == sorted(i["id"] for i in doc["inputs"])
    assert [i["rank"] for i in doc["inputs"]] == [1, 2, 3]
    report = outsider.check(doc, log_key)
    assert len(report.members) == 3 and report.excluded == []


def test_an_input_dropped_added_or_changed_between_evaluation_and_award_is_named(fixed):
    _w, _awards, doc, log_key = fixed
    dropped = copy.deepcopy(doc)
    gone = dropped["inputs"].pop(1)["id"]
    refused(dropped, log_key, gone, "dropped")
    added = copy.deepcopy(doc)
    added["inputs"].append({"id": "B999999", "rank": 4, "price_fen": 1, "score": "99.00"})
    refused(added, log_key, "B999999", "added without an entry")
    cheaper = copy.deepcopy(doc)
    cheaper["inputs"][0]["price_fen"] -= 100
    refused(cheaper, log_key, cheaper["inputs"][0]["id"], "price_fen", "differs")
    reranked = copy.deepcopy(doc)
    reranked["inputs"][0]["rank"], reranked["inputs"][1]["rank"] = 2, 1
    refused(reranked, log_key, "rank", "differs")


def test_an_input_entry_after_the_checkpoint_or_a_proof_for_another_size_is_refused(fixed):
    w, _awards, doc, log_key = fixed
    late = logset.append(w.dbsession, inputs_key(w.lot.id), "B424242", logset.IN,
                         now=w.clock(), cause="report_locked", rank=1, price_fen=1,
                         score="100.00")
    cp = merkle.drain(w.dbsession, w.registry["keys"], w.settings, now=w.clock())
    leaf = merkle.leaf_of_event(w.dbsession, late.seq)
    bad = copy.deepcopy(doc)
    bad["inputs"].append({"id": "B424242", "rank": 1, "price_fen": 1, "score": "100.00"})
    bad["log"]["members"].append({"id": "B424242", "index": leaf.idx})
    bad["log"]["entries"].append({"index": leaf.idx, "entry": merkle.leaf_data(late).decode(),
                                  "proof": [merkle.tlog.b64(h) for h in
                                            merkle.inclusion(w.dbsession, leaf.idx, cp.size)]})
    refused(bad, log_key, "after the checkpoint")
    other = copy.deepcopy(doc)
    first = other["log"]["entries"][0]
    first["proof"] = [merkle.tlog.b64(h) for h in
                      merkle.inclusion(w.dbsession, first["index"], cp.size)]
    first["size"] = cp.size
    refused(other, log_key, f"for a tree of {cp.size} entries")


def test_a_publicity_whose_candidates_are_not_the_logged_inputs_is_refused(fixed):
    from trading.award.errors import AwardRefused

    w, awards, _doc, _log_key = fixed
    publicity = awards.publicity(w.project)
    changed = [dict(c) for c in publicity.candidates]
    changed[0]["price_fen"] -= 100
    with pytest.raises(AwardRefused, match="审计日志"):
        awards._fix_inputs(w.project, changed, w.clock())


def test_the_award_page_links_the_inputs_and_the_cli_checks_them(fixed, testapp, tmp_path):
    w, _awards, doc, log_key = fixed
    page = testapp.get(f"/projects/{w.project.id}/award")
    url = f"/projects/{w.project.id}/award/lots/{w.lot.id}/inputs.json"
    assert url in page.text and "verify-set" in page.text
    saved = tmp_path / "inputs.json"
    saved.write_bytes(testapp.get(url).body)
    assert json.loads(saved.read_text())["inputs"] == doc["inputs"]
    done = subprocess.run([sys.executable, "-m", "bid_crypto", "verify-set", str(saved),
                           "--log-key", log_key.vkey()], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    bad = copy.deepcopy(doc)
    bad["inputs"][0]["score"] = "99.99"
    saved.write_text(json.dumps(bad, ensure_ascii=False))
    done = subprocess.run([sys.executable, "-m", "bid_crypto", "verify-set", str(saved),
                           "--log-key", log_key.vkey()], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode != 0 and "score" in done.stderr and "differs" in done.stderr
