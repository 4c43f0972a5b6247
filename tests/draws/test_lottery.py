"""The shared lottery request/answer types used by every rules module."""

from datetime import date
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.draws import lottery as L


class Purpose(StrEnum):
    TIE = "tie"


class Method(StrEnum):
    RANDOM = "random"


def needs(ids, count=1, already=()):
    return L.NeedsLottery(Purpose.TIE, tuple(L.Candidate(i) for i in ids), count, already)


def test_candidate_object_carries_attributes_and_weight_only_when_set():
    assert L.Candidate("A").draw_candidate() == {"id": "A", "attributes": {}}
    assert L.Candidate("A", (("grade", "a"),), 3).draw_candidate() == {
        "id": "A",
        "attributes": {"grade": "a"},
        "weight": 3,
    }


@pytest.mark.parametrize(
    ("ids", "count", "already"),
    [
        (("A",), 2, ()),
        (("A", "B"), 0, ()),
        (("A", "B"), 2, ("A",)),
        (("A",), 1, ("Z",)),
        (("A", "B"), 1, ("A", "A")),
    ],
)
def test_request_refuses_impossible_draws(ids, count, already):
    with pytest.raises(L.InvalidDraw) as error:
        needs(ids, count, already)
    assert error.value.code == "invalid_draw"


@pytest.mark.parametrize("drawn", [[], ["A", "A"], ["Z"], ["A", "B"], ["C"]])
def test_resolve_refuses_anything_but_a_draw_of_the_drawable(drawn):
    with pytest.raises(L.InvalidDraw):
        L.resolve_lottery(needs(("A", "B", "C"), 1, ("C",)), drawn)


def test_selected_by_lottery_names_the_purpose():
    chosen = L.selected_by_lottery(needs(("A", "B")), ["B"], Method.RANDOM)
    assert chosen == L.Selected("B", Method.RANDOM, (("decided_by", "tie"),))


@given(st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=8, unique=True), st.data())
def test_any_permutation_prefix_resolves_in_engine_order(ids, data):
    count = data.draw(st.integers(1, len(ids)))
    drawn = data.draw(st.permutations(ids))[:count]
    assert L.resolve_lottery(needs(ids, count), drawn) == tuple(drawn)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 15), -3, date(2025, 12, 15)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert L.add_months(day, months) == expected


def test_within_months_excludes_the_start_and_includes_the_day():
    on = date(2026, 6, 30)
    assert not L.within_months(date(2025, 6, 30), on, 12)
    assert L.within_months(date(2025, 7, 1), on, 12)
    assert L.within_months(on, on, 12)
    assert not L.within_months(date(2026, 7, 1), on, 12)
