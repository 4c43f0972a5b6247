"""Demo collusion signals: one project whose lot is flagged, every other opening scanned;
and items already overdue when the demo loads, for every kind of electronic supervision
alert a person must resolve (an unanswered objection, small works, the supermarket).

The flagged lot is played the way it would happen: two bidders sign up, download and
upload from one office network and one machine within a minute, with the same technical
proposal and the same project manager, at prices 1 % of the ceiling apart; a third
bids on its own. The opening then runs, and the scan with it.
"""

import contextlib
import io
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from ..actor import Actor
from ..bidding.models import Opening, OpeningState
from ..bidding.opening import OpeningService
from ..bidding.service import BidService
from ..clock import FixedClock
from ..db import registry_of
from ..projects.kinds import ProcurementMethod, ProjectType
from ..projects.models import Project
from ..projects.service import ProjectService
from ..supervision.collusion_service import CollusionService
from .evaluation import WORKS_SPECIALTY, ensure_pool, evaluate_for_demo, evaluate_until_warning
from .helpers import SYSTEM, actor, no_jobs, project_input, seal_and_submit, tender_document, user
from .smallworks import accept_work, post_work

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


def _actor(who, address: str, device: str) -> Actor:
    return actor(who, address, device)


def load_signals(dbsession, clock, settings) -> None:
    if dbsession.scalar(sa.select(Project.id).where(Project.name == NAME)) is None:
        _flagged_project(dbsession, clock, settings)
    scans = CollusionService(dbsession, clock)
    done = sa.select(Project).join(Opening, Opening.project_id == Project.id).where(
        Opening.state == OpeningState.DONE)
    for project in dbsession.scalars(done):
        scans.scan(project)  # once each; the flagged one is scanned by its own opening


def _flagged_project(dbsession, clock, settings) -> None:
    owner, center = user(dbsession, "owner1"), user(dbsession, "center1")
    storage, keys = registry_of(dbsession)["storage"], registry_of(dbsession)["keys"]
    at = FixedClock(clock() - timedelta(days=25))
    projects = ProjectService(dbsession, at, storage, enqueue=no_jobs, keys=keys)
    project = projects.create_draft(
        project_input(NAME, ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
                      (("施工", 500),), at()),
        owner=owner.organisation, actor=_actor(owner, "127.0.0.1", ""))
    tender = projects.add_document(project, **tender_document(project),
                                   actor=_actor(owner, "127.0.0.1", ""))
    projects.submit_for_review(project, actor=_actor(owner, "127.0.0.1", ""))
    projects.approve(project, actor=_actor(center, "127.0.0.1", ""))
    at.set(project.doc_start + timedelta(hours=2))
    projects.advance(project)
    bids = BidService(dbsession, at, keys, storage, settings=settings)
    lot = project.lots[0]
    first_upload = project.bid_deadline - timedelta(days=1)
    for username, (address, device, after, share, manager, proposal) in PLAYERS.items():
        bidder = user(dbsession, username)
        actor = _actor(bidder, address, device)
        at.set(project.doc_start + timedelta(hours=3, seconds=after))
        projects.sign_up(project, lot, bidder=bidder, actor=actor)
        projects.record_download(tender, user=bidder, actor=actor)
        at.set(first_upload + timedelta(seconds=after))
        price = lot.ceiling_price * share // 1000
        seal_and_submit(bids, project, lot, actor=actor,
                        offer={"total_price": price, "currency": "CNY", "duration_days": 120,
                               "quality": "合格", "project_manager": manager,
                               "items": [{"name": "运动场改造施工", "total_price": price}]},
                        documents=(("技术标.pdf", io.BytesIO(proposal)),))
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


# -- overdue steps (电子监察): items already late when the demo loads ----------------------
# Each is walked through the real services on a clock in the past, so the step fell due
# the way a real one would; none is one the platform's own jobs resolve: a person must act.

