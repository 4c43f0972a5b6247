"""Printable award documents (issue #18): 中标通知书 and 结果通知书 for their addressee,
the owner and the center only; the 定标报告 once awarded; the 流标公告 a failed project
publishes — each reached from the project or award page, in Chinese and 元."""

import re

import pytest
import sqlalchemy as sa
from award_support import cands, enrol, form, login_as, sign_all, sign_report, vote
from factories import actor_for

from trading.award.models import AwardNotice
from trading.award.service import AwardService
from trading.projects.kinds import ProcurementMethod
from trading.projects.status import ProjectStatus


@pytest.fixture
def awarded(award_world_factory):
    w = award_world_factory(bids=3, procurement_method=ProcurementMethod.OPEN_TENDER)
    sign_report(w, ranked=True)
    service = AwardService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"])
    w.clock.set(service.publicity(w.project).ends_at)
    (w.award,) = service.decide(w.project, actor=actor_for(w.owner))
    w.service = service
    return w


def _notice(w, org_id) -> AwardNotice:
    return w.dbsession.scalar(sa.select(AwardNotice).where(AwardNotice.org_id == org_id))


def test_each_bidder_prints_its_own_notice_and_no_one_elses(testapp, awarded):
    w = awarded
    winner, loser = w.bidders[0], w.bidders[1]
    login_as(testapp, w, winner)
    page = testapp.get(f"/projects/{w.project.id}/award").click(href="/print$", index=0)
    assert "中标通知书" in page.text and winner.organisation.name in page.text
    assert "1,900,000.00 元" in page.text and w.project.owner.name in page.text
    assert re.search(r"\d{4}年\d{2}月\d{2}日", page.text)
    won_url = page.request.path
    lost_url = f"/projects/{w.project.id}/notices/{_notice(w, loser.organisation_id).id}/print"
    testapp.get(lost_url, status=403)
    login_as(testapp, w, loser)
    detail = testapp.get(f"/projects/{w.project.id}")
    assert lost_url in detail.text and won_url not in detail.text
    lost = testapp.get(lost_url)
    assert "结果通知书" in lost.text and "贵单位未中标" in lost.text
    assert winner.organisation.name not in lost.text.split("salutation")[1]
    testapp.get(won_url, status=403)
    login_as(testapp, w, w.owner)
    testapp.get(won_url)
    testapp.get(lost_url)
    testapp.reset()
    testapp.get(won_url, status=(302, 303, 403))


def test_a_declined_award_marks_the_old_notice_void(testapp, awarded):
    w = awarded
    w.service.decline(w.award, reason="项目经理无法到岗", actor=actor_for(w.bidders[0]))
    login_as(testapp, w, w.bidders[0])
    url = f"/projects/{w.project.id}/notices/{_notice(w, w.bidders[0].organisation_id).id}/print"
    assert "本通知书已于" in testapp.get(url).text


def test_a_failed_project_publishes_and_prints_its_failure_notice(testapp, awarded):
    w = awarded
    for bidder in w.bidders:
        w.service.decline(w.award, reason="无法履约", actor=actor_for(bidder))
    assert w.project.status is ProjectStatus.FAILED
    notice = next(a for a in w.project.announcements if a.kind == "failure")
    assert notice.title.endswith("流标公告") and "流标原因" in notice.body
    testapp.reset()
    detail = testapp.get(f"/projects/{w.project.id}")
    page = detail.click(href=f"/announcements/{notice.id}/print", index=0)
    assert "流标公告" in page.text and w.project.number in page.text
    assert "后续安排" in page.text and w.project.owner.name in page.text


def test_the_award_report_prints_once_awarded(testapp, world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = form(w)
    a, b, _ = cands(w)
    vote(w, committee, [[a], [a], [b], [a], [b]])
    sign_all(w, committee)
    url = f"/projects/{w.project.id}/award/committees/{committee.id}/print"
    login_as(testapp, w, w.bidders[1])
    testapp.get(url, status=404)  # members' names stay secret until the award
    login_as(testapp, w, w.owner)
    before = testapp.get(url)
    assert "定标报告" in before.text and committee.members[0].user.display_name in before.text
    AwardService(w.dbsession, w.clock, w.registry["keys"]).decide(
        w.project, actor=actor_for(w.owner))
    login_as(testapp, w, w.bidders[1])
    page = testapp.get(f"/projects/{w.project.id}/award").click(href=url, index=0)
    text = page.text
    assert w.bidders[0].organisation.name in text and "得票" in text
    assert "直接票决法" in text and committee.report_sha256 in text
    assert re.search(r"B\d+", re.sub(r"<[^>]+>", "", text)) is None
