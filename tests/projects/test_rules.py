from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.projects.kinds import ProcurementMethod, Regime
from trading.projects.rules import (
    LotInput,
    Timeline,
    clarification_deadline_problem,
    default_params,
    lot_problems,
    timeline_problems,
    working_days_between,
)

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Shanghai
PARAMS = default_params(Regime.TENDERING, ProcurementMethod.OPEN_TENDER)


def timeline(start_days=1, doc_days=10, clar_days=20, deadline_days=30):
    start = NOW + timedelta(days=start_days)
    return Timeline(start, start + timedelta(days=doc_days), start + timedelta(days=clar_days),
                    start + timedelta(days=deadline_days))


def fields(problems):
    return {p.field for p in problems}


def test_a_sound_timeline_has_no_problems():
    assert timeline_problems(timeline(), PARAMS, NOW) == []


@pytest.mark.parametrize("kwargs,field", [
    (dict(deadline_days=-2, start_days=-5, doc_days=1, clar_days=1), "bid_deadline"),
    (dict(deadline_days=19), "bid_deadline"),  # under the 20-day notice (招标投标法 Art 24)
    (dict(doc_days=2), "doc_end"),  # fewer than 5 working days to obtain documents
    (dict(doc_days=31), "doc_end"),  # documents after the deadline
    (dict(clar_days=31), "clarification_deadline"),
])
def test_timeline_problems(kwargs, field):
    assert field in fields(timeline_problems(timeline(**kwargs), PARAMS, NOW))


def test_notice_message_names_the_earliest_deadline():
    [problem] = [p for p in timeline_problems(timeline(deadline_days=10), PARAMS, NOW)
                 if p.field == "bid_deadline"]
    assert "不得少于20日" in problem.message and "2026-03-23" in problem.message


def test_methods_have_their_own_notice_periods():
    consult = default_params(Regime.GOVERNMENT_PROCUREMENT,
                             ProcurementMethod.COMPETITIVE_CONSULTATION)
    assert consult["notice.min_days"] == 10 and PARAMS["notice.min_days"] == 20
    assert timeline_problems(timeline(doc_days=7, clar_days=10, deadline_days=15), consult,
                             NOW) == []


@pytest.mark.parametrize("lots,field", [
    ([], "lots"),
    ([LotInput("a", None, None)], "lots.0.budget"),
    ([LotInput("a", 0, None)], "lots.0.budget"),
    ([LotInput("a", 100, 101)], "lots.0.ceiling_price"),
    ([LotInput("a", 100, -1)], "lots.0.ceiling_price"),
    ([LotInput("a", 100, 100), LotInput("b", None, None)], "lots.1.budget"),
])
def test_lot_problems(lots, field):
    assert field in fields(lot_problems(lots))


def test_valid_lots():
    assert lot_problems([LotInput("a", 100, 100), LotInput("b", 5, None)]) == []


def test_clarification_affecting_bids_needs_fifteen_days():
    deadline = NOW + timedelta(days=10)
    problem = clarification_deadline_problem(affects_bids=True, now=NOW, current_deadline=deadline,
                                             new_deadline=None, params=PARAMS)
    assert problem.field == "new_deadline" and "15" in problem.message
    assert clarification_deadline_problem(
        affects_bids=True, now=NOW, current_deadline=deadline,
        new_deadline=NOW + timedelta(days=15), params=PARAMS) is None
    assert clarification_deadline_problem(
        affects_bids=False, now=NOW, current_deadline=deadline, new_deadline=None,
        params=PARAMS) is None


def test_a_clarification_never_brings_the_deadline_forward():
    problem = clarification_deadline_problem(
        affects_bids=False, now=NOW, current_deadline=NOW + timedelta(days=30),
        new_deadline=NOW + timedelta(days=20), params=PARAMS)
    assert problem and "不得提前" in problem.message


@pytest.mark.parametrize("days,expected", [(0, 0), (1, 1), (5, 5), (7, 5), (14, 10)])
def test_working_days_skip_weekends(days, expected):
    assert working_days_between(NOW, NOW + timedelta(days=days)) == expected


@given(st.integers(0, 400), st.integers(0, 400))
def test_working_days_are_monotonic_and_at_most_calendar_days(a, b):
    lo, hi = sorted((a, b))
    wd_lo = working_days_between(NOW, NOW + timedelta(days=lo))
    wd_hi = working_days_between(NOW, NOW + timedelta(days=hi))
    assert wd_lo <= wd_hi <= hi
    assert wd_hi >= (hi // 7) * 5
