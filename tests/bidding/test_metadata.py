"""No sign of a bid before the deadline (issue #15 point 5), tried with a second account.

A supervisor reading the audit log must not learn who signed up for, downloaded or asked
about a project before its deadline (the sign-up page's rule, 电子招标投标办法 Art 21), nor
count hidden events from gaps in the numbering; a bidder must not count bids from its own
bid's id.
"""

import re

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.actor import Actor
from trading.audit.models import AuditEvent
from trading.audit.service import record
from trading.projects.models import ProjectDocument
from trading.projects.service import SIGNUP_ACTIONS

VISIBLE = Actor(None, "center-test", None, "center", "192.0.2.9")


def rows(page) -> list[list[str]]:
    body = BeautifulSoup(page.text, "html.parser").find("tbody")
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in body.find_all("tr")]


def project_rows(page, project) -> set[str]:
    """The actions the page shows on this project, as codes (each label's title)."""
    body = BeautifulSoup(page.text, "html.parser").find("tbody")
    return {tds[2].span["title"] for tds in (tr.find_all("td") for tr in body.find_all("tr"))
            if len(tds) > 3 and tds[3].get_text(" ", strip=True) == f"项目 {project.name}"}


def bidder_activity(world, bidder):
    """Everything a bidder does before the deadline that tells it is taking part."""
    service = world.projects()
    document = world.dbsession.scalar(sa.select(ProjectDocument).where(
        ProjectDocument.project_id == world.project.id))
    service.record_download(document, user=bidder, actor=actor_for(bidder))
    service.ask_question(world.project, text="工期能否调整？", asker=bidder,
                         actor=actor_for(bidder))
    world.submit(bidder, world.seal(bidder))


def test_a_supervisor_sees_no_sign_up_download_or_question_before_the_deadline(
        testapp, world):
    sup = make_user(world.dbsession, world.clock, world.settings, role=Role.SUPERVISOR)
    center = make_user(world.dbsession, world.clock, world.settings, role=Role.CENTER)
    bidder_activity(world, world.bidders[0])
    assert world.projects().signups_visible_to(world.project, sup) is False

    testapp.login(sup.username)
    assert project_rows(testapp.get("/audit/log"), world.project) \
        .isdisjoint(SIGNUP_ACTIONS)
    for action in SIGNUP_ACTIONS:  # nor by asking for them by name
        page = testapp.get("/audit/log", {"action": action, "subject_type": "project",
                                          "subject_id": str(world.project.id)})
        assert rows(page) == [["暂无记录"]]

    # The center sees them, as it sees the sign-up page (the same rule).
    testapp.login(center.username)
    assert set(SIGNUP_ACTIONS) <= project_rows(testapp.get("/audit/log"), world.project)

    # After the deadline the supervisor sees them too, as the sign-up page shows them.
    world.clock.set(world.project.bid_deadline)
    testapp.login(sup.username)
    assert set(SIGNUP_ACTIONS) <= project_rows(testapp.get("/audit/log"), world.project)


def test_hidden_events_leave_no_gap_a_supervisor_could_count(testapp, world, dbsession):
    """Before: the page. Then a bid, a second version, a new sign-up with a download, and
    one visible event. After: the same page with that one row on top, and no row shows a
    number that counts the events in between."""
    sup = make_user(world.dbsession, world.clock, world.settings, role=Role.SUPERVISOR)
    late = make_user(world.dbsession, world.clock, world.settings, role=Role.BIDDER)
    testapp.login(sup.username)
    before = rows(testapp.get("/audit/log"))

    bidder = world.bidders[1]
    world.submit(bidder, world.seal(bidder))
    world.submit(bidder, world.seal(bidder, offer_=world.offer(70_000_000)))
    world.projects().sign_up(world.project, world.lot, bidder=late, actor=actor_for(late))
    bidder_activity(world, late)
    record(dbsession, VISIBLE, "test.visible", "thing", 1, now=world.clock())

    after = rows(testapp.get("/audit/log"))
    assert after[0][2] == "test.visible" and after[1:] == before[:len(after) - 1]
    shown = {e.hash[:16]: e.seq for e in dbsession.scalars(sa.select(AuditEvent))}
    for row in after:
        seq = shown[row[-1].rstrip("…")]
        assert str(seq) not in row, row


