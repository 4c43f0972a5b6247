import pytest
from status_support import assert_pair_follows, every_pair, reachable

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


@pytest.mark.parametrize("current,target", every_pair(ProjectStatus))
def test_every_pair_follows_the_table(current, target):
    assert_pair_follows(TRANSITIONS, check_transition, InvalidTransition, current, target)


def test_table_covers_every_status():
    assert set(TRANSITIONS) == set(ProjectStatus)


def test_archived_is_the_only_dead_end_and_every_final_status_reaches_it():
    assert [s for s in ProjectStatus if not allowed_transitions(s)] == [ProjectStatus.ARCHIVED]
    for status in FINAL:
        assert ProjectStatus.ARCHIVED in allowed_transitions(status)


def test_every_status_is_reachable_from_draft():
    assert reachable(TRANSITIONS, ProjectStatus.DRAFT) == set(ProjectStatus)


def test_drafts_are_private_and_editable():
    assert not EDITABLE & PUBLIC
    assert ProjectStatus.DRAFT in EDITABLE
