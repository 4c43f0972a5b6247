"""The 评定分离 walk through the pages: committee, ballots, report, award, notices;
refusals shown with their reason and nothing changed."""

import re

import pytest
import sqlalchemy as sa
from award_support import sign_report
from bs4 import BeautifulSoup
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.accounts.service import AccountService
from trading.audit.models import AuditEvent
from trading.award.committee import AwardCommitteeService
from trading.award.models import AwardCommittee, Ballot
from trading.award.service import AwardService
from trading.projects.kinds import AwardMethod, ProcurementMethod


def login_as(testapp, w, user):
    testapp.reset()
    testapp.set_cookie("trading_auth", AccountService(w.dbsession, w.clock, w.settings)
                       .start_session(user, ip=""))


def audit_count(w):
    w.dbsession.flush()
    return w.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq)))


def test_a_full_separated_walk_through_the_pages(testapp, award_world_factory):
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER,
                            award_method=AwardMethod.SEPARATED)
    sign_report(w, ranked=False)
    staff = [make_user(w.dbsession, w.clock, w.settings, role=Role.OWNER,
                       organisation=w.owner.organisation) for _ in range(10)]
    page = f"/projects/{w.project.id}/award"
    # A bidder objects during the publicity; the owner answers.
    login_as(testapp, w, w.bidders[2])
    form = testapp.get(page).forms["objection"]
    form["text"] = "请核查候选人的项目经理资格。"
    form.submit().follow()
    login_as(testapp, w, w.owner)
    for i, user in enumerate(staff):
        form = testapp.get("/award/roster").forms["roster-add"]
        form["username"] = user.username
        form["may_chair"] = i == 0  # the legal representative chairs
        form.submit().follow()
    (objection,) = AwardService(w.dbsession, w.clock).pending_objections(w.project)
    publicity = AwardService(w.dbsession, w.clock).publicity(w.project)
    w.clock.set(publicity.ends_at)
    login_as(testapp, w, w.owner)  # three days on: a new session
    refused = testapp.get(page).forms["committee-1"].submit(status=409)
    assert "暂停" in refused.text  # suspended until the objection is answered
    form = testapp.get(page).forms[f"answer-{objection.id}"]
    form["answer"] = "经核查，项目经理资格符合要求。"
    form.submit().follow()
    form = testapp.get(page).forms["committee-1"]
    form["method"] = "plurality"
    form.submit().follow()
    committee = w.dbsession.scalar(sa.select(AwardCommittee))
    members = {m.user_id: m.user for m in committee.members}
    url = f"{page}/committees/{committee.id}"
    winner = f"B{w.bidders[1].organisation_id}"
    # A drawn member is told in the workspace, with the link to the committee (issue #18).
    login_as(testapp, w, members[committee.members[0].user_id])
    seat = BeautifulSoup(testapp.get("/workspace").text, "html.parser").find(
        "a", href=re.compile(f"/committees/{committee.id}$"))
    assert seat is not None and seat.get_text() == w.project.name
    assert "请投票" in seat.find_parent("li").get_text()
    for i, member in enumerate(committee.members):
        login_as(testapp, w, members[member.user_id])
        form = testapp.get(url).forms["ballot-form"]
        if i == 0:  # a forged non-candidate: refused, nothing kept
            before = audit_count(w)
            bad = testapp.post(url + "/ballot", {"csrf_token": form["csrf_token"].value,
                                                 "round_id": form["round_id"].value,
                                                 "choice": "B999999"}, status=422)
            assert "非定标候选人" in bad.text and audit_count(w) == before
        form["choice"] = winner
        form.submit().follow()
        if i == 0:  # a second vote in the same round
            again = testapp.post(url + "/ballot", {"csrf_token": form["csrf_token"].value,
                                                   "round_id": form["round_id"].value,
                                                   "choice": winner}, status=409)
            assert "重复投票" in again.text
    assert committee.winner == winner
    late = testapp.post(url + "/ballot", {"csrf_token": form["csrf_token"].value,
                                          "round_id": form["round_id"].value,
                                          "choice": winner}, status=409)
    assert "已结束" in late.text
    assert w.dbsession.scalar(sa.select(sa.func.count(Ballot.id))) == 5
    # The voting record names the method and every choice in words (issue #18 point 2).
    record = BeautifulSoup(testapp.get(url).text, "html.parser").find(id="report")
    words = record.get_text(" ", strip=True)
    assert "直接票决法（简单多数）" in words and "plurality" not in words
    assert words.count(w.bidders[1].organisation.name) >= 5 and winner not in words
    for member in committee.members:
        login_as(testapp, w, members[member.user_id])
        testapp.get(url).forms["sign-form"].submit().follow()
    login_as(testapp, w, w.owner)
    done = testapp.get(page).forms["decide"].submit().follow()
    assert "中标结果" in done.text and w.bidders[1].organisation.name in done.text
    login_as(testapp, w, w.bidders[1])
    assert "中标通知书" in testapp.get(page).text
    # After the publicity: an objection is refused with the reason.
    login_as(testapp, w, w.bidders[0])
    closed = testapp.post_json(f"/api/v1/projects/{w.project.id}/award/objections",
                               {"text": "迟到的异议内容"}, headers=_token(w, w.bidders[0]),
                               status=409).json
    assert closed["error"] in ("objection_closed", "award_refused")


