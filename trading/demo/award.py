"""Demo: a 终次报价 works project whose bids are opened, ready for the center to start
its round in the browser.

The demo profile version shortens the windows (2 minutes to confirm eligibility, 5 to
offer) so a newcomer can walk the round to its result in one sitting; it is created
before the projects demo asks for the profile, so the demo project is posted under it.
"""

from datetime import timedelta

import sqlalchemy as sa

from ..accounts.models import Role, User
from ..award.committee import AwardCommitteeService
from ..award.service import AwardService, candidate_id
from ..clock import FixedClock
from ..db import registry_of
from ..projects.kinds import ProcurementMethod, Regime
from ..projects.models import Project, RuleProfile
from ..projects.rules import default_params
from ..projects.service import ProjectService
from ..projects.status import ProjectStatus
from .evaluation import WORKS_SPECIALTY, ensure_pool, evaluate_for_demo
from .helpers import SYSTEM, actor, no_jobs, person

DEMO_WINDOWS = {"final_offer.eligibility_window_min": 2, "final_offer.window_min": 5}


def load_final_offer_profile(dbsession, clock, settings) -> None:
    code = f"{Regime.TENDERING}:{ProcurementMethod.FINAL_OFFER}"
    if dbsession.scalar(sa.select(RuleProfile.id).where(RuleProfile.code == code)):
        return
    params = default_params(Regime.TENDERING, ProcurementMethod.FINAL_OFFER)
    params.update(DEMO_WINDOWS)
    dbsession.add(RuleProfile(code=code, version=1, regime=Regime.TENDERING,
                              procurement_method=ProcurementMethod.FINAL_OFFER, params=params,
                              created_at=clock()))
    dbsession.flush()


# -- award: a 评定分离 project after its publicity, a ranked one in publicity ----------------

ROSTER = tuple((f"dingbiao{i}", name) for i, name in enumerate(
    ("许定标", "何定标", "吕定标", "施定标", "张定标", "孔定标", "曹定标", "严定标", "华定标",
     "金定标"), start=1))
SEPARATED_DEMO = "滨海新区综合管廊工程（评定分离）"
RANKED_DEMO = "体育中心看台维修工程"
# Evaluated six days ago, its committee drawn, voted and signed two days ago, awarded:
# the opening record, evaluation report, 定标报告 and the notices all exist to print.
AWARDED_DEMO = "城东雨污分流改造工程（评定分离）"
# Awarded, contracted and archived with the whole trail behind them, each on its own past
# clock: the evaluation report, the 中标候选人公示, the 定标 with its 中标结果公告 and
# notices, then the contract (and the archive).
TRAILS = {"区图书馆改造工程": ProjectStatus.AWARDED,
          "北区供水管网改造工程": ProjectStatus.CONTRACTED,
          "2025年度道路养护工程": ProjectStatus.ARCHIVED}


def _roster(dbsession, clock, settings, owner) -> None:
    actor = SYSTEM
    service = AwardCommitteeService(dbsession, clock, registry_of(dbsession)["keys"])
    have = {e.user.username for e in service.roster(owner.organisation_id)}
    for position, (username, display) in enumerate(ROSTER):
        person(dbsession, clock, settings, username=username, display_name=display,
               role=Role.OWNER, organisation=owner.organisation)
        if username not in have:
            # The first is the owner's legal representative: the committee's chair (§3.2).
            head = position == 0
            service.add_to_roster(owner.organisation_id, username=username,
                                  title="法定代表人" if head else "定标委员", may_chair=head,
                                  actor=actor)


def load_award_demo(dbsession, clock, settings) -> None:
    """After the demo bids are opened: both works projects evaluated through the real
    services (a drawn committee scores and signs; the last signature locks the report,
    which moves the project on and starts its publicity); the owner's roster for the
    评定分离 committee."""


    owner = dbsession.scalar(sa.select(User).where(User.username == "owner1"))
    _roster(dbsession, clock, settings, owner)
    ensure_pool(dbsession, clock, settings)
    # Evaluated four days ago: the three-day publicity is over, the committee is next.
    for name, at in ((SEPARATED_DEMO, FixedClock(clock() - timedelta(days=4))),
                     (RANKED_DEMO, clock)):
        project = dbsession.scalar(sa.select(Project).where(Project.name == name))
        if project is not None and project.status is ProjectStatus.EVALUATION:
            evaluate_for_demo(dbsession, at, registry_of(dbsession)["keys"], project,
                              specialty=WORKS_SPECIALTY)
    _awarded(dbsession, clock, owner)
    for name, target in TRAILS.items():
        _trail(dbsession, owner, name, target)


def _trail(dbsession, owner, name, target) -> None:
    """Evaluated the day after its opening, awarded when the publicity ended, the contract
    signed twelve days later; archived a month after that."""
    project = dbsession.scalar(sa.select(Project).where(Project.name == name))
    if project is None or project.status is not ProjectStatus.EVALUATION:
        return
    registry = registry_of(dbsession)
    keys, storage = registry["keys"], registry["storage"]
    at = FixedClock(project.bid_deadline + timedelta(days=1))
    evaluate_for_demo(dbsession, at, keys, project, specialty=WORKS_SPECIALTY)
    awards = AwardService(dbsession, at, keys, storage, no_jobs)
    at.set(awards.publicity(project).ends_at + timedelta(hours=2))
    awards.decide(project, actor=actor(owner))
    if target is ProjectStatus.AWARDED:
        return
    at.set(at() + timedelta(days=12))
    awards.record_contract(project, actor=actor(owner))
    if target is ProjectStatus.ARCHIVED:
        at.set(at() + timedelta(days=30))
        ProjectService(dbsession, at, storage, enqueue=no_jobs, keys=keys).transition(
            project, ProjectStatus.ARCHIVED, actor=SYSTEM, reason="项目资料已归档")


def _awarded(dbsession, clock, owner) -> None:
    """AWARDED_DEMO through the real services: evaluation, publicity, a drawn 定标委员会
    voting by simple majority for the lowest-priced candidate, every member signing the
    定标报告, then the award with its 中标通知书 and 结果通知书."""

    project = dbsession.scalar(sa.select(Project).where(Project.name == AWARDED_DEMO))
    if project is None or project.status is not ProjectStatus.EVALUATION:
        return
    keys = registry_of(dbsession)["keys"]
    evaluate_for_demo(dbsession, FixedClock(clock() - timedelta(days=6)), keys, project,
                      specialty=WORKS_SPECIALTY)
    at = FixedClock(clock() - timedelta(days=2))
    lot, who = project.lots[0], actor(owner)
    awards = AwardService(dbsession, at, keys)
    choice = min(awards.candidates_of(project, lot), key=lambda c: c["price_fen"])
    service = AwardCommitteeService(dbsession, at, keys)
    committee = service.form(project, lot, size=5, stage1={"method": "plurality"},
                             stage2=None, actor=who)
    for member in committee.members:
        service.cast(project, committee, service.open_round(committee),
                     choices=[candidate_id(choice["org_id"])],
                     reason="报价最低，施工组织设计可行", actor=_member(member))
    for member in committee.members:
        service.sign(project, committee, actor=_member(member))
    awards.decide(project, actor=who)


def _member(member):
    return actor(member.user)
