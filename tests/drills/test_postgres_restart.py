"""PostgreSQL restarted (a private cluster) while bidders upload: every client gets a
receipt or a clear error, and every receipt names a bid that is stored."""

import hashlib
import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from drills.conftest import upload

from trading.bidding.models import Bid, BidVersion

BIDDERS = 24

pytestmark = pytest.mark.drill  # make drills


def submit_all(port, world, clients) -> list[dict]:
    path = f"/api/v1/projects/{world['project_id']}/lots/{world['lot_id']}/bids"
    results: list[dict] = [{} for _ in clients]
    barrier = threading.Barrier(len(clients))

    def one(i, client):
        envelope = Path(client["envelope"]).read_bytes()
        barrier.wait()
        results[i] = {**upload(port, path, client["token"], envelope), "client": client}

    threads = [threading.Thread(target=one, args=x) for x in enumerate(clients)]
    for thread in threads:
        thread.start()
    return threads, results


def test_postgres_restart_during_submissions(drill, postgres):
    drill.env["TRADING_DATABASE_URL"] = postgres.url
    world = drill.setup("receipts", bidders=BIDDERS)
    port = drill.serve()
    threads, results = submit_all(port, world, world["clients"])
    drill.until(lambda: any(results), seconds=60, what="a first response")
    restart_at = __import__("time").monotonic()
    postgres.restart()
    for thread in threads:
        thread.join(timeout=180)

    first = [r["status"] for r in results]
    assert set(first) <= {201, 503}, first  # a receipt or a clear error, never a hang
    for result in results:
        if result["status"] == 503:
            error = json.loads(result["body"])
            assert error["error"] == "database_unavailable" and error["message"]
    in_flight = [r for r in results if r["start"] < restart_at < r["end"]]
    assert in_flight, "the restart fell between requests: the drill proved nothing"
    # The clients without a receipt retry once the database is back; a retried envelope
    # that had been stored after all gets the same receipt.
    retry = [r["client"] for r in results if r["status"] != 201]
    threads, retried = submit_all(port, world, retry) if retry else ([], [])
    for thread in threads:
        thread.join(timeout=180)
    assert [r["status"] for r in retried] == [201] * len(retry)

    receipts = [json.loads(r["body"])["receipt"] for r in results + retried
                if r["status"] == 201]
    assert len(receipts) == BIDDERS
    with drill.session() as db:
        stored = set(db.scalars(sa.select(BidVersion.envelope_sha256).join(Bid).where(
            Bid.project_id == world["project_id"])))
    storage = drill.workdir / "files"
    for receipt in receipts:
        sha = receipt["envelope_sha256"]
        assert sha in stored
        file = storage / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(file.read_bytes()).hexdigest() == sha
    print(f"drill postgres: {BIDDERS} bidders, {first.count(201)} receipts and "
          f"{first.count(503)} clear errors across the restart ({len(in_flight)} in flight), "
          f"{len(retry)} retried, {len(receipts)} receipts all stored")
