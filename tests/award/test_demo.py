"""The demo's 终次报价 project can be driven to its result, as a newcomer would."""

import pytest
import sqlalchemy as sa
from award_support import submit_final_offer
from factories import actor_for

from trading.accounts.models import User
from trading.award.final_offer import FinalOfferService
from trading.demo import load_demo
from trading.demo.award import SEPARATED_DEMO
from trading.projects.models import Project
from trading.projects.service import ProjectService
from trading.projects.status import ProjectStatus


def user(dbsession, name):
    return dbsession.scalar(sa.select(User).where(User.username == name))


@pytest.mark.slow
def test_the_demo_final_offer_project_reaches_its_result(dbsession, clock, settings,
                                                         registry):
    load_demo(dbsession, clock, settings)
    project = dbsession.scalar(sa.select(Project).where(Project.procurement_method
                                                        == "final_offer"))
    assert project.status is ProjectStatus.EVALUATION
    assert project.params["final_offer.window_min"] == 5
    service = FinalOfferService(dbsession, clock, registry["keys"], registry["storage"], None,
                                settings)
    final_round = service.start(project, project.lots[0], floor_fen=None,
                                actor=actor_for(user(dbsession, "center1")))
    assert len(final_round.parties) == 3
    clock.set(final_round.eligibility_ends_at)
    for name, share in (("bidder1", 900), ("bidder2", 930), ("bidder3", 960)):
        submit_final_offer(service, project, final_round, user(dbsession, name),
                           final_round.ceiling_fen * share // 1000)
    clock.set(final_round.ends_at)
    ProjectService(dbsession, clock, registry["storage"], keys=registry["keys"]).advance(project)
    assert final_round.result["winner"] == f"B{user(dbsession, 'bidder2').organisation_id}"
    assert project.status is ProjectStatus.CANDIDATES_PUBLICISED


@pytest.mark.slow
def test_the_demo_separated_project_is_ready_for_its_award_committee(dbsession, clock,
                                                                      settings, registry):
    from trading.award.committee import AwardCommitteeService
    from trading.award.service import AwardService

    load_demo(dbsession, clock, settings)
    project = dbsession.scalar(sa.select(Project).where(Project.name == SEPARATED_DEMO))
    assert project.award_method == "separated"
    assert project.status is ProjectStatus.CANDIDATES_PUBLICISED
    awards = AwardService(dbsession, clock, registry["keys"])
    assert clock() >= awards.publicity(project).ends_at
    assert all(c["rank"] is None for c in awards.publicity(project).candidates)
    owner = user(dbsession, "owner1")
    committees = AwardCommitteeService(dbsession, clock, registry["keys"])
    assert len(committees.roster(owner.organisation_id)) == 10
    committee = committees.form(project, project.lots[0], size=5,
                                stage1={"method": "plurality"}, stage2=None,
                                actor=actor_for(owner))
    choice = committee.entrants[0]
    for member in committee.members:
        current = committees.open_round(committee)
        committees.cast(project, committee, current, choices=[choice],
                        actor=actor_for(member.user))
    for member in committee.members:
        committees.sign(project, committee, actor=actor_for(member.user))
    awards.decide(project, actor=actor_for(owner))
    assert project.status is ProjectStatus.AWARDED
    ranked = dbsession.scalar(sa.select(Project).where(Project.name == "体育中心看台维修工程"))
    assert clock() < awards.publicity(ranked).ends_at  # objections still possible
