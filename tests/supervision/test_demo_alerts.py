"""After `make run` (the demo loaded) every chart, alert and collusion signal of the
supervision dashboard has something to show, and loading the demo twice changes nothing."""

import pytest
import sqlalchemy as sa

from trading.demo import load_demo
from trading.supervision.collusion_service import CollusionService
from trading.supervision.dashboard import figures
from trading.supervision.supervision import PURCHASE_RULES, RULES, SMALL_WORK_RULES

# Steps the platform's own jobs resolve, so no demo item can stay late once the worker
# runs: the opening job opens a project past its deadline, an unanswered selection (中介)
# or draw (小额工程) lapses to the next in line when its window closes.
PLATFORM_RESOLVED = {"开标未按时进行", "开标未完成", "中选中介机构未按时确认",
                     "中选企业未在时限内确认"}


def _every_step() -> set[str]:
    steps = {rule[0] for table in (RULES, SMALL_WORK_RULES, PURCHASE_RULES)
             for rule in table.values()}
    return steps | {"异议未按时答复"}


@pytest.mark.slow
def test_every_alert_kind_is_present_after_the_demo_loads(dbsession, clock, settings):
    load_demo(dbsession, clock, settings)
    first = figures(dbsession, clock())
    load_demo(dbsession, clock, settings)  # idempotent: the same items, once each
    shown = figures(dbsession, clock())
    assert [(o.kind, o.project_id, o.step) for o in shown.overdue] == [
        (o.kind, o.project_id, o.step) for o in first.overdue]

    steps = {o.step for o in shown.overdue}
    assert _every_step() - PLATFORM_RESOLVED <= steps, _every_step() - steps
    assert {o.kind for o in shown.overdue} == {"project", "small_work", "purchase"}
    assert all(o.responsible for o in shown.overdue)
    # every chart of the dashboard has data
    assert shown.by_type and shown.by_status and shown.by_month
    assert shown.bids.projects and shown.bids.by_month and sum(
        shown.bids.distribution.values()) == shown.bids.projects
    assert shown.small_works.by_month and shown.supermarket.by_month
    assert CollusionService(dbsession, clock).flagged_lots()


@pytest.mark.slow
def test_the_demo_overdue_items_are_the_ones_named(dbsession, clock, settings):
    from trading.demo.audit import LATE_REPORT, LATE_SMALL_WORKS, OBJECTED, UNREVIEWED, UNSIGNED
    from trading.projects.models import Project

    load_demo(dbsession, clock, settings)
    by_name = {}
    for o in figures(dbsession, clock()).overdue:
        by_name.setdefault(o.name, set()).add(o.step)
    assert by_name[UNREVIEWED] == {"项目审核超期"}
    assert by_name[LATE_REPORT] == {"评标报告未按时提交"}
    assert by_name[OBJECTED] == {"候选人公示期满未定标", "异议未按时答复"}
    assert by_name[UNSIGNED] == {"中标后未按时签订合同"}
    assert by_name[LATE_SMALL_WORKS[0]] == {"小额工程审核超期"}
    assert by_name[LATE_SMALL_WORKS[1]] == {"公示期满未签订合同"}
    names = set(dbsession.scalars(sa.select(Project.name)))
    assert {UNREVIEWED, LATE_REPORT, OBJECTED, UNSIGNED} <= names
