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

What a write waits on: each write is split into its statements, the rest of its work and
its commit, and /proc's schedstat says how long the writer's thread and its backend were
runnable but without a CPU (`cpu_wait`); on PostgreSQL a sampler process reads
pg_stat_activity and pg_locks every `--sample-ms` for the writer's backend (`lock_waits`:
samples with a lock not granted), and `wal_mb` is the WAL written during the opening. The
writer runs on for a few seconds after the opening (`after_p99_ms`), a second control in
the same run. `--opening-nice N` runs the opening and its backend at nice N: if the
writes' tail follows, it was the CPU they waited for.
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
SAMPLE_MS = 5  # --db postgresql: pg_stat_activity sampled this often
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
    nice = int(os.environ.get("BENCH_OPENING_NICE", "0"))
    if nice:  # --opening-nice: the opening and its database backend yield the CPU first
        os.nice(nice)
        if app.registry["dbengine"].dialect.name == "postgresql":
            import sqlalchemy as sa

            pids = common.in_transaction(app, lambda db: db.scalars(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'bench-opening'"
            )).all())
            for pid in pids:
                os.setpriority(os.PRIO_PROCESS, pid, nice)
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


def schedstat(pid: int | None, tid: int | None = None) -> tuple[float, float]:
    """(ms on a CPU, ms runnable but waiting for one) of a process or thread so far, from
    /proc's schedstat; zeros where there is none (not Linux, the process gone)."""
    path = f"/proc/{pid}/task/{tid}/schedstat" if tid else f"/proc/{pid}/schedstat"
    try:
        with open(path) as f:
            ran, waited, _ = f.read().split()
        return int(ran) / 1e6, int(waited) / 1e6
    except (OSError, ValueError):
        return 0.0, 0.0


class Writer(threading.Thread):
    """One audited write every INTERVAL, each in its own committed transaction.

    Each write's time is split (`Write`): the statements' time on the database connection
    (`sql`), the rest of the work in the transaction (ORM, pool checkout), the commit (the
    remainder: COMMIT, the WAL flush, the session's close), and, from /proc's schedstat,
    how long this thread and the database backend serving it were runnable but waiting for
    a CPU (`cpu_wait`): on a saturated machine that, not any lock, is the waiting."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stopping, self.samples, self.splits = app, threading.Event(), [], []
        self.local = threading.local()
        self.backend: int | None = None  # the backend pid of the writer's last write
        engine = app.registry["dbengine"]
        sa_event = __import__("sqlalchemy").event
        sa_event.listen(engine, "before_cursor_execute", self._before)
        sa_event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_args):
        self.local.began = time.perf_counter()

    def _after(self, *_args):
        if getattr(self.local, "began", None) is not None:  # the writer's thread only
            self.local.sql = getattr(self.local, "sql", 0.0) + (
                time.perf_counter() - self.local.began)
            self.local.began = None

    def run(self) -> None:
        from trading.actor import Actor
        from trading.audit.service import record

        actor = Actor(None, "bench-elsewhere", None, "center", "127.0.0.1")
        clock = self.app.registry["clock"]
        tid, i = threading.get_native_id(), 0

        def work(db, i):
            started = time.perf_counter()
            seq = record(db, actor, "bench.elsewhere", "thing", i, now=clock(), n=i).seq
            db.flush()
            raw = db.connection().connection.dbapi_connection
            self.local.pid = getattr(getattr(raw, "info", None), "backend_pid", None)
            self.local.work = time.perf_counter() - started
            return seq

        while not self.stopping.is_set():
            self.local.sql, backend = 0.0, self.backend
            me0, be0 = schedstat(os.getpid(), tid), schedstat(backend)
            began, t0 = time.time(), time.perf_counter()
            seq = common.in_transaction(self.app, lambda db, i=i: work(db, i))
            total = time.perf_counter() - t0
            me1, be1 = schedstat(os.getpid(), tid), schedstat(backend)
            self.samples.append((began, total * 1000, seq))
            self.backend = self.local.pid
            same = backend is not None and backend == self.local.pid
            self.splits.append({
                "sql": self.local.sql * 1000,
                "orm": (self.local.work - self.local.sql) * 1000,
                "commit": (total - self.local.work) * 1000,
                "cpu_wait": (me1[1] - me0[1]) + ((be1[1] - be0[1]) if same else 0.0),
                "cpu": (me1[0] - me0[0]) + ((be1[0] - be0[0]) if same else 0.0),
            })
            i += 1
            self.stopping.wait(max(0.0, INTERVAL - (time.time() - began)))


SAMPLE_QUERY = """
SELECT a.application_name, a.state, coalesce(a.wait_event_type, ''),
       coalesce(a.wait_event, ''),
       EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)
  FROM pg_stat_activity a WHERE a.application_name LIKE 'bench-%'
