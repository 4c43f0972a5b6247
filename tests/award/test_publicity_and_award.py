"""Candidate publicity, objections, the award, notices, declines and the contract."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from award_support import sign_report
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.award.errors import AwardRefused
from trading.award.models import AwardNotice, Objection
from trading.award.service import AwardService, ObjectionClosed, Suspended
from trading.opendata.service import OpenDataService
from trading.projects.kinds import ProcurementMethod
from trading.projects.status import ProjectStatus
from trading.rounds.errors import NotEligible

S = ProjectStatus


@pytest.fixture
def ranked(award_world_factory):
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER)
    sign_report(w, ranked=True)
    return w


def awards(w) -> AwardService:
    return AwardService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"])


def count(w, model) -> int:
    w.dbsession.flush()
    return w.dbsession.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_report_starts_the_publicity_with_its_announcement(ranked):
    w = ranked
    publicity = awards(w).publicity(w.project)
    assert w.project.status is S.CANDIDATES_PUBLICISED
    assert [c["rank"] for c in publicity.candidates] == [1, 2, 3]
    assert publicity.ends_at - publicity.started_at == timedelta(days=3)
    notice = next(a for a in w.project.announcements if a.kind == "candidates")
    assert "中标候选人公示" in notice.title and w.bidders[0].organisation.name in notice.body


def test_an_objection_suspends_until_answered(ranked):
    w = ranked
    service = awards(w)
    objection = service.raise_objection(w.project, text="第一名的业绩证明不实，请核查。",
                                        actor=actor_for(w.bidders[2]))
    assert objection.answer_due_at == objection.raised_at + timedelta(days=3)
    w.clock.set(service.publicity(w.project).ends_at)
    before = (count(w, AuditEvent), w.project.status)
    with pytest.raises(Suspended):
        service.decide(w.project, actor=actor_for(w.owner))
    assert (count(w, AuditEvent), w.project.status) == before
    service.answer_objection(objection, answer="经核查业绩真实有效，维持公示结果。",
                             actor=actor_for(w.owner))
    decided = service.decide(w.project, actor=actor_for(w.owner))
    assert decided[0].winner_org_id == w.bidders[0].organisation_id
    assert w.project.status is S.AWARDED


def test_objections_only_during_the_publicity_and_only_from_bidders(ranked):
    w = ranked
    service = awards(w)
    stranger = make_user(w.dbsession, w.clock, w.settings, role=Role.BIDDER)
    before = count(w, Objection)
    with pytest.raises(NotEligible):
        service.raise_objection(w.project, text="我也有意见要提。", actor=actor_for(stranger))
    w.clock.set(service.publicity(w.project).ends_at)
    with pytest.raises(ObjectionClosed, match="公示期已结束"):
        service.raise_objection(w.project, text="公示结束后的异议。",
                                actor=actor_for(w.bidders[1]))
    assert count(w, Objection) == before


def test_no_award_before_the_publicity_ends(ranked):
    with pytest.raises(AwardRefused, match="公示期尚未结束"):
        awards(ranked).decide(ranked.project, actor=actor_for(ranked.owner))


def test_result_notices_decline_next_candidate_contract_and_ocds(ranked):
    w = ranked
    service = awards(w)
    w.clock.set(service.publicity(w.project).ends_at)
    (award,) = service.decide(w.project, actor=actor_for(w.owner))
    notices = w.dbsession.scalars(sa.select(AwardNotice).order_by(AwardNotice.id)).all()
    assert [n.kind for n in notices] == ["award", "result", "result"]
    assert any(a.kind == "result" for a in w.project.announcements)
    release = OpenDataService(w.dbsession, w.clock, w.settings).releases_of(w.project.id)[-1]
    assert release["tag"] == ["award"]
    assert release["awards"][0]["suppliers"][0]["name"] == w.bidders[0].organisation.name
    with pytest.raises(NotEligible):
        service.decline(award, reason="放弃", actor=actor_for(w.bidders[1]))
    service.decline(award, reason="项目经理无法到岗", actor=actor_for(w.bidders[0]))
    assert award.winner_org_id == w.bidders[1].organisation_id
    assert service.notices_for(w.project, w.bidders[1].organisation_id)[-1].kind == "award"
    service.record_contract(w.project, actor=actor_for(w.owner))
    assert w.project.status is S.CONTRACTED


def test_everyone_declining_fails_the_project(ranked):
    w = ranked
    service = awards(w)
    w.clock.set(service.publicity(w.project).ends_at)
    (award,) = service.decide(w.project, actor=actor_for(w.owner))
    for bidder in w.bidders:
        service.decline(award, reason="无法履约", actor=actor_for(bidder))
    assert award.winner_org_id is None and w.project.status is S.FAILED


def test_a_final_offer_winner_is_publicised_then_awarded(award_world):
    w = award_world
    final_round = w.offers().start(w.project, w.lot, floor_fen=None, actor=actor_for(w.center))
    w.clock.set(final_round.eligibility_ends_at)
    w.submit_offer(final_round, w.bidders[1], 1_700_000_00)
    w.clock.set(final_round.ends_at)
    w.advance()
    assert w.project.status is S.CANDIDATES_PUBLICISED
    service = awards(w)
    (candidate,) = service.publicity(w.project).candidates
    assert candidate["org_id"] == w.bidders[1].organisation_id
    w.clock.set(service.publicity(w.project).ends_at)
    (award,) = service.decide(w.project, actor=actor_for(w.owner))
    assert award.method == "final_offer" and award.price_fen == 1_700_000_00


def test_every_other_final_offer_party_is_told_the_result_with_its_own_offer(award_world):
    """招标投标法 Art 45: the others hear the result too; each only its own offer."""
    w = award_world
    final_round = w.offers().start(w.project, w.lot, floor_fen=None, actor=actor_for(w.center))
    w.clock.set(final_round.eligibility_ends_at)
    for bidder, amount in ((w.bidders[0], 1_650_000_00), (w.bidders[1], 1_700_000_00),
                           (w.bidders[2], 1_750_000_00)):
        w.submit_offer(final_round, bidder, amount)
    w.clock.set(final_round.ends_at)
    w.advance()
    service = awards(w)
    w.clock.set(service.publicity(w.project).ends_at)
    (award,) = service.decide(w.project, actor=actor_for(w.owner))
    assert award.winner_org_id == w.bidders[1].organisation_id  # closest to the mean
    (won,) = service.notices_for(w.project, w.bidders[1].organisation_id)
    assert won.kind == "award" and "1,700,000.00" in won.body
    (lost,) = service.notices_for(w.project, w.bidders[0].organisation_id)
    assert lost.kind == "result" and "贵单位未中标" in lost.body
    assert "贵单位终次报价 1,650,000.00 元" in lost.body and "1,700,000.00" not in lost.body
    (silent,) = service.notices_for(w.project, w.bidders[3].organisation_id)  # offered nothing
    assert silent.kind == "result" and "贵单位终次报价" not in silent.body


def test_a_raised_objection_is_in_its_publicity_at_once(ranked):
    """The page lists `publicity.objections`: a collection loaded before the objection
    existed must not hide it (the award page's answer form read a stale one)."""
    w = ranked
    service = awards(w)
    publicity = service.publicity(w.project)
    assert publicity.objections == []
    objection = service.raise_objection(w.project, text="请核查候选人的项目经理资格。",
                                        actor=actor_for(w.bidders[2]))
    assert publicity.objections == [objection]
