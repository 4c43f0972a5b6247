"""推选组长 (rules §4.1): elected by the committee — a majority at once, else the plurality
once everyone has voted, a tie by lottery through the draws engine; the purchaser's
representative may not chair in 政府采购; the chair has one vote like the others."""

import pytest
from evaluation.helpers import CENTER, actor_of, committees, drawn_committee
from factories import make_user

from trading.accounts.models import Role
from trading.draws.models import Draw
from trading.evaluation import rules
from trading.evaluation.committee import DECLARATION
from trading.evaluation.errors import EvaluationConflict, EvaluationInvalid
from trading.evaluation.models import MemberState

M = ("m1", "m2", "m3", "m4", "m5")


@pytest.mark.parametrize(("votes", "chair", "pending"), [
    ({}, None, False),
    ({"m1": "m2", "m2": "m2"}, None, False),  # 2 of 5: not yet
    ({"m1": "m2", "m2": "m2", "m3": "m2"}, "m2", False),  # 3 of 5: a majority at once
    ({"m1": "m1", "m2": "m2", "m3": "m3", "m4": "m3", "m5": "m4"}, "m3", False),  # plurality
    ({"m1": "m1", "m2": "m1", "m3": "m3", "m4": "m3", "m5": "m4"}, None, True),  # 2-2-1
    ({"m1": "m2", "m2": "m3", "m3": "m4", "m4": "m5", "m5": "m1"}, None, True),  # all 1
])
def test_elect_chair(votes, chair, pending):
    result = rules.elect_chair(votes, M)
    assert result.chair == chair and (result.lottery is not None) is pending


def test_a_tie_is_decided_by_the_drawn_pick_among_the_tied_only():
    votes = {"m1": "m1", "m2": "m1", "m3": "m3", "m4": "m3", "m5": "m4"}
    request = rules.elect_chair(votes, M).lottery
    assert request.candidates == ("m1", "m3")
    assert rules.elect_chair(votes, M, drawn=["m3"]).chair == "m3"
    with pytest.raises(rules.RuleError):
        rules.elect_chair(votes, M, drawn=["m4"])  # not among the tied


def test_votes_outside_the_committee_are_refused():
    with pytest.raises(rules.RuleError):
        rules.elect_chair({"m1": "x9"}, M)


def signed_in(w, **kw):
    committee, _ = drawn_committee(w, **kw)
    service = committees(w)
    for member in list(service.seated(committee)):
        if member.state is MemberState.NOTIFIED:
            service.answer(member, accept=True, reason="", actor=actor_of(w, member))
        service.sign_in(member, confirmation=DECLARATION, conflict="",
                        actor=actor_of(w, member))
    return committee, service.seated(committee)


def test_a_split_vote_is_settled_by_a_public_lottery(evaluated):
    w = evaluated
    committee, seated = signed_in(w)
    service = committees(w)
    picks = [seated[0], seated[0], seated[1], seated[1], seated[2]]
    for member, candidate in zip(seated, picks, strict=True):
        assert service.chair(committee) is None
        elected = service.vote_chair(member, candidate, actor=actor_of(w, member))
    assert elected in (seated[0], seated[1]) and elected.is_chair
    assert sum(m.is_chair for m in seated) == 1
    draw = (w.dbsession.query(Draw).filter(Draw.subject_id == str(w.project.id))
            .order_by(Draw.id.desc()).first())
    assert "组长推选" in draw.purpose and sorted(c["id"] for c in draw.candidates) == sorted(
        [str(seated[0].id), str(seated[1].id)])
    with pytest.raises(EvaluationConflict, match="组长已推选产生"):
        service.vote_chair(seated[4], seated[4], actor=actor_of(w, seated[4]))
    committees(w).start(w.project, actor=CENTER)


def test_the_purchaser_representative_may_not_stand_in_government_procurement(
        evaluated_factory):
    from trading.projects.kinds import ObjectType, ProjectType

    w = evaluated_factory(project_type=ProjectType.GOVERNMENT_PROCUREMENT,
                          object_type=ObjectType.SERVICES,
                          price={"formula": "low_price_first", "weight": "0.40"})
    rep = make_user(w.dbsession, w.clock, w.settings, role=Role.OWNER,
                    organisation=w.project.owner)
    service = committees(w)
    from evaluation.helpers import make_expert
    for _ in range(14):
        make_expert(w)
    service.form(w.project, plan=[{"specialty": "工程造价", "count": 6, "reserves": 0}],
                 owner_rep_ids=[rep.id], region="", actor=CENTER)
    service.draw(w.project, actor=CENTER)
    service.reveal(w.project, actor=CENTER)
    committee = service.committee_of(w.project)
    for member in list(service.seated(committee)):
        if member.state is MemberState.NOTIFIED:
            service.answer(member, accept=True, reason="", actor=actor_of(w, member))
        service.sign_in(member, confirmation=DECLARATION, conflict="",
                        actor=actor_of(w, member))
    seated = service.seated(committee)
    owner_rep = next(m for m in seated if str(m.role) == "owner_rep")
    with pytest.raises(EvaluationInvalid, match="采购人代表不得担任"):
        service.vote_chair(seated[-1], owner_rep, actor=actor_of(w, seated[-1]))
    assert seated[-1].chair_vote_for_id is None