def test_paging_goes_by_hash_never_by_seq(testapp, world, dbsession, monkeypatch):
    import trading.audit.views as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(3):
        record(dbsession, VISIBLE, "test.page", "thing", n, now=world.clock())
    sup = make_user(world.dbsession, world.clock, world.settings, role=Role.SUPERVISOR)
    testapp.login(sup.username)
    first = testapp.get("/audit/log", {"action": "test.page"})
    link = BeautifulSoup(first.text, "html.parser").find("a", string=re.compile("更早的记录"))
    cursor = re.search(r"before=([0-9a-f]+)", link["href"]).group(1)
    assert len(cursor) == 64
    second = testapp.get(link["href"])
    assert [r[3] for r in rows(first)] == ["thing #2", "thing #1"]
    assert [r[3] for r in rows(second)] == ["thing #0"]

    # A hidden row's hash is no cursor (no oracle), nor is a number.
    world.submit(world.bidders[0], world.seal(world.bidders[0]))
    hidden = dbsession.scalar(sa.select(AuditEvent.hash).where(
        AuditEvent.action == "bid.submitted"))
    for bad in (hidden, "12", "z" * 64):
        page = testapp.get("/audit/log", {"before": bad}, status=400)
        assert "翻页参数无效" in page.text


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OWNER])
def test_staff_without_the_sign_up_page_cannot_read_the_rows_elsewhere(testapp, world, role):
    """Owner staff have no audit log at all; a supervisor has no sign-up page yet."""
    user = make_user(world.dbsession, world.clock, world.settings, role=role,
                     organisation=world.project.owner if role is Role.OWNER else None)
    testapp.login(user.username)
    status = 200 if role is Role.SUPERVISOR else 403
    testapp.get("/audit/log", status=status)
    page = testapp.get(f"/projects/{world.project.id}/signups", expect_errors=True)
    assert world.bidders[0].organisation.name not in page.text


def _bidder_sees(testapp, world, bidder, version) -> str:
    """Everything a bidder gets about its bid: pages, links, API, receipt, file names."""
    project = world.project
    testapp.login(bidder.username)
    mine = testapp.get(f"/projects/{project.id}/bids")
    link = BeautifulSoup(mine.text, "html.parser").find("a", string=re.compile("版本与回执"))
    bid_page = testapp.get(link["href"])
    api = testapp.get(f"/api/v1/projects/{project.id}/bids").json["items"][0]
    receipt = testapp.get(
        f"/projects/{project.id}/bids/{api['id']}/versions/1/receipt.json")
    return " ".join([link["href"], bid_page.text, str(api), receipt.text,
                     receipt.headers["Content-Disposition"]])


def test_a_bidder_cannot_count_bids_from_its_own_bids_name(testapp, world):
    """Two bids one after the other: their public names are random, never the row ids,
    and the row id opens nothing."""
    first, second = world.bidders[:2]
    v1 = world.submit(first, world.seal(first))
    v2 = world.submit(second, world.seal(second))
    names = [v1.bid.public_id, v2.bid.public_id]
    assert all(re.fullmatch(r"[0-9a-f]{20}", n) for n in names) and names[0] != names[1]
    seen = _bidder_sees(testapp, world, second, v2)
    assert names[1] in seen and names[0] not in seen
    # (a public id may start with the row id's digits: only the whole row id counts)
    assert not re.search(rf"/bids/{v2.bid_id}(?![0-9a-f])", seen)
    assert f"'id': {v2.bid_id}," not in seen and f"'id': {v2.bid_id}}}" not in seen
    assert f"receipt-{v2.bid_id}-" not in seen
    project = world.project
    for path in (f"/projects/{project.id}/bids/{v2.bid_id}",
                 f"/projects/{project.id}/bids/{v2.bid_id}/versions/1/receipt.json",
                 f"/api/v1/projects/{project.id}/bids/{v2.bid_id}",
                 f"/projects/{project.id}/bids/{'0' * 20}"):
        testapp.get(path, status=403)


def test_the_opening_record_and_open_data_name_bids_by_their_public_id(testapp, world):
    for bidder in world.bidders:
        world.submit(bidder, world.seal(bidder))
    world.clock.set(world.project.bid_deadline)
    world.advance()
    bids = {world.bids().bid_for(world.lot, b.organisation_id) for b in world.bidders}
    hall = testapp.get(f"/api/v1/projects/{world.project.id}/opening").json
    assert {line["bid_id"] for line in hall["lines"]} == {b.public_id for b in bids}
    from trading.opendata.service import bids_view

    published = {view.id.rsplit("-", 1)[1] for view in bids_view(world.dbsession,
                                                                   world.project).details}
    assert published == {b.public_id for b in bids}
