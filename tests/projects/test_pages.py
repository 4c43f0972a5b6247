"""The newcomer's walk through the HTML pages (WebTest): post, review, list, sign up, ask."""

from datetime import timedelta

import pytest
from factories import make_project, make_user

from trading.accounts.models import Role
from trading.i18n import DISPLAY_TZ
from trading.projects.models import Project
from trading.projects.status import ProjectStatus as S


def local(value) -> str:
    return value.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def people(dbsession, clock, settings):
    return {role: make_user(dbsession, clock, settings, role=role, username=f"p_{role}")
            for role in (Role.OWNER, Role.CENTER, Role.BIDDER, Role.SUPERVISOR)}


def fill_project(form, clock, lots):
    start = clock() + timedelta(days=1)
    form.set("name", "网页发布的两标段项目", index=0)
    form["region"] = "鼓楼区"
    form["doc_start"] = local(start)
    form["doc_end"] = local(start + timedelta(days=10))
    form["clarification_deadline"] = local(start + timedelta(days=20))
    form["bid_deadline"] = local(start + timedelta(days=30))
    for i, (name, budget) in enumerate(lots):
        form.set("name", name, index=i + 1)  # index 0 is the project's name
        form.set("budget", budget, index=i)


def test_owner_posts_a_two_lot_project_and_the_center_publishes_it(testapp, people, clock,
                                                                   dbsession):
    testapp.login("p_owner")
    page = testapp.get("/projects/new")
    page = page.forms["deform"].submit("seq_add")  # the no-JavaScript "add lot" button
    assert len(page.forms["deform"].fields["budget"]) == 2
    form = page.forms["deform"]
    fill_project(form, clock, [("土建", "500000"), ("安装", "300000.50")])
    detail = form.submit("submit").follow()
    assert "草稿已保存" in detail.text and "网页发布的两标段项目" in detail.text
    project = dbsession.query(Project).filter_by(name="网页发布的两标段项目").one()
    assert [lot.budget for lot in project.lots] == [50_000_000, 30_000_050]
    upload = detail.forms[[k for k, f in detail.forms.items()
                           if "file" in f.fields][0]]
    upload["file"] = ("招标文件.pdf", b"%PDF-1.4 tender")
    detail = upload.submit().follow()
    submit = [f for f in detail.forms.values() if f.action.endswith("/submit")][0]
    assert "已提交" in submit.submit().follow().text
    assert project.status is S.PENDING_REVIEW

    testapp.reset()
    testapp.login("p_center")
    assert "网页发布的两标段项目" in testapp.get("/projects/reviews").text
    review = testapp.get(f"/projects/{project.id}/review").forms["deform"]
    review["reasons"] = "资料齐全"
    assert "项目已发布" in review.submit("approve").follow().text
    assert project.status is S.PUBLISHED

    testapp.reset()
    listing = testapp.get("/projects", {"q": "两标段"})
    assert "网页发布的<mark>两标段</mark>项目" in listing.text and "共 1 个项目" in listing.text


def test_bidder_signs_up_asks_and_sees_the_answer(testapp, people, dbsession, clock, settings,
                                                  registry):
    project = make_project(dbsession, clock, settings, registry, owner=people[Role.OWNER],
                           open_bidding=True)
    testapp.login("p_bidder")
    page = testapp.get(f"/projects/{project.id}")
    assert "报名后可下载文件" in page.text
    signup = [f for f in page.forms.values() if f.action.endswith("/signup")][0]
    page = signup.submit().follow()
    assert "报名成功" in page.text and "已报名" in page.text
    doc = project.documents[0]
    testapp.get(f"/projects/{project.id}/documents/{doc.id}", status=200)
    ask = [f for f in page.forms.values() if f.action.endswith("/questions")][0]
    ask["text"] = "类似业绩是否包括在建项目？"
    ask.submit().follow()
    testapp.get(f"/projects/{project.id}/signups", status=403)  # hidden from bidders

    testapp.reset()
    testapp.login("p_owner")
    page = testapp.get(f"/projects/{project.id}")
    answer = [f for f in page.forms.values() if f.action.endswith("/answer")][0]
    answer["answer"] = "不包括在建项目。"
    answer.submit().follow()
    testapp.get(f"/projects/{project.id}/signups", status=403)  # owner: after the deadline

    testapp.reset()
    public = testapp.get(f"/projects/{project.id}").text
    assert "不包括在建项目" in public and people[Role.BIDDER].organisation.name not in public


