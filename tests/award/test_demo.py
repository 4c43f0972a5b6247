"""The demo's 终次报价 project can be driven to its result, as a newcomer would."""

import sqlalchemy as sa
from factories import actor_for

from trading.accounts.models import User
from trading.award.final_offer import FinalOfferService
from trading.demo import load_demo
from trading.projects.models import Project
from trading.projects.status import ProjectStatus


def user(dbsession, name):
    return dbsession.scalar(sa.select(User).where(User.username == name))


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
        service.submit_amount(project, final_round,
                              amount_fen=final_round.ceiling_fen * share // 1000,
                              actor=actor_for(user(dbsession, name)))
    clock.set(final_round.ends_at)
    service.run_due(None, project)
    assert final_round.result["winner"] == f"B{user(dbsession, 'bidder2').organisation_id}"
