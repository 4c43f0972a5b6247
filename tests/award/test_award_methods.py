"""评定分离 award methods (§3.3): vote counting, lotteries, price competition, plans."""

from itertools import combinations

import pytest

from trading.award import rules as a
from trading.award.rules import (
    AwardStage,
    DecisionMethod,
    ElimNext,
    MemberBallot,
    PairPreference,
    PriceMethod,
    Revote,
)
from trading.evaluation.rules import (
    EmptyInput,
    InvalidParameter,
    InvalidValue,
    LotteryMismatch,
    TieNeedsLottery,
    UnknownParticipant,
)

FIVE = ("m1", "m2", "m3", "m4", "m5")
ABC = ("A", "B", "C")


def ballots(*choices, members=FIVE):
    """One ballot per member; a string is one choice, a tuple several, None abstains."""
    out = []
    for member, choice in zip(members, choices, strict=True):
        picks = (
            () if choice is None else (choice,) if isinstance(choice, str) else choice
        )
        out.append(MemberBallot(member, picks))
    return out


# --- (a) simple plurality -------------------------------------------------------------


def test_plurality_most_votes_wins():
    outcome = a.count_plurality(ABC, ballots("A", "A", "B", "A", "C"), members=FIVE)
    assert outcome.decided
    assert outcome.winner == "A"
    assert outcome.tally == (("A", 3), ("B", 1), ("C", 1))
    assert outcome.invalid == 0


def test_plurality_tie_goes_to_a_revote_among_the_tied():
    outcome = a.count_plurality(ABC, ballots("A", "B", "A", "B", None), members=FIVE)
    assert not outcome.decided
    assert outcome.winner is None
    assert outcome.revote == Revote(("A", "B"), 1, 1)
    assert outcome.invalid == 1  # the abstention is an invalid ballot


def test_plurality_full_flow_two_revotes_then_lottery():
    """§3.3 (a): tie → revote among the tied (max 2) → still tied → lottery."""
    first = a.count_plurality(ABC, ballots("A", "B", "C", "A", "B"), members=FIVE)
    assert first.revote == Revote(("A", "B"), 1, 1)
    r1 = a.count_plurality(
        ("A", "B"), ballots("A", "B", "A", "B", None), members=FIVE, revote_no=1
    )
    assert r1.revote == Revote(("A", "B"), 1, 2)
    outcome = a.merge_revote(first, r1)
    tied = ballots("A", "B", None, "A", "B")
    r2 = a.count_plurality(("A", "B"), tied, members=FIVE, revote_no=2)
    assert r2.revote is None
    assert r2.lottery == TieNeedsLottery(
        ("A", "B"), 1, "vote tie after the last revote"
    )
    r2 = a.count_plurality(("A", "B"), tied, members=FIVE, revote_no=2, drawn=["B"])
    final = a.merge_revote(outcome, r2)
    assert final.decided
    assert final.winner == "B"


def test_revote_limit_is_configurable():
    no_revotes = a.AwardParams(revote_max_before_lottery=0)
    votes = ballots("A", "B", "A", "B", "C")
    outcome = a.count_plurality(ABC, votes, members=FIVE, params=no_revotes)
    assert outcome.lottery.candidates == ("A", "B")
    done = a.count_plurality(ABC, votes, members=FIVE, params=no_revotes, drawn=["A"])
    assert done.winner == "A"


def test_vote_to_k_finalists_then_lottery():
    """§3.3 (e) 票决抽签: vote down to k = 3 finalists, then an auditable lottery."""
    cands = ("A", "B", "C", "D", "E")
    votes = ballots("A", "B", "C", "A", "B")
    outcome = a.count_plurality(cands, votes, members=FIVE, seats=3)
    assert outcome.selected == ("A", "B", "C")
    assert outcome.decided
    lottery = a.finalists_lottery(outcome.selected)
    assert lottery.lottery == TieNeedsLottery(
        ("A", "B", "C"), 1, "direct lottery (直接抽签)"
    )
    assert a.finalists_lottery(outcome.selected, drawn=["C"]).selected == ("C",)


def test_seats_boundary_tie_keeps_the_sure_ones():
    cands = ("A", "B", "C", "D")
    outcome = a.count_plurality(
        cands, ballots("A", "A", "B", "C", "D"), members=FIVE, seats=2
    )
    assert outcome.selected == ("A",)
    assert outcome.revote == Revote(("B", "C", "D"), 1, 1)
    again = a.count_plurality(
        ("B", "C", "D"), ballots("C", "C", "B", "D", "C"), members=FIVE, revote_no=1
    )
    merged = a.merge_revote(outcome, again)
    assert merged.selected == ("A", "C")
    assert merged.decided


