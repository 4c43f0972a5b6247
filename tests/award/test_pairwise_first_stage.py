"""一对一比较法 as the first of two stages (rules §3.3): the rules' two-stage constraints
name the price auction (no stage 2), 第N低价 and the lottery — not pairwise comparison —
so pairwise may narrow the candidates to k finalists for any different second method."""

import pytest
from award_support import cands, committees, enrol, vote
from factories import actor_for

from trading.award import rules as a
from trading.award.errors import AwardRefused
from trading.award.rules import AwardStage, DecisionMethod, PairPreference


def stage(method, **kwargs):
    return AwardStage(DecisionMethod(method), **kwargs)


PAIRWISE_3 = stage("pairwise", finalists=3)

# (stage 1, stage 2, candidates, allowed → finalists passed on, or the refusal)
COMBINATIONS = [
    (PAIRWISE_3, stage("plurality"), 5, 3),
    (PAIRWISE_3, stage("direct_lottery"), 5, 3),
    (PAIRWISE_3, stage("price_lowest"), 5, 3),
    (PAIRWISE_3, stage("price_second_lowest"), 5, 3),
    (PAIRWISE_3, stage("price_closest_to_mean"), 5, 3),
    (PAIRWISE_3, stage("price_nth_lowest", n=3), 5, 3),  # N ≤ k
    (PAIRWISE_3, stage("price_lowest", descending_auction=True, step_fen=100), 5, 3),
    (PAIRWISE_3, stage("collective"), 5, 3),
    (PAIRWISE_3, stage("cumulative"), 5, 3),
    (PAIRWISE_3, stage("round_elimination", rounds=2), 5, 3),
    (PAIRWISE_3, stage("vote_then_lottery", finalists=2), 5, 3),
    (stage("pairwise", finalists=2), stage("direct_lottery"), 3, 2),
    (stage("pairwise", finalists=2), stage("plurality"), 3, 2),
    (stage("pairwise", finalists=4), stage("plurality"), 5, 4),
    # pairwise in the second stage, after each kind of first stage
    (stage("plurality", finalists=3), stage("pairwise"), 5, 3),
    (stage("direct_lottery", draw_count=3), stage("pairwise"), 5, 3),
    (stage("price_nth_lowest", n=3), stage("pairwise"), 5, 3),
    (stage("round_elimination", finalists=2), stage("pairwise"), 5, 2),
    # refused
    (PAIRWISE_3, stage("pairwise"), 5, "different methods"),
    (PAIRWISE_3, stage("price_nth_lowest", n=4), 5, "N=4"),  # N > k
    (PAIRWISE_3, stage("direct_lottery", draw_count=3), 5, "fewer than the 3"),
    (stage("pairwise"), stage("plurality"), 3, "finalists"),  # default k = 3 of 3
    (stage("pairwise", finalists=5), stage("plurality"), 5, "finalists"),
    (stage("pairwise", finalists=1), stage("plurality"), 5, "finalists"),
    (stage("price_lowest", descending_auction=True), stage("pairwise"), 5, "auction"),
    (stage("price_lowest"), stage("pairwise"), 5, "single winner"),
    (stage("collective"), stage("pairwise"), 5, "single winner"),
    (stage("vote_then_lottery"), stage("pairwise"), 5, "single winner"),
]


@pytest.mark.parametrize(("stage1", "stage2", "n", "expected"), COMBINATIONS)
def test_which_combinations_with_pairwise_are_allowed(stage1, stage2, n, expected):
    if isinstance(expected, int):
        assert a.check_award_plan(stage1, stage2, n_candidates=n) == expected
    else:
        with pytest.raises(a.InvalidAwardPlan, match=expected):
            a.check_award_plan(stage1, stage2, n_candidates=n)


def prefs(members, table):
    """table: {(x, y): preferred} for every member alike, or per member a dict."""
    out = []
    for member in members:
        rows = table[member] if member in table else table
        out += [PairPreference(member, x, y, p) for (x, y), p in rows.items()]
    return out


MEMBERS = ("m1", "m2", "m3")


