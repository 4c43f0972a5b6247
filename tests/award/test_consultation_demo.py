"""The demo's 竞争性磋商 project can be driven to its result, as a newcomer would: rounds,
sealed final quotes, the reveal, the panel's sheets, the report, publicity, the award."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from award_support import seal_final_offer
from factories import actor_for

from trading.accounts.models import User
from trading.award.service import AwardService
from trading.demo import load_demo
from trading.demo.consultation import CONSULTATION_DEMO, DEMO_WINDOWS
from trading.evaluation.committee import EvaluationCommitteeService
from trading.evaluation.consultation import ConsultationService
from trading.evaluation.models import CommitteeStatus
from trading.evaluation.scoring import CriteriaService, Mark, SheetService
from trading.evaluation.service import REPORT_CONFIRMATION, EvaluationService
from trading.projects.models import Project
from trading.projects.service import ProjectService
from trading.projects.status import ProjectStatus

WAN = 1_000_000
# bidder → final quote (分), 类似项目业绩 (objective, agreed), 方案 / 质量 / 团队 (subjective)
QUOTES = {"bidder1": 150 * WAN, "bidder2": 144 * WAN, "bidder3": 152 * WAN}
MARKS = {"bidder1": ("8", "25", "16", "8"), "bidder2": ("6", "22", "15", "7"),
         "bidder3": ("10", "27", "18", "9")}


def user(dbsession, name) -> User:
    return dbsession.scalar(sa.select(User).where(User.username == name))


@pytest.mark.slow
def test_the_demo_panel_sits_and_the_consultation_reaches_its_award(dbsession, clock, settings,
                                                                    registry):
    load_demo(dbsession, clock, settings)
    load_demo(dbsession, clock, settings)  # idempotent
    project = dbsession.scalar(sa.select(Project).where(Project.name == CONSULTATION_DEMO))
    lot = project.lots[0]
    assert project.status is ProjectStatus.EVALUATION
    assert project.params["consult.final_quote_minutes"] == DEMO_WINDOWS[
        "consult.final_quote_minutes"]
    assert CriteriaService(dbsession, clock).of(project).price["weight"] == "0.30"
    committees = EvaluationCommitteeService(dbsession, clock, registry["keys"])
    committee = committees.committee_of(project)
    assert committee.status is CommitteeStatus.SITTING
    seated = committees.seated(committee)
    logins = {dbsession.get(User, m.user_id).username for m in seated}
    assert logins == {"expert7", "expert8", "expert9"}
    assert dbsession.get(User, committees.chair(committee).user_id).username == "expert7"
    assert all(m.expert.code.startswith("ZJ10") for m in seated)

    center = actor_for(user(dbsession, "center1"))
    panel = ConsultationService(dbsession, clock, registry["keys"], registry["storage"], None,
                                settings)
    panel.open_round(project, lot, actor=center)
    for name in QUOTES:
        panel.record_session(project, lot, org_id=user(dbsession, name).organisation_id,
                             text="确认加工数量与交付周期。", actor=center)
    panel.broadcast_change(project, lot, text="加工总量调整为120万页。", actor=center)
    panel.close_round(project, lot, actor=center)
    quotes = panel.start_final_quotes(project, lot, actor=center)
    assert quotes.ends_at - clock() == timedelta(minutes=5)
    for name, amount in QUOTES.items():
        supplier = user(dbsession, name)
        envelope = seal_final_offer(panel.sealed, project, quotes, supplier.organisation_id,
                                    amount)
        panel.submit_envelope(project, lot, stream=io.BytesIO(envelope),
                              actor=actor_for(supplier))
    clock.set(quotes.ends_at)
    ProjectService(dbsession, clock, registry["storage"],
                   keys=registry["keys"]).advance(project)
    assert quotes.result["outcome"] == "revealed" and quotes.result["valid"] == 3

    sheets = SheetService(dbsession, clock)
    org_name = {user(dbsession, n).organisation_id: n for n in QUOTES}
    for member in seated:
        actor = actor_for(dbsession.get(User, member.user_id))
        sheet = sheets.sheet(member, lot, actor=actor)
        _items, lines = sheets.grid(sheet)
        marks = []
        for line in lines:
            t1, t2, t3, t4 = MARKS[org_name[line.bid.bidder_org_id]]
            marks += [Mark(line.bid_id, "q1", passed=True), Mark(line.bid_id, "q2", passed=True),
                      Mark(line.bid_id, "t1", value=t1), Mark(line.bid_id, "t2", value=t2),
                      Mark(line.bid_id, "t3", value=t3), Mark(line.bid_id, "t4", value=t4)]
        sheets.save(sheet, marks, actor=actor)
        sheets.submit(sheet, actor=actor)
    evaluation = EvaluationService(dbsession, clock, registry["keys"], registry["storage"])
    work = evaluation.work()
    chair = actor_for(user(dbsession, "expert7"))
    report = work.generate(project, lot, actor=chair)
    body = report.body
    assert body["price_source"] == "final_quote" and body["benchmark_price"] == 144 * WAN
    scores = {org_name[b["bidder_org_id"]]: (b["price_score"], b["total"]) for b in body["bids"]}
    # 144/150 × 30 = 28.80; 144/144 → 30.00; 144/152 × 30 = 28.42
    assert scores == {"bidder1": ("28.80", "85.80"), "bidder2": ("30.00", "80.00"),
                      "bidder3": ("28.42", "92.42")}
    for member in seated:
        work.sign(report, confirmation=REPORT_CONFIRMATION, agrees=True, dissent="",
                  actor=actor_for(dbsession.get(User, member.user_id)))
    assert project.status is ProjectStatus.CANDIDATES_PUBLICISED

    awards = AwardService(dbsession, clock, registry["keys"])
    clock.set(awards.publicity(project).ends_at)
    owner = actor_for(user(dbsession, "owner1"))
    [award] = awards.decide(project, actor=owner)
    assert org_name[award.winner_org_id] == "bidder3" and award.price_fen == 152 * WAN
    assert project.status is ProjectStatus.AWARDED
