"""Demo collusion signals: one project whose lot is flagged, every other opening scanned.

The flagged lot is played the way it would happen: two bidders sign up, download and
upload from one office network and one machine within a minute, with the same technical
proposal and the same project manager, at prices 1 % of the ceiling apart; a third
bids on its own. The opening then runs, and the scan with it.
"""

import io
from datetime import timedelta

import sqlalchemy as sa

from bid_crypto import Document, seal_bid

from ..actor import Actor
from ..bidding.models import Opening, OpeningState
from ..bidding.opening import OpeningService
from ..bidding.service import BidService, bidder_ref, lot_ref, project_ref
from ..clock import FixedClock
from ..demo import LAST_LOADERS
from ..jobs.runtime import runtime
from ..projects.kinds import ProcurementMethod, ProjectType
from ..projects.models import Project
from ..projects.service import ProjectService
from .collusion_service import CollusionService

NAME = "城东学校运动场改造工程"
COPIED = "%PDF-1.4 运动场改造 技术标（施工组织设计）同一稿".encode() * 20
# username: (address, device fingerprint, seconds after the first upload, ‰ of ceiling,
# project manager, technical proposal)
PLAYERS = {
    "bidder1": ("203.0.113.25", "5f1e0c2a9b7d4e61", 0, 950, "赵志远", COPIED),
    "bidder2": ("203.0.113.25", "5f1e0c2a9b7d4e61", 40, 960, "赵志远", COPIED),
    "bidder3": ("198.51.100.14", "a07c33e1d2b94f08", 7200, 970, "林志强",
                "%PDF-1.4 榕城市政 技术标".encode() * 20),
}


def _actor(user, address: str, device: str) -> Actor:
    return Actor(user.id, user.username, user.organisation_id, str(user.role), address,
                 device=device)


def load_signals(dbsession, clock, settings) -> None:
    if dbsession.scalar(sa.select(Project.id).where(Project.name == NAME)) is None:
        _flagged_project(dbsession, clock, settings)
    scans = CollusionService(dbsession, clock)
    done = sa.select(Project).join(Opening, Opening.project_id == Project.id).where(
        Opening.state == OpeningState.DONE)
    for project in dbsession.scalars(done):
        scans.scan(project)  # once each; the flagged one is scanned by its own opening


def _flagged_project(dbsession, clock, settings) -> None:
    # Imported here: importing a demo module registers its loaders, and the order they
    # register in is the order they run in (the award profile must come before projects).
    from ..projects.demo import _input, _no_jobs, _user

    owner, center = _user(dbsession, "owner1"), _user(dbsession, "center1")
    storage, keys = runtime.registry["storage"], runtime.keys
    at = FixedClock(clock() - timedelta(days=25))
    projects = ProjectService(dbsession, at, storage, enqueue=_no_jobs)
    project = projects.create_draft(
        _input(NAME, ProjectType.WORKS, ProcurementMethod.OPEN_TENDER, (("施工", 500),), at()),
        owner=owner.organisation, actor=_actor(owner, "127.0.0.1", ""))
    tender = projects.add_document(project, filename=f"{NAME}招标文件.pdf",
                                   content_type="application/pdf",
                                   stream=io.BytesIO(f"%PDF-1.4 demo {NAME}".encode()),
                                   actor=_actor(owner, "127.0.0.1", ""))
    projects.submit_for_review(project, actor=_actor(owner, "127.0.0.1", ""))
    projects.approve(project, actor=_actor(center, "127.0.0.1", ""))
    at.set(project.doc_start + timedelta(hours=2))
    projects.advance(project)
    bids = BidService(dbsession, at, keys, storage, settings=settings)
    lot = project.lots[0]
    first_upload = project.bid_deadline - timedelta(days=1)
    for username, (address, device, after, share, manager, proposal) in PLAYERS.items():
        user = _user(dbsession, username)
        actor = _actor(user, address, device)
        at.set(project.doc_start + timedelta(hours=3, seconds=after))
        projects.sign_up(project, lot, bidder=user, actor=actor)
        projects.record_download(tender, user=user, actor=actor)
        at.set(first_upload + timedelta(seconds=after))
        price = lot.ceiling_price * share // 1000
        envelope = io.BytesIO()
        seal_bid(envelope, bids.public_key(project),
                 offer={"total_price": price, "currency": "CNY", "duration_days": 120,
                        "quality": "合格", "project_manager": manager,
                        "items": [{"name": "运动场改造施工", "total_price": price}]},
                 documents=[Document("技术标.pdf", io.BytesIO(proposal))],
                 project=project_ref(project), lot=lot_ref(lot),
                 bidder=bidder_ref(user.organisation_id), custody=str(project.custody_mode))
        envelope.seek(0)
        bids.submit_envelope(project, lot, stream=envelope, actor=actor)
    _open(dbsession, at, keys, storage, settings, projects, project)


def _open(dbsession, at, keys, storage, settings, projects, project) -> None:
    """At the deadline: the opening, then the documents (and with them the scan)."""
    at.set(project.bid_deadline + timedelta(minutes=1))
    projects.advance(project)  # to `opening` (and the opening itself, if not paused)
    opening = OpeningService(dbsession, at, keys, storage, settings=settings)
    for _ in range(2):
        opening.run_due(projects, project)
        at.set(at() + timedelta(seconds=5))
    project.next_check = None


if load_signals not in LAST_LOADERS:
    LAST_LOADERS.append(load_signals)
