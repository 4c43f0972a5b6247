"""Electronic supervision rules (pure) and the dashboard with its SVG charts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user, project_service

from trading.accounts.models import Role, User
from trading.supervision.supervision import (
    OPENING_GRACE,
    SMALL_WORKS_REVIEW_DAYS,
    ProjectFacts,
    SmallWorkFacts,
    overdue_small_works,
    overdue_steps,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def facts(status, changed_days_ago=0, deadline_days=10):
    return ProjectFacts(1, "YG-1", "某项目", status, NOW - timedelta(days=changed_days_ago),
                        NOW + timedelta(days=deadline_days), "业主单位")


@pytest.mark.parametrize("status,ago,deadline,late", [
    ("pending_review", 2, 10, False), ("pending_review", 4, 10, True),
    ("bidding", 0, 1, False), ("bidding", 0, -1, True),
    ("evaluation", 9, -20, False), ("evaluation", 11, -20, True),
    ("candidates_publicised", 7, -20, False), ("candidates_publicised", 9, -20, True),
    ("awarded", 29, -40, False), ("awarded", 31, -40, True),
    ("contracted", 400, -500, False), ("draft", 400, -500, False),
])
def test_overdue_rules(status, ago, deadline, late):
    assert bool(overdue_steps([facts(status, ago, deadline)], NOW)) is late


def test_opening_gets_a_grace_period_and_names_who_acts():
    f = facts("opening", 0, 0)
    assert overdue_steps([f], NOW + OPENING_GRACE) == []
    [alert] = overdue_steps([f], NOW + OPENING_GRACE + timedelta(minutes=1))
    assert alert.step == "开标未完成" and "交易中心" in alert.responsible
    owner_alert = overdue_steps([facts("awarded", 40, -50)], NOW)[0]
    assert "业主单位" in owner_alert.responsible and owner_alert.days_late(NOW) == 10


def test_dashboard_shows_figures_alerts_and_charts(testapp, dbsession, clock, settings,
                                                   registry):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    late = make_project(dbsession, clock, settings, registry, owner=owner)
    project_service(dbsession, clock, registry).submit_for_review(late, actor=actor_for(owner))
    make_project(dbsession, clock, settings, registry, publish=True)
    clock.advance(days=4)
    make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="s_sup")
    testapp.login("s_sup")
    page = testapp.get("/supervision")
    assert "项目审核超期" in page.text and late.name in page.text
    svg = testapp.get("/supervision/charts/status.svg")
    assert svg.content_type == "image/svg+xml" and svg.text.lstrip().startswith("<svg")
    assert "default-src 'none'" in svg.headers["Content-Security-Policy"]
    # Nothing is loaded from the internet: no external href or src, no CDN script.
    assert not re.search(r"""(?:href|src)\s*=\s*["']https?:""", svg.text)
    assert testapp.get("/supervision", {"type": "works", "since": "2026-01-01"}).status_int == 200
    # In English the alert and who must act are English too (issue #18 point 2).
    testapp.set_cookie("_LOCALE_", "en")
    english = testapp.get("/supervision").text
    assert "Project review overdue" in english and "Trading center" in english
    assert "项目审核超期" not in english
    # The charts are images the page's template does not translate: their own words are.
    assert "按项目状态" in svg.text and "待审核" in svg.text
    chart = testapp.get("/supervision/charts/status.svg").text
    assert "By status" in chart and "Pending review" in chart and "Projects" in chart
    assert not re.search(r"[\u4e00-\u9fff]", chart)
    assert testapp.get("/supervision", {"type": "bogus"}).status_int == 200


# -- small works ---------------------------------------------------------------------------


def work(status, *, submitted=None, respond=None, publicity=None):
    return SmallWorkFacts(7, "某小额工程", status, submitted, respond, publicity, "业主单位",
                          "中选企业")


