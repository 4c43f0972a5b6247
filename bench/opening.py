"""Benchmark: the opening (开标) of N sealed bids, against the cryptographic floor.

    python bench/opening.py [--quick] [--small-only] [--db postgresql [--db-url URL]] [--profile]

Scenarios: 1 000 bids of 1 MiB, and 10 bids of 200 MiB (--quick: 50 × 1 MiB, 3 × 16 MiB).
For each, a child process builds a fresh SQLite database and storage root, publishes a
project (auto custody), signs up the bidders and submits their envelopes through the real
BidService (sealed in 1 MiB chunks, like the CLI). A second child moves the clock to the
deadline and runs the project's `advance` — the chronograph's job: snapshot, one streaming
pass per bid, the record, the minimum-bidders rule, the transition — and commits. The
bids' log entries are integrated before the deadline, as the worker's sequencer does
within a second of each in production, so the opening finds the deadline's checkpoint.

open_s    wall time of that advance + commit.
floor_s   the same bytes with bid_crypto's primitives and hashlib alone, no database: unwrap
          the key from the KEK, HPKE SetupBaseR per envelope through the suite's own receiver
          (the one the opening uses: OpenSSL's X25519, HMAC and AES-GCM, not pycryptodome's
          slower HPKE.new, so the floor is as fast as the opening's own primitives), the
          AES-256-GCM open of every chunk and
          SHA-256 of the whole file (the least any opening must do). Best of two runs,
          one before and one after the opening.
With `--db postgresql` the database is a PostgreSQL one of the bench's own (`--db-url`,
default `trading_opening` on 127.0.0.1:5432, dropped afterwards); the committed state both
openings start from is a copy made with CREATE DATABASE … TEMPLATE.

ratio     open_s / floor_s, the opening in the job's own process (one core).
pool_ratio  the same opening, from the same committed state, by `opening.processes`
          decrypting processes (default every core): the job's own and a pool of workers,
          each claiming the next envelope (trading/bidding/openpool.py), over the same
          one-core floor: below 1 once the cores share the work. The child starts the
          forkserver the workers fork from when it starts, as trading-worker does at boot.
phases    where the one-core opening's time goes, in seconds (timers wrapped around the
          service's steps by the child, not in the app): `snapshot` the lines' INSERT …
          SELECT and load; `decrypt` waiting for each envelope's result; `apply` writing
          the results into the lines; `flush` the rest of _open_pending: their UPDATEs
          (about half on PostgreSQL), the key's unwrapping and the envelopes' task list;
          `subscribers` the BidsOpened subscribers (bid security) and the rest of run_due;
          `finish` the record and the status change (its OCDS release); `other` the
          advance around it (the move to opening) and the commit. `over_floor` is
          open_s - floor_s: a 1.2 ratio allows 0.2 × floor_s for all of it.
rss_mb    peak RSS of the opening child right after the opening (the target is that it
          does not grow with the bid size).
--profile   the one-core opening under cProfile (its open_s and ratio then include the
          profiler's overhead): where the time around the decryption goes.
"""

import argparse
import base64
import hashlib
import io
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024
FULL = [(1000, 1), (10, 200)]
QUICK = [(50, 1), (3, 16)]


def settings_for(workdir: Path, extra: dict | None = None) -> dict:
    from pyramid.paster import get_appsettings

    settings = dict(get_appsettings(str(ROOT / "development.ini")))
    settings.update({
        "sqlalchemy.url": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "storage.root": str(workdir / "files"), "huey.backend": "memory",
        "huey.immediate": "true", "keys.generate_missing": "false",
        "keys.kek": base64.b64encode(b"k" * 32).decode(),
        "keys.signing_key": base64.b64encode(b"s" * 32).decode(),
        "pyramid.reload_templates": "false",
        "storage.max_bytes": str(1024 * MIB), "bidding.max_envelope_bytes": str(1024 * MIB),
    })
    settings.update(json.loads(os.environ.get("OPENING_SETTINGS", "{}")))  # --db postgresql
    settings.update(extra or {})  # e.g. bench/rush.py --db postgresql: database and queue
    return settings


def build_app(workdir: Path, *, migrate: bool, extra: dict | None = None):
    from alembic import command
    from alembic.config import Config

    from trading import main
    from trading.db import get_engine

    settings = settings_for(workdir, extra)
    engine = get_engine(settings)
    if migrate:
        cfg = Config(str(ROOT / "development.ini"))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    return main({}, dbengine=engine, **settings)


def in_transaction(app, work):
    import transaction

    from trading.db import get_tm_session

    tm = transaction.TransactionManager(explicit=True)
    with tm:
        return work(get_tm_session(app.registry["dbsession_factory"], tm))


