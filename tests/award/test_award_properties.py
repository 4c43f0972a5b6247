"""Property tests (hypothesis) for trading.award.rules."""

from decimal import Decimal
from fractions import Fraction
from itertools import combinations

from hypo import examples
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from trading.award import rules as a

PROP = settings(deadline=None, max_examples=examples(100), database=None)

amounts = st.integers(min_value=1, max_value=10**12)
offer_lists = st.lists(amounts, min_size=1, max_size=12).map(
    lambda xs: [a.FinalOffer(f"b{i:02d}", x) for i, x in enumerate(xs)]
)
references = st.sampled_from(list(a.Reference))
winner_rules = st.sampled_from(list(a.WinnerRule))
breakers = st.sampled_from(
    [a.TieBreaker.LOTTERY, a.TieBreaker.LOWER, a.TieBreaker.HIGHER]
)


def settle(result, call):
    """Run the lotteries the way the service would: the engine may pick any candidates."""
    draws = []
    while result.lottery is not None:
        draws.append(result.lottery.candidates[-result.lottery.draw_count:])
        result = call(draws=draws)
    return result


# --- final offer ----------------------------------------------------------------------


@PROP
@given(offer_lists, references, winner_rules, breakers)
def test_final_offer_winner_is_a_valid_offer(offers, reference, rule, breaker):
    params = a.FinalOfferParams(
        reference=reference, winner_rule=rule, tie_breaker=breaker
    )
    result = settle(
        a.final_offer_winner(offers, params),
        lambda **kw: a.final_offer_winner(offers, params, **kw),
    )
    assert result.outcome is a.FinalOfferOutcome.WINNER
    by_id = {o.bidder_id: o.amount_fen for o in offers}
    assert result.winner_id in by_id
    assert result.winner_id not in result.cannot_win
    assert result.price_fen == by_id[result.winner_id]


@PROP
@given(offer_lists)
def test_mean_all_winner_is_closest_to_the_mean(offers):
    result = settle(
        a.final_offer_winner(offers), lambda **kw: a.final_offer_winner(offers, **kw)
    )
    mean = Fraction(sum(o.amount_fen for o in offers), len(offers))
    best = min(abs(o.amount_fen - mean) for o in offers)
    assert abs(result.price_fen - mean) == best
    assert min(o.amount_fen for o in offers) <= result.reference + Decimal("0.005")
    assert result.reference - Decimal("0.005") <= max(o.amount_fen for o in offers)


@PROP
@given(offer_lists, references, winner_rules, st.data())
def test_final_offer_ignores_input_order(offers, reference, rule, data):
    params = a.FinalOfferParams(reference=reference, winner_rule=rule)
    shuffled = data.draw(st.permutations(offers))
    assert a.final_offer_winner(offers, params) == a.final_offer_winner(
        shuffled, params
    )


tie_prone = st.lists(st.integers(1, 4), min_size=2, max_size=6).map(
    lambda xs: [a.FinalOffer(f"b{i}", x) for i, x in enumerate(xs)]
)


@PROP
@given(tie_prone, st.data())
def test_any_drawn_tied_candidate_wins(offers, data):
    result = a.final_offer_winner(offers)
    if result.lottery is None:
        assert result.winner_id is not None
        return
    pick = data.draw(st.sampled_from(result.lottery.candidates))
    assert a.final_offer_winner(offers, drawn=[pick]).winner_id == pick


@PROP
@given(amounts, st.integers(min_value=2, max_value=10))
def test_all_equal_offers_are_all_tied(amount, n):
    offers = [a.FinalOffer(f"b{i}", amount) for i in range(n)]
    result = a.final_offer_winner(offers)
    assert result.lottery.candidates == tuple(sorted(o.bidder_id for o in offers))


@PROP
@given(offer_lists, amounts, amounts)
def test_offers_outside_the_bounds_never_win(offers, x, y):
    floor, ceiling = min(x, y), max(x, y)
    result = a.final_offer_winner(offers, floor_fen=floor, ceiling_fen=ceiling)
    result = settle(
        result,
        lambda **kw: a.final_offer_winner(
            offers, floor_fen=floor, ceiling_fen=ceiling, **kw
        ),
    )
    rejected = {r.bidder_id for r in result.rejected}
    assert all(
        not floor <= o.amount_fen <= ceiling for o in offers if o.bidder_id in rejected
    )
    if result.winner_id is not None:
        assert result.winner_id not in rejected
        assert floor <= result.price_fen <= ceiling


@PROP
@given(
    st.lists(amounts, min_size=3, max_size=10),
    st.sampled_from(["0.95", "0.96", "0.97", "0.98"]),
)
def test_supermarket_winner_is_never_a_dropped_extreme(values, k):
    params = a.FinalOfferParams(
        reference=a.Reference.TRIMMED_MEAN,
        trim_min_n=3,
        coefficient_set=tuple(Decimal(c) for c in ("0.95", "0.96", "0.97", "0.98")),
        round_reference_to_fen=True,
    )
    offers = [a.FinalOffer(f"b{i}", v) for i, v in enumerate(values)]
    result = settle(
        a.final_offer_winner(offers, params, coefficient=Decimal(k)),
        lambda **kw: a.final_offer_winner(offers, params, coefficient=Decimal(k), **kw),
    )
    assert result.winner_id not in result.cannot_win
    assert result.reference == result.reference.to_integral_value()  # whole 分