@pytest.mark.parametrize("facts,late,who", [
    (work("submitted", submitted=NOW - timedelta(days=SMALL_WORKS_REVIEW_DAYS - 1)), False, ""),
    (work("submitted", submitted=NOW - timedelta(days=SMALL_WORKS_REVIEW_DAYS + 1)), True,
     "交易中心"),
    (work("drawn", respond=NOW + timedelta(hours=1)), False, ""),
    (work("drawn", respond=NOW - timedelta(hours=1)), True, "中选企业（中选企业）"),
    (work("publicity", publicity=NOW - timedelta(days=29)), False, ""),
    (work("publicity", publicity=NOW - timedelta(days=31)), True, "项目业主（业主单位）"),
    (work("drawn"), False, ""), (work("contracted"), False, ""),
    (work("evaluated", submitted=NOW - timedelta(days=400)), False, ""),
])
def test_small_works_overdue_rules(facts, late, who):
    found = overdue_small_works([facts], NOW)
    assert bool(found) is late
    if late:
        assert found[0].responsible == who and found[0].kind == "small_work"
        assert found[0].number == "XE-00007"


@pytest.mark.slow
def test_the_dashboard_shows_small_works_and_their_overdue_steps(testapp, dbsession, clock,
                                                                  settings):
    from trading.demo import load_demo
    from trading.smallworks.models import SmallWork

    load_demo(dbsession, clock, settings)
    late = dbsession.scalar(sa.select(SmallWork).where(SmallWork.status == "submitted"))
    assert late is not None, "the demo has a small work waiting for review"
    late.submitted_at = clock() - timedelta(days=SMALL_WORKS_REVIEW_DAYS + 2)
    dbsession.flush()
    make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="sw_sup")
    testapp.login("sw_sup")
    page = testapp.get("/supervision").text
    assert "小额工程企业库" in page and "在库企业" in page
    assert "小额工程审核超期" in page and f"/smallworks/projects/{late.id}" in page
    svg = testapp.get("/supervision/charts/smallworks.svg")
    assert svg.content_type == "image/svg+xml" and "<svg" in svg.text


def test_unanswered_objections_past_their_due_time_are_late():
    from trading.supervision.supervision import ObjectionFacts, overdue_objections

    due = NOW - timedelta(hours=1)
    objections = [ObjectionFacts(1, "YG-1", "某项目", due, False, "业主单位"),
                  ObjectionFacts(2, "YG-2", "另一项目", due, True, "业主单位"),
                  ObjectionFacts(3, "YG-3", "第三项目", NOW + timedelta(days=1), False, "业主")]
    [late] = overdue_objections(objections, NOW)
    assert (late.project_id, late.step, late.responsible) == (1, "异议未按时答复",
                                                              "项目业主（业主单位）")


@pytest.mark.slow
def test_the_dashboard_lists_an_objection_left_unanswered(testapp, dbsession, clock, settings):
    from trading.award.service import AwardService
    from trading.demo import load_demo
    from trading.demo.award import RANKED_DEMO
    from trading.projects.models import Project

    load_demo(dbsession, clock, settings)
    project = dbsession.scalar(sa.select(Project).where(Project.name == RANKED_DEMO))
    bidder = dbsession.scalar(sa.select(User).where(User.username == "bidder2"))
    AwardService(dbsession, clock).raise_objection(project, text="第一名的业绩证明不实，请核查。",
                                                   actor=actor_for(bidder))
    make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="ob_sup")
    testapp.login("ob_sup")
    assert project.number not in testapp.get("/supervision").text  # not late yet
    clock.advance(days=4)
    testapp.reset()  # the login session has expired in four days
    testapp.login("ob_sup")
    page = testapp.get("/supervision").text
    row = page[page.index(project.number):].split("</tr>")[0]
    assert "异议未按时答复" in row



