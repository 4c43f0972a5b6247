"""服务时限, structured: the rules, the purchase's limit, and electronic supervision's
"service overdue" and "rating overdue" alerts as the clock moves (rules §5.3, §5.6)."""

import io
from datetime import date, timedelta

import pytest
from factories import actor_for, make_user
from hypothesis import given
from hypothesis import strategies as st

from trading.accounts.models import Role
from trading.intermediaries import rules as r
from trading.intermediaries.rules import ServiceTerm
from trading.intermediaries.status import PurchaseStatus as P

MONDAY = date(2026, 6, 1)
CAL = r.WorkCalendar(holidays=frozenset({date(2026, 6, 19)}))  # 端午节, a Friday


@pytest.mark.parametrize("text,term", [
    ("30日历天", ServiceTerm(days=30)), ("10天", ServiceTerm(days=10)),
    ("合同签订后 45 日内完成", ServiceTerm(days=45)), ("60 自然日", ServiceTerm(days=60)),
    ("20个工作日", ServiceTerm(days=20, working=True)),
    ("15 工作日内提交成果", ServiceTerm(days=15, working=True)),
    ("2026-09-30 前完成", ServiceTerm(due_on=date(2026, 9, 30))),
    ("2026年9月30日前提交报告", ServiceTerm(due_on=date(2026, 9, 30))),
    ("2026-02-30", None),  # no such day
    ("按业主要求", None), ("", None), ("完成日期另行约定", None),
])
def test_the_text_form_is_read(text, term):
    assert r.parse_time_limit(text) == term


@pytest.mark.parametrize("term,field", [
    (None, "service_days"), (ServiceTerm(), "service_days"),
    (ServiceTerm(days=10, due_on=MONDAY + timedelta(days=40)), "service_days"),
    (ServiceTerm(days=0), "service_days"), (ServiceTerm(days=-3), "service_days"),
    (ServiceTerm(days=r.MAX_SERVICE_DAYS + 1), "service_days"),
    (ServiceTerm(due_on=MONDAY), "service_due_on"),  # must end after the selection day
    (ServiceTerm(due_on=MONDAY - timedelta(days=1)), "service_due_on"),
])
def test_a_bad_limit_is_refused(term, field):
    with pytest.raises(r.InvalidServiceTerm) as caught:
        r.check_service_term(term, MONDAY)
    assert caught.value.field == field and caught.value.code == "invalid_service_term"


@pytest.mark.parametrize("term", [ServiceTerm(days=1), ServiceTerm(days=r.MAX_SERVICE_DAYS),
                                  ServiceTerm(days=5, working=True),
                                  ServiceTerm(due_on=MONDAY + timedelta(days=1))])
def test_a_good_limit_passes(term):
    assert r.check_service_term(term, MONDAY) is term


@pytest.mark.parametrize("term,due", [
    (ServiceTerm(days=30), date(2026, 7, 1)),
    (ServiceTerm(days=5, working=True), date(2026, 6, 8)),  # Tue..Fri, Mon
    (ServiceTerm(days=14, working=True), date(2026, 6, 22)),  # skips the 19th and weekends
    (ServiceTerm(due_on=date(2026, 9, 30)), date(2026, 9, 30)),
])
def test_the_service_due_day(term, due):
    assert r.service_due(MONDAY, term, CAL) == due


@given(st.one_of(
    st.builds(ServiceTerm, days=st.integers(1, r.MAX_SERVICE_DAYS), working=st.booleans()),
    st.builds(ServiceTerm, due_on=st.dates(date(2000, 1, 1), date(2099, 12, 31)))))
def test_the_generated_text_reads_back_as_the_same_limit(term):
    assert r.parse_time_limit(r.describe_service_term(term)) == term


# -- the purchase ----------------------------------------------------------------------------


def test_a_structured_limit_is_kept_and_worded(im):
    purchase = im.purchase(publish=False, time_limit="", service_days=20,
                           service_working_days=True)
    assert (purchase.service_days, purchase.service_working_days) == (20, True)
    assert purchase.time_limit == "合同确认后 20 个工作日内完成"
    due = im.service.today() + timedelta(days=60)
    dated = im.purchase(publish=False, time_limit="按期提交成果", service_due_on=due)
    assert (dated.service_days, dated.service_due_on, dated.time_limit) == (
        None, due, "按期提交成果")


def test_a_text_only_limit_is_read_into_the_structure(im):
    purchase = im.purchase(publish=False)  # time_limit="30日历天" only
    assert (purchase.service_days, purchase.service_working_days,
            purchase.service_due_on) == (30, False, None)


@pytest.mark.parametrize("kw,code", [
    ({"time_limit": "按业主要求"}, "invalid_service_term"),  # no limit at all
    ({"time_limit": "", "service_days": 0}, "invalid_service_term"),
    ({"time_limit": "", "service_days": 10, "service_due_on": date(2099, 1, 1)},
     "invalid_service_term"),
    ({"time_limit": "", "service_due_on": date(2000, 1, 1)}, "invalid_service_term"),
    ({"time_limit": "30日历天", "service_days": 20}, "purchase_invalid"),  # they disagree
])
def test_bad_limits_are_refused_and_change_nothing(im, refused, kw, code):
    from trading.intermediaries.models import Purchase

    count = im.db.query(Purchase).count()
    refused(code, im.service.create_purchase, im.owner.organisation, im.purchase_input(**kw),
            actor=actor_for(im.owner))
    assert im.db.query(Purchase).count() == count


