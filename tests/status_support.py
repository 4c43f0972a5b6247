"""The checks every status table's tests share; each domain keeps its own tables and edges.

A table maps a status to the statuses one step away. Its tests walk every (from, to) pair
through the domain's `check_transition` and ask that every state be reachable.
"""

import itertools

import pytest


def every_pair(statuses) -> list[tuple]:
    """Every (from, to) pair of an enum's statuses, for `pytest.mark.parametrize`."""
    return list(itertools.product(statuses, repeat=2))


def assert_pair_follows(table, check_transition, error, current, target) -> None:
    """An edge of `table` passes `check_transition`; any other pair raises `error`."""
    if target in table[current]:
        check_transition(current, target)
    else:
        with pytest.raises(error):
            check_transition(current, target)


def reachable(table, start) -> set:
    """Every status reachable from `start` through the edges of `table`."""
    seen, frontier = {start}, [start]
    while frontier:
        for nxt in table[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen
