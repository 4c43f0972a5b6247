"""Pure draw rules: eligibility, 回避 reasons, rotation, the 2× pool guard."""

from datetime import date

import pytest

from trading.evaluation.conflicts import (
    ExpertFacts,
    Party,
    conflict_reasons,
    draw_exclusions,
    pool_too_small,
)

ON = date(2026, 12, 1)
OWNER = Party("owner", "市城投集团", "91350100MA2XK00011")
BIDDER = Party("bidder", "华建工程有限公司", "91350100MA2XK00029")


def facts(**kw) -> ExpertFacts:
    values = dict(expert_id=1, status="active", specialties=("工程造价",), region="市本级")
    values.update(kw)
    return ExpertFacts(**values)


@pytest.mark.parametrize(("to", "hit"), [(None, True), ("2025-06-30", True),
                                         ("2023-11-30", False)])
def test_employment_counts_within_three_years(to, hit):
    job = {"name": "别名", "credit_code": OWNER.credit_code, "from": "2010-01-01", "to": to}
    assert bool(conflict_reasons(facts(employers=(job,)), [OWNER], ON)) is hit


def test_shareholdings_and_relatives_match_by_credit_code_then_name():
    expert = facts(shareholdings=({"name": "华建工程有限公司", "credit_code": ""},),
                   relatives=({"name": "李某", "relation": "配偶", "org_name": "x",
                               "credit_code": BIDDER.credit_code},))
    reasons = conflict_reasons(expert, [OWNER, BIDDER], ON)
    assert reasons == ("持有投标人“华建工程有限公司”股份",
                       "近亲属李某（配偶）任职于投标人“华建工程有限公司”")
    other = Party("bidder", "华建工程有限公司", "91350100MA2XK0003X")
    assert conflict_reasons(facts(relatives=expert.relatives), [other], ON) == ()


def test_draw_exclusions_cover_status_specialty_region_and_rotation():
    expert = facts(status="suspended", region="鼓楼区",
                   recent_draws_same_owner=(date(2026, 11, 20),))
    reasons = draw_exclusions(expert, specialty="建筑", region="市本级", parties=[], on=ON,
                              rotation_days=30)
    assert len(reasons) == 4
    ok = draw_exclusions(facts(recent_draws_same_owner=(date(2026, 10, 1),)),
                         specialty="工程造价", region="", parties=[OWNER], on=ON,
                         rotation_days=30)
    assert ok == ()


@pytest.mark.parametrize(("available", "need", "small"), [(9, 5, True), (10, 5, False)])
def test_pool_must_hold_twice_the_need(available, need, small):
    assert pool_too_small(available, need) is small
