"""The 中介超市 status tables: every (from, to) pair, the edges of §5.2 and §5.5."""

import pytest
from status_support import assert_pair_follows, every_pair, reachable

from trading import errors
from trading.intermediaries.status import (
    ENTRY_TRANSITIONS,
    LEGACY_AUDIT_FLAG,
    PURCHASE_TRANSITIONS,
    EntryStatus,
    InvalidTransition,
    PurchaseStatus,
    allowed_transitions,
    check_transition,
    is_terminal,
)

E, P = EntryStatus, PurchaseStatus


@pytest.mark.parametrize(("current", "target"), every_pair(EntryStatus))
def test_entry_pair(current, target):
    assert_pair_follows(ENTRY_TRANSITIONS, check_transition, InvalidTransition, current, target)


@pytest.mark.parametrize(("current", "target"), every_pair(PurchaseStatus))
def test_purchase_pair(current, target):
    assert_pair_follows(PURCHASE_TRANSITIONS, check_transition, InvalidTransition, current,
                        target)


# §5.2 literally: REGISTERED → REAL_NAME_VERIFIED → ENTRY_SUBMITTED →
# (APPROVED | RETURNED_FOR_CORRECTION) → ACTIVE ⇄ SUSPENDED → EXITED
ENTRY_SPEC_EDGES = [
    (E.REGISTERED, E.REAL_NAME_VERIFIED),
    (E.REAL_NAME_VERIFIED, E.ENTRY_SUBMITTED),
    (E.ENTRY_SUBMITTED, E.APPROVED),
    (E.ENTRY_SUBMITTED, E.RETURNED_FOR_CORRECTION),
    (E.RETURNED_FOR_CORRECTION, E.ENTRY_SUBMITTED),
    (E.APPROVED, E.ACTIVE),
    (E.ACTIVE, E.SUSPENDED),
    (E.SUSPENDED, E.ACTIVE),
    (E.ACTIVE, E.EXITED),
    (E.SUSPENDED, E.EXITED),
]

# §5.5 literally (plus TERMINATED from every live state)
PURCHASE_SPEC_EDGES = [
    (P.DRAFT, P.UNDER_REVIEW),
    (P.UNDER_REVIEW, P.RETURNED),
    (P.RETURNED, P.DRAFT),
    (P.UNDER_REVIEW, P.REGISTRATION),
    (P.REGISTRATION, P.BIDDING),
    (P.BIDDING, P.SELECTING),
    (P.SELECTING, P.EXPIRED),
    (P.SELECTING, P.SELECTION_START),
    (P.SELECTION_START, P.SELECTED),
    (P.SELECTION_START, P.WAIT_CHOOSE),
    (P.SELECTED, P.CONTRACT_UPLOAD),
    (P.SELECTED, P.WAIT_CHOOSE),
    (P.CONTRACT_UPLOAD, P.CONTRACT_CONFIRM),
    (P.CONTRACT_CONFIRM, P.SERVICE_IN_PROGRESS),
    (P.CONTRACT_CONFIRM, P.CONTRACT_UPLOAD),
    (P.SERVICE_IN_PROGRESS, P.SERVICE_RESULT_UPLOADED),
    (P.SERVICE_RESULT_UPLOADED, P.SERVICE_FINISHED),
    (P.SERVICE_FINISHED, P.EVALUATED),
]


@pytest.mark.parametrize(("current", "target"), ENTRY_SPEC_EDGES + PURCHASE_SPEC_EDGES)
def test_spec_edges_are_in_the_tables(current, target):
    assert target in allowed_transitions(current)


def test_exited_intermediary_cannot_come_back():
    with pytest.raises(InvalidTransition, match="allowed from 'exited': none"):
        check_transition(E.EXITED, E.ACTIVE)


def test_every_live_purchase_can_be_terminated():
    for status in PurchaseStatus:
        assert (P.TERMINATED in allowed_transitions(status)) == (
            not is_terminal(status)
        )


def test_terminal_purchase_states():
    terminal = {s for s in PurchaseStatus if is_terminal(s)}
    assert terminal == {P.EVALUATED, P.EXPIRED, P.INVALID, P.TERMINATED}


@pytest.mark.parametrize(
    ("table", "start"),
    [(ENTRY_TRANSITIONS, E.REGISTERED), (PURCHASE_TRANSITIONS, P.DRAFT)],
)
def test_every_state_is_reachable_from_the_start(table, start):
    assert reachable(table, start) == set(table)


def test_tables_cover_every_status():
    assert set(ENTRY_TRANSITIONS) == set(EntryStatus)
    assert set(PURCHASE_TRANSITIONS) == set(PurchaseStatus)


def test_statuses_of_different_machines_never_mix():
    with pytest.raises(InvalidTransition):
        check_transition(E.ACTIVE, P.DRAFT)


def test_invalid_transition_is_a_domain_error_with_a_machine_code():
    with pytest.raises(InvalidTransition) as caught:
        check_transition(P.DRAFT, P.SELECTED)
    assert isinstance(caught.value, errors.DomainError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.as_json()["error"] == "invalid_transition"


def test_legacy_audit_flags_pick_one_meaning_for_11():
    assert LEGACY_AUDIT_FLAG[P.BIDDING] == 11
    assert P.WAIT_CHOOSE not in LEGACY_AUDIT_FLAG
    assert len(set(LEGACY_AUDIT_FLAG.values())) == len(LEGACY_AUDIT_FLAG)
