"""Benchmark: an audited write elsewhere while a large opening (开标) runs.

    python bench/audit_write.py [--quick]
    python bench/audit_write.py --db postgresql [--bids 1000] [--db-url URL]

Before issue #17 every audited write went through one head row, so an opening (which
writes its whole record in one transaction) made every other audited write on the platform
wait for it: 3.4 s on PostgreSQL during a 1 000-bid opening. Now an append inserts its own
rows and only the sequencer takes the log's lock.

A project with N bids (default 1 000 × 16 KiB, auto custody; --quick: 50) is set up
through the real BidService. Then a writer thread in this process makes one audited write
every 10 ms — its own transaction: an audit event about another subject, committed — first
for a few seconds with nothing else running (the floor), then while a child process runs
the opening (the chronograph's `advance` at the deadline, one transaction, the deadline
checkpoint included). `during_p99_ms` is the p99 latency of the writes that started while
the opening ran; `ratio` is that over the floor's p99. Issue #17 asks p99 ≤ 50 ms on
PostgreSQL. SQLite has one writer at a time, so there the writes wait for the opening's
commit whatever the schema does; its figure is printed for comparison only.

With `--db postgresql` the bench creates and drops a database of its own (`--db-url`,
default `trading_audit_write` on 127.0.0.1; loopback only).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import opening as common  # noqa: E402
import rush  # noqa: E402

INTERVAL = 0.010  # seconds between two audited writes
FLOOR_SECONDS = 4
SIZE = 16 * 1024


def setup(app, n: int, workdir: Path) -> int:
    from datetime import UTC, datetime

    from trading.accounts.models import User
    from trading.bidding.service import BidService, bidder_ref, lot_ref, project_ref
    from trading.clock import FixedClock
    from trading.projects.models import Project

    clock = FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))
    project_id, bidders = common.in_transaction(app, lambda db: (
        lambda world: (world[0].id, [(b.id, b.organisation_id) for b in world[2]]))(
            common.make_world(db, app, n, clock)))
    scratch = workdir / "scratch.tbid"
    for i, (user_id, org_id) in enumerate(bidders):
        def submit(db, i=i, user_id=user_id, org_id=org_id):
            project = db.get(Project, project_id)
            service = BidService(db, clock, app.registry["keys"], app.registry["storage"],
                                 settings=app.registry.settings)
            common.seal_to_file(scratch, service.public_key(project),
                                project=project_ref(project), lot=lot_ref(project.lots[0]),
                                bidder=bidder_ref(org_id), size=SIZE, seed=i)
            with scratch.open("rb") as stream:
                service.submit_envelope(project, project.lots[0], stream=stream,
                                        actor=common.actor_of(db.get(User, user_id)))

        common.in_transaction(app, submit)
    return project_id


def child_open(workdir: Path, project_id: int) -> None:
    """The opening, as the chronograph runs it at the deadline; prints its wall window."""
    from trading.clock import FixedClock
    from trading.projects.models import Project
    from trading.projects.service import ProjectService

    app = common.build_app(workdir, migrate=False, extra=json.loads(
        os.environ.get("BENCH_SETTINGS", "{}")))
    deadline = common.in_transaction(app, lambda db: db.get(Project, project_id).bid_deadline)
    clock = FixedClock(deadline)
    app.registry["clock"] = clock

    def advance(db):
        project = db.get(Project, project_id)
        ProjectService(db, clock, app.registry["storage"],
                       keys=app.registry["keys"]).advance(project)
        return str(project.status)

    began = time.time()
    status = common.in_transaction(app, advance)
    print(json.dumps({"began": began, "ended": time.time(), "status": status}))


class Writer(threading.Thread):
    """One audited write every INTERVAL, each in its own committed transaction."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stopping, self.samples = app, threading.Event(), []

    def run(self) -> None:
        from trading.actor import Actor
        from trading.audit.service import record

        actor = Actor(None, "bench-elsewhere", None, "center", "127.0.0.1")
        clock = self.app.registry["clock"]
        i = 0
        while not self.stopping.is_set():
            began = time.time()
            seq = common.in_transaction(self.app, lambda db, i=i: record(
                db, actor, "bench.elsewhere", "thing", i, now=clock(), n=i).seq)
            self.samples.append((began, (time.time() - began) * 1000, seq))
            i += 1
            self.stopping.wait(max(0.0, INTERVAL - (time.time() - began)))


