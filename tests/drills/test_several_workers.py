"""Two workers and two web processes on PostgreSQL, Redis and an S3 server, through an
opening (issue #19 pt 6): the bids uploaded through either web process land in the bucket,
the opening runs exactly once, the periodic tasks are enqueued by one consumer only, and a
worker killed in the middle of the opening loses and doubles nothing.

Each process has its own local storage root, as if on its own machine: whatever one reads
of another's files it can only have from the bucket."""

import json
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from drills.conftest import count, upload
from drills.test_worker_killed import audit_chain_valid, events, opening_done
from s3_support import TEST_CREDENTIALS, client, new_bucket, objects

from trading.bidding.models import Bid, BidVersion, LineStatus, Opening, OpeningLine
from trading.jobs.models import JobLease
from trading.projects.models import Project
from trading.projects.status import ProjectStatus
from trading.storage_s3 import S3Storage

pytestmark = pytest.mark.drill  # make drills

BIDDERS = 6
# The deadline falls this long after the setup starts: time for the setup, two web
# processes to start and the uploads, on a loaded machine.
DEADLINE_IN = 90
PERIODIC = "Enqueueing periodic task"


def submit_through(ports, world) -> list[dict]:
    """Every bidder at once, alternately through each web process."""
    path = f"/api/v1/projects/{world['project_id']}/lots/{world['lot_id']}/bids"
    results: list[dict] = [{} for _ in world["clients"]]

    def one(i, client_):
        port = ports[i % len(ports)]
        envelope = Path(client_["envelope"]).read_bytes()
        results[i] = {**upload(port, path, client_["token"], envelope), "port": port}

    threads = [threading.Thread(target=one, args=x) for x in enumerate(world["clients"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def log_of(drill, proc) -> str:
    return drill._log(proc.drill_name).read_text()


def lease_holder(drill, name):
    with drill.session() as db:
        lease = db.get(JobLease, name)
        return lease.holder if lease is not None else None


def test_two_workers_two_web_processes_on_postgres_redis_and_s3(drill, postgres, redis_server,
                                                                 s3_url):
    bucket = new_bucket(s3_url)
    redis_server.start()
    drill.env.update(TEST_CREDENTIALS)
    drill.env.update({
        "TRADING_DATABASE_URL": postgres.url,
        "TRADING_HUEY_BACKEND": "redis", "TRADING_REDIS_URL": redis_server.url,
        "TRADING_STORAGE_BACKEND": "s3", "TRADING_S3_ENDPOINT": s3_url,
        "TRADING_S3_BUCKET": bucket,
    })

    def machine(name):  # each process its own local root: cache and staging only
        return {"TRADING_STORAGE_ROOT": str(drill.workdir / f"root-{name}")}

    world = drill.setup("receipts", env=machine("setup"), bidders=BIDDERS,
                        deadline_in=DEADLINE_IN, big_first=1)
    deadline = datetime.fromisoformat(world["deadline"])
    ports = [drill.serve(env=machine(f"web{i}"), name=f"web{i}") for i in (1, 2)]

    results = submit_through(ports, world)
    assert [r["status"] for r in results] == [201] * BIDDERS, [r["body"][:300] for r in results]
    assert {r["port"] for r in results} == set(ports)
    assert time.time() < deadline.timestamp(), "the uploads ended after the deadline: raise " \
        "DEADLINE_IN, the drill proved nothing"
    receipts = [json.loads(r["body"])["receipt"]["envelope_sha256"] for r in results]

    # In the bucket, under their digests, and nowhere on the web processes' own disks.
    s3 = S3Storage(drill.workdir / "root-check", 1, bucket=bucket, endpoint=s3_url)
    in_bucket = set(objects(s3_url, bucket))
    assert {s3.key_for(sha) for sha in receipts} <= in_bucket
    assert not [k for k in in_bucket if not k.startswith("sha256/")]  # no temporary leftovers
    assert client(s3_url).list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    for i in (1, 2):
        kept = [p for p in (drill.workdir / f"root-web{i}").rglob("*") if p.is_file()]
        assert kept == [], kept
    for sha in receipts:  # whole and unaltered: the digest of what is read back
        assert s3.path_for(sha).exists()

    drill.until(lambda: time.time() > deadline.timestamp() + 1, seconds=DEADLINE_IN + 30,
                what="the deadline")
    first = drill.worker("worker1", pause="trading.bidding.opening:OpeningService.open_line:1",
                         env=machine("worker1"))
    drill.wait_paused(first)  # one bid decrypted, the opening's transaction open
    second = drill.worker("worker2", env=machine("worker2"))
    # The second worker's catch-up sweep reaches the project too, and is refused its lease.
    drill.until(lambda: "leased by another worker" in log_of(drill, second), seconds=90,
                proc=second,
                what="the second worker refused the project's lease")
    assert PERIODIC in log_of(drill, first) and PERIODIC not in log_of(drill, second)
    assert f":{first.pid}:periodic:" in lease_holder(drill, "periodic")
    with drill.session() as db:
        assert db.scalar(count(Opening.id)) == 0  # nothing of the paused opening committed

    drill.kill(first)  # the leader, in the middle of the opening
    drill.until(lambda: opening_done(drill, world["project_id"]), seconds=180, proc=second,
                what="the opening by the surviving worker")
    drill.until(lambda: f":{second.pid}:periodic:" in (lease_holder(drill, "periodic") or ""),
                seconds=60, proc=second, what="the survivor leading the periodic tasks")
    drill.stop(second)

    project_id = world["project_id"]
    with drill.session() as db:
        assert db.get(Project, project_id).status is ProjectStatus.EVALUATION
        lines = list(db.scalars(sa.select(OpeningLine).join(Opening).where(
            Opening.project_id == project_id)))
        stored = set(db.scalars(sa.select(BidVersion.envelope_sha256).join(Bid).where(
            Bid.project_id == project_id)))
    assert stored == set(receipts)
    assert sorted(line.envelope_sha256 for line in lines) == sorted(receipts)
    assert all(line.status is LineStatus.DECRYPTED for line in lines)
    assert events(drill, "opening.started", project_id) == 1
    assert events(drill, "opening.completed", project_id) == 1
    # The survivor read the envelopes from the bucket: its own root held none of them before.
    cached = {p.name for p in (drill.workdir / "root-worker2").rglob("*") if p.is_file()}
    assert set(receipts) <= cached
    audit_chain_valid(drill)
    periodic = sum(log_of(drill, p).count(PERIODIC) for p in (first, second))
    print(f"drill several workers: {BIDDERS} receipts through 2 web processes, all in S3 "
          f"({len(in_bucket)} objects, one of 9 MiB in parts), one opening after worker 1 "
          f"was killed mid-way, {periodic} periodic "
          "enqueues, all by the one leader at a time")