def make_world(db, app, n_bidders: int, clock, prefix: str = ""):
    """A published project in bidding (auto custody) with n signed-up bidders."""
    # The scheduler compares a task's eta with the app's clock, not the services': built at
    # the bench clock's time against the wall clock, the project's next check would be in
    # the past and (immediate Huey) run at once inside this transaction, its lease waiting
    # on this transaction's write lock from a second connection (SQLite: 15 s, then an error).
    saved, app.registry["clock"] = app.registry["clock"], clock
    try:
        return _make_world(db, app, n_bidders, clock, prefix)
    finally:
        app.registry["clock"] = saved


def _make_world(db, app, n_bidders: int, clock, prefix: str):
    from trading.accounts.models import Organisation, Role, User
    from trading.actor import Actor
    from trading.projects.kinds import (
        AwardMethod,
        CustodyMode,
        EvaluationMethod,
        ObjectType,
        ProcurementMethod,
        ProjectType,
    )
    from trading.projects.models import SignUp
    from trading.projects.service import ProjectInput, ProjectService

    now = clock()

    def user(name, role, org=None):
        u = User(username=name, display_name=name, password_hash="!", role=role,
                 organisation=org, is_active=True, created_at=now, password_changed_at=now)
        db.add(u)
        return u

    owner_org = Organisation(name=f"{prefix}基准业主", role=Role.OWNER, created_at=now)
    owner = user(f"{prefix}owner", Role.OWNER, owner_org)
    center = user(f"{prefix}center", Role.CENTER)
    bidders = []
    for i in range(n_bidders):
        org = Organisation(name=f"投标人{i:04d}", role=Role.BIDDER, created_at=now)
        bidders.append(user(f"bidder{i:04d}", Role.BIDDER, org))
    db.flush()
    service = ProjectService(db, clock, app.registry["storage"], keys=app.registry["keys"])
    start = now + timedelta(hours=1)
    data = ProjectInput(
        name="开标基准项目", project_type=ProjectType.WORKS, object_type=ObjectType.WORKS,
        procurement_method=ProcurementMethod.OPEN_TENDER,
        evaluation_method=EvaluationMethod.LOWEST_PRICE, award_method=AwardMethod.RANK_ONE,
        custody_mode=CustodyMode.AUTO, region="市本级", description="", doc_start=start,
        doc_end=start + timedelta(days=10), clarification_deadline=start + timedelta(days=15),
        bid_deadline=start + timedelta(days=25),
        lots=({"name": "施工", "budget": 10**12, "ceiling_price": None},))
    project = service.create_draft(data, owner=owner_org, actor=Actor(owner.id, "owner"))
    service.add_document(project, filename="招标文件.pdf", content_type="application/pdf",
                         stream=io.BytesIO(b"%PDF bench"), actor=Actor(owner.id, "owner"))
    service.submit_for_review(project, actor=Actor(owner.id, "owner"))
    service.approve(project, actor=Actor(center.id, "center"))
    clock.set(start)
    service.advance(project)
    lot = project.lots[0]
    for bidder in bidders:
        db.add(SignUp(project_id=project.id, lot_id=lot.id, bidder_org_id=bidder.organisation_id,
                      user_id=bidder.id, signed_up_at=clock()))
    db.flush()
    return project, lot, bidders


def actor_of(user):
    from trading.actor import Actor

    return Actor(user.id, user.username, user.organisation_id, str(user.role), "127.0.0.1")


