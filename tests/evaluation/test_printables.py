"""Printable documents of the evaluation side (issue #18): the 开标记录 (public once the
opening is done) and the 评标报告 (the committee, the owner, the center and supervisors;
members' names as each reader may see them), reached by links, in Chinese, Beijing time
and 元."""

import re

import sqlalchemy as sa
from evaluation.helpers import plain_marks, score_all, sitting_committee
from factories import make_user

from trading.accounts.models import Role, User
from trading.evaluation.service import REPORT_CONFIRMATION, EvaluationService
from trading.i18n import localtime


def _login(testapp, w, user_id):
    testapp.reset()
    testapp.login(w.dbsession.get(User, user_id).username)


def test_the_opening_record_is_public_and_linked_from_the_hall(testapp, evaluated):
    w = evaluated
    hall = testapp.get(f"/projects/{w.project.id}/opening")
    record = hall.click(href="/print/opening-record$")
    text = record.text
    assert "开标记录" in text and "@media print" not in text  # the sheet is a file
    css = re.search(r'href="([^"]*print\.css)"', text).group(1)
    assert "@media print" in testapp.get(css).text
    for bidder in w.bidders:
        assert bidder.organisation.name in text
    assert "800,000.00" in text and "780,000.00" in text  # 分 → 元
    assert localtime(w.project.bid_deadline, "%Y-%m-%d %H:%M:%S") in text  # Beijing time
    assert "进入评标" in text and w.project.owner.name in text
    assert "decrypted" not in text and "None" not in text
    detail = testapp.get(f"/projects/{w.project.id}")
    assert "/print/opening-record" in detail.text


def test_no_opening_record_before_the_opening(testapp, dbsession, clock, settings, registry):
    from factories import make_project

    project = make_project(dbsession, clock, settings, registry)
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    testapp.login(center.username)
    testapp.get(f"/projects/{project.id}/print/opening-record", status=404)


def test_the_evaluation_report_prints_for_the_committee_and_the_owner_only(testapp, evaluated):
    w = evaluated
    _, seated = sitting_committee(w)
    score_all(w, seated, plain_marks)
    chair = next(m for m in seated if m.is_chair)
    work = EvaluationService(w.dbsession, w.clock, w.registry["keys"]).work()
    from factories import actor_for
    report = work.generate(w.project, w.lot, actor=actor_for(
        w.dbsession.get(User, chair.user_id)))
    url = f"/projects/{w.project.id}/lots/{w.lot.id}/print/evaluation-report"
    _login(testapp, w, chair.user_id)
    draft = testapp.get(url)
    assert "待全体成员签署，非正式文本" in draft.text
    for member in seated:
        work.sign(report, confirmation=REPORT_CONFIRMATION, agrees=True, dissent="",
                  actor=actor_for(w.dbsession.get(User, member.user_id)))
    page = testapp.get(f"/projects/{w.project.id}/lots/{w.lot.id}/report").click(
        href="/print/evaluation-report")
    text = page.text
    assert "非正式文本" not in text and "评标报告" in text and "平台签名有效" in text
    assert "低价优先法" in text and chair.expert.name in text
    assert "780,000.00" in text and w.bidders[1].organisation.name in text
    assert re.search(r"排名</th>", text)
    owner = w.dbsession.get(User, w.project.created_by_id)
    _login(testapp, w, owner.id)
    owner_page = testapp.get(url)
    assert chair.expert.name not in owner_page.text  # names secret until the award
    assert "成员 " in owner_page.text
    assert url in testapp.get(f"/projects/{w.project.id}").text
    stranger = make_user(w.dbsession, w.clock, w.settings, role=Role.EXPERT)
    for user_id in (w.bidders[0].id, stranger.id):
        _login(testapp, w, user_id)
        testapp.get(url, status=403)
        assert url not in testapp.get(f"/projects/{w.project.id}").text
    assert w.dbsession.scalar(sa.select(sa.func.count()).select_from(type(report))) == 1