def test_editing_the_days_rewords_a_generated_text(testapp, im):
    purchase = im.purchase(publish=False, time_limit="", service_days=20)
    testapp.login(im.owner.username)
    form = testapp.get(f"/supermarket/purchases/{purchase.id}/edit").forms["deform"]
    assert form["time_limit"].value == "" and form["service_days"].value == "20"
    form["service_days"] = "25"
    form.submit("submit").follow()
    assert (purchase.service_days, purchase.time_limit) == (25, "合同确认后 25 日历天内完成")


def test_the_form_refuses_an_inconsistent_limit_in_chinese(testapp, im):
    purchase = im.purchase(publish=False, time_limit="", service_days=20)
    testapp.login(im.owner.username)
    form = testapp.get(f"/supermarket/purchases/{purchase.id}/edit").forms["deform"]
    form["time_limit"] = "10个工作日"
    page = form.submit("submit", status=400)
    assert "不一致" in page.text and purchase.time_limit == "合同确认后 20 日历天内完成"


# -- electronic supervision ------------------------------------------------------------------


def _in_service(im, **kw):
    firms = [im.intermediary() for _ in range(3)]
    purchase = im.purchase(**kw)
    im.register(purchase, *firms)
    im.to_deadline(purchase)
    im.to_selection(purchase)
    winner = next(u for u in firms if u.organisation_id == purchase.selected_org_id)
    im.service.confirm(purchase, user=winner, actor=actor_for(winner))
    im.service.upload_contract(purchase, user=winner, filename="c.pdf", content_type="",
                               stream=io.BytesIO(b"c"), actor=actor_for(winner))
    im.service.review_contract(purchase, valid=True, reason="", actor=actor_for(im.owner))
    assert purchase.status is P.SERVICE_IN_PROGRESS
    return purchase, winner


def _alerts(im, purchase):
    from trading.supervision.dashboard import figures

    return [o for o in figures(im.db, im.clock()).overdue
            if o.kind == "purchase" and o.project_id == purchase.id]


def test_service_overdue_then_rating_overdue_as_the_clock_moves(im):
    purchase, winner = _in_service(im, time_limit="", service_days=10)
    due = im.service.service_due(purchase)
    assert due == im.service.today() + timedelta(days=10)
    im.clock.advance(days=10)
    assert _alerts(im, purchase) == []  # the last day is not over yet
    im.clock.advance(days=1)
    [late] = _alerts(im, purchase)
    assert late.step == "中介服务超期未完成"
    assert late.responsible == f"中介机构（{winner.organisation.name}）"
    im.clock.advance(days=3)
    assert _alerts(im, purchase)[0].days_late(im.clock()) == 3

    im.service.upload_result(purchase, user=winner, filename="r.pdf", content_type="",
                             stream=io.BytesIO(b"r"), actor=actor_for(winner))
    im.service.accept_result(purchase, actor=actor_for(im.owner))
    assert _alerts(im, purchase) == []  # done: nothing late, the rating window is open
    rating_due = im.service.rating_due(purchase)  # §5.6: eval_working_days after completion
    im.clock.set(_local(rating_due, 23, 59))
    assert _alerts(im, purchase) == []
    im.clock.set(_local(rating_due + timedelta(days=1), 0, 1))
    [rating] = _alerts(im, purchase)
    assert rating.step == "中介服务评价超期"
    assert rating.responsible == f"项目业主（{im.owner.organisation.name}）"


def _local(day, hour, minute):
    from datetime import datetime, time

    from trading.i18n import DISPLAY_TZ

    return datetime.combine(day, time(hour, minute), DISPLAY_TZ)


def test_a_due_date_limit_is_late_the_day_after(im):
    due = im.service.today() + timedelta(days=30)
    purchase, _ = _in_service(im, time_limit="", service_due_on=due)
    assert im.service.service_due(purchase) == due
    im.clock.set(_local(due, 23, 59))
    assert _alerts(im, purchase) == []
    im.clock.set(_local(due + timedelta(days=1), 0, 1))
    assert [a.step for a in _alerts(im, purchase)] == ["中介服务超期未完成"]


def test_the_dashboard_counts_and_lists_the_service_overdue(testapp, im):
    purchase, winner = _in_service(im, time_limit="", service_days=5)
    im.clock.advance(days=7)
    make_user(im.db, im.clock, im.settings, role=Role.SUPERVISOR, username="svc_sup")
    testapp.login("svc_sup")
    page = testapp.get("/supervision").text
    assert "中介服务超期未完成" in page and winner.organisation.name in page
    assert f"/supermarket/purchases/{purchase.id}" in page
    detail = testapp.get(f"/supermarket/purchases/{purchase.id}").text
    assert "服务截止" in detail


@pytest.mark.parametrize("text", ["30日历天", "10天", "20个工作日", "2026-09-30 前完成",
                                  "2026年9月30日前", "2026-02-30", "按业主要求", ""])
def test_the_migration_reads_older_texts_as_the_rule_does(text):
    """The migration keeps its own copy of the parse (a migration must not change meaning
    later); today both read every wording the same way."""
    import importlib.util
    from pathlib import Path

    path = (Path(__file__).resolve().parents[2] / "migrations" / "versions"
            / "20261201_0904_oversight.py")
    spec = importlib.util.spec_from_file_location("oversight_0001", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    term = r.parse_time_limit(text)
    assert migration.parse(text) == (None if term is None
                                     else (term.days, term.working, term.due_on))