def test_all_abstain_means_everyone_is_tied():
    outcome = a.count_plurality(
        ABC, ballots(None, None, None, None, None), members=FIVE
    )
    assert outcome.invalid == 5
    assert outcome.revote.among == ABC


@pytest.mark.parametrize(
    ("votes", "error"),
    [
        (ballots("A", "A", "B", "A", "Z"), a.NotACandidate),
        (ballots("A", "A", "B", "A", ("A", "B")), a.InvalidBallot),
        (ballots("A", "A", "B", "A", "C")[:4], a.MissingBallot),
        (ballots("A", "A", "B", "A", "C") + [MemberBallot("m1", ("B",))], a.DuplicateBallot),
        (
            ballots("A", "A", "B", "A", "C")[:4] + [MemberBallot("x9", ("B",))],
            UnknownParticipant,
        ),
    ],
)
def test_plurality_rejects_bad_ballots(votes, error):
    with pytest.raises(error):
        a.count_plurality(ABC, votes, members=FIVE)


def test_ballot_choices_must_be_a_tuple_not_a_string():
    with pytest.raises(a.InvalidBallot):
        MemberBallot("m1", "AB")
    assert MemberBallot("m1", ["A"]).choices == ("A",)


def test_abstention_can_be_forbidden():
    strict = a.AwardParams(abstention_allowed=False)
    with pytest.raises(a.InvalidBallot, match="abstention"):
        a.count_plurality(
            ABC, ballots("A", "A", "B", "A", None), members=FIVE, params=strict
        )


def test_plurality_needs_candidates_and_members():
    with pytest.raises(a.TooFewCandidates):
        a.count_plurality((), [], members=FIVE)
    with pytest.raises(EmptyInput):
        a.count_plurality(ABC, [], members=())


def test_drawn_with_a_decided_vote_is_refused():
    with pytest.raises(LotteryMismatch):
        a.count_plurality(
            ABC, ballots("A", "A", "B", "A", "C"), members=FIVE, drawn=["A"]
        )


def test_merge_revote_checks_it_answers_the_revote():
    first = a.count_plurality(ABC, ballots("A", "B", "A", "B", "C"), members=FIVE)
    wrong = a.count_plurality(
        ("A", "C"), ballots("A", "A", "A", "C", "C"), members=FIVE
    )
    with pytest.raises(InvalidParameter):
        a.merge_revote(first, wrong)
    decided = a.count_plurality(ABC, ballots("A", "A", "A", "B", "C"), members=FIVE)
    with pytest.raises(InvalidParameter):
        a.merge_revote(decided, decided)


# --- (b) pairwise comparison ----------------------------------------------------------


def prefs(order_by_member: dict[str, str], cands=ABC):
    """Each member's full preference order → one preference per pair."""
    out = []
    for member, order in order_by_member.items():
        for x, y in combinations(sorted(cands), 2):
            better = x if order.index(x) < order.index(y) else y
            out.append(PairPreference(member, x, y, better))
    return out


def test_pairwise_condorcet_winner():
    result = a.count_pairwise(
        ABC,
        prefs({"m1": "ABC", "m2": "BAC", "m3": "ACB", "m4": "CAB", "m5": "ABC"}),
        members=FIVE,
    )
    assert result.winner == "A"
    assert result.wins == (("A", 2), ("B", 1), ("C", 0))
    ab = next(p for p in result.pairs if (p.first, p.second) == ("A", "B"))
    assert (ab.first_votes, ab.second_votes, ab.winner) == (4, 1, "A")


def test_pairwise_cycle_goes_to_the_lottery():
    three = ("m1", "m2", "m3")
    cycle = prefs({"m1": "ABC", "m2": "BCA", "m3": "CAB"})
    result = a.count_pairwise(ABC, cycle, members=three)
    assert result.wins == (("A", 1), ("B", 1), ("C", 1))
    assert result.lottery.candidates == ABC
    assert a.count_pairwise(ABC, cycle, members=three, drawn=["B"]).winner == "B"


