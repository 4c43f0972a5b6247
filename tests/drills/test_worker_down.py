"""The worker down across a deadline: bids after it are refused meanwhile, and when the
worker returns its sweep opens the bids, with a record that says the opening was late."""

import http.client
import json

import pytest
from drills.test_worker_killed import audit_chain_valid, events, opening_done

from trading.i18n import human_duration

pytestmark = pytest.mark.drill  # make drills


def test_the_sweep_catches_up_and_the_record_notes_the_late_opening(drill):
    world = drill.setup("opening")  # the deadline passed 10 minutes ago, no worker ran
    assert world["late_refused"] == "deadline_passed"
    project_id = world["project_id"]
    worker = drill.worker()
    drill.until(lambda: opening_done(drill, project_id), proc=worker, what="the opening")
    drill.stop(worker)

    port = drill.serve()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"/api/v1/projects/{project_id}/opening")
    hall = json.loads(conn.getresponse().read())
    conn.request("GET", f"/projects/{project_id}/opening")
    page = conn.getresponse().read().decode()
    assert hall["phase"] == "done" and hall["outcome"] == "evaluation"
    assert sorted(x["envelope_sha256"] for x in hall["lines"]) == sorted(world["receipts"])
    assert all(x["status"] == "decrypted" for x in hall["lines"])
    assert 10 <= hall["late_minutes"] < 30
    assert hall["started_at"] > world["deadline"]
    assert "较开标时间延迟" in page and f"延迟 {human_duration(hall['late_minutes'])}" in page
    assert events(drill, "opening.started", project_id) == 1
    audit_chain_valid(drill)
