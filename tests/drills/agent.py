"""The processes of the fault drills: world setup, the real worker, the web server, a draw.

Each drill runs these as separate OS processes (so a SIGKILL is a real one) on the drill's
own ini (written by `tests/drills/conftest.py`; database and queue from the TRADING_*
environment). Usage:

    agent.py setup SCENARIO INI OUT.json [--bidders N] [--deadline-in S] [--big-first 1]
                                             build a world, commit it, describe it in OUT
    agent.py worker INI [--pause SPEC]       the real Huey consumer (trading-worker)
    agent.py serve INI PORT                  waitress on the real app
    agent.py reveal INI DRAW_ID [--pause SPEC]

`--pause module:Qualified.name:N` stops the process right after the N-th call of that
function returns (it writes `<ini dir>/paused`, holding the return value's repr, and waits)
so the drill can kill it at exactly that point: in the middle of the job's transaction.
"""

import argparse
import base64
import importlib
import json
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent)]

KEK = base64.b64encode(bytes(range(32, 64))).decode()
SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
PASSWORD = "Password-123"
# Real time at which the drill worlds' deadline fell: the worker was down across it.
DEADLINE_AGO = timedelta(minutes=10)


def install_pause(spec: str, marker: Path) -> None:
    module_name, qualname, nth = spec.split(":")
    owner = importlib.import_module(module_name)
    *path, name = qualname.split(".")
    for part in path:
        owner = getattr(owner, part)
    real, calls = getattr(owner, name), []

    def paused(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == int(nth):
            marker.write_text(repr(result))
            threading.Event().wait()  # until the drill's SIGKILL
        return result

    setattr(owner, name, paused)


# -- the worlds -------------------------------------------------------------------------------


class Env:
    """The committed app a setup works in, with the bidding tests' own world helpers."""

    def __init__(self, ini: str, clock=None, migrate=True):
        from pyramid.paster import get_app

        from trading.cli import main as cli

        if migrate and cli(["migrate", ini]) != 0:
            sys.exit("agent: migrate failed")
        self.ini = ini
        self.app = get_app(ini)
        if clock is not None:
            self.app.registry["clock"] = clock  # the setup's own time; the worker's is real
        self.clock = self.app.registry["clock"]
        self.settings = self.app.registry.settings
        self.settings.update({"bidding.chunk_size": "1024"})

    def transaction(self, work):
        import transaction

        from trading.db import get_tm_session

        tm = transaction.TransactionManager(explicit=True)
        with tm:
            return work(get_tm_session(self.app.registry["dbsession_factory"], tm))

    def world(self, db):
        from bidding.conftest import World  # the bidding tests' sealing and submitting

        return World(db, self.clock, self.settings, self.app.registry)


def _clock_for_deadline(deadline: datetime):
    from trading.clock import FixedClock

    # factories.project_input: documents from tomorrow, deadline 30 days after that.
    return FixedClock(deadline - timedelta(days=31))


def _tokens(db, env, users) -> list[str]:
    from factories import actor_for

    from trading.accounts.service import AccountService

    accounts = AccountService(db, env.clock, env.settings)
    return [accounts.create_api_token(u, "drill", actor_for(u))[1] for u in users]


def setup_opening(env) -> dict:
    """An `auto` project whose deadline passed 10 minutes ago with no worker running:
    three bids before the deadline, one refused after it."""
    from factories import make_project

    from trading.errors import DeadlinePassed

    deadline = datetime.now(UTC) - DEADLINE_AGO
    env.clock.set(deadline - timedelta(days=31))

    def work(db):
        from bidding.conftest import signed_up_bidders

        world = env.world(db)
        world.project = make_project(db, env.clock, env.settings, env.app.registry,
                                     open_bidding=True, bid_deadline=deadline)
        world.bidders = signed_up_bidders(world, 4)
        receipts = []
        for i, bidder in enumerate(world.bidders[:3]):
            env.clock.set(deadline - timedelta(hours=3 - i))
            version = world.submit(bidder, world.seal(bidder, offer_=world.offer(
                80_000_000 - i * 1_000_000)))
            receipts.append(version.envelope_sha256)
        env.clock.set(deadline + timedelta(seconds=1))
        late = world.bidders[3]
        try:
            world.submit(late, world.seal(late))
            refused = None
        except DeadlinePassed as error:
            refused = error.code
        return {"project_id": world.project.id, "receipts": receipts, "late_refused": refused,
                "deadline": deadline.isoformat()}

    return env.transaction(work)


def setup_archive(env) -> dict:
    """A project cancelled a moment ago: its archive job is queued."""
    from factories import actor_for, make_project, make_user, project_service

    from trading.accounts.models import Role

    env.clock.set(datetime.now(UTC) - timedelta(minutes=2))

    def work(db):
        owner = make_user(db, env.clock, env.settings, role=Role.OWNER)
        project = make_project(db, env.clock, env.settings, env.app.registry, owner=owner,
                               publish=True)
        project_service(db, env.clock, env.app.registry).cancel(
            project, reason="资金调整", actor=actor_for(owner))
        return {"project_id": project.id}

    return env.transaction(work)


def setup_draw(env) -> dict:
    """A committed draw of 3 among 40 candidates, waiting for its reveal."""
    from trading.actor import Actor
    from trading.draws.services import DrawService

    def work(db):
        draws = DrawService(db, env.clock, env.app.registry["keys"])
        actor = Actor.system("drill")
        draw = draws.freeze(purpose="专家抽取演练", subject_type="drill", subject_id=1,
                            candidates=[{"id": f"E{i:03d}", "attributes": {"专业": "土建"}}
                                        for i in range(40)],
                            count=3, rule="随机抽取 3 名", actor=actor)
        draws.commit(draw, actor=actor)
        return {"draw_id": draw.id, "commitment": draw.commitment}

    return env.transaction(work)


def setup_receipts(env, bidders: int, deadline: datetime, big_first: bool = False):
    """A project open for bidding until `deadline` (real time) and `bidders` signed-up
    bidders with API tokens, each with its envelope sealed in advance (the first one past
    one S3 part, 9 MiB, when `big_first`)."""
    from bidding.conftest import signed_up_bidders
    from factories import make_project

    def work(db):
        w = env.world(db)
        w.project = make_project(db, env.clock, env.settings, env.app.registry,
                                 open_bidding=True, bid_deadline=deadline)
        w.bidders = signed_up_bidders(w, bidders)
        out = Path(env.ini).parent / "envelopes"
        out.mkdir(exist_ok=True)
        clients = []
        for i, (bidder, token) in enumerate(zip(w.bidders, _tokens(db, env, w.bidders),
                                                strict=True)):
            path = out / f"{w.project.id}-{i}.tbid"
            path.write_bytes(w.seal(bidder, offer_=w.offer(70_000_000 + i),
                                    documents=[("技术标.pdf", bytes([i % 256]) * (
                                        9 * 1024 * 1024 if big_first and i == 0
                                        else 65536))]))
            clients.append({"token": token, "envelope": str(path)})
        return {"project_id": w.project.id, "lot_id": w.lot.id, "clients": clients}

    return env.transaction(work)


def setup_custodians(env) -> dict:
    """Redis drill: a `custodians` project at its opening, waiting for two custodians'
    releases (which the web enqueues), and a project open for bidding until tomorrow."""
    from bidding.conftest import signed_up_bidders
    from factories import actor_for, make_project, make_user

    from bid_crypto import generate_private_key
    from trading.accounts.models import Role
    from trading.bidding.service import BidService
    from trading.projects.kinds import CustodyMode
    deadline = datetime.now(UTC) - DEADLINE_AGO
    env.clock.set(deadline - timedelta(days=31))

    def work(db):
        w = env.world(db)
        owner = make_user(db, env.clock, env.settings, role=Role.OWNER)
        center = make_user(db, env.clock, env.settings, role=Role.CENTER)
        supervisor = make_user(db, env.clock, env.settings, role=Role.SUPERVISOR)
        custodians = [center, supervisor, owner]
        w.project = make_project(db, env.clock, env.settings, env.app.registry, owner=owner,
                                 custody_mode=CustodyMode.CUSTODIANS, bid_deadline=deadline)
        bids = BidService(db, env.clock, env.app.registry["keys"], env.app.registry["storage"],
                          settings=env.settings)
        for user in custodians:  # each custodian's own tool keeps the private key
            w.custodian_keys[user.id] = generate_private_key("x25519")
            bids.enrol_custody_key(user, public_key=w.custodian_keys[user.id].public_key()
                                   .to_json(), actor=actor_for(user))
        bids.designate_custodians(w.project, user_ids=[u.id for u in custodians],
                                  threshold=2, actor=actor_for(center))
        service = w.projects()
        service.submit_for_review(w.project, actor=actor_for(owner))
        service.approve(w.project, actor=actor_for(center))
        env.clock.set(w.project.doc_start)
        service.advance(w.project)
        w.bidders = signed_up_bidders(w, 3)
        for bidder in w.bidders:
            w.submit(bidder, w.seal(bidder))
        env.clock.set(deadline)
        service.advance(w.project)  # → opening, waiting for the custodians
        return {"project_id": w.project.id,
                "custodians": [{"token": t, "release": json.loads(w.release_file(u))}
                               for u, t in zip(custodians[:2],
                                               _tokens(db, env, custodians[:2]), strict=True)]}

    sealed = env.transaction(work)
    env.clock.set(datetime.now(UTC) - timedelta(days=31))
    sealed["open"] = setup_receipts(env, 6, datetime.now(UTC) + timedelta(days=1))
    return sealed


def setup(scenario: str, ini: str, out: str, bidders: int, deadline_in: int = 86400,
          big_first: bool = False) -> None:
    from trading.clock import FixedClock

    env = Env(ini, FixedClock(datetime.now(UTC)))
    if scenario == "receipts":
        deadline = datetime.now(UTC) + timedelta(seconds=deadline_in)
        env.clock.set(datetime.now(UTC) - timedelta(days=31))
        world = setup_receipts(env, bidders, deadline, big_first)
        world["deadline"] = deadline.isoformat()
    else:
        world = {"opening": setup_opening, "archive": setup_archive, "draw": setup_draw,
                 "custodians": setup_custodians}[scenario](env)
    _sequence_as_then(env)
    Path(out).write_text(json.dumps(world))


def _sequence_as_then(env) -> None:
    """The setup wrote history on a clock in the past, when a sequencer was running: merge
    each event at its own queue time, as the demo loader does, so the receipts' promises
    hold and the processes under test start from a log that verifies."""
    from trading.audit.merkle import sequence

    def work(db):
        while db.scalar(_pending_count()):
            sequence(db, env.app.registry["keys"], env.settings, now=env.clock(),
                     as_queued=True)

    env.transaction(work)


def _pending_count():
    import sqlalchemy as sa

    from trading.audit.models import TlogPending

    return sa.select(sa.func.count()).select_from(TlogPending)


# -- the processes under test -----------------------------------------------------------------


def worker(ini: str) -> int:
    from trading.jobs.worker import main

    return main([ini])


def serve(ini: str, port: str) -> None:
    from pyramid.paster import get_app
    from waitress import serve as waitress_serve

    waitress_serve(get_app(ini), host="127.0.0.1", port=int(port), threads=8, _quiet=True,
                   channel_timeout=60)


def reveal(ini: str, draw_id: str) -> None:
    """What a draw's reveal step does, in its own transaction, as a job would."""
    from trading.actor import Actor
    from trading.draws.models import Draw
    from trading.draws.services import DrawService

    env = Env(ini, migrate=False)

    def work(db):
        draw = db.get(Draw, int(draw_id))
        DrawService(db, env.clock, env.app.registry["keys"]).reveal(
            draw, actor=Actor.system("drill"))
        return draw.result

    print(json.dumps(env.transaction(work)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("setup", "worker", "serve", "reveal"))
    parser.add_argument("args", nargs="*")
    parser.add_argument("--pause")
    parser.add_argument("--bidders", type=int, default=3)
    parser.add_argument("--deadline-in", type=int, default=86400,
                        help="receipts: the bid deadline this many seconds from now")
    parser.add_argument("--big-first", type=int, default=0,
                        help="receipts: the first bidder's envelope past one S3 part")
    args = parser.parse_args(argv)
    if args.pause:
        ini = args.args[1] if args.command == "setup" else args.args[0]
        install_pause(args.pause, Path(ini).parent / "paused")
    if args.command == "setup":
        setup(*args.args, bidders=args.bidders, deadline_in=args.deadline_in,
              big_first=bool(args.big_first))
    elif args.command == "worker":
        sys.exit(worker(*args.args))
    elif args.command == "serve":
        serve(*args.args)
    else:
        reveal(*args.args)


if __name__ == "__main__":
    main()