def test_pairwise_equal_wins_broken_head_to_head():
    cands = ("A", "B", "C", "D")
    three = ("m1", "m2", "m3")
    # A beats B and D; B beats C and D; C beats A; D beats C → A 2, B 2, C 1, D 1
    table = {("A", "B"): "A", ("A", "C"): "C", ("A", "D"): "A",
             ("B", "C"): "B", ("B", "D"): "B", ("C", "D"): "D"}  # fmt: skip
    preferences = [
        PairPreference(m, x, y, table[(x, y)])
        for m in three
        for x, y in combinations(cands, 2)
    ]
    result = a.count_pairwise(cands, preferences, members=three)
    assert dict(result.wins) == {"A": 2, "B": 2, "C": 1, "D": 1}
    assert result.winner == "A"  # A beat B head to head


def test_pairwise_even_committee_split_pair_has_no_winner():
    four = ("m1", "m2", "m3", "m4")
    result = a.count_pairwise(
        ("A", "B"),
        prefs({"m1": "AB", "m2": "AB", "m3": "BA", "m4": "BA"}, cands=("A", "B")),
        members=four,
    )
    assert result.pairs[0].winner is None
    assert result.lottery.candidates == ("A", "B")


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda p: p[:-1], a.MissingBallot),
        (lambda p: p + [p[0]], a.DuplicateBallot),
        (lambda p: p[:-1] + [PairPreference("m5", "B", "C", "A")], a.InvalidBallot),
        (lambda p: p[:-1] + [PairPreference("m5", "B", "Z", "B")], a.NotACandidate),
        (lambda p: p[:-1] + [PairPreference("zz", "B", "C", "B")], UnknownParticipant),
    ],
)
def test_pairwise_rejects_bad_preferences(mutate, error):
    good = prefs({m: "ABC" for m in FIVE})
    with pytest.raises(error):
        a.count_pairwise(ABC, mutate(good), members=FIVE)


# --- (c) round-by-round elimination ---------------------------------------------------


def test_elimination_runs_to_a_single_winner():
    cands = ("A", "B", "C", "D")
    r1 = a.count_elimination_round(
        cands, ballots("A", "A", "B", "B", "C"), members=FIVE
    )
    assert (r1.eliminated, r1.remaining, r1.next) == (
        ("D",),
        ("A", "B", "C"),
        ElimNext.NEXT_ROUND,
    )
    r2 = a.count_elimination_round(
        r1.remaining, ballots("A", "A", "B", "B", "C"), members=FIVE, round_no=2
    )
    assert (r2.eliminated, r2.remaining) == (("C",), ("A", "B"))
    r3 = a.count_elimination_round(
        r2.remaining, ballots("A", "A", "B", "A", "B"), members=FIVE, round_no=3
    )
    assert (r3.eliminated, r3.remaining, r3.next) == (("B",), ("A",), ElimNext.DONE)


def test_elimination_removes_every_fewest_when_enough_remain():
    cands = ("A", "B", "C", "D")
    step = a.count_elimination_round(
        cands, ballots("A", "A", "A", "B", "B"), members=FIVE
    )
    assert step.eliminated == ("C", "D")


def test_elimination_tie_below_target_needs_a_revote_then_merges():
    step = a.count_elimination_round(
        ABC, ballots("A", "A", "A", "B", "C"), members=FIVE, target=2
    )
    assert step.next is ElimNext.REVOTE
    assert step.eliminated == ()
    assert step.revote == Revote(("B", "C"), 1, 1)
    revote = a.count_plurality(
        step.revote.among,
        ballots("B", "B", "C", "B", "C"),
        members=FIVE,
        seats=step.revote.seats,
        revote_no=step.revote.revote_no,
    )
    assert a.survivors_after_revote(step, revote) == ("A", "B")


def test_elimination_tie_with_no_revotes_goes_to_the_lottery():
    params = a.AwardParams(revote_max_before_lottery=0)
    votes = ballots("A", "A", "A", "B", "C")
    step = a.count_elimination_round(ABC, votes, members=FIVE, target=2, params=params)
    assert step.next is ElimNext.LOTTERY
    assert step.lottery == TieNeedsLottery(("B", "C"), 1, "elimination tie")
    done = a.count_elimination_round(
        ABC, votes, members=FIVE, target=2, params=params, drawn=["C"]
    )
    assert (done.eliminated, done.remaining, done.next) == (
        ("B",),
        ("A", "C"),
        ElimNext.DONE,
    )