def test_the_finalists_are_those_with_most_pairs_won():
    table = {("A", "B"): "A", ("A", "C"): "A", ("A", "D"): "A", ("B", "C"): "B",
             ("B", "D"): "B", ("C", "D"): "C"}
    out = a.count_pairwise_finalists("ABCD", prefs(MEMBERS, table), members=MEMBERS, seats=2)
    assert out.selected == ("A", "B") and out.lottery is None
    assert out.wins == (("A", 3), ("B", 2), ("C", 1), ("D", 0))


def test_a_tie_at_the_cut_goes_head_to_head_then_to_a_lottery():
    # A won all four pairs; B and C won two each for the last seat; B beat C: B goes on.
    table = {("A", "B"): "A", ("A", "C"): "A", ("A", "D"): "A", ("A", "E"): "A",
             ("B", "C"): "B", ("B", "D"): "B", ("B", "E"): "E", ("C", "D"): "C",
             ("C", "E"): "C", ("D", "E"): "D"}
    out = a.count_pairwise_finalists("ABCDE", prefs(MEMBERS, table), members=MEMBERS,
                                     seats=2)
    assert dict(out.wins) == {"A": 4, "B": 2, "C": 2, "D": 1, "E": 1}
    assert out.selected == ("A", "B") and out.lottery is None
    # A cycle (A>B, B>C, C>A): each won one pair, head-to-head cannot split → lottery.
    cycle = {("A", "B"): "A", ("B", "C"): "B", ("A", "C"): "C"}
    pending = a.count_pairwise_finalists("ABC", prefs(MEMBERS, cycle), members=MEMBERS,
                                         seats=2)
    assert pending.lottery is not None and pending.lottery.draw_count == 2
    assert pending.selected == ()
    done = a.count_pairwise_finalists("ABC", prefs(MEMBERS, cycle), members=MEMBERS, seats=2,
                                      drawn=["C", "A"])
    assert done.selected == ("C", "A")


@pytest.mark.parametrize("seats", [0, 3, 4])
def test_the_finalists_must_be_fewer_than_the_candidates(seats):
    cycle = {("A", "B"): "A", ("B", "C"): "B", ("A", "C"): "C"}
    with pytest.raises(a.RuleError):
        a.count_pairwise_finalists("ABC", prefs(MEMBERS, cycle), members=MEMBERS, seats=seats)


def test_a_missing_pair_is_refused():
    partial = {("A", "B"): "A", ("B", "C"): "B"}
    with pytest.raises(a.MissingBallot):
        a.count_pairwise_finalists("ABC", prefs(MEMBERS, partial), members=MEMBERS, seats=2)


# -- the committee runs it online ------------------------------------------------------


def cast_pairs(w, committee, preferred):
    """Every member casts the same pairwise ballot: preferred[(x, y)] for each pair."""
    service = committees(w)
    current = service.open_round(committee)
    ballot = [[x, y, p] for (x, y), p in preferred.items()]
    for member in committee.members:
        service.cast(w.project, committee, current, choices=ballot,
                     actor=actor_for(member.user))
    return current


def test_pairwise_narrows_to_two_then_a_plurality_decides(world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    committee = committees(w).form(
        w.project, w.lot, size=5, stage1={"method": "pairwise", "finalists": 2},
        stage2={"method": "plurality"}, actor=actor_for(w.owner))
    x, y, z = sorted(cands(w))
    first = cast_pairs(w, committee, {(x, y): y, (x, z): x, (y, z): y})  # y 2, x 1, z 0
    assert first.outcome["selected"] == [y, x] and committee.stage == 2
    assert committee.entrants == sorted([x, y])
    assert committees(w).open_round(committee).among == sorted([x, y])
    vote(w, committee, [[x], [x], [y], [x], [y]])
    assert committee.winner == x
    assert [s["method"] for s in committee.steps] == ["pairwise", "plurality"]


def test_a_pairwise_first_stage_refused_by_the_plan_changes_nothing(world):
    w = world
    enrol(w, 1, may_chair=True)
    enrol(w, 9)
    with pytest.raises(AwardRefused, match="定标方案不符合规则"):
        committees(w).form(w.project, w.lot, size=5,
                           stage1={"method": "pairwise", "finalists": 3},  # 3 of 3
                           stage2={"method": "plurality"}, actor=actor_for(w.owner))
    assert committees(w).committee_for(w.lot) is None
