"""Demo bids: sealed envelopes from bidder1..3, opening records for projects past opening.

The projects demo walks its projects past their deadlines before any bid exists, so the
opening handler is paused while it runs (it would fail every project for want of bids);
this loader then seals the bids each project should have had — submitted a day before
its deadline on a demo clock — and writes the records. The project left in `opening` is
given back to the chronograph, so a running worker opens it, as it would at a deadline.
"""

import io
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bid_crypto import Document, seal_bid
from bid_crypto.cli import main as bid_crypto_cli
from bid_crypto.protected import MIN_LOG_N

from ..accounts.models import User
from ..actor import Actor
from ..bidding import OPENING_PAUSED
from ..bidding.models import Bid
from ..bidding.opening import OpeningService
from ..bidding.service import BidService, bidder_ref, lot_ref, project_ref
from ..clock import FixedClock
from ..db import registry_of
from ..projects.models import Project, SignUp
from ..projects.service import ProjectService
from ..projects.status import ProjectStatus
from .helpers import actor as _actor

S = ProjectStatus
PAST_OPENING = (S.EVALUATION, S.CANDIDATES_PUBLICISED, S.AWARDED, S.CONTRACTED, S.ARCHIVED,
                S.FAILED)
# (share of the ceiling price in ‰, duration in days, project manager)
OFFERS = {"bidder1": (962, 180, "李建国"), "bidder2": (948, 170, "陈晓明"),
          "bidder3": (975, 185, "林志强")}


def pause_opening(dbsession, clock, settings) -> None:
    """Runs first: no opening until `load_bids`, which runs last and resumes it."""
    registry_of(dbsession)[OPENING_PAUSED] = True

# The demo custodians of the `custodians` projects (k = 2 of 3, three bodies, two roles).
DEMO_CUSTODIANS = ("center1", "supervisor1", "owner1")


def custody_dir(settings) -> Path:
    """Where the demo custodians' key files go: beside the platform's files (var/ for
    `make run`), never among them or the keys (they stand for files on the custodians' own
    machines) and never in the DB. Beside the storage root, so each demo database — a test
    server's, a test's — has its own and none finds another's key."""
    storage = Path(settings.get("storage.root") or "var/files")
    return storage.resolve().parent / "demo-custodians"


def designate_demo_custodians(dbsession, clock, project, center) -> None:
    """Before a demo `custodians` project is approved: each demo custodian's key made by
    the custodians' own CLI (`bid_crypto custodian keygen`), its public half enrolled."""
    settings = registry_of(dbsession).settings
    service = BidService(dbsession, clock, registry_of(dbsession)["keys"],
                         registry_of(dbsession)["storage"], settings=settings)
    users = [dbsession.scalar(sa.select(User).where(User.username == name))
             for name in DEMO_CUSTODIANS]
    for user in users:
        if service.custody_key(user) is None:
            public = _demo_custodian_key(custody_dir(settings), user)
            service.enrol_custody_key(user, public_key=public, actor=_actor(user))
    service.designate_custodians(project, user_ids=[u.id for u in users], threshold=2,
                                 actor=_actor(center))


def _demo_custodian_key(directory: Path, user: User) -> bytes:
    pub = directory / f"{user.username}.pub"
    if pub.exists():  # made by an earlier run, whose printout gave its passphrase
        print(f"  demo custodian {user.username}: key file {directory / user.username}.key "
              "(passphrase: printed when it was made)")
        return pub.read_bytes()
    passphrase = secrets.token_urlsafe(18)
    handle, passfile = tempfile.mkstemp(prefix="custody-", suffix=".txt")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(passphrase + "\n")
        code = bid_crypto_cli(["custodian", "keygen", "--label",
                               f"{user.display_name} 演示保管人", "--name", user.username,
                               "--passphrase-file", passfile, "--out", str(directory),
                               # The cheapest KDF the format allows: a demo key whose
                               # passphrase is printed; custodians' own keys use the default.
                               "--scrypt-log-n", str(MIN_LOG_N)])
    finally:
        os.unlink(passfile)
    if code != 0 and pub.exists():  # another demo loader on these files made it first
        return pub.read_bytes()
    if code != 0:
        raise RuntimeError(f"could not make the demo custodian key of {user.username}")
    print(f"  demo custodian {user.username}: key file {directory / user.username}.key, "
          f"passphrase {passphrase}")
    return pub.read_bytes()