"""


def child_sample(url: str, out: Path, every_ms: int) -> None:
    """Every `every_ms` until killed: what each of the bench's backends is doing (active,
    and on what it waits: a lock, the WAL, I/O, or nothing, i.e. running or runnable)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn, out.open("w") as f:
        while True:
            at = time.time()
            for row in conn.execute(SAMPLE_QUERY):
                f.write(json.dumps([at, *row]) + "\n")
            f.flush()
            time.sleep(every_ms / 1000)


def wait_profile(path: Path, since: float, until: float, app: str = "bench-writer") -> dict:
    """Share of the samples of `app`'s backend, while active, spent on each wait event
    (`running` = on a CPU or waiting for one), and of those with an ungranted lock."""
    from collections import Counter

    counts, locked, active = Counter(), 0, 0
    for line in path.read_text().splitlines() if path.exists() else []:
        at, name, state, wtype, wevent, blocked = json.loads(line)
        if name != app or not since <= at < until or state != "active":
            continue
        active += 1
        locked += bool(blocked)
        counts[f"{wtype}:{wevent}" if wtype else "running"] += 1
    return {"active": active, "lock_waits": locked,
            "events": {k: round(v / active, 3) for k, v in counts.most_common(6)}}


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


def measure(app, workdir: Path, project_id: int, extra: dict,
            sample_url: str | None, sample_ms: int = SAMPLE_MS, opening_nice: int = 0) -> tuple:
    sequencer = rush.SequencerRun(workdir, named(extra, "bench-sequencer"))
    wait_for_empty_queue(app)
    samples = workdir / "activity.jsonl"
    sampler = sample_url and subprocess.Popen(
        [sys.executable, __file__, "--sample", sample_url, str(samples), str(sample_ms)])
    writer = Writer(app)
    writer.start()
    time.sleep(FLOOR_SECONDS)
    floor_until = time.time()
    postgres = app.registry["dbengine"].dialect.name == "postgresql"
    wal_from = wal_position(app) if postgres else None
    child = subprocess.run(
        [sys.executable, __file__, "--child", str(workdir), str(project_id)],
        capture_output=True, text=True, env={
            **os.environ, **common.MALLOC,
            "BENCH_SETTINGS": json.dumps(named(extra, "bench-opening")),
            "BENCH_OPENING_NICE": str(opening_nice)})
    after_from = time.time()
    wal_mb = wal_position(app, since=wal_from) if postgres else None
    time.sleep(FLOOR_SECONDS)  # the control again, once the opening is over
    writer.stopping.set()
    writer.join(timeout=60)
    if sampler:
        sampler.terminate()
        sampler.wait(timeout=30)
    time.sleep(2 * sequencer.interval + 1)  # the last writes' checkpoint, as a worker gives
    sequencer.stop()
    if child.returncode != 0:
        sys.exit(f"bench/audit_write.py: the opening failed:\n{child.stderr[-3000:]}")
    opening = json.loads(child.stdout.strip().splitlines()[-1])
    opening["wal_mb"] = wal_mb
    merge = merged_at(app, sequencer, writer.samples)
    rows = list(zip(writer.samples, writer.splits, strict=True))

    def summary(since: float, until: float) -> dict:
        writes = [(w, split) for w, split in rows if since <= w[0] < until]
        out = {**percentiles([w[1] for w, _ in writes]),
               "merge": percentiles([merge[w[2]] for w, _ in writes if w[2] in merge]),
               "unmerged": sum(1 for w, _ in writes if w[2] not in merge),
               "split": splits_of(writes)}
        if sample_url:
            out["waits"] = {**wait_profile(samples, since, until), "every_ms": sample_ms}
        return out

    return (opening, summary(0, floor_until), summary(opening["began"], opening["ended"]),
            summary(after_from, float("inf")))


def wal_position(app, since: str | None = None):
    """PostgreSQL's WAL insert position now, or the MiB written since `since`: what a
    write's commit may have to flush besides its own."""
    import sqlalchemy as sa

    if since is None:
        return common.in_transaction(app, lambda db: db.scalar(
            sa.text("SELECT pg_current_wal_lsn()::text")))
    return common.in_transaction(app, lambda db: float(db.scalar(
        sa.text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), CAST(:since AS pg_lsn))"),
        {"since": since}))) / 2**20


def named(extra: dict, name: str) -> dict:
    """The settings with PostgreSQL's application_name set, so the sampler tells the
    bench's connections apart (the writer, the opening, the sequencer)."""
    url = extra.get("sqlalchemy.url", "")
    if not url.startswith("postgresql"):
        return extra
    return {**extra, "sqlalchemy.url": f"{url}{'&' if '?' in url else '?'}"
                                       f"application_name={name}"}


