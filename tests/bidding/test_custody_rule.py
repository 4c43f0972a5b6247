"""The custodians rule (密钥保管人规则): at least two organisations and two roles, and no
organisation, the designator's included, reaching k shares. Worked cases and a property."""

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.accounts.models import Role
from trading.bidding.custody_rule import Member, custody_problem

CENTER = Member(Role.CENTER, None)
SUPERVISOR = Member(Role.SUPERVISOR, None)
OWNER = Member(Role.OWNER, 7)
OTHER_OWNER_STAFF = Member(Role.OWNER, 7)


@pytest.mark.parametrize(("custodians", "k", "designator", "expected"), [
    ([CENTER, SUPERVISOR, OWNER], 2, CENTER, None),
    ([CENTER, SUPERVISOR], 2, CENTER, None),
    ([CENTER, CENTER, SUPERVISOR, OWNER], 3, CENTER, None),
    ([CENTER], 2, CENTER, "至少指定2名保管人"),
    ([CENTER, SUPERVISOR], 3, CENTER, "至少指定2名保管人"),
    ([CENTER, SUPERVISOR], 1, CENTER, "至少指定2名保管人"),
    ([CENTER, CENTER, CENTER], 2, CENTER, "至少两个不同的单位"),
    ([OWNER, Member(Role.OWNER, 8)], 2, CENTER, "至少两种不同的角色"),
    # the center designates two of its own staff and one supervisor, k = 2: the center
    # alone reaches k
    ([CENTER, CENTER, SUPERVISOR], 2, CENTER, "指定人所在单位"),
    # the owner's two staff reach k without the designator
    ([OWNER, OTHER_OWNER_STAFF, CENTER], 2, SUPERVISOR, "同一单位"),
    ([OWNER, OTHER_OWNER_STAFF, CENTER], 2, None, "同一单位"),
])
def test_worked_cases(custodians, k, designator, expected):
    problem = custody_problem(custodians, k, designator)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem


members = st.builds(Member, st.sampled_from([Role.CENTER, Role.SUPERVISOR, Role.OWNER]),
                    st.one_of(st.none(), st.integers(1, 4)))


@given(st.lists(members, min_size=0, max_size=8), st.integers(0, 9),
       st.one_of(st.none(), members))
def test_an_accepted_set_leaves_no_body_able_to_open_alone(custodians, k, designator):
    if custody_problem(custodians, k, designator) is not None:
        return
    bodies = Counter(m.body for m in custodians)
    assert 2 <= k <= len(custodians)
    assert len(bodies) >= 2 and len({m.role for m in custodians}) >= 2
    assert max(bodies.values()) < k
    if designator is not None:
        assert bodies[designator.body] < k


@given(st.lists(members, min_size=2, max_size=8), st.one_of(st.none(), members))
def test_k_equal_n_across_two_bodies_and_roles_is_always_accepted(custodians, designator):
    bodies = {m.body for m in custodians}
    roles = {m.role for m in custodians}
    problem = custody_problem(custodians, len(custodians), designator)
    assert (problem is None) == (len(bodies) >= 2 and len(roles) >= 2)
