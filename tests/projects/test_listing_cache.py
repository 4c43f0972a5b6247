"""The anonymous listing cache (trading/projects/listing_cache.py): served again while the
listing's generation holds, fresh after every write that changes what the listing shows."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user, project_service
from webtest import TestApp

from trading.accounts.models import Role
from trading.projects.listing_cache import CHANGED
from trading.projects.models import ListingGeneration
from trading.projects.status import ProjectStatus as S

API = "/api/v1/projects"


@pytest.fixture
def center(dbsession, clock, settings):
    return make_user(dbsession, clock, settings, role=Role.CENTER)


@pytest.fixture
def owner(dbsession, clock, settings):
    return make_user(dbsession, clock, settings, role=Role.OWNER)


@pytest.fixture
def service(dbsession, clock, registry):
    return project_service(dbsession, clock, registry)


def commit(dbsession, tm):
    """What a commit does for the cache, inside the test's open (doomed) transaction: the
    before-commit hooks run (the generation bump) and the next request is another
    transaction, which no longer sees a change of its own."""
    for hook, args, kws in list(tm.get().getBeforeCommitHooks()):
        hook(*args, **kws)
    dbsession.info.pop(CHANGED, None)


def generation(dbsession) -> int:
    return dbsession.scalar(sa.select(ListingGeneration.value))


def statements(dbengine, fn):
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(dbengine, "before_cursor_execute", count)
    try:
        result = fn()
    finally:
        sa.event.remove(dbengine, "before_cursor_execute", count)
    return result, seen


def listed(testapp, **params) -> dict:
    return {p["name"]: p for p in testapp.get(API, params).json["items"]}


def test_an_anonymous_listing_is_served_again_with_one_read(
    testapp, dbsession, clock, settings, registry, tm, dbengine
):
    make_project(dbsession, clock, settings, registry, publish=True, name="缓存的污水项目")
    commit(dbsession, tm)
    first = testapp.get("/projects", {"q": "污水"})
    again, seen = statements(dbengine, lambda: testapp.get("/projects", {"q": "污水"}))
    assert again.body == first.body and "缓存的" in again.text  # 污水 is highlighted
    assert len(seen) == 1 and "listing_generation" in seen[0]  # the generation only
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-cache"
    assert "Set-Cookie" not in first.headers  # an anonymous page makes no session
    # The same question in other words (order, empty parameters) is the same entry.
    assert testapp.get("/projects", {"type": "", "q": "污水"}).body == first.body


def test_a_browser_that_holds_the_page_gets_304(testapp, dbsession, clock, settings, registry, tm):
    make_project(dbsession, clock, settings, registry, publish=True)
    commit(dbsession, tm)
    page = testapp.get(API)
    testapp.get(API, headers={"If-None-Match": page.headers["ETag"]}, status=304)
    testapp.get(API, headers={"If-None-Match": '"other"'}, status=200)


def test_locale_and_host_are_part_of_the_key(testapp, dbsession, clock, settings, registry, tm):
    make_project(dbsession, clock, settings, registry, publish=True)
    commit(dbsession, tm)
    chinese = testapp.get("/projects").text
    english = testapp.get("/projects", {"_LOCALE_": "en"}).text
    assert chinese != english and "Projects" in english
    assert testapp.get("/projects").text == chinese


def test_a_signed_in_page_is_never_cached(testapp, dbsession, clock, settings, registry, tm):
    make_user(dbsession, clock, settings, role=Role.BIDDER, username="lc_bidder")
    make_project(dbsession, clock, settings, registry, publish=True)
    commit(dbsession, tm)
    anonymous = testapp.get("/projects")
    testapp.login("lc_bidder")
    mine = testapp.get("/projects")
    assert "ETag" not in mine.headers and mine.text != anonymous.text
    testapp.reset()
    assert "lc_bidder" not in testapp.get("/projects").text


def test_a_bad_query_is_not_kept(testapp):
    testapp.get("/projects", {"page": "0"}, status=400)
    assert "ETag" not in testapp.get(API, {"page": "x"}, status=400).headers


def test_a_failed_generation_read_is_a_clear_503(testapp, monkeypatch):
    from trading.projects import listing_cache

    def gone(request):
        raise sa.exc.OperationalError("SELECT value", {}, Exception("server closed"))

    monkeypatch.setattr(listing_cache, "_generation", gone)
    assert testapp.get(API, status=503).json["error"] == "database_unavailable"


def test_a_listing_request_reads_in_autocommit_and_gives_the_connection_back_as_it_was(
    app, dbengine
):
    """A request's own session (not a test's lent one) reads the listing in autocommit:
    no BEGIN and ROLLBACK round trips; the pool resets the connection when it returns."""
    levels = []

    def level(conn, *args):
        levels.append(conn.get_execution_options().get("isolation_level"))

    client = TestApp(app, extra_environ={"HTTP_HOST": "localhost:6543"})
    sa.event.listen(dbengine, "before_cursor_execute", level)
    try:
        client.get("/projects", {"q": "污水"})
        client.get(API, {"type": "works"})
    finally:
        sa.event.remove(dbengine, "before_cursor_execute", level)
    assert len(levels) >= 4 and set(levels) == {"AUTOCOMMIT"}
    with dbengine.connect() as conn:
        assert conn.get_isolation_level() != "AUTOCOMMIT"


def test_the_writing_transaction_sees_its_own_change(testapp, dbsession, clock, settings, registry):
    """Before its commit the bump has not happened: the cache steps aside for the session
    that made the change."""
    testapp.get(API)
    make_project(dbsession, clock, settings, registry, publish=True, name="未提交的项目")
    assert "未提交的项目" in listed(testapp)


def _cached_then(testapp, dbsession, tm, write, **params) -> dict:
    """The listing cached, `write` done and committed: the next request's listing."""
    before, hooks = generation(dbsession), len(list(tm.get().getBeforeCommitHooks()))
    listed(testapp, **params)
    write()
    assert len(list(tm.get().getBeforeCommitHooks())) == hooks + 1  # one bump per commit
    commit(dbsession, tm)
    assert generation(dbsession) > before
    return listed(testapp, **params)