def splits_of(writes: list) -> dict:
    """Each part of a write (medians over all, means over the slowest 1 %, in ms)."""
    if not writes:
        return {}
    parts = ("sql", "orm", "commit", "cpu_wait", "cpu")
    slow = sorted(writes, key=lambda w: w[0][1])[-max(1, len(writes) // 100):]
    return {"p50": {k: statistics.median(s[k] for _, s in writes) for k in parts},
            "slowest": {"total": statistics.mean(w[1] for w, _ in slow),
                        **{k: statistics.mean(s[k] for _, s in slow) for k in parts}}}


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
    parser.add_argument("--sample-ms", type=int, default=SAMPLE_MS,
                        help="--db postgresql: sample pg_stat_activity this often (0: never)")
    parser.add_argument("--opening-nice", type=int, default=0,
                        help="run the opening (and, on PostgreSQL, its backend) at this nice "
                             "value: an experiment, do the writes' tails follow the CPU?")
    parser.add_argument("--sample", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_open(Path(args.child[0]), int(args.child[1]))
        return
    if args.sample:
        child_sample(args.sample[0], Path(args.sample[1]), int(args.sample[2]))
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
            app = common.build_app(work, migrate=True, extra=named(extra, "bench-writer"))
            project_id = setup(app, n, work)
            sample_url = (args.db_url.replace("postgresql+psycopg", "postgresql")
                          if args.db == "postgresql" and args.sample_ms else None)
            opening, floor, during, after = measure(app, work, project_id, extra, sample_url,
                                                    args.sample_ms, args.opening_nice)
            app.registry["dbengine"].dispose()
    finally:
        if args.db == "postgresql":
            rush.postgres_database(args.db_url, create=False)
    report(args.db, n, opening, floor, during, after)


def describe(name: str, part: dict) -> None:
    """Where a phase's writes spent their time, and what their backend waited on."""
    split = part.get("split") or {}
    for which in ("p50", "slowest"):
        if which in split:
            words = " ".join(f"{k}={v:.1f}" for k, v in split[which].items())
            label = "median parts" if which == "p50" else "slowest 1 % (means)"
            print(f"  {name}, {label} in ms: {words}")
    if "waits" in part:
        waits = part["waits"]
        print(f"  {name}, backend while active ({waits['active']} samples every "
              f"{waits['every_ms']} ms; with a lock not granted: {waits['lock_waits']}): "
              f"{waits['events']}")


def report(db: str, n: int, opening: dict, floor: dict, during: dict, after: dict) -> None:
    open_s = opening["ended"] - opening["began"]
    ratio = during["p99"] / floor["p99"] if floor["p99"] else 0.0
    fm, dm = floor["merge"], during["merge"]
    merge_ratio = dm["p99"] / fm["p99"] if fm["p99"] else 0.0
    wal = opening.get("wal_mb")
    print(f"opening of {n} bids ({db}): {open_s:.2f} s, status {opening['status']}"
          + (f", {wal:.1f} MiB of WAL written meanwhile" if wal is not None else ""))
    print(f"audited writes elsewhere, floor (nothing else running): {floor['n']} writes, "
          f"p50 {floor['p50']:.1f} ms, p99 {floor['p99']:.1f} ms; to their checkpoint "
          f"p50 {fm['p50']:.0f} ms, p99 {fm['p99']:.0f} ms")
    print(f"audited writes elsewhere during the opening: {during['n']} writes, p50 "
          f"{during['p50']:.1f} ms, p99 {during['p99']:.1f} ms, max {during['max']:.1f} ms; "
          f"to their checkpoint p50 {dm['p50']:.0f} ms, p99 {dm['p99']:.0f} ms, max "
          f"{dm['max']:.0f} ms, not merged {during['unmerged']}")
    print(f"audited writes elsewhere after the opening (the control again): {after['n']} "
          f"writes, p50 {after['p50']:.1f} ms, p99 {after['p99']:.1f} ms")
    for name, part in (("floor", floor), ("during", during), ("after", after)):
        describe(name, part)
    slow, p50 = during["split"].get("slowest", {}), during["split"].get("p50", {})
    print(f"bench audit_write: db={db} bids={n} open_s={open_s:.2f} "
          f"during_writes={during['n']} during_p50_ms={during['p50']:.1f} "
          f"during_p99_ms={during['p99']:.1f} during_max_ms={during['max']:.1f} "
          f"floor_p99_ms={floor['p99']:.1f} after_p99_ms={after['p99']:.1f} "
          f"ratio={ratio:.2f} during_cpu_wait_p50_ms={p50.get('cpu_wait', 0):.1f} "
          f"slowest_cpu_wait_ms={slow.get('cpu_wait', 0):.1f} "
          f"slowest_commit_ms={slow.get('commit', 0):.1f} "
          f"lock_waits={during.get('waits', {}).get('lock_waits', 0)} "
          + (f"wal_mb={wal:.1f} " if wal is not None else "") +
          f"merge_p50_ms={dm['p50']:.0f} merge_p99_ms={dm['p99']:.0f} "
          f"merge_max_ms={dm['max']:.0f} floor_merge_p99_ms={fm['p99']:.0f} "
          f"merge_ratio={merge_ratio:.2f} unmerged={floor['unmerged'] + during['unmerged']} "
          f"load={os.getloadavg()[0]:.1f}")
    if opening["status"] != "evaluation" or not during["n"]:
        sys.exit("bench/audit_write.py: the opening did not complete, or no write ran "
                 "during it")


if __name__ == "__main__":
    main()
