"""Expert pool, draw (secret list, exclusions, rotation), answers, sign-in, chair, start."""

import json

import pytest
from bidding.conftest import World
from evaluation.helpers import (
    CENTER,
    actor_of,
    committees,
    drawn_committee,
    make_expert,
    seat_everyone,
)
from factories import make_project

from trading.accounts.models import User
from trading.draws.models import Draw
from trading.evaluation.committee import DECLARATION, ExpertInput, ExpertPoolService
from trading.evaluation.errors import CommitteeInvalid, EvaluationConflict, EvaluationInvalid
from trading.evaluation.models import CommitteeStatus, ExpertStatus, MemberState

M = MemberState


def test_pool_refuses_a_duplicate_code_and_a_reasonless_suspension(evaluated):
    expert = make_expert(evaluated)
    pool = ExpertPoolService(evaluated.dbsession, evaluated.clock)
    with pytest.raises(EvaluationInvalid, match="专家编号已存在"):
        pool.create(ExpertInput(code=expert.code, name="x", region="", specialties=("a",)),
                    actor=CENTER)
    with pytest.raises(EvaluationInvalid, match="说明理由"):
        pool.set_status(expert, ExpertStatus.SUSPENDED, reason=" ", actor=CENTER)
    assert expert.status is ExpertStatus.ACTIVE


def test_the_planned_committee_must_satisfy_the_profile(evaluated):
    service = committees(evaluated)
    with pytest.raises(CommitteeInvalid, match="单数") as caught:
        service.form(evaluated.project, plan=[{"specialty": "工程造价", "count": 4}],
                     owner_rep_ids=[], region="", actor=CENTER)
    assert "至少5人" in caught.value.message
    assert service.committee_of(evaluated.project) is None


def test_the_frozen_list_shows_pseudonyms_and_excludes_conflicts(evaluated):
    owner_org = evaluated.project.owner
    employee = make_expert(evaluated, employers=[{"name": owner_org.name,
                                                  "credit_code": owner_org.credit_code,
                                                  "from": "2020-01-01", "to": None}])
    banned = make_expert(evaluated)
    ExpertPoolService(evaluated.dbsession, evaluated.clock).set_status(
        banned, ExpertStatus.BLACKLISTED, reason="违规", actor=CENTER)
    committee, experts = drawn_committee(evaluated)
    item = committee.draws[0]
    draw = evaluated.dbsession.get(Draw, item.draw_id)
    listed = set(item.roster.values())
    assert employee.id not in listed and banned.id not in listed
    assert {e.id for e in experts} <= listed
    assert any("受聘于" in r for x in item.excluded if x["expert_id"] == employee.id
               for r in x["reasons"])
    public = json.dumps(draw.candidates, ensure_ascii=False)
    assert all(e.name not in public and e.code not in public for e in experts)
    states = sorted(str(m.state) for m in committee.members)
    assert states == ["notified"] * 5 + ["reserve"]


def test_too_small_a_pool_is_refused(evaluated):
    for _ in range(6):
        make_expert(evaluated)
    service = committees(evaluated)
    service.form(evaluated.project, plan=[{"specialty": "工程造价", "count": 5}],
                 owner_rep_ids=[], region="", actor=CENTER)
    with pytest.raises(EvaluationConflict, match="2倍"):
        service.draw(evaluated.project, actor=CENTER)
    assert service.committee_of(evaluated.project).draws == []


def test_a_decline_seats_the_reserve_then_the_next_of_the_same_list(evaluated):
    committee, _ = drawn_committee(evaluated)
    service = committees(evaluated)
    first, second = service.seated(committee)[:2]
    with pytest.raises(EvaluationInvalid, match="原因"):
        service.answer(first, accept=False, reason="", actor=actor_of(evaluated, first))
    assert first.state is M.NOTIFIED
    reserve = service.answer(first, accept=False, reason="出差",
                             actor=actor_of(evaluated, first))
    assert first.state is M.DECLINED and reserve.state is M.NOTIFIED
    assert reserve.replaces_id == first.id
    replacement = service.no_answer(second, actor=CENTER)
    draw = evaluated.dbsession.get(Draw, committee.draws[0].draw_id)
    assert [f["count"] for f in draw.follow_ups] == [0, 1]
    assert replacement.pseudonym == draw.follow_ups[1]["result"][0]
    assert len(service.seated(committee)) == 5