def seal_to_file(path: Path, key, *, project, lot, bidder, size: int, seed: int) -> None:
    """offer.json plus one document of `size` bytes, sealed as the CLI does (1 MiB chunks)."""
    from bid_crypto import Document, seal_bid

    class Noise(io.RawIOBase):
        def __init__(self):
            self.left, self.block = size, hashlib.sha256(str(seed).encode()).digest() * 32768

        def readable(self):
            return True

        def read(self, n=-1):
            n = self.left if n < 0 else min(n, self.left)
            self.left -= n
            return (self.block * (n // len(self.block) + 1))[:n]

    with path.open("wb") as out:
        seal_bid(out, key, offer={"total_price": 1_000_000 + seed, "currency": "CNY"},
                 documents=[Document("技术标.bin", Noise())], project=project, lot=lot,
                 bidder=bidder)


def child_setup(workdir: Path, n: int, size_mib: int) -> None:
    from trading.bidding.service import BidService, bidder_ref, lot_ref, project_ref
    from trading.clock import FixedClock
    from trading.projects.models import Project

    app = build_app(workdir, migrate=True)
    clock = FixedClock(__import__("datetime").datetime(2026, 3, 2, 1, 0,
                                                       tzinfo=__import__("datetime").UTC))

    def setup(db):
        project, lot, bidders = make_world(db, app, n, clock)
        return project.id, [(b.id, b.username, b.organisation_id) for b in bidders]

    project_id, bidders = in_transaction(app, setup)
    scratch = workdir / "scratch.tbid"
    for i, (user_id, _username, org_id) in enumerate(bidders):
        def submit(db, i=i, user_id=user_id, org_id=org_id):
            from trading.accounts.models import User

            project = db.get(Project, project_id)
            service = BidService(db, clock, app.registry["keys"], app.registry["storage"],
                                 settings=app.registry.settings)
            seal_to_file(scratch, service.public_key(project), project=project_ref(project),
                         lot=lot_ref(project.lots[0]), bidder=bidder_ref(org_id),
                         size=size_mib * MIB, seed=i)
            with scratch.open("rb") as stream:
                service.submit_envelope(project, project.lots[0], stream=stream,
                                        actor=actor_of(db.get(User, user_id)))

        in_transaction(app, submit)
    scratch.unlink()

    def sequence(db):
        """What the worker's sequencer (trading/audit/sequencer.py) did within a second of
        each bid: its log entry integrated and signed, so the deadline's checkpoint is
        there when the opening starts, as in production."""
        from trading.audit import merkle

        merkle.drain(db, app.registry["keys"], app.registry.settings, now=clock())

    in_transaction(app, sequence)
    print(json.dumps({"project_id": project_id}))


def floor(app, project_id) -> tuple[float, int]:
    """Unwrap + HPKE + AES-256-GCM + SHA-256 over every envelope with the primitives the
    opening itself uses (the suite's receiver) and hashlib: a faster primitive in the
    opening lowers the floor too, so the ratio measures everything else."""
    from bid_crypto import PrivateKey, read_header, unwrap_private_key
    from bid_crypto.envelope import INFO
    from trading.bidding.models import Bid, BidVersion, OpeningKey
    from trading.projects.models import Project

    def paths(db):
        key = db.query(OpeningKey).filter_by(project_id=project_id).one()
        number = db.get(Project, project_id).number
        files = [app.registry["storage"].path_for(v.envelope_sha256) for v in
                 db.query(BidVersion).join(Bid).filter(Bid.project_id == project_id)]
        return key.wrapped_key, number, files

    wrapped, number, files = in_transaction(app, paths)
    record = struct.Struct(">BI")
    start = time.perf_counter()
    private = PrivateKey.from_bytes(unwrap_private_key(app.registry["keys"].kek, wrapped,
                                                       number))
    total = 0
    for path in files:
        with path.open("rb") as handle:
            digest = hashlib.sha256()
            header = read_header(handle)
            digest.update(header.encode())
            context = private.receiver(header.enc, INFO)
            header_hash, index = header.sha256, 0
            while True:
                head = handle.read(record.size)
                flag, length = record.unpack(head)
                sealed = handle.read(length)
                digest.update(head)
                digest.update(sealed)
                total += len(context.unseal(sealed, header_hash + struct.pack(">QB", index,
                                                                              flag)))
                index += 1
                if flag:
                    break
            digest.hexdigest()
    return time.perf_counter() - start, total


class Phases:
    """Timers around the opening service's steps, installed by the bench's child only."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def add(self, name: str, elapsed: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + elapsed

    def timed(self, owner, attribute: str, name: str):
        real = getattr(owner, attribute)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - start)

        setattr(owner, attribute, wrapper)

    def install(self) -> None:
        from trading.bidding import opening

        for attribute, name in (("run_due", "run_due"), ("_start", "snapshot"),
                                ("_open_pending", "open_pending"), ("open_line", "apply"),
                                ("_finish", "finish")):
            self.timed(opening.OpeningService, attribute, name)
        real_open_all = opening.open_all

        def open_all(*args):
            outcomes = real_open_all(*args)
            while True:
                start = time.perf_counter()
                outcome = next(outcomes, None)
                self.add("decrypt", time.perf_counter() - start)
                if outcome is None:
                    return
                yield outcome

        opening.open_all = open_all

    def report(self, open_s: float, floor_s: float) -> dict:
        s = self.seconds
        pending = s.get("open_pending", 0.0)
        inside = s.get("decrypt", 0.0) + s.get("apply", 0.0)
        return {
            "snapshot": s.get("snapshot", 0.0), "decrypt": s.get("decrypt", 0.0),
            "apply": s.get("apply", 0.0), "flush": pending - inside,
            "subscribers": s.get("run_due", 0.0) - s.get("snapshot", 0.0) - pending
            - s.get("finish", 0.0),
            "finish": s.get("finish", 0.0), "other": open_s - s.get("run_due", 0.0),
            "over_floor": open_s - floor_s,
        }


def child_open(workdir: Path, project_id: int, processes: int) -> None:
    from trading.bidding.openpool import warm_up
    from trading.clock import FixedClock
    from trading.projects.models import Project
    from trading.projects.service import ProjectService

    app = build_app(workdir, migrate=False, extra={"opening.processes": str(processes)})
    warm_up(app.registry.settings)  # as trading-worker does at boot (nothing for one process)
    floor_before, payload = floor(app, project_id)

    def deadline(db):
        return db.get(Project, project_id).bid_deadline

    clock = FixedClock(in_transaction(app, deadline))
    app.registry["clock"] = clock

    def advance(db):
        project = db.get(Project, project_id)
        ProjectService(db, clock, app.registry["storage"],
                       keys=app.registry["keys"]).advance(project)
        return str(project.status)

    phases = Phases()
    if processes == 1:
        phases.install()
    profile = None
    if os.environ.get("OPENING_PROFILE") and processes == 1:  # --profile: the one-core run
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
    start = time.perf_counter()
    status = in_transaction(app, advance)
    open_s = time.perf_counter() - start
    if profile is not None:
        import pstats

        profile.disable()
        stats = pstats.Stats(profile, stream=sys.stderr)
        for order in ("cumulative", "tottime"):
            stats.sort_stats(order).print_stats(40)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor_after, _ = floor(app, project_id)

    def valid(db):
        from trading.bidding.models import OpeningLine

        return db.query(OpeningLine).filter_by(status="decrypted").count()

    floor_s = min(floor_before, floor_after)
    print(json.dumps({"open_s": open_s, "floor_s": floor_s,
                      "phases": phases.report(open_s, floor_s) if processes == 1 else {},
                      "rss_mb": rss_mb, "status": status, "valid": in_transaction(app, valid),
                      "payload_mib": payload / MIB}))


# glibc's defaults give every 1 MiB buffer a fresh mmap (page faults on each chunk): the
# floor's simple loop suffers more from it than the app. Both children run with the same
# allocator settings, which also suit the worker (see README, Benchmarks).
MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(8 * MIB), "MALLOC_TRIM_THRESHOLD_": str(8 * MIB)}


def run_child(*args, db_url: str | None = None) -> dict:
    settings = {"sqlalchemy.url": db_url} if db_url else {}
    result = subprocess.run([sys.executable, __file__, "--child", *map(str, args)],
                            capture_output=True, text=True,
                            env={**os.environ, **MALLOC, "OPENING_SETTINGS": json.dumps(settings)})
    if result.returncode != 0:
        sys.exit(f"bench/opening.py: child {args[0]} failed:\n{result.stderr[-3000:]}")
    if os.environ.get("OPENING_PROFILE") and args[0] == "open":
        profile = result.stderr.find("function calls")  # the profile, not the warnings
        print(result.stderr[result.stderr.rfind("\n", 0, profile) + 1:] if profile >= 0
              else "", file=sys.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def postgres(url: str, *statements: str) -> None:
    """Run statements in the maintenance database of `url`'s server (autocommit)."""
    import sqlalchemy as sa

    admin = sa.create_engine(sa.make_url(url).set(database="postgres"),
                             isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        admin.dispose()


class Snapshot:
    """The committed state after setup, to open twice: a copy of the SQLite file, or a
    PostgreSQL database made from the bench's own as a template."""

    def __init__(self, workdir: Path, db_url: str | None):
        self.file, self.url = workdir / "bench.sqlite3", db_url
        if db_url:
            from sqlalchemy import make_url

            self.name = make_url(db_url).database
            self.copy = f"{self.name}_before"

    def create(self) -> None:
        if self.url:
            postgres(self.url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                     f'DROP DATABASE IF EXISTS "{self.copy}" WITH (FORCE)',
                     f'CREATE DATABASE "{self.name}"')

    def take(self) -> None:
        if self.url:
            postgres(self.url, f'CREATE DATABASE "{self.copy}" TEMPLATE "{self.name}"')
        else:
            shutil.copyfile(self.file, self.file.with_suffix(".before"))

    def restore(self) -> None:
        if self.url:
            postgres(self.url, f'DROP DATABASE "{self.name}" WITH (FORCE)',
                     f'CREATE DATABASE "{self.name}" TEMPLATE "{self.copy}"')
        else:
            shutil.copyfile(self.file.with_suffix(".before"), self.file)

    def drop(self) -> None:
        if self.url:
            postgres(self.url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                     f'DROP DATABASE IF EXISTS "{self.copy}" WITH (FORCE)')


def scenario(n: int, size_mib: int, pool: int, db_url: str | None = None) -> dict:
    """Open the same bids twice from the same committed state: in the job's own process
    (one core), then with a pool of `pool` worker processes (the default: every core)."""
    with tempfile.TemporaryDirectory(prefix="bench-opening-") as tmp:
        snapshot = Snapshot(Path(tmp), db_url)
        snapshot.create()
        try:
            start = time.perf_counter()
            setup = run_child("setup", tmp, n, size_mib, db_url=db_url)
            setup_s = time.perf_counter() - start
            snapshot.take()
            result = run_child("open", tmp, setup["project_id"], 1, db_url=db_url)
            snapshot.restore()
            pooled = run_child("open", tmp, setup["project_id"], pool, db_url=db_url)
        finally:
            snapshot.drop()
    result.update(n=n, size_mib=size_mib, setup_s=setup_s, pool=pool,
                  ratio=result["open_s"] / result["floor_s"], pool_open_s=pooled["open_s"],
                  pool_ratio=pooled["open_s"] / min(result["floor_s"], pooled["floor_s"]),
                  pool_rss_mb=pooled["rss_mb"])
    for one in (result, pooled):
        assert one["valid"] == n and one["status"] == "evaluation", one
    print(f"  {n:5d} × {size_mib:3d} MiB: floor {result['floor_s']:.2f} s (one core); "
          f"open {result['open_s']:.2f} s in one process, ratio {result['ratio']:.2f}; "
          f"{pooled['open_s']:.2f} s with {pool} processes (the job's and workers), ratio "
          f"{result['pool_ratio']:.2f}; peak RSS {result['rss_mb']:.0f} / "
          f"{pooled['rss_mb']:.0f} MB  (setup {setup_s:.0f} s)", flush=True)
    print("    one-core phases (s): " + ", ".join(
        f"{name} {seconds:.3f}" for name, seconds in result["phases"].items()), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scenarios (CI)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--small-only", action="store_true",
                        help="only the many-small-bids scenario")
    parser.add_argument("--processes", type=int,
                        help="worker processes of the pooled run (default: every core)")
    parser.add_argument("--profile", action="store_true",
                        help="profile the one-core opening (cProfile, top 40 by cumulative "
                             "and by own time, on stderr)")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--db-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/"
                        "trading_opening", help="--db postgresql: a database of the bench's own")
    args = parser.parse_args()
    if args.child:
        kind, workdir, *rest = args.child
        if kind == "setup":
            child_setup(Path(workdir), int(rest[0]), int(rest[1]))
        else:
            child_open(Path(workdir), int(rest[0]), int(rest[1]))
        return
    if args.profile:
        os.environ["OPENING_PROFILE"] = "1"  # the children inherit it
    pool = args.processes or os.cpu_count() or 1
    db_url = args.db_url if args.db == "postgresql" else None
    if db_url and "127.0.0.1" not in db_url and "localhost" not in db_url:
        parser.error(f"loopback only: {db_url}")
    print(f"opening benchmark ({'PostgreSQL' if db_url else 'SQLite'}, auto custody, 1 MiB "
          f"chunks; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
    scenarios = QUICK if args.quick else FULL
    small = scenario(*scenarios[0], pool, db_url)
    big = small if args.small_only else scenario(*scenarios[1], pool, db_url)
    print(f"bench opening: db={args.db} n={small['n']} size_mib={small['size_mib']} "
          f"open_s={small['open_s']:.2f} floor_s={small['floor_s']:.2f} "
          f"ratio={small['ratio']:.2f} pool={pool} pool_open_s={small['pool_open_s']:.2f} "
          f"pool_ratio={small['pool_ratio']:.2f} rss_mb={small['rss_mb']:.0f} "
          f"big_n={big['n']} big_size_mib={big['size_mib']} big_open_s={big['open_s']:.2f} "
          f"big_floor_s={big['floor_s']:.2f} big_ratio={big['ratio']:.2f} "
          f"big_pool_ratio={big['pool_ratio']:.2f} big_rss_mb={big['rss_mb']:.0f} "
          f"big_pool_rss_mb={big['pool_rss_mb']:.0f} "
          + "".join(f"{name}_s={seconds:.3f} " for name, seconds in small["phases"].items())
          + f"load={os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