def purchase(status, **kw):
    from trading.supervision.supervision import PurchaseFacts

    values = dict(confirm_deadline=None, contract_due=None, rating_due=None)
    values.update(kw)
    return PurchaseFacts(5, "ZJ-5", "某中介采购", status, NOW - timedelta(days=1),
                         owner="业主单位", selected="某咨询公司", **values)


def test_supermarket_overdue_rules():
    from trading.supervision.supervision import PurchaseFacts, overdue_purchases

    late = NOW - timedelta(hours=1)
    soon = NOW + timedelta(hours=1)
    review = PurchaseFacts(1, "ZJ-1", "审核", "under_review", NOW - timedelta(days=4), None,
                           None, None, "业主单位", "")
    fresh = PurchaseFacts(2, "ZJ-2", "审核", "under_review", NOW - timedelta(days=2), None,
                          None, None, "业主单位", "")
    found = overdue_purchases([
        review, fresh, purchase("selected", confirm_deadline=late),
        purchase("selected", confirm_deadline=soon),
        purchase("contract_upload", contract_due=late),
        purchase("contract_confirm", contract_due=late),
        purchase("service_finished", rating_due=late),
        purchase("service_finished", rating_due=soon), purchase("evaluated", rating_due=late)],
        NOW)
    assert sorted((o.step, o.responsible) for o in found) == sorted([
        ("中介采购审核超期", "交易中心"), ("中选中介机构未按时确认", "中介机构（某咨询公司）"),
        ("中介服务合同未按时签订", "中介机构（某咨询公司）"),
        ("中介服务合同未按时确认", "项目业主（业主单位）"),
        ("中介服务评价超期", "项目业主（业主单位）")])
    assert {o.kind for o in found} == {"purchase"}


@pytest.mark.slow
def test_the_dashboard_shows_the_supermarket(testapp, dbsession, clock, settings):
    from trading.demo import load_demo

    load_demo(dbsession, clock, settings)
    make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="im_sup")
    testapp.login("im_sup")
    page = testapp.get("/supervision").text
    assert "中介超市" in page and "已入驻中介机构" in page
    svg = testapp.get("/supervision/charts/supermarket.svg")
    assert svg.content_type == "image/svg+xml" and "<svg" in svg.text


# -- bids per project -----------------------------------------------------------------------


def test_bid_figures_mean_by_type_and_month_and_distribution():
    from decimal import Decimal

    from trading.supervision.dashboard import BidSample, bid_figures

    samples = [BidSample("works", "2026-05", 3), BidSample("works", "2026-05", 4),
               BidSample("works", "2026-06", 0), BidSample("government_procurement",
                                                            "2026-06", 12),
               BidSample("government_procurement", "2026-06", 7)]
    got = bid_figures(samples)
    assert got.projects == 5 and got.mean == "5.2"  # 26 / 5
    assert got.by_type == {"government_procurement": Decimal("9.5"),
                           "works": Decimal("2.3")}  # 7 / 3 = 2.33…
    assert got.by_month == {"2026-05": Decimal("3.5"), "2026-06": Decimal("6.3")}
    assert got.distribution == {"0": 1, "1": 0, "2": 0, "3": 1, "4": 1, "5": 0, "6–9": 1,
                                "10+": 1}
    assert bid_figures([BidSample("works", "2026-05", 1), BidSample("works", "2026-05", 2),
                        BidSample("works", "2026-05", 2), BidSample("works", "2026-05", 2)]
                       ).mean == "1.8"  # 1.75 rounds half up
    empty = bid_figures([])
    assert (empty.mean, empty.by_type, set(empty.distribution.values())) == ("—", {}, {0})


