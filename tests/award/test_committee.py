"""评定分离: roster, committee draw, award methods with ballots, report, then the award."""

import pytest
import sqlalchemy as sa
from award_support import sign_report
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.award.committee import (
    AlreadyVoted,
    AwardCommitteeService,
    RoundClosed,
)
from trading.award.errors import AwardRefused, NonCandidateBallot
from trading.award.models import Ballot
from trading.award.service import AwardService, Suspended, candidate_id
from trading.draws.models import Draw
from trading.projects.kinds import AwardMethod, ProcurementMethod
from trading.projects.status import ProjectStatus


@pytest.fixture
def separated(award_world_factory):
    """A 评定分离 project after its publicity, a roster of 10 of the owner's staff."""
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER,
                            award_method=AwardMethod.SEPARATED)
    sign_report(w, ranked=False, prices={1: 1_500_000_00, 2: 1_400_000_00, 3: 1_600_000_00})
    w.staff = [make_user(w.dbsession, w.clock, w.settings, role=Role.OWNER,
                         organisation=w.owner.organisation) for _ in range(10)]
    service = committees(w)
    for i, user in enumerate(w.staff):
        service.add_to_roster(w.owner.organisation_id, username=user.username,
                              title="法定代表人" if i == 0 else "", may_chair=i == 0,
                              actor=actor_for(w.owner))
    w.clock.set(AwardService(w.dbsession, w.clock).publicity(w.project).ends_at)
    return w


def committees(w) -> AwardCommitteeService:
    return AwardCommitteeService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"])


def cands(w):
    return [candidate_id(b.organisation_id) for b in w.bidders]


def form(w, method="plurality", stage2=None, size=5, **extra):
    return committees(w).form(w.project, w.lot, size=size, stage1={"method": method, **extra},
                              stage2=stage2, actor=actor_for(w.owner))


def vote(w, committee, choices_by_member, reason=""):
    service = committees(w)
    users = {m.user_id: m.user for m in committee.members}
    current = service.open_round(committee)
    for member, choices in zip(committee.members, choices_by_member, strict=True):
        service.cast(w.project, committee, current, choices=choices, reason=reason,
                     actor=actor_for(users[member.user_id]))
    return current


def sign_all(w, committee):
    for member in committee.members:
        committees(w).sign(w.project, committee, actor=actor_for(member.user))


def test_plurality_with_a_revote_then_the_award(separated):
    w = separated
    committee = form(w)
    draw = w.dbsession.get(Draw, committee.draw_id)
    # The legal representative chairs; the other four are drawn from the other nine.
    assert len(committee.members) == 5 and len(draw.candidates) == 9 and draw.count == 4
    assert committee.chair_user_id == w.staff[0].id == committee.members[0].user_id
    assert all("label" not in c for c in draw.candidates)  # names secret until the award
    a, b, c = cands(w)
    first = vote(w, committee, [[a], [a], [b], [b], [c]])  # a and b tie
    assert first.outcome["revote"] == sorted([a, b])
    vote(w, committee, [[b], [b], [b], [a], [a]])
    assert committee.winner == b and committee.ranking[0] == b
    with pytest.raises(AwardRefused, match="签署"):
        AwardService(w.dbsession, w.clock, w.registry["keys"]).decide(
            w.project, actor=actor_for(w.owner))
    sign_all(w, committee)
    assert committee.report_sha256
    (award,) = AwardService(w.dbsession, w.clock, w.registry["keys"]).decide(
        w.project, actor=actor_for(w.owner))
    assert award.winner_org_id == w.bidders[1].organisation_id and award.method == "committee"
    report = committees(w).report(w.project, committee)
    assert [len(r["ballots"]) for r in report["rounds"]] == [5, 5]
    assert w.project.status is ProjectStatus.AWARDED


def test_a_persistent_tie_goes_to_a_lottery(separated):
    w = separated
    committee = form(w)
    a, b, c = cands(w)
    vote(w, committee, [[a], [a], [b], [b], []])  # one abstains
    vote(w, committee, [[a], [a], [b], [b], []])
    last = vote(w, committee, [[a], [a], [b], [b], []])
    assert committee.winner in (a, b) and last.outcome["draws"]


def test_bad_ballots_are_refused_and_change_nothing(separated):
    w = separated
    committee = form(w)
    service = committees(w)
    current = service.open_round(committee)
    member = committee.members[0].user
    before = w.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq)))
    with pytest.raises(NonCandidateBallot):
        service.cast(w.project, committee, current, choices=["B999999"], actor=actor_for(member))
    a, b, c = cands(w)
    service.cast(w.project, committee, current, choices=[a], actor=actor_for(member))
    with pytest.raises(AlreadyVoted):
        service.cast(w.project, committee, current, choices=[b], actor=actor_for(member))
    for m in committee.members[1:]:
        service.cast(w.project, committee, current, choices=[a], actor=actor_for(m.user))
    assert current.closed_at is not None and committee.winner == a
    with pytest.raises(RoundClosed):
        service.cast(w.project, committee, current, choices=[a], actor=actor_for(member))
    assert w.dbsession.scalar(sa.select(sa.func.count(Ballot.id))) == 5
    assert before  # the refused ones wrote no audit row either (checked in the pages test)