UNREVIEWED = "市图书馆外立面改造工程"  # submitted five days ago, not reviewed
LATE_REPORT = "市青少年宫维修改造工程"  # opened 14 days ago, no evaluation report
OBJECTED = "市民广场地下停车场改造工程"  # an objection the owner left unanswered
UNSIGNED = "江滨路排涝泵站改造工程"  # awarded 44 days ago, no contract
# (username, ‰ of the ceiling): irregular prices, nothing in common: clean openings
CLEAN_BIDS = (("bidder1", 931), ("bidder2", 957), ("bidder3", 988))
LATE_SMALL_WORKS = ("连江县某村便民桥栏杆维修工程",  # submitted six days ago, not reviewed
                    "闽侯县某中学食堂屋面维修工程")  # publicity over, no contract since


def load_overdue(dbsession, clock, settings) -> None:
    owner = user(dbsession, "owner1")
    if owner is None or owner.organisation is None:
        return
    have = set(dbsession.scalars(sa.select(Project.name).where(
        Project.name.in_((UNREVIEWED, LATE_REPORT, OBJECTED, UNSIGNED)))))
    late = {UNREVIEWED: _unreviewed, LATE_REPORT: _late_report, OBJECTED: _objected,
            UNSIGNED: _unsigned}
    for name, build in late.items():
        if name not in have:
            build(_Walk(dbsession, clock, settings, owner), name)
    _late_small_works(dbsession, clock, owner)


class _Walk:
    """One demo project through the real services on its own clock in the past."""

    def __init__(self, dbsession, clock, settings, owner):
        self.db, self.now, self.settings, self.owner = dbsession, clock, settings, owner
        self.user = lambda name: user(dbsession, name)
        registry = registry_of(dbsession)
        self.storage, self.keys, self.no_jobs = registry["storage"], registry["keys"], no_jobs
        self.at = None
        self.projects = None
        self.project = None

    def local(self, user) -> Actor:
        return _actor(user, "127.0.0.1", "")

    def submit(self, name, days_ago: int) -> Project:
        self.at = FixedClock(self.now() - timedelta(days=days_ago))
        self.projects = ProjectService(self.db, self.at, self.storage, enqueue=self.no_jobs,
                                       keys=self.keys)
        project = self.projects.create_draft(
            project_input(name, ProjectType.WORKS, ProcurementMethod.OPEN_TENDER,
                          (("施工", 800),), self.at()),
            owner=self.owner.organisation, actor=self.local(self.owner))
        self.projects.add_document(project, **tender_document(project),
                                   actor=self.local(self.owner))
        self.projects.submit_for_review(project, actor=self.local(self.owner))
        self.project = project
        return project

    def open(self, name, days_ago: int) -> Project:
        """Approved, three clean bids, opened at the deadline (22 days after `days_ago`)."""
        project = self.submit(name, days_ago)
        self.projects.approve(project, actor=self.local(self.user("center1")))
        self.at.set(project.doc_start + timedelta(hours=2))
        self.projects.advance(project)
        bids = BidService(self.db, self.at, self.keys, self.storage, settings=self.settings)
        lot = project.lots[0]
        for username, share in CLEAN_BIDS:
            bidder = self.user(username)
            self.projects.sign_up(project, lot, bidder=bidder, actor=self.local(bidder))
            seal_and_submit(bids, project, lot, offer={
                "total_price": lot.ceiling_price * share // 1000, "currency": "CNY",
                "duration_days": 150}, documents=(), actor=self.local(bidder))
        _open(self.db, self.at, self.keys, self.storage, self.settings, self.projects, project)
        return project

    def publicise(self, name, days_ago: int) -> Project:
        """…evaluated a day after the opening by a drawn committee: the candidates'
        publicity starts."""

        project = self.open(name, days_ago)
        self.at.set(self.at() + timedelta(days=1))
        ensure_pool(self.db, self.at, self.settings)
        evaluate_for_demo(self.db, self.at, self.keys, project, specialty=WORKS_SPECIALTY)
        return project

    def awards(self):
        from ..award.service import AwardService

        return AwardService(self.db, self.at, self.keys, self.storage, self.no_jobs)


def _unreviewed(walk, name) -> None:
    walk.submit(name, 5)  # 项目审核超期: the center's