def percentiles(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {"n": 0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    return {"n": len(values), "p50": statistics.median(values),
            "p99": values[min(len(values) - 1, int(len(values) * 0.99))], "max": values[-1]}


def merged_at(app, sequencer, samples) -> dict[int, float]:
    """Per write (by seq): from its commit to the commit of the first signed checkpoint
    that includes it, in ms (absent when none did before the sequencer stopped)."""
    import bisect

    import sqlalchemy as sa

    from trading.audit.models import TlogLeaf

    sizes = [size for _at, size in sequencer.commits]
    seqs = [seq for _at, _ms, seq in samples]

    def indexes(db):
        return dict(db.execute(sa.select(TlogLeaf.event_seq, TlogLeaf.idx)
                               .where(TlogLeaf.event_seq.in_(seqs))).all())

    index_of = common.in_transaction(app, indexes)
    out = {}
    for at, ms, seq in samples:
        i = bisect.bisect_right(sizes, index_of.get(seq, 1 << 62))
        if i < len(sizes):
            out[seq] = (sequencer.commits[i][0] - (at + ms / 1000)) * 1000
    return out


def wait_for_empty_queue(app, timeout: float = 300) -> None:
    """The setup's bids queued their events: let the sequencer take them before the floor."""
    import sqlalchemy as sa

    from trading.audit.models import TlogPending

    deadline = time.time() + timeout
    while common.in_transaction(app, lambda db: db.scalar(
            sa.select(TlogPending.id).limit(1))) is not None:
        if time.time() > deadline:
            sys.exit("bench/audit_write.py: the sequencer did not empty the queue")
        time.sleep(0.2)


def measure(app, workdir: Path, project_id: int, extra: dict) -> tuple[dict, dict, dict]:
    sequencer = rush.SequencerRun(workdir, extra)
    wait_for_empty_queue(app)
    writer = Writer(app)
    writer.start()
    time.sleep(FLOOR_SECONDS)
    floor_until = time.time()
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(workdir), str(project_id)],
        capture_output=True, text=True, env={**os.environ, **common.MALLOC,
                                             "BENCH_SETTINGS": json.dumps(extra)})
    writer.stopping.set()
    writer.join(timeout=60)
    time.sleep(2 * sequencer.interval + 1)  # the last writes' checkpoint, as a worker gives
    sequencer.stop()
    if child.returncode != 0:
        sys.exit(f"bench/audit_write.py: the opening failed:\n{child.stderr[-3000:]}")
    opening = json.loads(child.stdout.strip().splitlines()[-1])
    merge = merged_at(app, sequencer, writer.samples)
    floor_writes = [w for w in writer.samples if w[0] < floor_until]
    during_writes = [w for w in writer.samples if opening["began"] <= w[0] < opening["ended"]]
    floor, during = ({**percentiles([ms for _at, ms, _seq in writes]),
                      "merge": percentiles([merge[seq] for _at, _ms, seq in writes
                                            if seq in merge]),
                      "unmerged": sum(1 for _at, _ms, seq in writes if seq not in merge)}
                     for writes in (floor_writes, during_writes))
    return opening, floor, during


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 bids")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--bids", type=int)
    parser.add_argument("--db-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                        "trading_audit_write")
    parser.add_argument("--sequence-ms", type=int, default=250,
                        help="the sequencer's interval (audit.sequence_ms)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_open(Path(args.child[0]), int(args.child[1]))
        return
    n = args.bids or (50 if args.quick else 1000)
    extra = {"audit.sequence_ms": str(args.sequence_ms)}
    if args.db == "postgresql":
        if "127.0.0.1" not in args.db_url and "localhost" not in args.db_url:
            parser.error(f"loopback only: {args.db_url}")
        rush.postgres_database(args.db_url, create=True)
        extra |= {"sqlalchemy.url": args.db_url}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-audit-write-") as tmp:
            work = Path(tmp)
            app = common.build_app(work, migrate=True, extra=extra)
            project_id = setup(app, n, work)
            opening, floor, during = measure(app, work, project_id, extra)
            app.registry["dbengine"].dispose()
    finally:
        if args.db == "postgresql":
            rush.postgres_database(args.db_url, create=False)
    report(args.db, n, opening, floor, during)


def report(db: str, n: int, opening: dict, floor: dict, during: dict) -> None:
    open_s = opening["ended"] - opening["began"]
    ratio = during["p99"] / floor["p99"] if floor["p99"] else 0.0
    fm, dm = floor["merge"], during["merge"]
    merge_ratio = dm["p99"] / fm["p99"] if fm["p99"] else 0.0
    print(f"opening of {n} bids ({db}): {open_s:.2f} s, status {opening['status']}")
    print(f"audited writes elsewhere, floor (nothing else running): {floor['n']} writes, "
          f"p50 {floor['p50']:.1f} ms, p99 {floor['p99']:.1f} ms; to their checkpoint "
          f"p50 {fm['p50']:.0f} ms, p99 {fm['p99']:.0f} ms")
    print(f"audited writes elsewhere during the opening: {during['n']} writes, p50 "
          f"{during['p50']:.1f} ms, p99 {during['p99']:.1f} ms, max {during['max']:.1f} ms; "
          f"to their checkpoint p50 {dm['p50']:.0f} ms, p99 {dm['p99']:.0f} ms, max "
          f"{dm['max']:.0f} ms, not merged {during['unmerged']}")
    print(f"bench audit_write: db={db} bids={n} open_s={open_s:.2f} "
          f"during_writes={during['n']} during_p50_ms={during['p50']:.1f} "
          f"during_p99_ms={during['p99']:.1f} during_max_ms={during['max']:.1f} "
          f"floor_p99_ms={floor['p99']:.1f} ratio={ratio:.2f} "
          f"merge_p50_ms={dm['p50']:.0f} merge_p99_ms={dm['p99']:.0f} "
          f"merge_max_ms={dm['max']:.0f} floor_merge_p99_ms={fm['p99']:.0f} "
          f"merge_ratio={merge_ratio:.2f} unmerged={floor['unmerged'] + during['unmerged']} "
          f"load={os.getloadavg()[0]:.1f}")
    if opening["status"] != "evaluation" or not during["n"]:
        sys.exit("bench/audit_write.py: the opening did not complete, or no write ran "
                 "during it")


if __name__ == "__main__":
    main()