def _offer(lot, username: str) -> dict:
    share, days, manager = OFFERS[username]
    price = (lot.ceiling_price or lot.budget) * share // 1000
    main = price * 8 // 10
    return {"total_price": price, "currency": "CNY", "duration_days": days, "quality": "合格",
            "project_manager": manager,
            "items": [{"name": f"{lot.name}（主体）", "total_price": main},
                      {"name": "安全文明施工费", "total_price": price - main}]}


def _sealed(service: BidService, project, lot, org_id: int, username: str) -> io.BytesIO:
    envelope = io.BytesIO()
    seal_bid(envelope, service.public_key(project), offer=_offer(lot, username),
             documents=[Document("技术标.pdf", io.BytesIO(
                 f"%PDF-1.4 demo {project.number} {username}".encode()))],
             project=project_ref(project), lot=lot_ref(lot), bidder=bidder_ref(org_id),
             custody=str(project.custody_mode))
    envelope.seek(0)
    return envelope


def load_bids(dbsession, clock, settings) -> None:
    registry = registry_of(dbsession)
    registry.pop(OPENING_PAUSED, None)
    storage, keys = registry["storage"], registry["keys"]
    bidders = {u.username: u for u in dbsession.scalars(
        sa.select(User).where(User.username.in_(list(OFFERS))))}
    query = (sa.select(Project).where(Project.status.in_([S.BIDDING, S.OPENING, *PAST_OPENING]),
                                      Project.published_at.is_not(None))
             .order_by(Project.id))
    for project in dbsession.scalars(query):
        if dbsession.scalar(sa.select(Bid.id).where(Bid.project_id == project.id).limit(1)):
            continue
        service = BidService(dbsession, clock, keys, storage, settings=settings)
        service.prepare_key(project, actor=Actor.system("demo"))
        _bid(dbsession, service, project, bidders, clock)
        if project.status in PAST_OPENING:
            _record(dbsession, keys, storage, settings, project)
        elif project.status is S.OPENING:
            _open_on_time(dbsession, keys, storage, settings, project, clock)


def _bid(dbsession, service, project, bidders, clock) -> None:
    signups = dbsession.scalars(sa.select(SignUp).where(SignUp.project_id == project.id)
                                .order_by(SignUp.id))
    by_org = {u.organisation_id: u for u in bidders.values()}
    limit = 2 if project.status is S.FAILED else 3  # the demo's 流标 had two bidders
    taken: dict[int, int] = {}
    for signup in signups:
        user = by_org.get(signup.bidder_org_id)
        if user is None or taken.get(signup.lot_id, 0) >= limit:
            continue
        taken[signup.lot_id] = taken.get(signup.lot_id, 0) + 1
        envelope = _sealed(service, project, signup.lot, user.organisation_id, user.username)
        if project.status is S.BIDDING and clock() < project.bid_deadline:
            service.submit_envelope(project, signup.lot, stream=envelope, actor=_actor(user))
            continue
        # A project already past its deadline: the bid as it arrived a day before.
        info, stored = service._scan(envelope), None
        envelope.seek(0)
        stored = service.storage.put(envelope)
        service._accept(project, signup.lot, user.organisation_id, info, stored, "upload",
                        _actor(user), now=project.bid_deadline - timedelta(days=1))


def _open_on_time(dbsession, keys, storage, settings, project, clock) -> None:
    """The opening starts at the deadline, as the chronograph starts it: a platform-held
    one opens at once, a custodians' one waits for their shares (the sweep goes on when
    they release them). Left for a worker to start, it would start days late and say so
    (因平台作业中断) on every fresh demo."""
    at = FixedClock(project.bid_deadline + timedelta(minutes=1))
    opening = OpeningService(dbsession, at, keys, storage, settings=settings)
    projects = ProjectService(dbsession, at, storage, keys=keys)
    for _ in range(2):  # the opening, then its documents
        if opening.run_due(projects, project) is None:
            break
        at.set(at() + timedelta(seconds=5))
    project.next_check = clock() if project.status is S.OPENING else None


def _record(dbsession, keys, storage, settings, project) -> None:
    at = FixedClock(project.bid_deadline + timedelta(minutes=1))
    opening = OpeningService(dbsession, at, keys, storage, settings=settings)
    record, lines = opening._start(project, at())
    opening._open_pending(project, record, lines)
    # The project moved on already: the record is written, the status is left alone.
    opening._finish(ProjectService(dbsession, at, storage, keys=opening.keys), project, record,
                    lines)
    if project.status is S.EVALUATION:  # the committees read the opened documents
        opening.store_documents(project, record, run_hooks=False)
