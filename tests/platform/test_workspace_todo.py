"""Workspaces and navigation (issue #18 point 3 and the navigation findings): each role's
workspace lists what it must do next, by links; the project page takes a signed-up bidder
to 我的投标 and tells everyone when sign-up opens."""

from bs4 import BeautifulSoup
from factories import (
    actor_for,
    make_enterprise,
    make_project,
    make_user,
    project_service,
    smallwork_input,
    smallworks_service,
)

from trading.accounts.models import Role
from trading.i18n import localtime


def _sections(page) -> dict[str, BeautifulSoup]:
    soup = BeautifulSoup(page.text, "html.parser")
    return {s.h2.get_text(" ", strip=True).split(" ")[0]: s for s in soup.select("section.todo")}


def test_an_intermediary_without_an_entry_is_sent_to_enter(testapp, dbsession, clock,
                                                           settings):
    user = make_user(dbsession, clock, settings, role=Role.INTERMEDIARY)
    testapp.login(user.username)
    todo = _sections(testapp.get("/workspace"))["中介超市待办"]
    assert "尚未入驻：完成入驻后方可报名" in todo.get_text()
    hrefs = [a["href"] for a in todo.find_all("a")]
    assert any(h.endswith("/supermarket/entry") for h in hrefs)
    assert any(h.endswith("/supermarket/purchases") for h in hrefs)
    testapp.get(hrefs[0])  # the link works


def test_the_center_sees_every_queue_and_the_alerts(testapp, dbsession, clock, settings,
                                                    registry):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    work = smallworks_service(dbsession, clock, registry).post(
        owner.organisation, smallwork_input(clock), actor=actor_for(center))
    late = make_project(dbsession, clock, settings, registry, owner=owner)
    project_service(dbsession, clock, registry).submit_for_review(late, actor=actor_for(owner))
    clock.advance(days=4)  # the review is overdue: an 电子监察 alert
    testapp.login(center.username)
    sections = _sections(testapp.get("/workspace"))
    assert {"中介超市审核", "小额工程审核", "电子监察预警"} <= set(sections)
    assert work.name in sections["小额工程审核"].get_text()
    alerts = sections["电子监察预警"]
    assert late.name in alerts.get_text() and "项目审核超期" in alerts.get_text()
    assert alerts.find("a", string=late.name)["href"].endswith(f"/projects/{late.id}")


def test_a_drawn_enterprise_is_told_with_its_deadline(testapp, dbsession, clock, settings,
                                                     registry):
    bidder = make_user(dbsession, clock, settings, role=Role.BIDDER)
    mine = make_enterprise(dbsession, clock, settings, registry, user=bidder)
    center = actor_for(make_user(dbsession, clock, settings, role=Role.CENTER))
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    service = smallworks_service(dbsession, clock, registry)
    for _ in range(2):
        make_enterprise(dbsession, clock, settings, registry)
    work = service.post(owner.organisation, smallwork_input(clock), actor=center)
    service.approve_project(work, actor=center)
    service.draw(work, actor=center)
    while work.winner_id != mine.id:
        service.decline(work, work.winner, reason="测试", actor=center)
    testapp.login(bidder.username)
    todo = _sections(testapp.get("/workspace"))["小额工程待办"]
    assert work.name in todo.get_text() and "已抽中" in todo.get_text()
    assert "期限" in todo.get_text()


def test_the_project_page_says_when_sign_up_opens(testapp, dbsession, clock, settings,
                                                 registry):
    project = make_project(dbsession, clock, settings, registry, publish=True)
    assert str(project.status) == "published" and clock() < project.doc_start
    page = testapp.get(f"/projects/{project.id}").text
    assert f"报名于 {localtime(project.doc_start)}（北京时间）开始" in page
