"""定标委员会 per rules §3.2: conflict exclusions at the draw, the chair from the roster,
names secret until the award, named or anonymous ballots per profile."""

import pytest
import sqlalchemy as sa
from award_support import cands, committees, enrol, form, login_as, sign_all, vote
from factories import make_user

from trading.accounts.models import Role
from trading.award import rules
from trading.award.committee import member_pseudonym
from trading.award.errors import AwardRefused, InvalidAwardInput
from trading.draws.models import Draw


def candidate(w, i):
    return w.bidders[i].organisation


# -- conflict exclusions (回避), reusing the evaluators' checks ------------------------------


def test_members_tied_to_a_candidate_withdraw_with_the_reason_recorded(world):
    w = world
    (head,) = enrol(w, 1, may_chair=True)
    a, b, c = candidate(w, 0), candidate(w, 1), candidate(w, 2)
    (employed,) = enrol(w, 1, employers=[{"name": a.name, "credit_code": a.credit_code or "",
                                         "from": "2020-01-01", "to": None}])
    (shareholder,) = enrol(w, 1, shareholdings=[{"name": b.name, "credit_code": "",
                                                 "share": "5%"}])
    (relative,) = enrol(w, 1, relatives=[{"name": "王某", "relation": "配偶",
                                          "org_name": c.name, "credit_code": ""}])
    (long_ago,) = enrol(w, 1, employers=[{"name": a.name, "credit_code": "",
                                          "from": "2000-01-01", "to": "2010-01-01"}])
    enrol(w, 9)
    committee = form(w)
    by_user = {x["user_id"]: x for x in committee.excluded}
    assert set(by_user) == {employed.user_id, shareholder.user_id, relative.user_id}
    assert "受聘于投标人" in by_user[employed.user_id]["reasons"][0]
    assert a.name in by_user[employed.user_id]["reasons"][0]
    assert "持有投标人" in by_user[shareholder.user_id]["reasons"][0]
    assert "近亲属王某（配偶）" in by_user[relative.user_id]["reasons"][0]
    members = {m.user_id for m in committee.members}
    assert not members & set(by_user)
    draw = w.dbsession.get(Draw, committee.draw_id)
    drawable = {c["id"] for c in draw.candidates}
    assert member_pseudonym(committee.pseudonym_salt, long_ago.user_id) in drawable
    assert not drawable & {x["pseudonym"] for x in committee.excluded}
    assert "3人因与定标候选人存在利益冲突回避" in draw.rule


def test_too_few_left_after_the_exclusions_is_refused_and_nothing_is_drawn(world):
    w = world
    enrol(w, 1, may_chair=True)
    a = candidate(w, 0)
    enrol(w, 2, shareholdings=[{"name": a.name, "credit_code": "", "share": "1%"}])
    enrol(w, 8)  # 11 on the roster, 9 eligible with the chair: below 2 × 5
    with pytest.raises(AwardRefused, match="定标方案不符合规则"):
        form(w)
    assert committees(w).committee_for(w.lot) is None
    assert w.dbsession.scalar(sa.select(sa.func.count(Draw.id)).where(
        Draw.subject_type == "award_committee")) == 0


# -- the chair (主任委员): the legal representative or head, configured on the roster ---------


def test_the_head_on_the_roster_chairs_and_the_rest_are_drawn(world):
    w = world
    enrol(w, 4)
    (head,) = enrol(w, 1, may_chair=True)
    enrol(w, 5)
    committee = form(w)
    assert committee.chair_user_id == head.user_id
    assert committee.members[0].user_id == head.user_id  # seated, not drawn
    draw = w.dbsession.get(Draw, committee.draw_id)
    assert draw.count == 4 and len(draw.candidates) == 9
    assert member_pseudonym(committee.pseudonym_salt, head.user_id) not in {
        c["id"] for c in draw.candidates}


def test_no_head_on_the_roster_is_refused(world):
    enrol(world, 10)
    with pytest.raises(AwardRefused, match="没有可任主任委员"):
        form(world)


def test_a_conflicted_head_never_chairs(world):
    w = world
    a = candidate(w, 0)
    (head,) = enrol(w, 1, may_chair=True,
                    relatives=[{"name": "李某", "relation": "子女", "org_name": a.name,
                                "credit_code": ""}])
    enrol(w, 10)
    with pytest.raises(AwardRefused, match="没有可任主任委员"):
        form(w)
    with pytest.raises(AwardRefused, match="利益冲突，须回避：近亲属李某"):
        form(w, chair_entry_id=head.id)