def test_elimination_after_the_last_round_is_a_plurality():
    cands = ("A", "B", "C", "D", "E")
    step = a.count_elimination_round(
        cands, ballots("A", "B", "C", "D", "A"), members=FIVE, round_no=2, max_rounds=2
    )
    assert step.eliminated == ("E",)
    assert step.next is ElimNext.FINAL_PLURALITY


def test_elimination_with_several_votes_per_member():
    cands = ("A", "B", "C", "D")
    votes = ballots(("A", "B"), ("A", "C"), ("A", "B"), ("B", "C"), ("A", "D"))
    step = a.count_elimination_round(cands, votes, members=FIVE, votes_per_member=2)
    assert dict(step.tally) == {"A": 4, "B": 3, "C": 2, "D": 1}
    assert step.eliminated == ("D",)
    with pytest.raises(a.InvalidBallot, match="exactly 2"):
        a.count_elimination_round(
            cands, ballots("A", "A", "A", "A", "A"), members=FIVE, votes_per_member=2
        )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_rounds": 1}, InvalidParameter),  # 逐轮票决 rounds min 2
        ({"round_no": 3, "max_rounds": 2}, InvalidParameter),
        ({"target": 3}, a.TooFewCandidates),
        ({"votes_per_member": 3}, InvalidParameter),
        ({"round_no": 0}, InvalidValue),
    ],
)
def test_elimination_parameters(kwargs, error):
    with pytest.raises(error):
        a.count_elimination_round(
            ABC, ballots("A", "A", "B", "B", "C"), members=FIVE, **kwargs
        )


# --- (d) cumulative voting ------------------------------------------------------------


def test_cumulative_votes_can_be_stacked():
    # V = 3 − 1 = 2 votes each
    votes = ballots(("A", "A"), ("B", "C"), ("B", "B"), ("C", "A"), ("A",))
    outcome = a.count_cumulative(ABC, votes, members=FIVE)
    assert dict(outcome.tally) == {"A": 4, "B": 3, "C": 2}
    assert outcome.winner == "A"


def test_cumulative_limits_votes_per_member():
    with pytest.raises(a.InvalidBallot, match="at most 2"):
        a.count_cumulative(
            ABC, ballots(("A", "A", "A"), "A", "A", "A", "A"), members=FIVE
        )
    outcome = a.count_cumulative(
        ABC,
        ballots(("A", "A", "A"), "B", "B", "B", None),
        members=FIVE,
        votes_per_member=3,
    )
    assert outcome.revote == Revote(("A", "B"), 1, 1)


# --- (f) direct lottery ---------------------------------------------------------------


def test_direct_lottery_request_and_result():
    outcome = a.direct_lottery(("C", "A", "B"))
    assert not outcome.decided
    assert outcome.lottery == TieNeedsLottery(ABC, 1, "direct lottery (直接抽签)")
    assert a.direct_lottery(ABC, drawn=["B"]).selected == ("B",)
    two = a.direct_lottery(ABC, draw_count=2, second_stage=True, drawn=["C", "A"])
    assert two.selected == ("C", "A")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"draw_count": 3}, InvalidParameter),  # must be < number of candidates
        (
            {"draw_count": 1, "second_stage": True},
            InvalidParameter,
        ),  # > 1 before stage 2
        ({"draw_count": 0}, InvalidValue),
        ({"drawn": ["A", "B"]}, LotteryMismatch),
        ({"drawn": ["Z"]}, LotteryMismatch),
    ],
)
def test_direct_lottery_parameters(kwargs, error):
    with pytest.raises(error):
        a.direct_lottery(ABC, **kwargs)


def test_direct_lottery_needs_two_candidates():
    with pytest.raises(a.TooFewCandidates):
        a.direct_lottery(("A",))


# --- (g) price competition ------------------------------------------------------------

PRICES = {"A": 980_000, "B": 1_000_000, "C": 1_020_000, "D": 1_100_000}


@pytest.mark.parametrize(
    ("method", "n", "winner"),
    [
        (PriceMethod.LOWEST, None, "A"),
        (PriceMethod.SECOND_LOWEST, None, "B"),
        (PriceMethod.NTH_LOWEST, None, "C"),  # default N = 3
        (PriceMethod.NTH_LOWEST, 4, "D"),
        (PriceMethod.NTH_LOWEST, 1, "A"),
        (PriceMethod.CLOSEST_TO_MEAN, None, "C"),  # mean 1 025 000
    ],
)
def test_price_competition_methods(method, n, winner):
    result = a.price_competition(PRICES, method, n=n)
    assert result.winner == winner
    assert result.price_fen == PRICES[winner]


