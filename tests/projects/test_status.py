import itertools

import pytest

from trading.errors import InvalidTransition
from trading.projects.status import (
    EDITABLE,
    FINAL,
    PUBLIC,
    TRANSITIONS,
    ProjectStatus,
    allowed_transitions,
    check_transition,
)

PAIRS = list(itertools.product(ProjectStatus, ProjectStatus))


@pytest.mark.parametrize("current,target", PAIRS)
def test_every_pair_follows_the_table(current, target):
    if target in TRANSITIONS[current]:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


def test_table_covers_every_status():
    assert set(TRANSITIONS) == set(ProjectStatus)


def test_archived_is_the_only_dead_end_and_every_final_status_reaches_it():
    assert [s for s in ProjectStatus if not allowed_transitions(s)] == [ProjectStatus.ARCHIVED]
    for status in FINAL:
        assert ProjectStatus.ARCHIVED in allowed_transitions(status)


def test_every_status_is_reachable_from_draft():
    seen, frontier = {ProjectStatus.DRAFT}, [ProjectStatus.DRAFT]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(ProjectStatus)


def test_drafts_are_private_and_editable():
    assert not EDITABLE & PUBLIC
    assert ProjectStatus.DRAFT in EDITABLE