def _token(w, user):
    secret = AccountService(w.dbsession, w.clock, w.settings).create_api_token(
        user, "t", actor_for(user))[1]
    return {"Authorization": f"Bearer {secret}"}


def test_ballots_through_the_api(testapp, award_world_factory):
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER,
                            award_method=AwardMethod.SEPARATED)
    sign_report(w, ranked=False)
    staff = [make_user(w.dbsession, w.clock, w.settings, role=Role.OWNER,
                       organisation=w.owner.organisation) for _ in range(10)]
    service = AwardCommitteeService(w.dbsession, w.clock, w.registry["keys"])
    for i, user in enumerate(staff):
        service.add_to_roster(w.owner.organisation_id, username=user.username, title="",
                              may_chair=i == 0, actor=actor_for(w.owner))
    w.clock.set(AwardService(w.dbsession, w.clock).publicity(w.project).ends_at)
    committee = service.form(w.project, w.lot, size=5, stage1={"method": "plurality"},
                             stage2=None, actor=actor_for(w.owner))
    member = committee.members[0].user
    url = f"/api/v1/projects/{w.project.id}/award/committees/{committee.id}/ballot"
    round_id = service.open_round(committee).id
    bad = testapp.post_json(url, {"round_id": round_id, "choices": ["B0"]},
                            headers=_token(w, member), status=422).json
    assert bad["error"] == "not_a_candidate"
    ok = testapp.post_json(url, {"round_id": round_id,
                                 "choices": [f"B{w.bidders[0].organisation_id}"]},
                           headers=_token(w, member), status=201).json
    assert ok["lots"][0]["committee"]["open_round"]["ballots"] == 1
    again = testapp.post_json(url, {"round_id": round_id,
                                    "choices": [f"B{w.bidders[0].organisation_id}"]},
                              headers=_token(w, member), status=409).json
    assert again["error"] == "already_voted"
    stranger = testapp.post_json(url, {"round_id": round_id, "choices": []},
                                 headers=_token(w, w.owner), status=403).json
    assert stranger["error"] == "forbidden"


@pytest.mark.slow
@pytest.mark.parametrize(("method", "extra", "label"), [
    ("cumulative", {}, "累积投票法"),
    ("round_elimination", {"rounds": 2}, "逐轮票决法（逐轮淘汰）"),
    ("pairwise", {}, "一对一比较法"),
    ("collective", {}, "集体议事法"),
])
def test_each_round_kind_has_its_ballot_form_and_its_words(testapp, award_world_factory,
                                                           method, extra, label):
    """The ballot form is the round kind's (templates/award/ballot/<kind>.jinja2), read back
    by the same kind's reader, and the round is named in words, never its code."""
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER,
                            award_method=AwardMethod.SEPARATED)
    sign_report(w, ranked=False)
    staff = [make_user(w.dbsession, w.clock, w.settings, role=Role.OWNER,
                       organisation=w.owner.organisation) for _ in range(10)]
    service = AwardCommitteeService(w.dbsession, w.clock, w.registry["keys"])
    for i, user in enumerate(staff):
        service.add_to_roster(w.owner.organisation_id, username=user.username, title="",
                              may_chair=i == 0, actor=actor_for(w.owner))
    w.clock.set(AwardService(w.dbsession, w.clock).publicity(w.project).ends_at)
    committee = service.form(w.project, w.lot, size=5, stage1={"method": method, **extra},
                             stage2=None, actor=actor_for(w.owner))
    a, b, c = sorted(f"B{x.organisation_id}" for x in w.bidders[:3])
    login_as(testapp, w, committee.members[0].user)
    url = f"/projects/{w.project.id}/award/committees/{committee.id}"
    page = testapp.get(url)
    heading = BeautifulSoup(page.text, "html.parser").find(id="ballot").find("h2").get_text()
    assert label in heading and method.split("_")[-1] not in heading
    form = page.forms["ballot-form"]
    if method == "pairwise":
        for first, second in ((a, b), (a, c), (b, c)):
            form[f"pair_{first}|{second}"] = first
    elif method == "cumulative":
        assert set(form.fields) >= {f"votes_{x}" for x in (a, b, c)}
        form[f"votes_{a}"] = "2"
    else:
        form["choice"] = a
        if method == "collective":
            form["reason"] = "履约记录良好"
    form.submit().follow()
    (ballot,) = w.dbsession.scalars(sa.select(Ballot)).all()
    expected = {"pairwise": [[a, b, a], [a, c, a], [b, c, b]], "cumulative": [a, a]}
    assert ballot.choices == expected.get(method, [a])