def test_clarification_moves_the_deadline_and_is_announced(testapp, people, dbsession, clock,
                                                           settings, registry):
    project = make_project(dbsession, clock, settings, registry, owner=people[Role.OWNER],
                           open_bidding=True)
    clock.set(project.bid_deadline - timedelta(days=3))
    testapp.login("p_owner")
    form = testapp.get(f"/projects/{project.id}/clarifications/new").forms["deform"]
    form["title"] = "变更公告（一）"
    form["body"] = "工程量清单更正"
    form["affects_bids"] = True
    refused = form.submit("submit", status=400)
    assert "须顺延截止时间" in refused.text
    form = refused.forms["deform"]
    new = clock() + timedelta(days=16)
    form["new_deadline"] = local(new)
    page = form.submit("submit").follow()
    assert "澄清/变更公告已发布" in page.text and local(new) in page.text
    assert project.bid_deadline == new.replace(second=0, microsecond=0)


def test_only_the_owner_may_clarify(testapp, people, dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    testapp.login("p_owner")  # an owner, but of another organisation
    testapp.get(f"/projects/{project.id}/clarifications/new", status=403)
    token = testapp.get_csrf_token("/workspace")
    testapp.post(f"/projects/{project.id}/clarifications/new",
                 {"csrf_token": token, "title": "伪造", "body": "x", "submit": "submit"},
                 status=403)
    assert len(project.announcements) == 1


def test_drafts_are_private(testapp, people, dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry)
    testapp.get(f"/projects/{project.id}", status=303)  # anonymous: log in first
    testapp.login("p_bidder")
    testapp.get(f"/projects/{project.id}", status=403)
    assert "测试项目" not in testapp.get("/projects").text


def test_editing_after_submission_is_refused(testapp, people, dbsession, clock, settings,
                                             registry):
    project = make_project(dbsession, clock, settings, registry, owner=people[Role.OWNER],
                           publish=True)
    testapp.login("p_owner")
    testapp.get(f"/projects/{project.id}/edit", status=403)


def test_the_center_sees_signups_before_the_deadline(testapp, people, dbsession, clock,
                                                     settings, registry):
    from factories import actor_for, project_service

    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    bidder = people[Role.BIDDER]
    project_service(dbsession, clock, registry).sign_up(project, project.lots[0],
                                                        bidder=bidder, actor=actor_for(bidder))
    testapp.login("p_center")
    assert bidder.organisation.name in testapp.get(f"/projects/{project.id}/signups").text
    testapp.reset()
    testapp.login("p_supervisor")
    testapp.get(f"/projects/{project.id}/signups", status=403)
    clock.set(project.bid_deadline)
    testapp.reset()
    testapp.login("p_supervisor")  # a new login: the earlier one expired with the jump in time
    assert bidder.organisation.name in testapp.get(f"/projects/{project.id}/signups").text


def test_listing_runs_a_fixed_number_of_queries(testapp, dbsession, clock, settings, registry,
                                                dbengine):
    """No N+1: the page costs the same statements for 3 projects as for 1."""
    import sqlalchemy as sa

    statements = []

    def count_statement(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    def listing_cost():
        statements.clear()
        sa.event.listen(dbengine, "before_cursor_execute", count_statement)
        try:
            testapp.get("/projects", {"q": "测试项目"})
        finally:
            sa.event.remove(dbengine, "before_cursor_execute", count_statement)
        return len(statements)

    make_project(dbsession, clock, settings, registry, publish=True)
    one = listing_cost()
    for _ in range(2):
        make_project(dbsession, clock, settings, registry, publish=True)
    assert listing_cost() == one <= 3


def test_each_role_workspace_shows_its_work(testapp, people, dbsession, clock, settings,
                                            registry):
    from factories import actor_for, project_service

    project = make_project(dbsession, clock, settings, registry, owner=people[Role.OWNER],
                           open_bidding=True)
    bidder = people[Role.BIDDER]
    project_service(dbsession, clock, registry).sign_up(project, project.lots[0], bidder=bidder,
                                                        actor=actor_for(bidder))
    testapp.login("p_bidder")
    assert project.name in testapp.get("/workspace").text
    testapp.reset()
    testapp.login("p_owner")
    assert "投标中：1" in testapp.get("/workspace").text
    testapp.reset()
    testapp.login("p_center")
    assert "待审核项目" in testapp.get("/workspace").text


def test_supervisor_freezes_and_unfreezes(testapp, people, dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    testapp.login("p_owner")
    token = testapp.get_csrf_token("/workspace")
    testapp.post(f"/projects/{project.id}/freeze", {"csrf_token": token, "reason": "x"},
                 status=403)
    testapp.reset()
    testapp.login("p_supervisor")
    page = testapp.get(f"/projects/{project.id}")
    freeze = [f for f in page.forms.values() if f.action.endswith("/freeze")][0]
    freeze["reason"] = "核查举报"
    page = freeze.submit().follow()
    assert "项目已被监管冻结" in page.text and project.frozen_reason == "核查举报"
    unfreeze = [f for f in page.forms.values() if f.action.endswith("/unfreeze")][0]
    assert "项目已解除冻结" in unfreeze.submit().follow().text
    assert project.frozen_reason == ""
