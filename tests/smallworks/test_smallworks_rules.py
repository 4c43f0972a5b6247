"""小额工程企业库 rules (domain rules §6): thresholds, splits, pool, allocation."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypo import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from trading import errors
from trading.smallworks import rules as r
from trading.smallworks.status import RegistryStatus

ON = date(2025, 6, 2)
PARAMS = r.SmallWorksParams()
BM, WATER = r.Category.BUILDING_MUNICIPAL, r.Category.WATER
WORKS, GOODS, SERVICES = r.ObjectType.WORKS, r.ObjectType.GOODS, r.ObjectType.SERVICES
X = r.ExclusionReason
PROJECT = r.SmallWorksProject(
    id="P1",
    owner_id="OWN",
    name="某小学教学楼维修工程",
    site="某镇中心小学",
    category=BM,
    object_type=WORKS,
    amount_fen=80_000_000,  # 80 万: tier 30–100 万, grade 三级 or better
    approved_on=ON,
)


def firm(ident="E1", **changes):
    base = r.Enterprise(
        id=ident,
        status=RegistryStatus.ACTIVE,
        business_licence_until=date.max,
        safety_licence_until=date(2026, 1, 1),
        qualifications=(
            r.Qualification(BM, r.Grade.SECOND, date(2020, 1, 1), date(2027, 1, 1)),
        ),
        active_contracts=0,
        manager_active_contracts=(0,),
        credit_score=Decimal("85.00"),
    )
    return dataclasses.replace(base, **changes)


def pool_of(*firms, project=PROJECT, params=PARAMS):
    return r.build_pool(firms, project, ON, params)


def test_rule_errors_are_domain_errors():
    with pytest.raises(r.AboveThreshold) as caught:
        r.check_below_threshold(400_000_000, WORKS, PARAMS)
    assert isinstance(caught.value, errors.DomainError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.as_json()["error"] == "above_tender_threshold"


# --- thresholds and tiers (§6.1, §6.3) ------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "object_type", "ok"),
    [
        (399_999_999, WORKS, True),
        (400_000_000, WORKS, False),  # exactly 400 万: must be tendered
        (199_999_999, GOODS, True),
        (200_000_000, GOODS, False),
        (99_999_999, SERVICES, True),
        (100_000_000, SERVICES, False),
        (1, WORKS, True),
    ],
)
def test_tender_thresholds(amount, object_type, ok):
    if ok:
        r.check_below_threshold(amount, object_type, PARAMS)
    else:
        with pytest.raises(r.AboveThreshold):
            r.check_below_threshold(amount, object_type, PARAMS)


@pytest.mark.parametrize("amount", [0, -1, 1.5, Decimal(10), True])
def test_amount_must_be_positive_integer_fen(amount):
    with pytest.raises(r.InvalidAmount):
        r.check_below_threshold(amount, WORKS, PARAMS)


@pytest.mark.parametrize(
    ("amount", "tier", "grade"),
    [
        (1, "up_to_300k", r.Grade.THIRD),
        (30_000_000, "up_to_300k", r.Grade.THIRD),  # ≤ 30 万 inclusive
        (30_000_001, "300k_to_1m", r.Grade.THIRD),
        (100_000_000, "300k_to_1m", r.Grade.THIRD),
        (100_000_001, "1m_to_4m", r.Grade.SECOND),
        (399_999_999, "1m_to_4m", r.Grade.SECOND),
    ],
)
def test_tiers(amount, tier, grade):
    found = r.tier_for(amount, PARAMS)
    assert (found.code, found.required_grade) == (tier, grade)


@pytest.mark.parametrize(
    "changes",
    [
        {"tiers": ()},
        {"tiers": (r.Tier("a", 10, r.Grade.THIRD),)},
        {
            "tiers": (
                r.Tier("a", 10, r.Grade.THIRD),
                r.Tier("b", 5, r.Grade.THIRD),
                r.Tier("c", None, r.Grade.FIRST),
            )
        },
        {"thresholds_fen": ((WORKS, 1),)},
        {"credit_weights": (Decimal("0.5"), Decimal("0.2"), Decimal("0.2"))},
        {"reasonable_floor_of_mean": Decimal("1.1")},
        {"min_pool_size": 0},
    ],
)
def test_params_are_validated(changes):
    with pytest.raises(r.InvalidParams):
        dataclasses.replace(PARAMS, **changes)


# --- split detection ------------------------------------------------------------------

SPLIT = dataclasses.replace(
    PROJECT, name="某小学教学楼维修工程（二期）", amount_fen=250_000_000
)


def past(ident, days_before, amount, **changes):
    base = dataclasses.replace(
        PROJECT,
        id=ident,
        name="操场改造",
        site="别处",
        amount_fen=amount,
        approved_on=ON - timedelta(days=days_before),
    )
    return dataclasses.replace(base, **changes)


HISTORY = [
    past("H1", 30, 160_000_000, site="某镇 中心小学。"),  # same site
    past("H2", 60, 100_000_000, name="某小学教学楼维修工程(一期)"),  # same name
    past("H3", 10, 300_000_000, site="某镇中心小学", owner_id="OTHER"),
    past("H4", 91, 300_000_000, site="某镇中心小学"),  # outside the window
    past("H5", 10, 300_000_000, site="某镇中心小学", object_type=SERVICES),
    past("H6", 10, 300_000_000),  # same owner, unrelated
]


def test_split_is_flagged_with_evidence():
    flag = r.detect_split(SPLIT, HISTORY, PARAMS)
    assert flag.total_fen == 510_000_000
    assert flag.threshold_fen == 400_000_000
    assert [(e.project_id, e.same_site) for e in flag.related] == [
        ("H1", True),
        ("H2", False),
    ]
    assert flag.related[1].name_similarity == Decimal("1.00")


def test_split_window_boundary_is_inclusive():
    edge = past("H7", 90, 200_000_000, site="某镇中心小学")
    flag = r.detect_split(SPLIT, [edge], PARAMS)
    assert [e.project_id for e in flag.related] == ["H7"]
    late = past("H8", 91, 200_000_000, site="某镇中心小学")
    assert r.detect_split(SPLIT, [late], PARAMS) is None


def test_related_projects_below_the_threshold_are_not_flagged():
    assert r.detect_split(PROJECT, HISTORY[:2], PARAMS) is None  # 80+160+100 万


def test_split_ignores_history_order():
    assert r.detect_split(SPLIT, HISTORY[::-1], PARAMS) == r.detect_split(
        SPLIT, HISTORY, PARAMS
    )


@pytest.mark.parametrize(
    ("a", "b", "similarity"),
    [
        ("教学楼维修工程（一期）", "教学楼维修工程（二期）", Decimal("1.00")),
        ("道路改造第2标段", "道路改造第3标段", Decimal("1.00")),
        ("1号楼外墙翻新", "2号楼外墙翻新", Decimal("1.00")),
        ("教学楼维修", "办公楼维修", Decimal("0.60")),
        ("", "", Decimal("0")),
        ("二次供水改造", "供水改造", Decimal("0.80")),
    ],
)
def test_name_similarity(a, b, similarity):
    assert r.name_similarity(a, b) == similarity


@given(st.text(max_size=20), st.text(max_size=20))
def test_name_similarity_is_symmetric_and_bounded(a, b):
    value = r.name_similarity(a, b)
    assert value == r.name_similarity(b, a)
    assert Decimal(0) <= value <= Decimal(1)


# --- the pool: eligibility and fairness (§6.3) ----------------------------------------

DAY = timedelta(days=1)
EXCLUSIONS = [
    ({}, ()),
    ({"status": RegistryStatus.SUSPENDED}, (X.SUSPENDED,)),
    ({"status": RegistryStatus.APPLIED}, (X.NOT_ACTIVE,)),
    ({"status": RegistryStatus.EXITED}, (X.NOT_ACTIVE,)),
    ({"blacklisted": True}, (X.BLACKLISTED,)),
    ({"last_serious_violation_on": date(2022, 6, 3)}, (X.RECENT_SERIOUS_VIOLATION,)),
    ({"last_serious_violation_on": date(2022, 6, 2)}, ()),  # exactly 3 years ago
    ({"business_licence_until": ON - DAY}, (X.BUSINESS_LICENCE_EXPIRED,)),
    ({"business_licence_until": ON}, ()),
    ({"safety_licence_until": None}, (X.SAFETY_LICENCE_MISSING,)),
    ({"safety_licence_until": ON - DAY}, (X.SAFETY_LICENCE_EXPIRED,)),
    ({"safety_licence_until": ON}, ()),
    ({"qualifications": ()}, (X.NO_QUALIFICATION,)),
    (
        {
            "qualifications": (
                r.Qualification(
                    WATER, r.Grade.FIRST, date(2020, 1, 1), date(2030, 1, 1)
                ),
            )
        },
        (X.NO_QUALIFICATION,),
    ),
    (
        {
            "qualifications": (
                r.Qualification(BM, r.Grade.SECOND, date(2020, 1, 1), ON - DAY),
            )
        },
        (X.QUALIFICATION_EXPIRED,),
    ),
    (
        {
            "qualifications": (
                r.Qualification(BM, r.Grade.SECOND, ON + DAY, date(2030, 1, 1)),
            )
        },
        (X.QUALIFICATION_NOT_YET_VALID,),
    ),
    ({"qualifications": (r.Qualification(BM, r.Grade.THIRD, ON, ON),)}, ()),
    ({"active_contracts": 1}, ()),
    ({"active_contracts": 2}, (X.CONCURRENT_CONTRACT_CAP,)),  # cap reached
    ({"manager_active_contracts": (1,)}, (X.NO_FREE_PROJECT_MANAGER,)),
    ({"manager_active_contracts": ()}, (X.NO_FREE_PROJECT_MANAGER,)),
    ({"manager_active_contracts": (1, 0)}, ()),
    ({"last_wins": ((BM, ON - 89 * DAY),)}, (X.COOL_DOWN,)),
    ({"last_wins": ((BM, ON - 90 * DAY),)}, ()),  # eligible again on day 90
    ({"last_wins": ((WATER, ON - DAY),)}, ()),  # another category
    ({"last_wins": ((BM, ON - 200 * DAY), (BM, ON - DAY))}, (X.COOL_DOWN,)),
    ({"open_win_categories": frozenset({BM})}, ()),  # until-completion is opt-in
    ({"awards_this_year": 4}, ()),
    ({"awards_this_year": 5}, (X.ANNUAL_COUNT_CAP,)),
    ({"awarded_fen_this_year": 720_000_000}, ()),  # 720 + 80 = 800 万 = the cap
    ({"awarded_fen_this_year": 720_000_001}, (X.ANNUAL_AMOUNT_CAP,)),
    (
        {
            "status": RegistryStatus.SUSPENDED,
            "qualifications": (
                r.Qualification(BM, r.Grade.SECOND, date(2020, 1, 1), ON - DAY),
            ),
            "active_contracts": 3,
            "awards_this_year": 9,
        },
        (
            X.SUSPENDED,
            X.QUALIFICATION_EXPIRED,
            X.CONCURRENT_CONTRACT_CAP,
            X.ANNUAL_COUNT_CAP,
        ),
    ),
]


@pytest.mark.parametrize(("changes", "reasons"), EXCLUSIONS)
def test_exclusion_reasons(changes, reasons):
    pool = pool_of(firm(**changes))
    if reasons:
        assert pool.excluded == (r.Exclusion("E1", reasons),)
        assert pool.eligible == ()
    else:
        assert pool.ids == ("E1",)
        assert pool.excluded == ()


def test_grade_required_by_the_tier():
    big = dataclasses.replace(PROJECT, amount_fen=150_000_000)  # 100–400 万 → 二级
    third = firm(
        qualifications=(
            r.Qualification(BM, r.Grade.THIRD, date(2020, 1, 1), date(2030, 1, 1)),
        )
    )
    assert pool_of(third, project=big).excluded[0].reasons == (X.GRADE_TOO_LOW,)
    assert pool_of(firm(), project=big).ids == ("E1",)
    assert pool_of(third).ids == ("E1",)


def test_safety_licence_only_for_works():
    survey = dataclasses.replace(PROJECT, object_type=SERVICES)
    assert pool_of(firm(safety_licence_until=None), project=survey).ids == ("E1",)


def test_cool_down_until_completion_when_configured():
    params = dataclasses.replace(PARAMS, cooldown_until_completion=True)
    busy = firm(open_win_categories=frozenset({BM}))
    assert pool_of(busy, params=params).excluded[0].reasons == (X.COOL_DOWN,)
    other = firm(open_win_categories=frozenset({WATER}))
    assert pool_of(other, params=params).ids == ("E1",)


def test_disabled_annual_caps():
    params = dataclasses.replace(
        PARAMS, annual_award_count_cap=None, annual_award_amount_cap_fen=None
    )
    rich = firm(awards_this_year=99, awarded_fen_this_year=10**12)
    assert pool_of(rich, params=params).ids == ("E1",)


def test_candidate_carries_the_best_qualification():
    quals = (
        r.Qualification(BM, r.Grade.THIRD, date(2020, 1, 1), date(2030, 1, 1)),
        r.Qualification(BM, r.Grade.SECOND, date(2020, 1, 1), date(2026, 1, 1)),
        r.Qualification(BM, r.Grade.SECOND, date(2020, 1, 1), date(2027, 1, 1)),
        r.Qualification(BM, r.Grade.FIRST, date(2020, 1, 1), ON - DAY),  # expired
    )
    wins = ((BM, date(2024, 1, 1)), (WATER, date(2025, 5, 1)))
    (candidate,) = pool_of(
        firm(qualifications=quals, last_wins=wins, manager_active_contracts=(0, 0, 1))
    ).eligible
    assert candidate == r.Candidate(
        "E1",
        r.Grade.SECOND,
        date(2027, 1, 1),
        date(2026, 1, 1),
        Decimal("85.00"),
        date(2024, 1, 1),
        2,
    )
    assert candidate.draw_candidate() == {
        "id": "E1",
        "attributes": {
            "grade": "second",
            "qualification_until": "2027-01-01",
            "safety_licence_until": "2026-01-01",
            "credit_score": "85.00",
            "last_win_on": "2024-01-01",
            "free_managers": 2,
        },
    }


def _q(sub="", grade=r.Grade.SECOND, until=date(2027, 1, 1), category=BM):
    return r.Qualification(category, grade, date(2020, 1, 1), until, sub)


DECORATION = dataclasses.replace(PROJECT, sub_specialty="装饰装修")


@pytest.mark.parametrize(
    ("project_sub", "quals", "reasons"),
    [
        # no sub-specialty asked: any certificate of the category qualifies
        ("", (_q(),), ()),
        ("", (_q("园林绿化"),), ()),
        # asked: only a certificate registered for it
        ("装饰装修", (_q("装饰装修"),), ()),
        ("装饰装修", (_q(),), (X.NO_SUB_SPECIALTY,)),
        ("装饰装修", (_q("园林绿化"),), (X.NO_SUB_SPECIALTY,)),
        ("装饰装修", (_q("装饰"),), (X.NO_SUB_SPECIALTY,)),  # a prefix is another one
        ("装饰装修", (_q("园林绿化"), _q("装饰装修")), ()),
        # normalized: width, case and blanks do not make another sub-specialty
        ("装饰 装修", (_q("装饰装修"),), ()),
        ("Curtain Wall", (_q("ｃｕｒｔａｉｎ　wall"),), ()),
        # the sub-specialty's own certificate must be valid and of the grade
        ("装饰装修", (_q("装饰装修", until=ON - DAY), _q("园林绿化")), (X.QUALIFICATION_EXPIRED,)),
        ("装饰装修", (_q("装饰装修", grade=r.Grade.THIRD), _q()), ()),  # 80 万: 三级 is enough
        ("装饰装修", (_q("装饰装修", category=WATER),), (X.NO_QUALIFICATION,)),
        ("装饰装修", (), (X.NO_QUALIFICATION,)),
    ],
)
def test_sub_specialty_restricts_the_pool(project_sub, quals, reasons):
    project = dataclasses.replace(PROJECT, sub_specialty=project_sub)
    pool = pool_of(firm(qualifications=quals), project=project)
    if reasons:
        assert pool.ids == () and pool.excluded[0].reasons == reasons
    else:
        assert pool.ids == ("E1",)


def test_a_sub_specialty_pool_publishes_the_sub_specialty():
    (candidate,) = pool_of(firm(qualifications=(_q("装饰装修"),)), project=DECORATION).eligible
    assert candidate.draw_candidate()["attributes"]["sub_specialty"] == "装饰装修"
    (plain,) = pool_of(firm(qualifications=(_q("装饰装修"),))).eligible
    assert "sub_specialty" not in plain.draw_candidate()["attributes"]


def test_pool_refuses_projects_at_the_threshold_and_duplicate_firms():
    with pytest.raises(r.AboveThreshold):
        pool_of(firm(), project=dataclasses.replace(PROJECT, amount_fen=400_000_000))
    with pytest.raises(r.DuplicateId):
        pool_of(firm("A"), firm("A"))


def test_pool_is_sorted_by_id():
    pool = pool_of(
        firm("C"), firm("A", blacklisted=True), firm("B"), firm("0", blacklisted=True)
    )
    assert pool.ids == ("B", "C")
    assert [e.id for e in pool.excluded] == ["0", "A"]


qualification_st = st.builds(
    r.Qualification,
    st.sampled_from([BM, WATER]),
    st.sampled_from(r.Grade),
    st.dates(date(2024, 1, 1), date(2025, 12, 31)),
    st.dates(date(2025, 1, 1), date(2026, 12, 31)),
)
firm_changes = st.fixed_dictionaries(
    {
        "status": st.sampled_from([RegistryStatus.ACTIVE] * 4 + list(RegistryStatus)),
        "safety_licence_until": st.none()
        | st.dates(date(2025, 1, 1), date(2026, 1, 1)),
        "qualifications": st.lists(qualification_st, max_size=3).map(tuple),
        "active_contracts": st.integers(0, 3),
        "manager_active_contracts": st.lists(st.integers(0, 2), max_size=3).map(tuple),
        "last_wins": st.lists(
            st.tuples(st.sampled_from([BM, WATER]), st.dates(date(2025, 1, 1), ON)),
            max_size=2,
        ).map(tuple),
        "awards_this_year": st.integers(0, 6),
        "awarded_fen_this_year": st.integers(0, 900_000_000),
        "credit_score": st.integers(0, 10_000).map(lambda n: Decimal(n) / 100),
    },
    optional={
        "blacklisted": st.booleans(),
        "last_serious_violation_on": st.dates(date(2021, 1, 1), ON),
        "business_licence_until": st.dates(date(2025, 1, 1), date(2026, 1, 1)),
    },
)
firm_lists = st.lists(firm_changes, max_size=15).map(
    lambda changes: [firm(f"E{i:02d}", **c) for i, c in enumerate(changes)]
)


def shuffled_firms(firms, rnd):
    out = []
    for f in firms:
        quals, wins = list(f.qualifications), list(f.last_wins)
        rnd.shuffle(quals)
        rnd.shuffle(wins)
        out.append(
            dataclasses.replace(f, qualifications=tuple(quals), last_wins=tuple(wins))
        )
    rnd.shuffle(out)
    return out


@settings(max_examples=examples(150))
@given(firm_lists, st.randoms(use_true_random=False))
def test_pool_partitions_the_input_with_reasons_whatever_the_order(firms, rnd):
    pool = pool_of(*firms)
    excluded = [e.id for e in pool.excluded]
    assert sorted(pool.ids + tuple(excluded)) == sorted(f.id for f in firms)
    assert not set(pool.ids) & set(excluded)
    assert all(
        e.reasons and len(set(e.reasons)) == len(e.reasons) for e in pool.excluded
    )
    assert pool_of(*shuffled_firms(firms, rnd)) == pool


@settings(max_examples=examples(100))
@given(firm_lists)
def test_each_firm_is_judged_on_its_own(firms):
    pool = pool_of(*firms)
    eligible = set(pool.ids)
    for f in firms:
        alone = pool_of(f)
        assert (alone.ids == (f.id,)) == (f.id in eligible)


@settings(max_examples=examples(100))
@given(firm_lists)
def test_eligible_candidates_meet_every_rule(firms):
    for c in pool_of(*firms).eligible:
        assert c.grade <= r.Grade.THIRD
        assert c.qualification_until >= ON
        assert c.safety_licence_until is not None and c.safety_licence_until >= ON
        assert c.free_managers >= 1
        assert c.last_win_on is None or not r.in_cool_down(c.last_win_on, ON, PARAMS)


def test_pool_of_ten_thousand_firms_partitions_every_firm():
    # Speed is measured in bench/smallworks.py, not asserted here (architecture §12).
    quals = (r.Qualification(BM, r.Grade.SECOND, date(2020, 1, 1), date(2027, 1, 1)),)
    firms = [
        firm(
            f"E{i:05d}",
            qualifications=quals if i % 7 else (),
            active_contracts=i % 3,
            manager_active_contracts=(i % 2, 0),
            last_wins=((BM, ON - (i % 120) * DAY),),
        )
        for i in range(10_000)
    ]
    pool = pool_of(*firms)
    assert len(pool.eligible) + len(pool.excluded) == 10_000
    assert all(e.reasons for e in pool.excluded)


# --- allocation -----------------------------------------------------------------------


def scored(*credits, **changes):
    return [
        firm(f"S{i}", credit_score=Decimal(c), **changes) for i, c in enumerate(credits)
    ]


def test_lottery_request_and_engine():
    pool = pool_of(*scored(80, 80, 80))
    needs = r.lottery_request(pool, PARAMS)
    assert (needs.purpose, needs.ids, needs.count) == (
        r.SmallWorkDrawPurpose.LOTTERY,
        ("S0", "S1", "S2"),
        1,
    )
    engine = pytest.importorskip("trading.draws.engine")
    drawn = engine.draw(bytes(32), None, needs.draw_candidates(), 1)
    assert (
        r.selected_by_lottery(needs, drawn, r.AllocationMethod.LOTTERY).winner_id
        == drawn[0]
    )
    # a decline re-draws from the same frozen list, continuing the same order
    again = r.lottery_request(pool, PARAMS, already_drawn=drawn)
    nxt = engine.continue_draw(bytes(32), None, again.draw_candidates(), drawn, 1)
    assert r.resolve_lottery(again, nxt) == tuple(nxt)
    with pytest.raises(r.InvalidDraw):
        r.resolve_lottery(again, drawn)


def test_lottery_pool_too_small_or_exhausted():
    assert (
        r.lottery_request(pool_of(*scored(1, 2)), PARAMS).reason
        is r.SmallWorkFailureReason.POOL_TOO_SMALL
    )
    pool = pool_of(*scored(1, 2, 3))
    assert (
        r.lottery_request(pool, PARAMS, ("S0", "S1", "S2")).reason
        is r.SmallWorkFailureReason.POOL_EXHAUSTED
    )


def rotation_pool():
    return pool_of(
        firm("A"),
        firm("B"),
        firm("C", last_wins=((BM, date(2025, 1, 1)),)),
        firm("D", last_wins=((BM, date(2024, 12, 1)), (WATER, date(2025, 5, 1)))),
        firm("E", last_wins=((BM, date(2024, 12, 1)),)),
    )


def test_rotation_queue_puts_never_awarded_first():
    queue = r.rotation_queue(rotation_pool())
    assert [[c.id for c in group] for group in queue] == [["A", "B"], ["D", "E"], ["C"]]


@pytest.mark.parametrize(
    ("declined", "winner", "tie"),
    [
        (set(), None, ("A", "B")),
        ({"A"}, "B", None),
        ({"A", "B"}, None, ("D", "E")),
        ({"A", "B", "E"}, "D", None),
        ({"A", "B", "D", "E"}, "C", None),
    ],
)
def test_rotation_pick(declined, winner, tie):
    result = r.rotation_pick(rotation_pool(), PARAMS, frozenset(declined))
    if winner:
        assert result.winner_id == winner
    else:
        assert (result.purpose, result.ids) == (r.SmallWorkDrawPurpose.ROTATION_TIE, tie)


def test_rotation_exhausted():
    result = r.rotation_pick(rotation_pool(), PARAMS, frozenset("ABCDE"))
    assert result.reason is r.SmallWorkFailureReason.POOL_EXHAUSTED


def test_small_pool_short_list_is_everyone_without_a_draw():
    pool = pool_of(*scored(70, 90, 80))
    assert r.short_list_request(pool, PARAMS) == r.ShortList(pool.ids, pool.ids)


def test_double_random_with_credit():
    pool = pool_of(*scored(70, 90, 80, 90, 60, 50, 95))
    needs = r.short_list_request(pool, PARAMS)
    assert (needs.purpose, needs.count) == (r.SmallWorkDrawPurpose.SHORT_LIST, 5)
    short = r.short_list_from_draw(needs, ["S4", "S1", "S0", "S3", "S2"])
    assert short.ids == ("S0", "S1", "S2", "S3", "S4")
    tie = r.double_random_pick(pool, short)  # S1 and S3 both 90
    assert (tie.purpose, tie.ids) == (r.SmallWorkDrawPurpose.CREDIT_TIE, ("S1", "S3"))
    assert r.double_random_pick(pool, short, frozenset({"S1"})).winner_id == "S3"
    assert r.double_random_pick(pool, short, frozenset({"S1", "S3"})).winner_id == "S2"
    gone = r.double_random_pick(pool, short, frozenset(short.ids))
    assert gone.reason is r.SmallWorkFailureReason.SHORT_LIST_EXHAUSTED
    # the whole short list declined: the draw continues on the same frozen pool
    top_up = r.short_list_request(pool, PARAMS, earlier=short)
    assert (top_up.count, top_up.already_drawn) == (2, short.drawn_order)
    bigger = r.short_list_from_draw(top_up, ["S6", "S5"], earlier=short)
    assert bigger.drawn_order == ("S4", "S1", "S0", "S3", "S2", "S6", "S5")
    assert r.double_random_pick(pool, bigger, frozenset(short.ids)).winner_id == "S6"
    assert (
        r.short_list_request(pool, PARAMS, earlier=bigger).reason
        is r.SmallWorkFailureReason.POOL_EXHAUSTED
    )


def test_credit_ties_are_judged_at_two_decimals():
    pool = pool_of(*scored("90.004", "90.001", "10"))
    short = r.short_list_request(pool, PARAMS)
    assert r.double_random_pick(pool, short).ids == ("S0", "S1")


def test_short_list_must_come_from_the_pool():
    pool = pool_of(*scored(1, 2, 3))
    with pytest.raises(r.NotACandidate):
        r.double_random_pick(pool, r.ShortList(("S0", "ZZ"), ("S0", "ZZ")))


CONTROL = 1_000_000


def low_price_setup(n=5):
    pool = pool_of(*scored(*[80] * n))
    return pool, r.short_list_request(pool, PARAMS)


def offers(*prices):
    return [r.Quote(f"S{i}", p) for i, p in enumerate(prices)]


def test_reasonable_low_price():
    pool, short = low_price_setup()
    quotes = offers(800_000, 850_000, 900_000, 950_000, 1_100_000)
    # valid mean 875 000 × 0.90 = 787 500; control × 0.85 = 850 000 → floor 850 000
    result = r.reasonable_low_price(pool, short, quotes, CONTROL, PARAMS)
    assert result.winner_id == "S1"
    assert dict(result.evidence) == {"floor_fen": "850000", "price_fen": "850000"}
    # a decline goes to the next reasonable quote; the floor does not move
    after = r.reasonable_low_price(
        pool, short, quotes, CONTROL, PARAMS, frozenset({"S1"})
    )
    assert (after.winner_id, dict(after.evidence)["floor_fen"]) == ("S2", "850000")


def test_mean_floor_can_dominate():
    pool, short = low_price_setup(4)
    quotes = offers(852_000, 990_000, 1_000_000, 1_000_000)  # mean 960 500 → 864 450
    result = r.reasonable_low_price(pool, short, quotes, CONTROL, PARAMS)
    assert result.winner_id == "S1"


def test_reasonable_low_price_tie_goes_to_a_lottery():
    pool, short = low_price_setup()
    result = r.reasonable_low_price(
        pool, short, offers(900_000, 900_000, 950_000), CONTROL, PARAMS
    )
    assert (result.purpose, result.ids) == (r.SmallWorkDrawPurpose.PRICE_TIE, ("S0", "S1"))


@pytest.mark.parametrize(
    "prices",
    [
        (1_000_001, 2_000_000),  # all above the control price
        (800_000, 810_000),  # all below the floor
        (0,),
        (),
    ],
)
def test_no_reasonable_quote(prices):
    pool, short = low_price_setup()
    result = r.reasonable_low_price(pool, short, offers(*prices), CONTROL, PARAMS)
    assert result.reason is r.SmallWorkFailureReason.NO_REASONABLE_QUOTE


def test_quotes_only_from_the_short_list():
    pool = pool_of(*scored(*[80] * 7))
    short = r.ShortList(("S0", "S1", "S2", "S3", "S4"), ("S0", "S1", "S2", "S3", "S4"))
    with pytest.raises(r.NotACandidate):
        r.reasonable_low_price(pool, short, [r.Quote("S6", 900_000)], CONTROL, PARAMS)
    with pytest.raises(r.DuplicateId):
        r.reasonable_low_price(
            pool, short, [r.Quote("S0", 1), r.Quote("S0", 2)], CONTROL, PARAMS
        )


@given(
    st.lists(st.integers(0, 1_200_000), min_size=1, max_size=5),
    st.randoms(use_true_random=False),
)
def test_reasonable_low_price_winner_is_reasonable_and_lowest(prices, rnd):
    pool, short = low_price_setup()
    quotes = offers(*prices)
    result = r.reasonable_low_price(pool, short, quotes, CONTROL, PARAMS)
    rnd.shuffle(quotes)
    assert r.reasonable_low_price(pool, short, quotes, CONTROL, PARAMS) == result
    valid = [p for p in prices if 0 < p <= CONTROL]
    if isinstance(result, r.Failed):
        return
    floor = r.reasonable_floor([r.Quote("x", p) for p in valid], CONTROL, PARAMS)
    ok = [p for p in valid if p >= floor]
    winners = [result.winner_id] if isinstance(result, r.Selected) else list(result.ids)
    assert {prices[int(w[1:])] for w in winners} == {min(ok)}


# --- declines, suspension, credit -----------------------------------------------------

NOTIFIED = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)


def test_decline_window():
    r.check_decline_time(NOTIFIED, NOTIFIED + timedelta(hours=24), PARAMS)
    with pytest.raises(r.DeclineWindowClosed):
        r.check_decline_time(
            NOTIFIED, NOTIFIED + timedelta(hours=24, microseconds=1), PARAMS
        )
    with pytest.raises(r.NaiveDatetime):
        r.check_decline_time(datetime(2025, 6, 2), NOTIFIED, PARAMS)


@pytest.mark.parametrize(
    ("declines", "on", "until"),
    [
        ([date(2025, 1, 10)], ON, None),  # one decline: no suspension
        ([date(2024, 6, 1), date(2025, 1, 10)], ON, date(2025, 7, 10)),
        ([date(2024, 1, 11), date(2025, 1, 10)], ON, date(2025, 7, 10)),
        ([date(2024, 1, 10), date(2025, 1, 10)], ON, None),  # exactly 12 months apart
        ([date(2024, 6, 1), date(2025, 1, 10)], date(2025, 7, 10), None),  # served
        ([date(2024, 6, 1), date(2025, 1, 10)], date(2025, 7, 9), date(2025, 7, 10)),
        ([date(2025, 1, 10), ON + DAY], ON, None),  # the future does not count
    ],
)
def test_two_unjustified_declines_in_twelve_months_suspend(declines, on, until):
    suspension = r.suspension_in_force(declines, on, PARAMS)
    assert (suspension.until if suspension else None) == until
    if suspension:
        assert suspension.since == max(d for d in declines if d <= on)


def test_latest_trigger_sets_the_suspension():
    declines = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 12, 1)]
    suspension = r.suspension_in_force(declines, date(2025, 1, 1), PARAMS)
    assert (suspension.since, suspension.until) == (date(2024, 12, 1), date(2025, 6, 1))
    assert suspension.declines == tuple(declines)  # all three within 12 months


_IN_FORCE = r.Suspension(date(2025, 1, 10), date(2025, 7, 10), (date(2024, 6, 1),))
_S, _C = RegistryStatus, r.StandingChange
_D, _E, _CENTER = r.SuspensionCause.DECLINES, r.SuspensionCause.EXPIRY, r.SuspensionCause.CENTER


@pytest.mark.parametrize(
    ("status", "cause", "until", "in_force", "change"),
    [
        (_S.ACTIVE, "", None, None, _C.NONE),
        (_S.ACTIVE, "", None, _IN_FORCE, _C.SUSPEND),
        # the center justified a decline: the suspension the declines caused is lifted
        (_S.SUSPENDED, _D, date(2025, 7, 10), None, _C.LIFT),
        (_S.SUSPENDED, _D, date(2025, 7, 10), _IN_FORCE, _C.NONE),
        # an earlier pair still suspends, to another end date
        (_S.SUSPENDED, _D, date(2025, 9, 1), _IN_FORCE, _C.RESCHEDULE),
        # a suspension for another cause never moves with the declines
        (_S.SUSPENDED, _CENTER, None, None, _C.NONE),
        (_S.SUSPENDED, _E, None, None, _C.NONE),
        (_S.SUSPENDED, _CENTER, None, _IN_FORCE, _C.NONE),
        (_S.EXITED, "", None, _IN_FORCE, _C.NONE),
        (_S.APPLIED, "", None, _IN_FORCE, _C.NONE),
    ],
)
def test_standing_after_declines(status, cause, until, in_force, change):
    assert r.standing_after_declines(status, cause, until, in_force) is change


def record(score, on_time=True, accepted=True, completed_on=date(2025, 1, 1)):
    return r.PerformanceRecord("P", completed_on, on_time, accepted, Decimal(score))


def test_credit_score():
    assert r.credit_score([], [], ON, PARAMS) == Decimal("80.00")
    assert r.credit_score([record(100)], [], ON, PARAMS) == Decimal("100.00")
    two = [record(100), record(70, on_time=False)]
    assert r.credit_score(two, [], ON, PARAMS) == Decimal("81.00")
    assert r.credit_score(two, [date(2025, 3, 1)], ON, PARAMS) == Decimal("76.00")
    assert r.credit_score([record("33.333")], [], ON, PARAMS) == Decimal("60.00")
    many = [date(2025, 1, d) for d in range(1, 30)]
    assert r.credit_score(two, many, ON, PARAMS) == Decimal("0.00")


def test_credit_look_back():
    old = record(0, completed_on=date(2022, 6, 2))  # exactly 36 months ago: out
    assert r.credit_score([old], [], ON, PARAMS) == Decimal("80.00")


@pytest.mark.parametrize("score", ["-0.01", "100.01"])
def test_credit_refuses_scores_off_the_scale(score):
    with pytest.raises(r.InvalidEvaluation):
        r.credit_score([record(score)], [], ON, PARAMS)


def test_already_drawn_must_come_from_the_pool():
    pool = pool_of(*scored(1, 2, 3, 4))
    with pytest.raises(r.InvalidDraw):
        r.lottery_request(pool, PARAMS, already_drawn=("S0", "S0"))
    with pytest.raises(r.InvalidDraw):
        r.lottery_request(pool, PARAMS, already_drawn=("ZZ",))


# --- the RuleProfile row ----------------------------------------------------------------


def test_profile_round_trips_the_defaults():
    data = r.profile_from_params(PARAMS)
    assert data["smallworks.confirmation_hours"] == 24
    assert data["smallworks.tiers"][0] == {"code": "up_to_300k", "upper_fen": 30_000_000,
                                           "grade": 3}
    assert r.params_from_profile(data) == PARAMS
    assert r.params_from_profile({}) == PARAMS  # keys left out keep the code default


def test_profile_values_reach_the_rules():
    data = {**r.profile_from_params(PARAMS), "smallworks.max_active_contracts": 1,
            "smallworks.cooldown_days": 30, "smallworks.annual_award_count_cap": None,
            "smallworks.confirmation_hours": 48, "smallworks.decline_suspension_count": 3,
            "smallworks.split_window_days": 180,
            "smallworks.tiers": [{"code": "small", "upper_fen": 50_000_000, "grade": 3},
                                 {"code": "big", "upper_fen": None, "grade": 1}]}
    params = r.params_from_profile(data)
    assert (params.max_active_contracts, params.cooldown_days) == (1, 30)
    assert params.annual_award_count_cap is None
    assert params.decline_window == timedelta(hours=48)
    assert params.decline_suspension_count == 3 and params.split_window_days == 180
    assert r.tier_for(60_000_000, params) == r.Tier("big", None, r.Grade.FIRST)
    busy = firm(active_contracts=1)
    # 80 万 is in the "big" band now: 一级 needed, and one running contract is the cap
    assert pool_of(busy, params=params).excluded[0].reasons == (
        X.GRADE_TOO_LOW, X.CONCURRENT_CONTRACT_CAP)
    assert pool_of(busy).ids == ("E1",)


TIER = {"code": "a", "upper_fen": 30_000_000, "grade": 3}
LAST = {"code": "z", "upper_fen": None, "grade": 2}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"smallworks.max_active_contracts": 0}, "smallworks.max_active_contracts"),
        ({"smallworks.max_active_contracts": "2"}, "smallworks.max_active_contracts"),
        ({"smallworks.max_active_contracts": 2.0}, "smallworks.max_active_contracts"),
        ({"smallworks.max_active_contracts": True}, "smallworks.max_active_contracts"),
        ({"smallworks.cooldown_days": -1}, "smallworks.cooldown_days"),
        ({"smallworks.confirmation_hours": 0}, "smallworks.confirmation_hours"),
        ({"smallworks.decline_suspension_count": 0}, "smallworks.decline_suspension_count"),
        ({"smallworks.annual_award_amount_cap_fen": 0},
         "smallworks.annual_award_amount_cap_fen"),
        ({"smallworks.tiers": []}, "smallworks.tiers"),
        ({"smallworks.tiers": "x"}, "smallworks.tiers"),
        ({"smallworks.tiers": [TIER]}, "smallworks.tiers"),  # the last must be open-ended
        ({"smallworks.tiers": [TIER, TIER, LAST]}, "smallworks.tiers"),  # not increasing
        ({"smallworks.tiers": [{**TIER, "upper_fen": 0}, LAST]}, "smallworks.tiers"),
        ({"smallworks.tiers": [{**TIER, "upper_fen": 400_000_000}, LAST]},
         "smallworks.tiers"),  # at the tender threshold
        ({"smallworks.tiers": [{**TIER, "grade": 4}, LAST]}, "smallworks.tiers"),
        ({"smallworks.tiers": [{**TIER, "extra": 1}, LAST]}, "smallworks.tiers"),
        ({"smallworks.tiers": [{**TIER, "code": "z"}, LAST]}, "smallworks.tiers"),
    ],
)
def test_bad_profile_values_are_refused_with_their_key(changes, field):
    with pytest.raises(r.InvalidParams) as error:
        r.params_from_profile({**r.profile_from_params(PARAMS), **changes})
    assert error.value.field == field and error.value.code == "invalid_params"


def test_band_codes_are_names_not_values():
    data = r.profile_from_params(PARAMS)
    renamed = {**data, "smallworks.tiers": [{**t, "code": None} for t in data[
        "smallworks.tiers"]]}
    params = r.params_from_profile(renamed)
    assert [t.code for t in params.tiers] == ["up_to_30wan", "up_to_100wan", "open_ended"]
    assert r.same_profile(data, r.profile_from_params(params))
    assert not r.same_profile(data, {**data, "smallworks.cooldown_days": 91})
