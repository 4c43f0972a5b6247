"""Demo: a 终次报价 works project whose bids are opened, ready for the center to start
its round in the browser.

The demo profile version shortens the windows (2 minutes to confirm eligibility, 5 to
offer) so a newcomer can walk the round to its result in one sitting; it is created
before the projects demo asks for the profile, so the demo project is posted under it.
"""

import sqlalchemy as sa

from ..accounts.models import Role, User
from ..demo import LOADERS
from ..projects.kinds import ProcurementMethod, Regime
from ..projects.models import RuleProfile
from ..projects.rules import default_params
from ..projects.status import ProjectStatus

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


# Before the projects demo posts anything, whatever order the modules were imported in.
if load_final_offer_profile not in LOADERS:
    LOADERS.insert(0, load_final_offer_profile)


# -- award: a 评定分离 project after its publicity, a ranked one in publicity ----------------

ROSTER = tuple((f"dingbiao{i}", name) for i, name in enumerate(
    ("许定标", "何定标", "吕定标", "施定标", "张定标", "孔定标", "曹定标", "严定标", "华定标",
     "金定标"), start=1))
SEPARATED_DEMO = "滨海新区综合管廊工程（评定分离）"
RANKED_DEMO = "体育中心看台维修工程"


def sign_demo_report(dbsession, clock, project, lot, *, ranked: bool, prices=None):
    """A signed evaluation report with its candidates (the evaluation domain's rows), for
    demo data and tests that start from a finished evaluation; the first three opened
    bids become the candidates."""
    from decimal import Decimal

    from ..bidding.models import Bid, LineStatus, OpeningLine
    from ..evaluation.models import (
        Committee,
        CommitteeStatus,
        EvaluationReport,
        ReportCandidate,
        ReportState,
    )

    now = clock()
    committee = dbsession.scalar(sa.select(Committee).where(Committee.project_id == project.id))
    if committee is None:
        committee = Committee(project_id=project.id, status=CommitteeStatus.DONE,
                              pseudonym_salt="00" * 32, created_at=now)
        dbsession.add(committee)
        dbsession.flush()
    report = EvaluationReport(project_id=project.id, lot_id=lot.id, committee_id=committee.id,
                              state=ReportState.SIGNED, ranked=ranked, body={},
                              body_sha256="0" * 64, generated_at=now, locked_at=now)
    dbsession.add(report)
    dbsession.flush()
    query = (sa.select(Bid, OpeningLine.total_price).outerjoin(
        OpeningLine, sa.and_(OpeningLine.bid_id == Bid.id,
                             OpeningLine.status == LineStatus.DECRYPTED))
        .where(Bid.lot_id == lot.id).order_by(Bid.id).limit(3))
    for position, (bid, price) in enumerate(dbsession.execute(query), start=1):
        dbsession.add(ReportCandidate(
            report_id=report.id, project_id=project.id, lot_id=lot.id,
            bidder_org_id=bid.bidder_org_id, bid_id=bid.id,
            total_score=Decimal("92.00") - 2 * position,
            price=(prices or {}).get(position) or price or 1,
            rank=position if ranked else None, position=position))
    dbsession.flush()
    return report


def _roster(dbsession, clock, settings, owner) -> None:
    from ..accounts.service import AccountService
    from ..actor import Actor
    from ..demo import DEMO_PASSWORD
    from .committee import CommitteeService

    accounts, actor = AccountService(dbsession, clock, settings), Actor.system("demo")
    service = CommitteeService(dbsession, clock, runtime_keys())
    have = {e.user.username for e in service.roster(owner.organisation_id)}
    for position, (username, display) in enumerate(ROSTER):
        user = dbsession.scalar(sa.select(User).where(User.username == username))
        if user is None:
            user = accounts.create_user(username=username, display_name=display,
                                        password=DEMO_PASSWORD, role=Role.OWNER,
                                        organisation=owner.organisation, actor=actor)
        if username not in have:
            # The first is the owner's legal representative: the committee's chair (§3.2).
            head = position == 0
            service.add_to_roster(owner.organisation_id, username=username,
                                  title="法定代表人" if head else "定标委员", may_chair=head,
                                  actor=actor)


def runtime_keys():
    from ..jobs.runtime import runtime

    return runtime.keys


def load_award_demo(dbsession, clock, settings) -> None:
    """After the demo bids are opened: reports, publicity, the owner's roster."""
    from datetime import timedelta

    from ..actor import Actor
    from ..clock import FixedClock
    from ..evaluation.service import EvaluationService
    from ..projects.models import Project
    from .service import AwardService

    owner = dbsession.scalar(sa.select(User).where(User.username == "owner1"))
    _roster(dbsession, clock, settings, owner)
    separated = dbsession.scalar(sa.select(Project).where(Project.name == SEPARATED_DEMO))
    if separated is not None and separated.status is ProjectStatus.EVALUATION:
        # Evaluated four days ago: the three-day publicity is over, the committee is next.
        past = FixedClock(clock() - timedelta(days=4))
        sign_demo_report(dbsession, past, separated, separated.lots[0], ranked=False)
        EvaluationService(dbsession, past).complete_if_done(separated,
                                                            actor=Actor.system("demo"))
    ranked = dbsession.scalar(sa.select(Project).where(Project.name == RANKED_DEMO))
    awards = AwardService(dbsession, clock)
    if ranked is not None and awards.publicity(ranked) is None:
        sign_demo_report(dbsession, clock, ranked, ranked.lots[0], ranked=True)
        awards.start_publicity(ranked, actor=Actor.system("demo"))


def _register() -> None:
    from ..bidding.demo import AFTER_BIDS

    if load_award_demo not in AFTER_BIDS:
        AFTER_BIDS.append(load_award_demo)


_register()