@pytest.mark.parametrize("status,changed,deadline,counted", [
    # days from now: the last status change, the bid deadline
    ("bidding", -1, 1, False),  # before the deadline the number of bids is secret
    ("bidding", -3, -1, True), ("evaluation", 0, -2, True), ("failed", 0, -2, True),
    ("published", -5, -1, False), ("pending_review", -5, -1, False),
    ("cancelled", -1, -3, True),  # cancelled after the bids came in
    ("cancelled", -3, -1, False), ("cancelled", -3, 2, False),  # …or before the deadline
])
def test_which_projects_count_for_bids(status, changed, deadline, counted):
    from trading.supervision.dashboard import counts_bids

    day = timedelta(days=1)
    assert counts_bids(status, NOW + changed * day, NOW + deadline * day, NOW) is counted


def test_the_dashboard_counts_bids_per_project(testapp, dbsession, clock, settings, registry):
    """Crafted data: three projects past their deadline with 3, 1 and 0 submitted bids (a
    withdrawn bid does not count), one still open with 2 (not counted), one of another
    type filtered out by the type filter."""
    from trading.bidding.models import Bid, BidState
    from trading.projects.kinds import ProjectType
    from trading.supervision.dashboard import figures

    bidders = [make_user(dbsession, clock, settings, role=Role.BIDDER) for _ in range(4)]
    projects = [make_project(dbsession, clock, settings, registry, open_bidding=True)
                for _ in range(4)]
    procurement = make_project(dbsession, clock, settings, registry, open_bidding=True,
                               project_type=ProjectType.GOVERNMENT_PROCUREMENT)
    states = {0: [BidState.SUBMITTED] * 3, 1: [BidState.SUBMITTED, BidState.WITHDRAWN],
              2: [], 3: [BidState.SUBMITTED] * 2, 4: [BidState.SUBMITTED] * 4}
    for i, project in enumerate([*projects, procurement]):
        for bidder, state in zip(bidders, states[i], strict=False):
            dbsession.add(Bid(project_id=project.id, lot_id=project.lots[0].id,
                              bidder_org_id=bidder.organisation_id, state=state,
                              created_at=clock(), updated_at=clock()))
    projects[3].bid_deadline = clock() + timedelta(days=400)
    dbsession.flush()
    clock.set(max(p.bid_deadline for p in projects[:3] + [procurement])
              + timedelta(minutes=1))
    works = figures(dbsession, clock(), project_type=str(ProjectType.WORKS)).bids
    assert (works.projects, works.mean) == (3, "1.3")  # (3 + 1 + 0) / 3
    assert works.distribution["0"] == works.distribution["1"] == works.distribution["3"] == 1
    both = figures(dbsession, clock()).bids
    assert both.projects == 4 and both.mean == "2.0"  # (3 + 1 + 0 + 4) / 4
    assert both.by_type[str(ProjectType.GOVERNMENT_PROCUREMENT)] == 4

    make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="bids_sup")
    testapp.login("bids_sup")
    page = testapp.get("/supervision", {"type": "works"}).text
    assert "平均投标数" in page and "1.3" in page
    for name in ("bids", "bidcount"):
        svg = testapp.get(f"/supervision/charts/{name}.svg", {"type": "works"})
        assert svg.content_type == "image/svg+xml" and "<svg" in svg.text
    assert "1.3" in testapp.get("/supervision/charts/bids.svg", {"type": "works"}).text


def test_no_award_after_the_publicity_counts_from_the_publicity_itself():
    """A publicity restarted after a re-evaluation (or a longer one) ends later than the
    status change suggests: the owner's days run from its own end."""
    from trading.supervision.supervision import AWARD_DAYS

    ends = NOW - timedelta(days=AWARD_DAYS) + timedelta(minutes=1)
    restarted = ProjectFacts(1, "YG-1", "某项目", "candidates_publicised",
                             NOW - timedelta(days=30), NOW - timedelta(days=40), "业主单位",
                             ends)
    assert overdue_steps([restarted], NOW) == []
    [late] = overdue_steps([restarted], NOW + timedelta(minutes=2))
    assert late.step == "候选人公示期满未定标" and late.due == ends + timedelta(days=AWARD_DAYS)
