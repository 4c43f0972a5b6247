"""One date window for every typed date and time: 2000 to ten years after the clock's year.

A table over every schema that carries a date (found by walking the schemas, checked
against the list below so a discovery that finds nothing fails), a hypothesis property for
the bound, and the clear refusals in the API (code `invalid`) and the UI (Chinese).
"""

from datetime import UTC, datetime

import colander
import pytest
from hypothesis import given
from hypothesis import strategies as st
from security.test_schema_fuzz import SCHEMAS  # noqa: I001 - the fuzz's schema discovery

from trading.clock import FixedClock
from trading.forms import EARLIEST_YEAR, YEARS_AHEAD, Day, LocalDateTime, WindowedDate, year_window

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
HIGH = NOW.year + YEARS_AHEAD


def dated_nodes():
    """(schema, dotted field, node) for every windowed date node of every schema."""
    found = []

    def walk(schema, node, path):
        if isinstance(node.typ, WindowedDate):
            found.append((schema, ".".join(path), node))
        for child in node.children:
            walk(schema, child, path + ([child.name] if child.name else []))

    for cls in SCHEMAS:
        walk(f"{cls.__module__}.{cls.__qualname__}", cls(), [])
    return found


DATED = dated_nodes()
# The inputs the window must guard; discovery must find at least these.
EXPECTED = {
    ("trading.projects.forms.ProjectBody", "bid_deadline"),
    ("trading.projects.forms.ProjectBody", "doc_start"),
    ("trading.intermediaries.forms.EntryBody", "lines.line.valid_until"),
    ("trading.intermediaries.forms.EntryBody", "licence_valid_until"),
    ("trading.intermediaries.forms.PurchaseBody", "selection_time"),
    ("trading.smallworks.forms.EnterpriseBody", "business_licence_until"),
    ("trading.smallworks.forms.WorkBody", "approved_on"),
}


def test_discovery_finds_every_expected_date_input():
    assert EXPECTED <= {(schema, field) for schema, field, _ in DATED}


def _text(node, day: str) -> str:
    return day + " 09:30" if isinstance(node.typ, LocalDateTime) else day


@pytest.mark.parametrize("schema, field, node", DATED, ids=[f"{s}:{f}" for s, f, _ in DATED])
def test_each_date_input_takes_the_window_and_refuses_absurd_years(schema, field, node):
    bound = node.bind(clock=FixedClock(NOW))
    ahead = bound.typ.years_ahead
    for day in ("2000-01-01", "2026-03-02", f"{NOW.year + ahead}-12-31"):
        assert bound.deserialize(_text(bound, day)) is not colander.null
    refused = ["0309-03-25", "1999-12-31", f"{NOW.year + ahead + 1}-01-01"]
    open_ended = isinstance(bound.typ, Day) and bound.typ.open_ended
    if not open_ended:
        refused.append("9999-12-31")
    else:
        assert bound.deserialize("9999-12-31").year == 9999  # 长期
    for day in refused:
        with pytest.raises(colander.Invalid) as caught:
            bound.deserialize(_text(bound, day))
        message = caught.value.asdict()[node.name]
        assert message == f"日期须在 2000 年至 {NOW.year + ahead} 年之间"


@given(year=st.integers(1, 9998), clock_year=st.integers(2000, 2200),
       ahead=st.integers(0, 60))
def test_the_bound_is_2000_to_the_clock_year_plus_the_horizon(year, clock_year, ahead):
    node = colander.SchemaNode(Day(years_ahead=ahead), name="d").bind(
        clock=FixedClock(datetime(clock_year, 6, 1, tzinfo=UTC)))
    assert year_window(datetime(clock_year, 6, 1, tzinfo=UTC), ahead) == \
        (EARLIEST_YEAR, clock_year + ahead)
    try:
        node.deserialize(f"{year:04d}-06-15")
        accepted = True
    except colander.Invalid:
        accepted = False
    assert accepted == (EARLIEST_YEAR <= year <= clock_year + ahead)


def test_the_window_moves_with_the_injected_clock():
    clock = FixedClock(NOW)
    node = colander.SchemaNode(LocalDateTime(), name="t").bind(clock=clock)
    with pytest.raises(colander.Invalid):
        node.deserialize(f"{HIGH + 1}-01-01 00:00")
    clock.advance(days=366)
    assert node.deserialize(f"{HIGH + 1}-01-01 00:00").year == HIGH  # 00:00 Beijing


def test_an_unbound_schema_cannot_skip_the_window():
    with pytest.raises(RuntimeError, match="bind"):
        colander.SchemaNode(Day(), name="d").deserialize("2026-03-02")


def test_the_document_states_the_window_as_a_pattern(testapp, clock):
    spec = testapp.get("/api/v1/openapi.json").json
    props = spec["paths"]["/api/v1/projects"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]["properties"]
    low, high = year_window(clock())
    pattern = props["bid_deadline"]["pattern"]
    assert pattern.startswith(f"^({low}|") and pattern.endswith(f"|{high})-")
    assert f"{low} to {high}" in props["bid_deadline"]["description"]


@pytest.mark.parametrize("value", ["0309-03-25T09:30:00+08:00", "9999-01-01T00:00:00+08:00"])
def test_an_absurd_deadline_in_the_api_is_400_invalid_on_its_field(testapp, clock, dbsession,
                                                                   settings, value):
    from factories import actor_for, make_user
    from projects.test_api import body

    from trading.accounts.models import Role
    from trading.accounts.service import AccountService

    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    token = AccountService(dbsession, clock, settings).create_api_token(
        owner, "t", actor_for(owner))[1]
    error = testapp.post_json("/api/v1/projects", body(clock, bid_deadline=value),
                              headers={"Authorization": f"Bearer {token}"}, status=400).json
    assert (error["error"], error["field"]) == ("invalid", "bid_deadline")
    assert error["message"].startswith("日期须在 2000 年至")


def test_an_absurd_date_in_the_draft_form_is_shown_in_chinese(testapp, clock, dbsession,
                                                             settings):
    from factories import make_user
    from projects.test_pages import fill_project

    from trading.accounts.models import Role

    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    testapp.login(owner.username)
    form = testapp.get("/projects/new").forms["deform"]
    fill_project(form, clock, [("一标段", "100000")])
    form["doc_start"] = "0309-03-25 09:30"
    refused = form.submit("submit", status=400)
    assert f"日期须在 2000 年至 {year_window(clock())[1]} 年之间" in refused.text