def test_closest_to_mean_reports_the_mean():
    result = a.price_competition(
        {"A": 100, "B": 200, "C": 400}, PriceMethod.CLOSEST_TO_MEAN
    )
    assert result.reference == a.quantize(a.Fraction(700, 3))
    assert result.winner == "B"


def test_equal_prices_go_to_the_lottery():
    prices = {"A": 100, "B": 100, "C": 120}
    result = a.price_competition(prices, PriceMethod.LOWEST)
    assert result.lottery.candidates == ("A", "B")
    assert result.winner is None
    assert a.price_competition(prices, PriceMethod.LOWEST, drawn=["B"]).winner == "B"
    # N-th lowest is positional: the 2nd lowest price is 100 too
    second = a.price_competition(prices, PriceMethod.SECOND_LOWEST)
    assert second.tied == ("A", "B")


def test_nth_lowest_needs_n_candidates():
    with pytest.raises(a.TooFewCandidates):
        a.price_competition({"A": 1, "B": 2}, PriceMethod.NTH_LOWEST)
    with pytest.raises(a.TooFewCandidates):
        a.price_competition({"A": 1}, PriceMethod.SECOND_LOWEST)


@pytest.mark.parametrize("bad", [{}, {"A": 0}, {"A": 1.5}])
def test_price_competition_rejects_bad_prices(bad):
    with pytest.raises((a.TooFewCandidates, InvalidValue)):
        a.price_competition(bad, PriceMethod.LOWEST)


def test_lowest_n_as_a_first_stage():
    assert a.lowest_n(PRICES, 3).selected == ("A", "B", "C")
    tie = a.lowest_n({"A": 1, "B": 2, "C": 2, "D": 3}, 2)
    assert tie.selected == ("A",)
    assert tie.lottery.candidates == ("B", "C")
    assert a.lowest_n({"A": 1, "B": 2, "C": 2, "D": 3}, 2, drawn=["C"]).selected == (
        "A",
        "C",
    )
    with pytest.raises(a.TooFewCandidates):
        a.lowest_n(PRICES, 5)


@pytest.mark.parametrize(
    ("step", "ok"), [(1, True), (979_999, True), (980_000, False), (0, False)]
)
def test_descending_auction_step(step, ok):
    if ok:
        assert a.check_decrement_step(step, PRICES) == step
    else:
        with pytest.raises((InvalidParameter, InvalidValue)):
            a.check_decrement_step(step, PRICES)


# --- (h) collective deliberation ------------------------------------------------------


def test_collective_decision_records_every_opinion():
    members = ("m1", "m2", "m3")
    opinions = [
        a.Opinion(m, c, f"reason {m}") for m, c in zip(members, "ABA", strict=True)
    ]
    decision = a.collective_decision(
        ABC, list(reversed(opinions)), members=members, chair_id="m1", chair_choice="A"
    )
    assert decision.winner == "A"
    assert [o.member_id for o in decision.opinions] == ["m1", "m2", "m3"]


@pytest.mark.parametrize(
    ("opinions", "chair", "choice", "error"),
    [
        ([("m1", "A", "ok"), ("m2", "A", "ok")], "m1", "A", a.MissingBallot),
        (
            [("m1", "A", "ok"), ("m2", "A", " "), ("m3", "A", "ok")],
            "m1",
            "A",
            a.InvalidBallot,
        ),
        (
            [("m1", "A", "ok"), ("m2", "Z", "ok"), ("m3", "A", "ok")],
            "m1",
            "A",
            a.NotACandidate,
        ),
        (
            [("m1", "A", "ok"), ("m1", "B", "ok"), ("m3", "A", "ok")],
            "m1",
            "A",
            a.DuplicateBallot,
        ),
        (
            [("m1", "A", "ok"), ("m2", "A", "ok"), ("m3", "A", "ok")],
            "zz",
            "A",
            UnknownParticipant,
        ),
        (
            [("m1", "A", "ok"), ("m2", "A", "ok"), ("m3", "A", "ok")],
            "m1",
            "Z",
            a.NotACandidate,
        ),
    ],
)
def test_collective_decision_validation(opinions, chair, choice, error):
    with pytest.raises(error):
        a.collective_decision(
            ABC,
            [a.Opinion(*o) for o in opinions],
            members=("m1", "m2", "m3"),
            chair_id=chair,
            chair_choice=choice,
        )


