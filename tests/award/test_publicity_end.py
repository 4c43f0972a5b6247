"""The end of the candidate publicity moves on by itself (rules §7.8), and each loser's
notice tells it its own score and rank, nothing about anyone else (87号令 Art 69)."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from award_support import cands, enrol, form, sign_all, sign_report, vote
from factories import actor_for

from trading.audit.models import AuditEvent
from trading.award.models import Award, AwardNotice
from trading.award.service import AwardService
from trading.evaluation.models import EvaluationReport
from trading.jobs import chronograph
from trading.projects.kinds import ProcurementMethod
from trading.projects.status import ProjectStatus

S = ProjectStatus


@pytest.fixture
def ranked(award_world_factory):
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER)
    sign_report(w, ranked=True)
    return w


def awards(w) -> AwardService:
    return AwardService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"])


def results(w) -> int:
    w.dbsession.flush()
    return len([a for a in w.project.announcements if a.kind == "result"])


def decided_events(w) -> int:
    w.dbsession.flush()
    return w.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq)).where(
        AuditEvent.action == "award.decided"))


def test_the_sweep_awards_when_the_publicity_ends_exactly_once(ranked):
    w = ranked
    ends = awards(w).publicity(w.project).ends_at
    assert w.project.next_check == ends  # the chronograph is set for the end
    w.clock.set(ends - timedelta(seconds=1))
    assert chronograph.sweep_kind("project") == 0
    assert w.project.status is S.CANDIDATES_PUBLICISED
    w.clock.set(ends)
    assert chronograph.sweep_kind("project") == 1
    assert w.project.status is S.AWARDED and results(w) == 1
    (award,) = awards(w).awards(w.project)
    assert award.winner_org_id == w.bidders[0].organisation_id and award.decided_by_id is None
    # Late, twice, or by hand after it: nothing more happens.
    w.clock.advance(hours=2)
    assert chronograph.sweep_kind("project") == 0
    w.advance()
    w.advance()
    assert results(w) == 1 and decided_events(w) == 1
    assert w.dbsession.scalar(sa.select(sa.func.count(Award.id))) == 1
    with pytest.raises(Exception, match="候选人公示阶段"):
        awards(w).decide(w.project, actor=actor_for(w.owner))


def test_a_pending_objection_holds_the_award_until_answered(ranked):
    w = ranked
    service = awards(w)
    objection = service.raise_objection(w.project, text="第一名的业绩证明不实，请核查。",
                                        actor=actor_for(w.bidders[2]))
    assert w.project.next_check is None  # suspended: nothing for the clock to do
    w.clock.set(service.publicity(w.project).ends_at + timedelta(days=1))
    w.advance()
    chronograph.sweep_kind("project")
    assert w.project.status is S.CANDIDATES_PUBLICISED and results(w) == 0
    service.answer_objection(objection, answer="经核查业绩真实有效，维持公示结果。",
                             actor=actor_for(w.owner))
    assert w.project.next_check == w.clock()  # due at the next sweep
    assert chronograph.sweep_kind("project") == 1
    assert w.project.status is S.AWARDED and results(w) == 1


def test_an_objection_answered_during_the_publicity_waits_for_its_end(ranked):
    w = ranked
    service = awards(w)
    objection = service.raise_objection(w.project, text="请核查第一名的资质证书。",
                                        actor=actor_for(w.bidders[1]))
    service.answer_objection(objection, answer="资质证书经核查有效。", actor=actor_for(w.owner))
    chronograph.sweep_kind("project")
    assert w.project.status is S.CANDIDATES_PUBLICISED
    ends = service.publicity(w.project).ends_at
    assert w.project.next_check == ends
    w.clock.set(ends)
    chronograph.sweep_kind("project")
    assert w.project.status is S.AWARDED


def test_separated_waits_for_the_committee_then_awards_by_itself(world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    chronograph.sweep_kind("project")  # publicity over, no committee yet: it waits
    assert w.project.status is S.CANDIDATES_PUBLICISED and not awards(w).awards(w.project)
    committee = form(w)
    a, b, _ = cands(w)
    vote(w, committee, [[b], [b], [b], [a], [a]])
    chronograph.sweep_kind("project")
    assert w.project.status is S.CANDIDATES_PUBLICISED  # decided, not yet signed
    sign_all(w, committee)
    assert chronograph.sweep_kind("project") == 1
    (award,) = awards(w).awards(w.project)
    assert award.method == "committee" and award.winner_org_id == w.bidders[1].organisation_id
    assert w.project.status is S.AWARDED


# -- notices: own score and rank only -------------------------------------------------------


SCORE = re.compile(r"\d+\.\d{2} 分")


def notice_of(w, bidder) -> AwardNotice:
    return awards(w).notices_for(w.project, bidder.organisation_id)[-1]


def test_each_loser_reads_its_own_score_and_rank_only(ranked):
    w = ranked
    w.clock.set(awards(w).publicity(w.project).ends_at)
    chronograph.sweep_kind("project")
    scores = {c["org_id"]: c["score"] for c in awards(w).publicity(w.project).candidates}
    assert len(set(scores.values())) == 3
    winner, second, third = w.bidders
    assert notice_of(w, winner).kind == "award"
    for bidder, rank in ((second, 2), (third, 3)):
        notice = notice_of(w, bidder)
        own = scores[bidder.organisation_id]
        assert notice.kind == "result"
        assert f"评审得分 {own} 分" in notice.body and f"排名第 {rank} 名" in notice.body
        assert SCORE.findall(notice.body) == [f"{own} 分"]  # no one else's score
        others = [b for b in w.bidders if b is not bidder]
        assert not [b for b in others if b.organisation.name in notice.body]
    assert not SCORE.findall(notice_of(w, winner).body)


def test_a_bidder_outside_the_candidates_is_told_its_standing_too(award_world_factory):
    w = award_world_factory(bids=5, procurement_method=ProcurementMethod.OPEN_TENDER)
    report = sign_report(w, ranked=True)
    third, fourth, fifth = w.bidders[2], w.bidders[3], w.bidders[4]
    # The signed report's per-bid totals and ranking (the demo report keeps only candidates).
    report = w.dbsession.get(EvaluationReport, report.id)
    report.body = {
        "bids": [{"bid_id": 40, "bidder_org_id": fourth.organisation_id,
                  "bidder": fourth.organisation.name, "total": "71.50",
                  "conformity": {"passed": True}},
                 {"bid_id": 41, "bidder_org_id": fifth.organisation_id,
                  "bidder": fifth.organisation.name,
                  "total": None, "conformity": {"passed": False}}],
        "ranking": [{"bid_id": 40, "rank": 4}]}
    w.dbsession.flush()
    w.clock.set(awards(w).publicity(w.project).ends_at)
    chronograph.sweep_kind("project")
    notice = notice_of(w, fourth)
    assert notice.kind == "result" and "评审得分 71.50 分" in notice.body
    assert "排名第 4 名" in notice.body and SCORE.findall(notice.body) == ["71.50 分"]
    rejected = notice_of(w, fifth)
    assert "未通过资格审查或符合性审查" in rejected.body and not SCORE.findall(rejected.body)
    assert "排名第 3 名" in notice_of(w, third).body  # a candidate, as before


def test_a_separated_loser_reads_its_place_in_the_committee_order(world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = form(w)
    a, b, c = cands(w)
    vote(w, committee, [[b], [b], [b], [a], [a]])
    sign_all(w, committee)
    chronograph.sweep_kind("project")
    (award,) = awards(w).awards(w.project)
    loser = next(x for x in w.bidders if x.organisation_id == award.order[1])
    notice = notice_of(w, loser)
    assert "定标排序第 2 位" in notice.body and "评审得分" in notice.body
    assert len(SCORE.findall(notice.body)) == 1
