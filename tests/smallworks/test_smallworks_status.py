"""The 小额工程 status tables: every (from, to) pair, and the §6.3 registry edges."""

import pytest
from status_support import assert_pair_follows, every_pair, reachable

from trading import errors
from trading.smallworks.status import (
    ALLOCATION_TRANSITIONS,
    REGISTRY_TRANSITIONS,
    AllocationStatus,
    InvalidTransition,
    RegistryStatus,
    allowed_transitions,
    check_transition,
    is_terminal,
)

R, A = RegistryStatus, AllocationStatus


@pytest.mark.parametrize(("current", "target"), every_pair(RegistryStatus))
def test_registry_pair(current, target):
    assert_pair_follows(REGISTRY_TRANSITIONS, check_transition, InvalidTransition, current,
                        target)


@pytest.mark.parametrize(("current", "target"), every_pair(AllocationStatus))
def test_allocation_pair(current, target):
    assert_pair_follows(ALLOCATION_TRANSITIONS, check_transition, InvalidTransition, current,
                        target)


# applied → approved / returned → active ⇄ suspended → exited
REGISTRY_SPEC = {
    R.APPLIED: {R.APPROVED, R.RETURNED},
    R.RETURNED: {R.APPLIED},
    R.APPROVED: {R.ACTIVE},
    R.ACTIVE: {R.SUSPENDED, R.EXITED},
    R.SUSPENDED: {R.ACTIVE, R.EXITED},
    R.EXITED: set(),
}


def test_registry_table_is_exactly_the_spec():
    assert {k: set(v) for k, v in REGISTRY_TRANSITIONS.items()} == REGISTRY_SPEC


def test_decline_goes_back_to_the_same_frozen_pool():
    assert A.POOL_FROZEN in allowed_transitions(A.DRAWN)
    assert A.DRAWN in allowed_transitions(A.POOL_FROZEN)


def test_no_draw_without_the_centers_audit():
    assert A.DRAWN not in allowed_transitions(A.DRAFT)
    assert A.POOL_FROZEN not in allowed_transitions(A.DRAFT)


def test_terminal_allocation_states():
    terminal = {s for s in AllocationStatus if is_terminal(s)}
    assert terminal == {A.EVALUATED, A.FAILED, A.CANCELLED, A.TERMINATED}


@pytest.mark.parametrize(
    ("table", "start"),
    [(REGISTRY_TRANSITIONS, R.APPLIED), (ALLOCATION_TRANSITIONS, A.DRAFT)],
)
def test_every_state_is_reachable(table, start):
    assert reachable(table, start) == set(table)


def test_machines_never_mix_and_errors_are_domain_errors():
    with pytest.raises(InvalidTransition) as caught:
        check_transition(R.ACTIVE, A.DRAFT)
    assert isinstance(caught.value, errors.DomainError)
    assert caught.value.as_json()["field"] == "status"
