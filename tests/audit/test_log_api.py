"""The log's proofs as an outsider fetches them: the API (no sign-in), the CLI, and the
checks bid_crypto.tlog makes of what they return."""


import pytest

from bid_crypto import tlog
from trading.actor import Actor
from trading.audit import merkle
from trading.audit.service import record

ACTOR = Actor(7, "center1", 3, "center", "192.0.2.9", "req-1")


def logged(dbsession, clock, registry, settings, n):
    events = [record(dbsession, ACTOR, "test.logged", "thing", i, now=clock())
              for i in range(n)]
    cp = merkle.sequence(dbsession, registry["keys"], settings, now=clock())
    return events, cp


def _checked(doc, pinned):
    body, _ = tlog.open_checkpoint(doc["checkpoint"], pinned)
    assert body.size == doc["size"] and tlog.b64(body.root) == doc["root"]
    return body


def test_inclusion_proof_by_api_verifies_against_the_pinned_log_key(
        testapp, dbsession, clock, registry, settings):
    events, _ = logged(dbsession, clock, registry, settings, 3)
    pinned = merkle.log_verifier(registry["keys"], settings)
    latest = testapp.get("/api/v1/audit/log/checkpoint").json
    assert latest["log_key"] == pinned.vkey() and latest["size"] == 3
    doc = testapp.get("/api/v1/audit/log/inclusion", {"seq": events[1].seq}).json
    body = _checked(doc["checkpoint"], pinned)
    leaf = tlog.unb64(doc["leaf_hash"])
    assert leaf.hex() == events[1].hash
    tlog.verify_inclusion(doc["index"], doc["size"], leaf,
                          [tlog.unb64(p) for p in doc["proof"]], body.root)
    # The same proof claimed for another tree size does not lead to that tree's root.
    events2, _ = logged(dbsession, clock, registry, settings, 2)
    bigger = _checked(testapp.get("/api/v1/audit/log/checkpoint").json, pinned)
    with pytest.raises(tlog.ProofError):
        tlog.verify_inclusion(doc["index"], bigger.size, leaf,
                              [tlog.unb64(p) for p in doc["proof"]], bigger.root)
    older = testapp.get("/api/v1/audit/log/inclusion", {"seq": events[1].seq, "size": 3}).json
    assert older["proof"] == doc["proof"] and older["checkpoint"]["size"] == 3


def test_consistency_proof_by_api_and_a_rollback_refused(testapp, dbsession, clock, registry,
                                                         settings):
    logged(dbsession, clock, registry, settings, 3)
    logged(dbsession, clock, registry, settings, 3)
    pinned = merkle.log_verifier(registry["keys"], settings)
    doc = testapp.get("/api/v1/audit/log/consistency", {"old": 3}).json
    old, new = _checked(doc["old_checkpoint"], pinned), _checked(doc["checkpoint"], pinned)
    proof = [tlog.unb64(p) for p in doc["proof"]]
    tlog.verify_consistency(old.size, new.size, old.root, new.root, proof)
    # A witness that saw size 6 and is shown size 3 (a rollback) refuses it.
    with pytest.raises(tlog.ProofError, match="rollback"):
        tlog.verify_consistency(new.size, old.size, new.root, old.root, proof)
    refused = testapp.get("/api/v1/audit/log/consistency", {"old": 6, "new": 3}, status=400)
    assert refused.json["error"] == "proof_refused" and refused.json["field"] == "old"


@pytest.mark.parametrize("params, code", [
    ({}, "invalid"), ({"seq": "abc"}, "invalid"), ({"seq": "0"}, "invalid"),
])
def test_bad_proof_requests_are_a_clear_400(testapp, params, code):
    answer = testapp.get("/api/v1/audit/log/inclusion", params, status=400)
    assert answer.json["error"] == code and answer.json["field"] in ("seq",)


def test_a_queued_event_is_not_logged_yet_and_an_unknown_one_not_found(
        testapp, dbsession, clock, registry, settings):
    logged(dbsession, clock, registry, settings, 1)
    queued = record(dbsession, ACTOR, "test.logged", "thing", 9, now=clock())
    dbsession.flush()
    answer = testapp.get("/api/v1/audit/log/inclusion", {"seq": queued.seq}, status=404)
    assert answer.json["error"] == "not_logged_yet"
    missing = testapp.get("/api/v1/audit/log/inclusion", {"seq": 10**9}, status=404)
    assert missing.json["error"] == "not_found"
    assert testapp.get("/api/v1/audit/log/checkpoint", {"size": 77},
                       status=404).json["error"] == "no_checkpoint"


def test_an_event_beyond_the_asked_checkpoint_is_refused(testapp, dbsession, clock,
                                                         registry, settings):
    logged(dbsession, clock, registry, settings, 2)
    events, _ = logged(dbsession, clock, registry, settings, 1)
    answer = testapp.get("/api/v1/audit/log/inclusion", {"seq": events[0].seq, "size": 2},
                         status=400)
    assert answer.json["error"] == "proof_refused"


def test_the_proof_operations_are_in_the_openapi_document(testapp):
    paths = testapp.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/audit/log/checkpoint", "/api/v1/audit/log/inclusion",
                 "/api/v1/audit/log/consistency"):
        assert "get" in paths[path]
    names = {p["name"] for p in paths["/api/v1/audit/log/inclusion"]["get"]["parameters"]}
    assert names == {"seq", "size"}