def test_an_objection_suspends_the_committee(separated, award_world_factory):
    w = separated
    committee = form(w)
    objection = AwardService(w.dbsession, w.clock).raise_objection
    # The publicity is over: the objection window closed with it.
    from trading.award.service import ObjectionClosed
    with pytest.raises(ObjectionClosed):
        objection(w.project, text="定标过程有异议。", actor=actor_for(w.bidders[0]))
    assert committees(w).open_round(committee) is not None


def test_direct_lottery(separated):
    w = separated
    committee = form(w, "direct_lottery")
    assert committee.winner in cands(w) and committee.steps[0]["draws"]


def test_price_competition_second_lowest(separated):
    w = separated
    committee = form(w, "price_second_lowest")
    assert committee.winner == cands(w)[0]  # 1.5 M is the second lowest


def test_cumulative_voting(separated):
    w = separated
    committee = form(w, "cumulative")
    a, b, c = cands(w)
    vote(w, committee, [[a, a], [b, c], [a, b], [c, c], [a, c]])  # a 4, b 2, c 4 → revote
    vote(w, committee, [[c], [c], [a], [c], [a]])
    assert committee.winner == c


def test_round_elimination(separated):
    w = separated
    committee = form(w, "round_elimination", rounds=2)
    a, b, c = cands(w)
    vote(w, committee, [[a], [a], [b], [b], [a]])  # c eliminated
    assert committees(w).open_round(committee).among == sorted([a, b])
    vote(w, committee, [[a], [a], [b], [b], [b]])
    assert committee.winner == b


def test_pairwise(separated):
    w = separated
    committee = form(w, "pairwise")
    a, b, c = sorted(cands(w))
    prefs = [[a, b, a], [a, c, a], [b, c, b]]
    vote(w, committee, [prefs] * 5)
    assert committee.winner == a


def test_collective_deliberation_chair_decides(separated):
    w = separated
    committee = form(w, "collective")
    a, b, c = cands(w)
    vote(w, committee, [[a], [b], [a], [a], [c]], reason="综合实力较强，履约记录良好")
    chair = next(m.user for m in committee.members if m.user_id == committee.chair_user_id)
    committees(w).chair_decide(w.project, committee, choice=a, actor=actor_for(chair))
    assert committee.winner == a


def test_two_stages_lottery_then_lowest_price(separated):
    w = separated
    committee = form(w, "direct_lottery", draw_count=2,
                     stage2={"method": "price_lowest"})
    assert len(committee.steps) == 2 and committee.winner in committee.steps[0]["selected"]


def test_vote_then_lottery(separated):
    w = separated
    committee = form(w, "vote_then_lottery", finalists=2)
    a, b, c = cands(w)
    vote(w, committee, [[a], [a], [b], [b], [b]])
    assert committee.winner in (a, b) and committee.steps[0]["finalists"] == [b, a]


def test_plans_breaking_the_rules_are_refused(separated):
    w = separated
    with pytest.raises(AwardRefused, match="定标方案"):
        form(w, "direct_lottery", draw_count=3)  # must draw fewer than the candidates
    with pytest.raises(AwardRefused, match="定标方案"):
        form(w, size=4)  # even committee


def test_suspension_blocks_ballots(separated):
    w = separated
    committee = form(w)
    from trading.award.models import Objection
    publicity = AwardService(w.dbsession, w.clock).publicity(w.project)
    w.dbsession.add(Objection(publicity_id=publicity.id, project_id=w.project.id,
                              org_id=w.bidders[0].organisation_id,
                              raised_by_id=w.bidders[0].id, text="异议", raised_at=w.clock(),
                              answer_due_at=w.clock()))
    w.dbsession.flush()
    with pytest.raises(Suspended):
        vote(w, committee, [[cands(w)[0]]] * 5)


def test_each_member_drawn_is_told_where_to_vote(separated):
    """站内消息 (trading.messages): the chair and the drawn members, nobody else."""
    from trading.messages.kinds import MessageKind
    from trading.messages.models import Message
    from trading.messages.service import render

    w = separated
    committee = form(w)
    told = {m.recipient_id: m for m in w.dbsession.scalars(sa.select(Message).where(
        Message.kind == str(MessageKind.AWARD_SEAT)))}
    assert set(told) == {m.user_id for m in committee.members}
    message = told[committee.chair_user_id]
    assert message.route == "award.committee"
    assert w.project.name in render(message.subject, message.args)
    assert message.route_args == {"project_id": w.project.id, "committee_id": committee.id}