# --- award committee and two-stage plans (§3.2, §3.3) ---------------------------------


@pytest.mark.parametrize(
    ("size", "roster", "ok"),
    [(5, 10, True), (7, 21, True), (4, 10, False), (5, 9, False), (3, 6, False)],
)
def test_award_committee(size, roster, ok):
    if ok:
        a.check_award_committee(size, roster)
    else:
        with pytest.raises(a.InvalidAwardPlan):
            a.check_award_committee(size, roster)


def stage(method, **kwargs):
    return AwardStage(DecisionMethod(method), **kwargs)


@pytest.mark.parametrize(
    ("stage1", "stage2", "n", "entrants"),
    [
        (stage("direct_lottery"), None, 3, 3),
        (stage("plurality"), None, 3, 3),
        (stage("round_elimination", rounds=2), None, 5, 5),
        (stage("vote_then_lottery", finalists=3), None, 5, 5),
        (stage("price_nth_lowest"), None, 3, 3),
        (stage("price_lowest", descending_auction=True, step_fen=100), None, 3, 3),
        (stage("collective"), None, 3, 3),
        # 第N低价 then a lottery drawing ≤ N
        (stage("price_nth_lowest", n=3), stage("direct_lottery"), 5, 3),
        # a lottery of k then 第N低价 with N ≤ k
        (stage("direct_lottery", draw_count=3), stage("price_nth_lowest", n=3), 5, 3),
        (stage("direct_lottery", draw_count=3), stage("price_lowest"), 5, 3),
        (stage("plurality", finalists=3), stage("direct_lottery"), 7, 3),
        (stage("pairwise", finalists=2), stage("price_lowest"), 3, 2),
        (stage("cumulative", finalists=3), stage("collective"), 5, 3),
    ],
)
def test_valid_award_plans(stage1, stage2, n, entrants):
    assert a.check_award_plan(stage1, stage2, n_candidates=n) == entrants


@pytest.mark.parametrize(
    ("stage1", "stage2", "n", "fragment"),
    [
        (stage("direct_lottery", draw_count=3), None, 3, "fewer than the 3"),
        (stage("direct_lottery", draw_count=2), None, 5, "exactly 1"),
        (stage("direct_lottery", draw_count=1), stage("plurality"), 5, "more than 1"),
        (
            stage("direct_lottery", draw_count=3),
            stage("price_nth_lowest", n=4),
            5,
            "N=4",
        ),
        (
            stage("price_nth_lowest", n=3),
            stage("direct_lottery", draw_count=4),
            5,
            "fewer than the 3",
        ),
        (
            stage("price_lowest", descending_auction=True),
            stage("direct_lottery"),
            5,
            "auction",
        ),
        (stage("price_second_lowest"), stage("direct_lottery"), 5, "single winner"),
        (stage("collective"), stage("direct_lottery"), 5, "single winner"),
        (stage("vote_then_lottery"), stage("direct_lottery"), 5, "single winner"),
        (stage("round_elimination", rounds=1), None, 5, "at least 2 rounds"),
        (stage("vote_then_lottery", finalists=5), None, 5, "finalists"),
        (stage("plurality", finalists=1), stage("direct_lottery"), 5, "finalists"),
        (stage("plurality", finalists=3), stage("plurality"), 5, "different methods"),
        (stage("price_nth_lowest", n=6), None, 5, "N=6"),
        (stage("price_nth_lowest", n=1), stage("direct_lottery"), 5, "N >= 2"),
    ],
)
def test_invalid_award_plans(stage1, stage2, n, fragment):
    with pytest.raises(a.InvalidAwardPlan, match=fragment):
        a.check_award_plan(stage1, stage2, n_candidates=n)


def test_award_plan_needs_two_candidates():
    with pytest.raises(a.TooFewCandidates):
        a.check_award_plan(stage("plurality"), n_candidates=1)


def test_award_params_defaults_are_section_8():
    p = a.AwardParams()
    assert (p.n_candidates, p.revote_max_before_lottery) == (3, 2)
    assert (p.elimination_min_rounds, p.nth_lowest_default, p.finalists_default) == (
        2,
        3,
        3,
    )