def test_sign_in_needs_the_typed_declaration_and_a_conflict_forces_replacement(evaluated):
    committee, _ = drawn_committee(evaluated)
    service = committees(evaluated)
    member = service.seated(committee)[0]
    service.answer(member, accept=True, reason="", actor=actor_of(evaluated, member))
    with pytest.raises(EvaluationInvalid, match="承诺"):
        service.sign_in(member, confirmation="同意", conflict="", actor=actor_of(evaluated, member))
    assert member.state is M.ACCEPTED and member.signed_in_at is None
    service.sign_in(member, confirmation=DECLARATION, conflict="配偶在投标单位任职",
                    actor=actor_of(evaluated, member))
    assert member.state is M.EXCLUDED and "配偶" in member.state_reason
    assert len(service.seated(committee)) == 5


def test_ties_with_a_bidder_found_after_opening_exclude_at_sign_in(evaluated):
    bidder_org = evaluated.dbsession.get(type(evaluated.project.owner),
                                         evaluated.bidders[0].organisation_id)
    committee, _ = drawn_committee(evaluated, pool=14)
    service = committees(evaluated)
    member = service.seated(committee)[0]
    member.expert.relatives = [{"name": "张某", "relation": "兄弟", "org_name": bidder_org.name,
                                "credit_code": bidder_org.credit_code}]
    service.answer(member, accept=True, reason="", actor=actor_of(evaluated, member))
    service.sign_in(member, confirmation=DECLARATION, conflict="",
                    actor=actor_of(evaluated, member))
    assert member.state is M.EXCLUDED and "兄弟" in member.state_reason


def test_start_needs_everyone_signed_in_and_a_chair(evaluated):
    committee, _ = drawn_committee(evaluated)
    service = committees(evaluated)
    with pytest.raises(EvaluationConflict, match="未签到"):
        service.start(evaluated.project, actor=CENTER)
    seated = seat_everyone(evaluated, committee)
    assert seated[0].is_chair
    service.start(evaluated.project, actor=CENTER)
    assert committee.status is CommitteeStatus.SITTING
    with pytest.raises(EvaluationConflict, match="不能再变动"):
        service.no_answer(seated[1], actor=CENTER)


def test_rotation_excludes_experts_drawn_for_the_same_owner(evaluated_factory):
    first = evaluated_factory()
    committee, _ = drawn_committee(first, pool=16)
    served = {m.expert_id for m in seat_everyone(first, committee)}
    owner = first.dbsession.get(User, first.project.created_by_id)
    second = World(first.dbsession, first.clock, first.settings, first.registry)
    second.project = make_project(first.dbsession, first.clock, first.settings,
                                  first.registry, owner=owner, open_bidding=True)
    service = committees(second)
    service.form(second.project, plan=[{"specialty": "工程造价", "count": 5}],
                 owner_rep_ids=[], region="", actor=CENTER)
    (item,) = service.draw(second.project, actor=CENTER)
    assert served.isdisjoint(item.roster.values()) and len(item.roster) == 11
    rotated = {x["expert_id"] for x in item.excluded if any("轮换" in r for r in x["reasons"])}
    assert rotated == served


def test_experts_signed_in_before_the_opening_are_checked_against_bidders_at_start(
        dbsession, clock, settings, registry):
    from bidding.conftest import World, signed_up_bidders
    from factories import make_project

    from trading.accounts.models import Organisation

    w = World(dbsession, clock, settings, registry)
    w.project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    w.bidders = signed_up_bidders(w, 3)
    committee, _ = drawn_committee(w, pool=14)
    service = committees(w)
    tied = service.seated(committee)[0]
    bidder_org = dbsession.get(Organisation, w.bidders[0].organisation_id)
    tied.expert.shareholdings = [{"name": bidder_org.name,
                                  "credit_code": bidder_org.credit_code, "share": "5%"}]
    seat_everyone(w, committee)
    assert tied.state is M.SIGNED_IN  # the bidders were not known yet
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder))
    clock.set(w.project.bid_deadline)
    w.advance()
    service.start(w.project, actor=CENTER)
    assert tied.state is M.EXCLUDED and "股份" in tied.state_reason
    assert committee.status is CommitteeStatus.FORMING
    replacement = next(m for m in service.seated(committee) if m.replaces_id == tied.id)
    assert replacement.state is M.NOTIFIED
