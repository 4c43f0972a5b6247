"""Redis (a private server) unavailable: the web keeps accepting bids and issuing
receipts, custodians still release their shares, and the jobs run when Redis returns."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from drills.conftest import api, upload
from drills.test_worker_killed import events, opening_done

from trading.bidding.models import Bid, BidVersion, Opening, OpeningState
from trading.projects.models import Project
from trading.projects.status import ProjectStatus

pytestmark = pytest.mark.drill  # make drills


def test_redis_down_the_web_still_receipts_and_jobs_run_when_it_returns(drill, redis_server):
    world = drill.setup("custodians", env={"TRADING_HUEY_BACKEND": "memory"})
    queue = {"TRADING_HUEY_BACKEND": "redis", "TRADING_REDIS_URL": redis_server.url}
    port = drill.serve(env=queue)  # Redis is not running

    open_ = world["open"]
    path = f"/api/v1/projects/{open_['project_id']}/lots/{open_['lot_id']}/bids"
    results = [upload(port, path, c["token"], Path(c["envelope"]).read_bytes())
               for c in open_["clients"]]
    assert [r["status"] for r in results] == [201] * len(results)
    receipts = [json.loads(r["body"])["receipt"]["envelope_sha256"] for r in results]
    project_id = world["project_id"]
    for custodian in world["custodians"]:  # the last release enqueues the opening job
        status, body = api(port, "POST", f"/api/v1/projects/{project_id}/opening/release",
                           custodian["token"], custodian["release"])
        assert status == 200, body
    assert drill.scalar(sa.select(Opening.state).where(Opening.project_id == project_id)) \
        is OpeningState.WAITING  # the job could not be queued

    redis_server.start()
    worker = drill.worker(env=queue)
    drill.until(lambda: opening_done(drill, project_id), proc=worker, what="the opening")
    drill.stop(worker)
    with drill.session() as db:
        assert db.get(Project, project_id).status is ProjectStatus.EVALUATION
        stored = set(db.scalars(sa.select(BidVersion.envelope_sha256).join(Bid).where(
            Bid.project_id == open_["project_id"])))
    assert stored == set(receipts)
    assert events(drill, "opening.completed", project_id) == 1