# --- votes ----------------------------------------------------------------------------

cands = st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=7, unique=True)


@st.composite
def vote_rounds(draw):
    candidates = draw(cands)
    n = draw(st.integers(min_value=1, max_value=9))
    members = [f"m{i}" for i in range(n)]
    choice = st.one_of(st.none(), st.sampled_from(candidates))
    picks = [draw(choice) for _ in members]
    ballots = [
        a.MemberBallot(m, () if c is None else (c,))
        for m, c in zip(members, picks, strict=True)
    ]
    return candidates, members, ballots


@PROP
@given(vote_rounds(), st.integers(0, 3), st.data())
def test_plurality_selects_top_vote_getters(round_, revote_no, data):
    candidates, members, ballots = round_
    seats = data.draw(st.integers(min_value=1, max_value=len(candidates)))
    outcome = a.count_plurality(
        candidates, ballots, members=members, seats=seats, revote_no=revote_no
    )
    votes = dict(outcome.tally)
    assert sorted(votes) == sorted(candidates)
    assert sum(votes.values()) + outcome.invalid == len(members)
    others = [c for c in candidates if c not in outcome.selected]
    for chosen in outcome.selected:
        assert all(votes[chosen] > votes[o] for o in others)
    pending = outcome.revote or outcome.lottery
    if pending is None:
        assert len(outcome.selected) == seats
    else:
        assert len(outcome.selected) < seats
        tied = outcome.revote.among if outcome.revote else outcome.lottery.candidates
        assert len({votes[c] for c in tied}) == 1


@PROP
@given(vote_rounds(), st.data())
def test_plurality_ignores_ballot_and_candidate_order(round_, data):
    candidates, members, ballots = round_
    first = a.count_plurality(candidates, ballots, members=members)
    again = a.count_plurality(
        data.draw(st.permutations(candidates)),
        data.draw(st.permutations(ballots)),
        members=data.draw(st.permutations(members)),
    )
    assert first == again


@PROP
@given(vote_rounds())
def test_elimination_partitions_the_candidates(round_):
    candidates, members, ballots = round_
    assume(len(candidates) >= 2)
    step = a.count_elimination_round(candidates, ballots, members=members)
    assert set(step.eliminated) | set(step.remaining) == set(candidates)
    assert not set(step.eliminated) & set(step.remaining)
    assert len(step.remaining) >= 1
    if step.eliminated:
        votes = dict(step.tally)
        assert max(votes[c] for c in step.eliminated) <= min(
            votes[c] for c in step.remaining
        )


@st.composite
def pairwise_rounds(draw):
    candidates = draw(
        st.lists(st.sampled_from("ABCDE"), min_size=2, max_size=5, unique=True)
    )
    members = [f"m{i}" for i in range(draw(st.integers(1, 5)))]
    prefs = [
        a.PairPreference(m, x, y, draw(st.sampled_from((x, y))))
        for m in members
        for x, y in combinations(sorted(candidates), 2)
    ]
    return candidates, members, prefs


@PROP
@given(pairwise_rounds(), st.data())
def test_pairwise_winner_has_most_wins_and_order_does_not_matter(round_, data):
    candidates, members, prefs = round_
    result = a.count_pairwise(candidates, prefs, members=members)
    again = a.count_pairwise(
        data.draw(st.permutations(candidates)),
        data.draw(st.permutations(prefs)),
        members=members,
    )
    assert result == again
    wins = dict(result.wins)
    top = max(wins.values())
    chosen = [result.winner] if result.winner else list(result.lottery.candidates)
    assert all(wins[c] == top for c in chosen)


# --- price competition ----------------------------------------------------------------

price_maps = st.dictionaries(
    st.sampled_from("ABCDEFGH"), st.integers(1, 50), min_size=1, max_size=8
)


@PROP
@given(price_maps, st.sampled_from(list(a.PriceMethod)), st.data())
def test_price_competition_winner_is_a_candidate_at_the_right_price(
    prices, method, data
):
    n = data.draw(st.integers(1, len(prices)))
    if method is a.PriceMethod.SECOND_LOWEST:
        assume(len(prices) >= 2)
    result = a.price_competition(prices, method, n=n)
    shuffled = dict(data.draw(st.permutations(list(prices.items()))))
    assert a.price_competition(shuffled, method, n=n) == result
    if result.lottery:
        result = a.price_competition(
            prices, method, n=n, drawn=[result.lottery.candidates[0]]
        )
    assert result.winner in prices
    ordered = sorted(prices.values())
    expected = {
        a.PriceMethod.LOWEST: ordered[0],
        a.PriceMethod.SECOND_LOWEST: ordered[min(1, len(ordered) - 1)],
        a.PriceMethod.NTH_LOWEST: ordered[n - 1],
    }.get(method)
    if expected is not None:
        assert result.price_fen == expected


@PROP
@given(price_maps, st.data())
def test_lowest_n_keeps_exactly_the_cheapest(prices, data):
    n = data.draw(st.integers(1, len(prices)))
    outcome = a.lowest_n(prices, n)
    if outcome.lottery:
        picks = outcome.lottery.candidates[: outcome.lottery.draw_count]
        outcome = a.lowest_n(prices, n, drawn=picks)
    assert len(outcome.selected) == n
    kept = sorted(prices[c] for c in outcome.selected)
    assert kept == sorted(prices.values())[:n]