def _late_report(walk, name) -> None:
    """评标报告未按时提交: the committee's, ten days after the opening. It sat the day
    after; its chair's 汇总 raised a 评分偏离提示 that the member has not answered, so no
    report could be generated: the evaluation room shows the warning to handle."""
    project = walk.open(name, 36)
    walk.at.set(walk.at() + timedelta(days=1))
    ensure_pool(walk.db, walk.at, walk.settings)
    evaluate_until_warning(walk.db, walk.at, walk.keys, project, specialty=WORKS_SPECIALTY)


def _objected(walk, name) -> None:
    """bidder3 objected during the publicity (13 days ago); the owner has not answered:
    异议未按时答复, and the publicity is over without an award: 候选人公示期满未定标."""
    project = walk.publicise(name, 36)
    walk.at.set(walk.at() + timedelta(hours=20))
    walk.awards().raise_objection(
        project, text="第一中标候选人拟派项目经理有在建工程，不符合招标文件要求，请核查。",
        actor=walk.local(walk.user("bidder3")))


def _unsigned(walk, name) -> None:
    """Awarded when the publicity ended, 44 days ago; no contract: 中标后未按时签订合同."""
    project = walk.publicise(name, 70)
    walk.at.set(walk.awards().publicity(project).ends_at)
    walk.awards().decide(project, actor=walk.local(walk.owner))


def _late_small_works(dbsession, clock, owner) -> None:
    """A work the center has not reviewed in six days (小额工程审核超期), and one whose
    publicity ended 47 days ago without a contract (公示期满未签订合同)."""
    from ..smallworks.models import SmallWork
    from ..smallworks.rules import AllocationMethod, Category

    have = set(dbsession.scalars(sa.select(SmallWork.name).where(
        SmallWork.name.in_(LATE_SMALL_WORKS))))
    center = user(dbsession, "center1")
    center = _actor(center, "127.0.0.1", "") if center else SYSTEM
    local = _actor(owner, "127.0.0.1", "")
    unreviewed, uncontracted = LATE_SMALL_WORKS
    if uncontracted not in have:
        at = FixedClock(clock() - timedelta(days=50))
        service = _small_works_service(dbsession, at)
        work = post_work(service, owner.organisation, local, uncontracted,
                     Category.BUILDING_MUNICIPAL, 38_000_000, "闽侯县某中学",
                     AllocationMethod.LOTTERY, at)
        service.approve_project(work, actor=center)
        service.draw(work, actor=center)
        accept_work(service, work, center)
    if unreviewed not in have:
        at = FixedClock(clock() - timedelta(days=6))
        post_work(_small_works_service(dbsession, at), owner.organisation, local,
              unreviewed, Category.ROADS, 26_000_000, "连江县某村", AllocationMethod.LOTTERY,
              at)


def _small_works_service(dbsession, at):
    """Small works are posted with their budget approval file, so the service needs storage."""
    from ..smallworks.service import SmallWorksService
    registry = registry_of(dbsession)
    return SmallWorksService(dbsession, at, registry["keys"], storage=registry["storage"])


SUPERVISOR_WITNESS = "supervisor-witness"  # 监督见证人: the demo supervisor's witness


def prepare_witness(settings, keys) -> Path | None:
    """The demo supervisor's witness, beside `audit.witnesses_file`: its key (made once),
    its verifier key listed in that file, and the log's verifier key it pins (log.vkey),
    so `make run` can start `trading-witness run --every` on them. None without the
    setting (production lists its witnesses itself)."""
    from bid_crypto.witness import make_key

    from ..audit.merkle import log_verifier

    listing = settings.get("audit.witnesses_file")
    if not listing:
        return None
    folder = Path(listing).parent
    if not (folder / f"{SUPERVISOR_WITNESS}.key").exists():
        with contextlib.suppress(FileExistsError):  # another demo load just made it
            make_key(SUPERVISOR_WITNESS, folder)
    vkey = (folder / f"{SUPERVISOR_WITNESS}.vkey").read_text(encoding="utf-8").strip()
    listed = Path(listing).read_text(encoding="utf-8").split() if Path(listing).exists() else []
    if vkey not in listed:
        Path(listing).write_text("\n".join([*listed, vkey]) + "\n", encoding="utf-8")
    (folder / "log.vkey").write_text(log_verifier(keys, settings).vkey() + "\n",
                                     encoding="utf-8")
    return folder
