"""Benchmark: a deadline rush — N bidders upload sealed envelopes at once to a real server.

    python bench/rush.py [--quick]
    python bench/rush.py --db postgresql --processes 3 [--bidders 500] [--size-kib 256]

A waitress server (8 threads, the development.ini setting) on 127.0.0.1 serves the real
app on a fresh SQLite database; N client threads (200, each with a 1 MiB envelope; --quick:
40 × 256 KiB) POST to the JSON API at the same moment (multipart, bearer token).

With `--db postgresql` the app runs on a fresh PostgreSQL database of its own
(`--db-url`, default `trading_rush` on 127.0.0.1:5432, dropped afterwards) with Huey on
Redis (`--redis-url`, default index 7 on 127.0.0.1:6379), in `--processes` web processes
on loopback ports; the clients are spread over them in turn, as a reverse proxy would
(default there: 500 bidders × 256 KiB). The floor is then as many bare servers.

Wave 1 (deadline far away): throughput, p50/p99 latency, accepted; `lost` counts receipts
whose envelope is not in the database and storage afterwards, plus 5xx and connection
errors — it must be 0.
Wave 2 (another project, set up before wave 1, whose deadline is then moved to fall in
the middle of the wave): uploads complete before it are accepted, the others refused;
`after_deadline` counts accepted versions received at or after the deadline — it must be 0.
Merge: the transparency log's sequencer (trading.audit.sequencer, as the worker runs it,
every `audit.sequence_ms`) runs in the bench process throughout; `merge` is, for every
receipt of both waves, the time from the receipt's promise (the event's queue time) to the
commit of the first signed checkpoint that includes it — p50, p99 and max; issue #17 asks
≤ 2 s.
Floor: the same requests against a bare upload endpoint in a second waitress server
(read the body, write it to a file, fsync, answer 201), measured in the same run;
`ratio` is the bare endpoint's throughput over the app's.
CPU: `app_cpu_ms` and `bare_cpu_ms` are the web processes' own CPU (user + system, from
/proc; "na" elsewhere) per request of wave 1 and of the bare wave. Unlike throughput they
hardly move with the machine's load; the database server's CPU is not in them.
`app_db_cpu_ms` is the PostgreSQL server's processes' CPU per upload of wave 1, and
`*_machine_cpu_ms` every core's busy time per upload (clients, servers, database, the
sequencer): on a machine doing nothing else, throughput is about the cores over it, so
`ratio` is about app_machine_cpu_ms over bare_machine_cpu_ms.
"""

import argparse
import hashlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import opening as common  # noqa: E402

BOUNDARY = "----rush-boundary-7f3a"
THREADS = 8  # waitress threads, as in development.ini


def multipart(envelope: bytes) -> bytes:
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="envelope"; '
            f'filename="bid.tbid"\r\nContent-Type: application/octet-stream\r\n\r\n').encode()
    return head + envelope + f"\r\n--{BOUNDARY}--\r\n".encode()


# -- servers (child processes) ---------------------------------------------------------------


def bare_app(workdir: Path):
    """The floor: accept an upload durably and do nothing else."""
    counter = iter(range(10**9))
    lock = threading.Lock()

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        with lock:
            name = workdir / f"bare-{next(counter)}"
        digest = hashlib.sha256()
        with name.open("wb") as out:
            left = length
            while left > 0:
                data = environ["wsgi.input"].read(min(left, 1 << 20))
                if not data:
                    break
                left -= len(data)
                digest.update(data)
                out.write(data)
            out.flush()
            __import__("os").fsync(out.fileno())
        body = json.dumps({"sha256": digest.hexdigest()}).encode()
        start_response("201 Created", [("Content-Type", "application/json"),
                                       ("Content-Length", str(len(body)))])
        return [body]

    return app