def test_publishing_refreshes_the_listing(
    testapp, dbsession, clock, settings, registry, tm, service, center, owner
):
    project = make_project(
        dbsession, clock, settings, registry, owner=owner, name="待发布的桥梁项目"
    )
    service.submit_for_review(project, actor=actor_for(owner))
    commit(dbsession, tm)
    after = _cached_then(
        testapp, dbsession, tm, lambda: service.approve(project, actor=actor_for(center)), q="桥梁"
    )
    assert "待发布的桥梁项目" in after


def test_a_change_notice_refreshes_the_listing(
    testapp, dbsession, clock, settings, registry, tm, service, owner
):
    project = make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True)
    commit(dbsession, tm)
    later = project.bid_deadline + timedelta(days=20)

    def clarify():
        service.publish_clarification(
            project,
            title="变更公告",
            body="截止时间顺延，管网改造",
            affects_bids=True,
            new_deadline=later,
            actor=actor_for(owner),
        )

    after = _cached_then(testapp, dbsession, tm, clarify)
    assert after[project.name]["bid_deadline"] == later.isoformat()
    assert project.name in listed(testapp, q="管网")  # the notice's words are found


def test_a_result_notice_refreshes_the_listing(
    testapp, dbsession, clock, settings, registry, tm, service, center
):
    project = make_project(dbsession, clock, settings, registry, publish=True)
    commit(dbsession, tm)
    assert not listed(testapp, q="中标结果")

    def result():
        service.announce(
            project, "result", "中标结果公告", "中标人：某公司", actor=actor_for(center)
        )

    assert project.name in _cached_then(testapp, dbsession, tm, result, q="中标结果")


def test_a_status_change_refreshes_the_listing(
    testapp, dbsession, clock, settings, registry, tm, service
):
    project = make_project(dbsession, clock, settings, registry, publish=True)
    commit(dbsession, tm)
    assert listed(testapp)[project.name]["status"] == "published"

    def open_bidding():
        clock.set(project.doc_start)
        service.advance(project)

    assert _cached_then(testapp, dbsession, tm, open_bidding)[project.name]["status"] == "bidding"


def test_withdrawing_a_project_refreshes_the_listing(
    testapp, dbsession, clock, settings, registry, tm, service, owner
):
    project = make_project(dbsession, clock, settings, registry, owner=owner, publish=True)
    commit(dbsession, tm)

    def withdraw():  # 终止
        service.cancel(project, reason="需求变化", actor=actor_for(owner))

    after = _cached_then(testapp, dbsession, tm, withdraw)
    assert after[project.name]["status"] == str(S.CANCELLED)


def test_freezing_refreshes_the_listing(testapp, dbsession, clock, settings, registry, tm, service):
    supervisor = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    project = make_project(dbsession, clock, settings, registry, publish=True)
    commit(dbsession, tm)
    after = _cached_then(
        testapp,
        dbsession,
        tm,
        lambda: service.freeze(project, reason="投诉处理", actor=actor_for(supervisor)),
    )
    assert after[project.name]["frozen"] is True


def test_a_draft_edit_leaves_the_listing_cached(
    dbsession, clock, settings, registry, tm, service, owner
):
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    commit(dbsession, tm)
    before = generation(dbsession)
    service.update_draft(project, service_input(clock), actor=actor_for(owner))
    commit(dbsession, tm)
    assert generation(dbsession) == before


def service_input(clock):
    from factories import project_input

    return project_input(clock, name="改过的草稿")