def test_two_heads_the_owner_chooses_and_a_non_head_is_refused(world):
    w = world
    first, second = enrol(w, 2, may_chair=True)
    (plain,) = enrol(w, 1)
    enrol(w, 9)
    with pytest.raises(InvalidAwardInput, match="请指定主任委员"):
        form(w)
    with pytest.raises(InvalidAwardInput, match="法定代表人或主要负责人"):
        form(w, chair_entry_id=plain.id)
    assert form(w, chair_entry_id=second.id).chair_user_id == second.user_id


@pytest.mark.parametrize("heads,excluded,requested,expected", [
    (["R1"], {}, None, "R1"),
    (["R1", "R2"], {"R1": ("tie",)}, None, "R2"),
    (["R1", "R2"], {}, "R2", "R2"),
    (["R1"], {}, None, "R1"),
    ([], {}, None, None),
    (["R1"], {"R1": ("tie",)}, None, None),
    (["R1", "R2"], {}, None, None),
    (["R1"], {}, "R3", None),
    (["R1", "R2"], {"R2": ("tie",)}, "R2", None),
])
def test_award_chair_rule(heads, excluded, requested, expected):
    if expected is None:
        with pytest.raises(rules.InvalidParameter):
            rules.award_chair(heads, excluded, requested)
    else:
        assert rules.award_chair(heads, excluded, requested) == expected


# -- names secret until the award ----------------------------------------------------------


def test_the_public_draw_and_state_carry_no_names_until_the_award(world, testapp):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = form(w)
    draw = w.dbsession.get(Draw, committee.draw_id)
    names = [m.user.display_name for m in committee.members] + [
        m.user.username for m in committee.members]
    public = testapp.get(f"/draws/{draw.id}").text + testapp.get(
        f"/api/v1/projects/{w.project.id}/award").text
    assert not [n for n in names if n in public]
    assert all(not c["id"].startswith("U") and len(c["id"]) == 16 for c in draw.candidates)
    # Once decided and signed, the report names them and publishes the salt: anyone can
    # match the draw's picks to the members.
    a, _, _ = cands(w)
    vote(w, committee, [[a]] * 5)
    sign_all(w, committee)
    body = committee.report_body
    assert body["pseudonym_salt"] == committee.pseudonym_salt
    drawn = [m["pseudonym"] for m in body["members"] if not m["chair"]]
    assert sorted(drawn) == sorted(draw.result)
    for m in body["members"]:
        assert m["pseudonym"] == member_pseudonym(body["pseudonym_salt"], m["user_id"])


# -- named or anonymous ballots (§3.2 "named or anonymous per profile") ---------------------


def _profile(w, **params):
    profile = w.project.rule_profile
    profile.params = {**profile.params, **params}
    w.dbsession.flush()


def test_named_ballots_by_default(world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = form(w)
    a, b, _ = cands(w)
    vote(w, committee, [[a], [a], [a], [b], [b]])
    report = committees(w).report(w.project, committee)
    assert committee.plan["ballots"] == "named"
    assert {b["member"] for b in report["rounds"][0]["ballots"]} == {
        m.user.display_name for m in committee.members}


def test_anonymous_ballots_per_profile_show_no_member(world):
    w = world
    _profile(w, **{"award.ballot_names": "anonymous"})
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = form(w)
    a, b, _ = cands(w)
    vote(w, committee, [[b], [a], [b], [a], [a]])
    assert committee.plan["ballots"] == "anonymous"
    ballots = committees(w).report(w.project, committee)["rounds"][0]["ballots"]
    assert all("member" not in x for x in ballots)
    assert [x["choices"] for x in ballots] == sorted([[a]] * 3 + [[b]] * 2, key=repr)
    assert committee.winner == a


def test_an_unknown_ballot_setting_is_refused(world):
    w = world
    _profile(w, **{"award.ballot_names": "sometimes"})
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    with pytest.raises(AwardRefused, match="ballot_names"):
        form(w)
    assert committees(w).committee_for(w.lot) is None


def test_the_roster_page_takes_ties_and_refuses_a_bad_date(world, testapp):
    w = world
    user = make_user(w.dbsession, w.clock, w.settings, role=Role.OWNER,
                     organisation=w.owner.organisation)
    login_as(testapp, w, w.owner)
    form_ = testapp.get("/award/roster").forms["roster-add"]
    form_["username"] = user.username
    form_["employers"] = "某公司||2020-13-01|"
    bad = form_.submit(status=400)
    assert "日期应为 YYYY-MM-DD" in bad.text and not committees(w).roster(
        w.owner.organisation_id)
    form_ = testapp.get("/award/roster").forms["roster-add"]
    form_["username"] = user.username
    form_["may_chair"] = True
    form_["relatives"] = "王某|配偶|某公司|"
    form_.submit().follow()
    (entry,) = committees(w).roster(w.owner.organisation_id)
    assert entry.may_chair and entry.relatives[0]["org_name"] == "某公司"

