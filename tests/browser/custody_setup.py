"""Projects for the custody walks, made through the real services on the live test server's
files (serve.py's database, storage and keys), as the demo would make them:

    custody_setup.py WORKDIR create MODE NAME   a project in bidding with custody MODE,
        bidder1..3 signed up to its lot, bidder2 and bidder3 having sealed and submitted
        their bids (with the bid_crypto library, as the CLI does); prints its ids as JSON.
    custody_setup.py WORKDIR create custodians NAME USER,USER   the same, its opening key
        held 2-of-n by those users (who enrolled their keys in the browser first).
    custody_setup.py WORKDIR custodians PREFIX   two new custodians, a center staff member
        and a supervisor (demo password), who have no key yet; prints their usernames.
    custody_setup.py WORKDIR shares PROJECT_ID   dual custody, in the decryption window:
        bidder2 and bidder3 derive and submit their decryption shares (on the server's
        shifted clock).
"""

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
import bid_crypto  # noqa: E402,F401  before tests/ joins the path: tests/bid_crypto would shadow it

sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from serve import ROOT, ShiftedClock, environment  # noqa: E402

OTHERS = ("bidder2", "bidder3")


def _app(work: Path, clock):
    import os

    os.environ.update(environment(work))
    from pyramid.paster import get_appsettings

    from trading import main as make_app

    settings = {**get_appsettings(str(ROOT / "development.ini")), "huey.immediate": "true"}
    return make_app({}, clock=clock, **settings)


def _session(app):
    import transaction

    from trading.db import get_tm_session

    tm = transaction.TransactionManager(explicit=True)
    return tm, lambda: get_tm_session(app.registry["dbsession_factory"], tm)


def _user(db, username):
    import sqlalchemy as sa

    from trading.accounts.models import User

    return db.scalar(sa.select(User).where(User.username == username))


def custodians(work: Path, prefix: str) -> list[str]:
    from trading.accounts.models import Role
    from trading.accounts.service import AccountService
    from trading.actor import Actor
    from trading.clock import FixedClock
    from trading.demo import DEMO_PASSWORD

    clock = FixedClock(datetime.now(UTC))
    app = _app(work, clock)
    tm, session = _session(app)
    names = [f"{prefix}c", f"{prefix}s"]
    with tm:
        accounts = AccountService(session(), clock, app.registry.settings)
        for username, role, display in ((names[0], Role.CENTER, "演练保管人（中心）"),
                                        (names[1], Role.SUPERVISOR, "演练保管人（监管）")):
            accounts.create_user(username=username, display_name=display,
                                 password=DEMO_PASSWORD, role=role, organisation=None,
                                 actor=Actor.system("walk"))
    return names


def create(work: Path, mode: str, name: str, holders: str = "", suite: str = "") -> dict:
    """`suite` (e.g. sm2) makes a 国密 project; empty takes the platform's default."""
    import io

    from factories import actor_for, project_input, project_service

    from bid_crypto import generate_private_key
    from trading.bidding.service import BidService
    from trading.clock import FixedClock
    from trading.demo.helpers import seal_and_submit
    from trading.projects.kinds import CryptoSuite, CustodyMode

    now = datetime.now(UTC)
    clock = FixedClock(now - timedelta(days=2))
    app = _app(work, clock)
    tm, session = _session(app)
    with tm:
        db = session()
        registry, settings = app.registry, app.registry.settings
        owner, center = _user(db, "owner1"), _user(db, "center1")
        service = project_service(db, clock, registry)
        chosen = {"crypto_suite": CryptoSuite(suite)} if suite else {}
        project = service.create_draft(project_input(clock, name=name,
                                                     custody_mode=CustodyMode(mode), **chosen),
                                       owner=owner.organisation, actor=actor_for(owner))
        service.add_document(project, filename="招标文件.pdf", content_type="application/pdf",
                             stream=io.BytesIO(b"%PDF tender"), actor=actor_for(owner))
        if holders:
            BidService(db, clock, registry["keys"], registry["storage"], settings=settings) \
                .designate_custodians(project, user_ids=[_user(db, u).id
                                                         for u in holders.split(",")],
                                      threshold=2, actor=actor_for(center))
        service.submit_for_review(project, actor=actor_for(owner))
        service.approve(project, actor=actor_for(center))
        clock.set(now)
        service.advance(project)
        lot = project.lots[0]
        bids = BidService(db, clock, registry["keys"], registry["storage"], settings=settings)
        for username in ("bidder1", *OTHERS):
            user = _user(db, username)
            service.sign_up(project, lot, bidder=user, actor=actor_for(user))
        for i, username in enumerate(OTHERS):
            user, key = _user(db, username), None
            if mode == "dual":
                private = generate_private_key()
                (work / f"{project.id}-{username}.key").write_text(private.to_json())
                key = private.public_key()
            seal_and_submit(bids, project, lot, actor=actor_for(user), bidder_key=key,
                            offer={"total_price": lot.ceiling_price - 10_000_00 * (i + 1),
                                   "currency": "CNY", "duration_days": 200})
        return {"project_id": project.id, "lot_id": lot.id, "number": project.number,
                "status": str(project.status), "deadline": project.bid_deadline.isoformat()}


def shares(work: Path, project_id: int) -> None:
    from factories import actor_for

    from bid_crypto import PrivateKey, make_decryption_share, read_header
    from trading.bidding.opening import OpeningService
    from trading.projects.models import Project

    clock = ShiftedClock(work / "clock_offset")
    app = _app(work, clock)
    tm, session = _session(app)
    with tm:
        db = session()
        registry = app.registry
        project = db.get(Project, project_id)
        opening = OpeningService(db, clock, registry["keys"], registry["storage"],
                                 settings=registry.settings)
        for username in OTHERS:
            user = _user(db, username)
            bid = opening.bids.bid_for(project.lots[0], user.organisation_id)
            version = opening.bids.version(bid, bid.current_version)
            with registry["storage"].open(version.envelope_sha256) as envelope:
                header = read_header(envelope)
            key = PrivateKey.from_json((work / f"{project_id}-{username}.key").read_text())
            share = make_decryption_share(header, key)
            opening.submit_share(project, bid, share_json=share.to_json().encode(),
                                 actor=actor_for(user))


if __name__ == "__main__":
    workdir, command, *rest = sys.argv[1:]
    if command == "create":
        print(json.dumps(create(Path(workdir), *rest)))
    elif command == "custodians":
        print(json.dumps(custodians(Path(workdir), rest[0])))
    else:
        shares(Path(workdir), int(rest[0]))