def serve(kind: str, workdir: Path, port: int) -> None:
    from waitress import serve as waitress_serve

    if kind == "sequencer":
        run_sequencer(workdir)
        return
    if kind == "bare":
        (workdir / "bare").mkdir(exist_ok=True)
        app = bare_app(workdir / "bare")
    else:
        app = common.build_app(workdir, migrate=False, extra=json.loads(
            os.environ.get("RUSH_SETTINGS", "{}")))
    waitress_serve(app, host="127.0.0.1", port=port, threads=THREADS, _quiet=True,
                   connection_limit=1000, channel_timeout=120)


def start_server(kind: str, workdir: Path, extra: dict | None = None):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "RUSH_SETTINGS": json.dumps(extra or {})}
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, str(workdir), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench/rush.py: {kind} server died: {proc.stderr.read()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    sys.exit(f"bench/rush.py: {kind} server did not start")


# -- the world -----------------------------------------------------------------------------------


def make_project(app, n: int, deadline: datetime, tag: str) -> dict:
    """A project whose bid deadline is `deadline` (real time), n signed-up bidders with
    API tokens, and each bidder's envelope sealed to its opening key."""
    from trading.accounts.service import AccountService
    from trading.bidding.service import BidService, bidder_ref, lot_ref, project_ref
    from trading.clock import FixedClock

    clock = FixedClock(deadline - timedelta(days=25, hours=1))

    def work(db):
        import trading.accounts.models as accounts

        project, lot, bidders = common.make_world(db, app, 0, clock, prefix=tag)
        tokens = AccountService(db, clock, app.registry.settings)
        people = []
        now = clock()
        for i in range(n):
            org = accounts.Organisation(name=f"{tag}投标人{i}", role="bidder", created_at=now)
            user = accounts.User(username=f"{tag}-{i}", display_name=f"{tag}{i}",
                                 password_hash="!", role="bidder", organisation=org,
                                 is_active=True, created_at=now, password_changed_at=now)
            db.add(user)
            db.flush()
            from trading.projects.models import SignUp

            db.add(SignUp(project_id=project.id, lot_id=lot.id, bidder_org_id=org.id,
                          user_id=user.id, signed_up_at=now))
            token = tokens.create_api_token(user, "rush", common.actor_of(user))[1]
            people.append((org.id, token))
        key = BidService(db, clock, app.registry["keys"], app.registry["storage"]).public_key(
            project)
        return {"id": project.id, "lot": lot.id, "ref": project_ref(project),
                "lot_ref": lot_ref(lot), "key": key.to_json(),
                "bidders": [(bidder_ref(org), token) for org, token in people]}

    return common.in_transaction(app, work)


def move_deadline(app, project: dict, deadline: datetime) -> None:
    """Set a prepared project's bid deadline (one short transaction)."""
    from trading.projects.models import Project

    def work(db):
        db.get(Project, project["id"]).bid_deadline = deadline

    common.in_transaction(app, work)


def seal_all(project: dict, size: int) -> list[bytes]:
    import io

    from bid_crypto import Document, PublicKey, seal_bid

    key = PublicKey.from_json(project["key"])
    bodies = []
    for i, (bidder, _token) in enumerate(project["bidders"]):
        out = io.BytesIO()
        seal_bid(out, key, offer={"total_price": 1_000_000 + i},
                 documents=[Document("bid.bin", io.BytesIO(hashlib.sha256(bytes([i % 256]))
                                                           .digest() * (size // 32)))],
                 project=project["ref"], lot=project["lot_ref"], bidder=bidder)
        bodies.append(multipart(out.getvalue()))
    return bodies


# -- the sequencer -------------------------------------------------------------------------------


class SequencerRun:
    """The worker's sequencer loop in a process of its own (as in a worker: no client
    threads share its interpreter), logging each checkpoint's commit: wall time, tree size
    and how long the step took."""

    def __init__(self, workdir: Path, extra: dict):
        self.log = workdir / "sequencer.log"
        self.interval = int(extra["audit.sequence_ms"]) / 1000
        env = {**os.environ, "RUSH_SETTINGS": json.dumps(extra)}
        self.errors = workdir / "sequencer.err"
        with self.errors.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, __file__, "--serve", "sequencer", str(workdir), "0"],
                stdout=subprocess.DEVNULL, stderr=err, env=env)
        self.commits: list[tuple[float, int]] = []
        self.steps: list[float] = []

    def stop(self) -> None:
        if self.proc.returncode is not None:
            return
        self.proc.terminate()
        self.proc.wait(timeout=30)
        if "Traceback" in self.errors.read_text():  # a failed step: the figure would hide it
            print(f"sequencer errors:\n{self.errors.read_text()[-2000:]}", file=sys.stderr)
        for line in self.log.read_text().splitlines() if self.log.exists() else []:
            at, size, took = line.split()
            self.commits.append((float(at), int(size)))
            self.steps.append(float(took))


def run_sequencer(workdir: Path) -> None:
    """The child: trading.audit.sequencer's loop, each committed step logged."""
    from trading.audit.sequencer import worker_sequencer

    app = common.build_app(workdir, migrate=False, extra=json.loads(
        os.environ.get("RUSH_SETTINGS", "{}")))
    sequencer = worker_sequencer(app.registry)
    step = sequencer.step
    with (workdir / "sequencer.log").open("a") as out:
        def timed():
            began = time.time()
            size = step()  # committed once the step's session has closed
            if size:
                out.write(f"{time.time():.6f} {size} {time.time() - began:.6f}\n")
                out.flush()
            return size

        sequencer.step = timed
        sequencer.run()


def merge_delays(app, sequencer, results) -> dict:
    """Receipt (promise) to the commit of the first checkpoint that includes it, in ms;
    and from the moment the client had its receipt (`after_receipt`: the sequencer's own
    share, without the upload's transaction; 0 when the checkpoint was already signed)."""
    import bisect

    import sqlalchemy as sa

    from trading.audit.models import TlogLeaf, TlogPending

    sizes = [size for _at, size in sequencer.commits]

    def rows(db):
        pending = db.scalar(sa.select(sa.func.count()).select_from(TlogPending)
                            .where(TlogPending.promised.is_(True)))
        return pending, db.execute(sa.select(TlogLeaf.idx, TlogLeaf.queued_at)
                                   .where(TlogLeaf.promised.is_(True))).all()

    pending, leaves = common.in_transaction(app, rows)
    after = _after_receipt(app, sequencer, sizes, results)
    delays = []
    for idx, queued_at in leaves:
        at = bisect.bisect_right(sizes, idx)  # the first checkpoint with size > idx
        if at < len(sizes):
            queued = queued_at if queued_at.tzinfo else queued_at.replace(tzinfo=UTC)
            delays.append((sequencer.commits[at][0] - queued.timestamp()) * 1000)
    delays.sort()
    return {"merged": len(delays), "unmerged": pending + len(leaves) - len(delays),
            "checkpoints": len(sizes),
            "step_p50": statistics.median(sequencer.steps or [0]) * 1000,
            "step_max": max(sequencer.steps or [0]) * 1000,
            **_percentiles(delays), **{f"after_{k}": v for k, v in _percentiles(after).items()}}


def _percentiles(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    return {"p50": statistics.median(values),
            "p99": values[min(len(values) - 1, int(len(values) * 0.99))], "max": values[-1]}


def _after_receipt(app, sequencer, sizes, results) -> list[float]:
    """Per accepted upload: its checkpoint's commit minus the response's arrival (≥ 0)."""
    import bisect
    from urllib.parse import parse_qs, urlsplit

    from trading.audit.merkle import leaf_of_event

    seqs = {}
    for result in results:
        if result.get("status") == 201:
            link = json.loads(result["body"])["log_promise"]["inclusion"]
            seqs[int(parse_qs(urlsplit(link).query)["seq"][0])] = result["wall"]

    def indexes(db):
        return {seq: leaf.idx for seq in seqs if (leaf := leaf_of_event(db, seq))}

    out = []
    for seq, idx in common.in_transaction(app, indexes).items():
        at = bisect.bisect_right(sizes, idx)
        if at < len(sizes):
            out.append(max(0.0, (sequencer.commits[at][0] - seqs[seq]) * 1000))
    return out


# -- the rush ------------------------------------------------------------------------------------


def rush(ports: list[int], path: str, bodies: list[bytes], tokens: list[str]) -> list[dict]:
    """One request per client thread, all released together, the clients spread over the
    servers in turn; bounded by a timeout."""
    barrier = threading.Barrier(len(bodies))
    results: list[dict] = [{} for _ in bodies]

    def client(i: int) -> None:
        barrier.wait()
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", ports[i % len(ports)], timeout=300)
            conn.request("POST", path, body=bodies[i], headers={
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Authorization": f"Bearer {tokens[i]}"})
            response = conn.getresponse()
            payload = response.read()
            conn.close()
            results[i] = {"status": response.status, "body": payload,
                          "start": start, "end": time.perf_counter(), "wall": time.time()}
        except OSError as exc:
            results[i] = {"status": 0, "error": str(exc), "start": start,
                          "end": time.perf_counter()}

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return results


def cpu_seconds(procs) -> float | None:
    """The processes' user + system CPU so far (Linux /proc), None elsewhere: CPU per upload
    does not move with the machine's load as throughput does."""
    try:
        return sum(_pid_seconds(proc.pid) for proc, _port in procs)
    except OSError:
        return None


def _pid_seconds(pid) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_seconds() -> float | None:
    """The PostgreSQL server's processes' CPU so far (every `postgres` process this user may
    read: its other databases' work too, so take it on a machine doing nothing else)."""
    total = 0.0
    try:
        pids = [p.name for p in Path("/proc").iterdir() if p.name.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres":
                total += _pid_seconds(pid)
        except OSError:
            continue  # gone since the listing
    return total


def machine_seconds() -> float | None:
    """Every core's busy time so far (/proc/stat: all but idle and iowait). With the
    clients, the servers, the database and the sequencer on the same cores, throughput
    is about the cores over this per upload."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(x) for x in fields]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def timed_rush(procs, path, bodies, tokens, postgres: bool) -> tuple[list[dict], dict]:
    """A rush and the CPU milliseconds per request it cost: the servers', the database
    server's (PostgreSQL's: SQLite's is in the servers') and the machine's (None where
    /proc is not there)."""
    meters = {"cpu_ms": lambda: cpu_seconds(procs),
              "db_cpu_ms": database_seconds if postgres else lambda: None,
              "machine_cpu_ms": machine_seconds}
    before = {name: meter() for name, meter in meters.items()}
    results = rush([port for _, port in procs], path, bodies, tokens)
    after = {name: meter() for name, meter in meters.items()}
    return results, {name: None if before[name] is None or after[name] is None
                     else (after[name] - before[name]) * 1000 / len(bodies)
                     for name in meters}


def summary(results, bodies) -> dict:
    start = min(r["start"] for r in results)
    end = max(r["end"] for r in results)
    latencies = sorted((r["end"] - r["start"]) * 1000 for r in results)
    return {"seconds": end - start, "req_s": len(results) / (end - start),
            "mib_s": sum(map(len, bodies)) / (1 << 20) / (end - start),
            "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def check(app, project: dict, results, deadline: datetime) -> dict:
    """Every receipt must name a committed version whose envelope is in storage."""
    from trading.bidding.models import Bid, BidVersion

    storage = app.registry["storage"]

    def versions(db):
        rows = db.query(BidVersion).join(Bid).filter(Bid.project_id == project["id"]).all()
        return {v.envelope_sha256: v.received_at for v in rows}

    stored = common.in_transaction(app, versions)
    accepted = lost = refused = 0
    for result in results:
        status = result["status"]
        if status == 201:
            accepted += 1
            sha = json.loads(result["body"])["receipt"]["envelope_sha256"]
            path = storage.path_for(sha)
            if sha not in stored or not path.exists() or \
                    hashlib.sha256(path.read_bytes()).hexdigest() != sha:
                lost += 1
        elif status in (409, 422):
            refused += 1
        else:
            lost += 1
    after = sum(1 for at in stored.values() if at >= deadline)
    return {"accepted": accepted, "refused": refused, "lost": lost, "after_deadline": after}


def postgres_database(url: str, *, create: bool) -> None:
    """(Re)create or drop the benchmark's own database: never another one."""
    import sqlalchemy as sa

    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            if create:
                conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--processes", type=int, default=1, help="web processes")
    parser.add_argument("--bidders", type=int)
    parser.add_argument("--size-kib", type=int)
    parser.add_argument("--db-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                        "trading_rush", help="--db postgresql: a database of the bench's own")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--sequence-ms", type=int, default=250,
                        help="the sequencer's interval (audit.sequence_ms)")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    big = args.db == "postgresql"
    n, kib = (40, 256) if args.quick else (500, 256) if big else (200, 1024)
    args.bidders, args.size_kib = args.bidders or n, args.size_kib or kib
    for url in (args.db_url, args.redis_url):
        if big and "127.0.0.1" not in url and "localhost" not in url:
            parser.error(f"loopback only: {url}")
    return args


def main() -> None:
    args = options()
    if args.serve:
        kind, workdir, port = args.serve
        serve(kind, Path(workdir), int(port))
        return
    n, size = args.bidders, args.size_kib * 1024
    big = args.db == "postgresql"
    extra = {"audit.sequence_ms": str(args.sequence_ms)}
    if args.db == "postgresql":
        postgres_database(args.db_url, create=True)
        extra |= {"sqlalchemy.url": args.db_url, "huey.backend": "redis",
                 "huey.url": args.redis_url, "huey.immediate": "false"}
    servers = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-rush-") as tmp:
            work = Path(tmp)
            app = common.build_app(work, migrate=True, extra=extra)
            sequencer = SequencerRun(work, extra)
            far = make_project(app, n, datetime.now(UTC) + timedelta(minutes=30), "far")
            bodies = seal_all(far, size)
            # Wave 2's project too, before any upload: its setup (n accounts and tokens in
            # one transaction) is not the platform's traffic, and on SQLite it would hold
            # the one write lock while wave 1's receipts wait for their checkpoint.
            near = make_project(app, n, datetime.now(UTC) + timedelta(minutes=30), "near")
            near_bodies = seal_all(near, size)
            try:
                apps = [start_server("app", work, extra) for _ in range(args.processes)]
                bares = [start_server("bare", work) for _ in range(args.processes)]
                servers = apps + bares
                app_ports = [p for _, p in apps]
                tokens = [t for _, t in far["bidders"]]
                url = f"/api/v1/projects/{far['id']}/lots/{far['lot']}/bids"
                bare_results, bare_cpu = timed_rush(bares, "/upload", bodies, tokens, big)
                bare = {**summary(bare_results, bodies), **bare_cpu}
                results, app_cpu = timed_rush(apps, url, bodies, tokens, big)
                wave1 = {**summary(results, bodies), **app_cpu,
                         **check(app, far, results, datetime.now(UTC) + timedelta(days=1))}
                # Wave 2: the deadline falls half-way through a wave as long as wave 1.
                start_at = time.time() + 8
                deadline = datetime.fromtimestamp(start_at + wave1["seconds"] / 2, UTC)
                move_deadline(app, near, deadline)
                time.sleep(max(0.0, start_at - time.time()))
                results2 = rush(app_ports,
                                f"/api/v1/projects/{near['id']}/lots/{near['lot']}/bids",
                                near_bodies, [t for _, t in near["bidders"]])
                wave2 = check(app, near, results2, deadline)
                # Time for the last receipts' checkpoint, as a running worker would give.
                time.sleep(2 * sequencer.interval + 1)
                sequencer.stop()
                merge = merge_delays(app, sequencer, results + results2)
            finally:
                sequencer.stop()
                for proc, _port in servers:
                    proc.terminate()
                    proc.wait(timeout=30)
                app.registry["dbengine"].dispose()
    finally:
        if args.db == "postgresql":
            postgres_database(args.db_url, create=False)
    report(args, n, size, bare, wave1, wave2, merge)


def _ms(value: float | None) -> str:
    return "na" if value is None else f"{value:.1f}"


def report(args, n, size, bare, wave1, wave2, merge) -> None:
    ratio = bare["req_s"] / wave1["req_s"]
    setup = f"{args.db}, {args.processes} web process(es)"
    print(f"wave 1 ({setup}): {n} bidders × {size // 1024} KiB in {wave1['seconds']:.2f} s: "
          f"{wave1['req_s']:.1f} uploads/s ({wave1['mib_s']:.1f} MiB/s), p50 "
          f"{wave1['p50_ms']:.0f} ms, p99 {wave1['p99_ms']:.0f} ms, accepted "
          f"{wave1['accepted']}, lost {wave1['lost']}")
    print(f"bare upload endpoint: {bare['req_s']:.1f} uploads/s, p50 {bare['p50_ms']:.0f} ms, "
          f"p99 {bare['p99_ms']:.0f} ms")
    if wave1["cpu_ms"] is not None and bare["cpu_ms"] is not None:
        print(f"web processes' CPU per upload (user + system, the database server's not "
              f"counted): app {wave1['cpu_ms']:.1f} ms, bare {bare['cpu_ms']:.1f} ms")
    print(f"the database server's CPU per upload: app {_ms(wave1['db_cpu_ms'])} ms, bare "
          f"{_ms(bare['db_cpu_ms'])} ms; the whole machine's (clients, servers, database, "
          f"sequencer): app {_ms(wave1['machine_cpu_ms'])} ms, bare "
          f"{_ms(bare['machine_cpu_ms'])} ms")
    print(f"wave 2 (deadline mid-wave): accepted {wave2['accepted']}, refused late "
          f"{wave2['refused']}, lost {wave2['lost']}, accepted after the deadline "
          f"{wave2['after_deadline']}")
    print(f"merge (receipt to its signed checkpoint, sequencer every "
          f"{args.sequence_ms} ms): {merge['merged']} receipts, p50 {merge['p50']:.0f} ms, "
          f"p99 {merge['p99']:.0f} ms, max {merge['max']:.0f} ms, not merged "
          f"{merge['unmerged']}; after the client had its receipt: p50 "
          f"{merge['after_p50']:.0f} ms, p99 {merge['after_p99']:.0f} ms, max "
          f"{merge['after_max']:.0f} ms; {merge['checkpoints']} checkpoints, a step took "
          f"p50 {merge['step_p50']:.0f} ms, max {merge['step_max']:.0f} ms")
    print(f"bench rush: db={args.db} processes={args.processes} bidders={n} "
          f"size_kib={size // 1024} throughput_req_s="
          f"{wave1['req_s']:.1f} throughput_mib_s={wave1['mib_s']:.1f} "
          f"p50_ms={wave1['p50_ms']:.0f} p99_ms={wave1['p99_ms']:.0f} "
          f"accepted={wave1['accepted']} lost={wave1['lost'] + wave2['lost']} "
          f"late_accepted={wave2['after_deadline']} late_refused={wave2['refused']} "
          f"wave2_accepted={wave2['accepted']} "
          f"bare_req_s={bare['req_s']:.1f} ratio={ratio:.2f} "
          f"app_cpu_ms={_ms(wave1['cpu_ms'])} bare_cpu_ms={_ms(bare['cpu_ms'])} "
          f"app_db_cpu_ms={_ms(wave1['db_cpu_ms'])} "
          f"app_machine_cpu_ms={_ms(wave1['machine_cpu_ms'])} "
          f"bare_machine_cpu_ms={_ms(bare['machine_cpu_ms'])} "
          f"merge_p50_ms={merge['p50']:.0f} merge_p99_ms={merge['p99']:.0f} "
          f"merge_max_ms={merge['max']:.0f} unmerged={merge['unmerged']} "
          f"merge_after_receipt_p99_ms={merge['after_p99']:.0f} "
          f"of_bare_pct={100 / ratio:.0f} load={os.getloadavg()[0]:.1f}")
    if wave1["lost"] or wave2["lost"] or wave2["after_deadline"] or wave1["accepted"] != n:
        sys.exit(1)


if __name__ == "__main__":
    main()
