"""The committee's arithmetic for one lot, as a pure function of plain values.

conformity (majority per pass/fail item, ★ items reject) → objective agreement (blocks)
→ each expert's total → aggregation (mean or trimmed mean) → price score from the
opening prices (SME-adjusted, low-price-first or average benchmark) → totals → ranking.
No database: the service collects the inputs, so the report can be recomputed by anyone.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from . import rules
from .scoring import PASS_FAIL, scoring_item

D0 = Decimal(0)


@dataclass(frozen=True)
class BidFacts:
    bid_id: int
    org_id: int
    name: str
    price: int  # raw quote, 分, from the opening record
    sme: rules.SmeDeclaration = rules.SmeDeclaration()

    @property
    def key(self) -> str:
        return str(self.bid_id)


@dataclass(frozen=True)
class Cell:
    value: Decimal | None = None
    passed: bool | None = None


@dataclass
class Tabulation:
    conformity: dict[int, rules.ConformityVerdict] = field(default_factory=dict)
    disagreements: list[dict] = field(default_factory=list)
    expert_totals: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    aggregated: dict[int, Decimal] = field(default_factory=dict)
    eval_prices: dict[int, int] = field(default_factory=dict)
    price_scores: dict[int, Decimal] = field(default_factory=dict)
    benchmark: int | None = None
    totals: dict[int, Decimal] = field(default_factory=dict)
    ranking: rules.Ranking | None = None
    item_scores: list[rules.ItemScore] = field(default_factory=list)

    @property
    def ranked_ids(self) -> list[int]:
        return [int(b.bidder_id) for b in self.ranking.bids] if self.ranking else []


def conformity(items: Sequence[dict], bids: Sequence[BidFacts],
               sheets: Mapping[str, Mapping[tuple, Cell]],
               params: rules.EvaluationParams) -> dict[int, rules.ConformityVerdict]:
    """Pass/fail per bid: the majority of members on each item (87号令 Art 61)."""
    gates = [i for i in items if i["kind"] == PASS_FAIL]
    verdicts = {}
    for bid in bids:
        marks = [rules.ConformityItem(
            g["item_id"],
            rules.conformity_majority({m: s[(bid.bid_id, g["item_id"])].passed
                                       for m, s in sheets.items()}, params),
            g.get("key_requirement", False)) for g in gates]
        # A general deviation deducts per the documents; only ★ items reject here.
        verdicts[bid.bid_id] = rules.bid_conformity(marks)
    return verdicts


def _expert_totals(items, bids, sheets, out: Tabulation) -> None:
    scored = [i for i in items if i["kind"] != PASS_FAIL]
    objective = {i["item_id"]: scoring_item(i) for i in scored if i["kind"] == "objective"}
    agreed = {}
    for bid in bids:
        for item_id, item in objective.items():
            values = {m: s[(bid.bid_id, item_id)].value for m, s in sheets.items()}
            try:
                agreed[(bid.bid_id, item_id)] = rules.agreed_objective_score(item, values)
            except rules.ObjectiveScoresDisagree as error:
                out.disagreements.append({"bid_id": bid.bid_id, "item_id": item_id,
                                          "values": {k: str(v) for k, v in
                                                     sorted(error.values.items())}})
    for bid in bids:
        per = {}
        for member, sheet in sheets.items():
            values = [agreed.get((bid.bid_id, i["item_id"]), sheet[(bid.bid_id, i["item_id"])]
                                 .value) for i in scored]
            per[member] = rules.expert_total(v for v in values if v is not None)
            out.item_scores += [rules.ItemScore(member, bid.key, i["item_id"],
                                                sheet[(bid.bid_id, i["item_id"])].value)
                                for i in scored if i["kind"] == "subjective"]
        out.expert_totals[bid.bid_id] = per


def _eval_prices(price: dict, bids, object_type, params, out: Tabulation) -> None:
    """The SME-deducted evaluation prices (§2.5); the raw quote stays the contract price."""
    sme = price.get("sme")
    policy = rules.SmePolicy(Decimal(sme["small_micro_rate"]), Decimal(sme["partnered_rate"]),
                             sme.get("reserved_for_sme", False)) if sme else None
    for bid in bids:
        out.eval_prices[bid.bid_id] = (rules.sme_evaluation_price(
            bid.price, bid.sme, policy, object_type, params) if policy else bid.price)


def _price_scores(price: dict, bids, regime, object_type, params, out: Tabulation) -> None:
    if price.get("formula", "none") == "none" or not bids:
        out.price_scores = {b.bid_id: D0 for b in bids}
        return
    _eval_prices(price, bids, object_type, params, out)
    weight = Decimal(price["weight"])
    if price["formula"] == "low_price_first":
        scores = rules.low_price_first_scores({b.key: out.eval_prices[b.bid_id] for b in bids},
                                              weight)
        out.benchmark = min(out.eval_prices.values())
        out.price_scores = {int(k): v for k, v in scores.items()}
        return
    result = rules.average_benchmark_scores(
        {b.key: out.eval_prices[b.bid_id] for b in bids}, regime=regime,
        full_score=weight * 100,
        coefficient=Decimal(price["coefficient"]) if price.get("coefficient") else None,
        params=params)
    out.benchmark = result.benchmark_fen
    out.price_scores = {int(k): v.score for k, v in result.scores.items()}


def _consultation(price: dict, bids, object_type, params, out: Tabulation, n_candidates,
                  drawn) -> None:
    """磋商 (§2.4): the bids' prices are the final quotes; one rule scores and ranks."""
    _eval_prices(price, bids, object_type, params, out)
    result = rules.consultation_scores(
        [rules.ConsultationBid(b.key, b.price, out.eval_prices[b.bid_id],
                               out.aggregated[b.bid_id]) for b in bids],
        price_weight=Decimal(price["weight"]), drawn=drawn, lottery_within=n_candidates)
    out.benchmark = result.benchmark_fen
    out.price_scores = {int(k): v for k, v in result.price_scores.items()}
    out.totals = {int(k): v for k, v in result.totals.items()}
    out.ranking = result.ranking


def tabulate(*, items: Sequence[dict], price: dict, bids: Sequence[BidFacts],
             sheets: Mapping[str, Mapping[tuple, Cell]], regime: rules.Regime,
             object_type: rules.ObjectType, params: rules.EvaluationParams,
             rejected: frozenset[int] = frozenset(), n_candidates: int = 3,
             drawn: Sequence[Sequence[str]] = (),
             procedure: rules.Procedure = rules.Procedure.TENDER) -> Tabulation:
    """Everything the report states for one lot. Stops after conformity and the objective
    check when objective scores disagree (`disagreements` non-empty, nothing ranked).

    For 磋商 the bids' prices must be the final quotes (最后报价) of the suppliers still
    in; their price score is §2.4's (``rules.consultation_scores``)."""
    out = Tabulation(conformity=conformity(items, bids, sheets, params))
    _expert_totals(items, bids, sheets, out)
    if out.disagreements:
        return out
    passed = [b for b in bids if out.conformity[b.bid_id].passed and b.bid_id not in rejected]
    for bid in passed:
        out.aggregated[bid.bid_id] = rules.aggregate_expert_scores(
            out.expert_totals[bid.bid_id], params)
    if procedure is rules.Procedure.CONSULTATION and passed \
            and price.get("formula") == "low_price_first":
        _consultation(price, passed, object_type, params, out, n_candidates, drawn)
        return out
    _price_scores(price, passed, regime, object_type, params, out)
    for bid in passed:
        out.totals[bid.bid_id] = rules.total_score(out.price_scores[bid.bid_id],
                                                   out.aggregated[bid.bid_id])
    if passed:
        entries = [rules.RankEntry(b.key, out.totals[b.bid_id], b.price,
                                   out.aggregated[b.bid_id]) for b in passed]
        out.ranking = rules.rank_bids(entries, keys=params.ranking_keys, drawn=drawn,
                                      lottery_within=n_candidates)
    return out


def warnings(items: Sequence[dict], tab: Tabulation,
             params: rules.EvaluationParams) -> dict[str, tuple]:
    """The §4.6 flags over the subjective scores; advisory, no score is changed."""
    scoring = [scoring_item(i) for i in items if i["kind"] == "subjective"]
    if not scoring or not tab.item_scores:
        return {"deviation": (), "dispersion": (), "favouritism": (), "joint_high": ()}
    return {
        "deviation": rules.deviation_warnings(tab.item_scores, scoring, params),
        "dispersion": rules.dispersion_flags(tab.item_scores, scoring, params),
        "favouritism": rules.favouritism_flags(tab.item_scores, scoring, params),
        "joint_high": rules.joint_high_flags(tab.item_scores, scoring, params),
    }


def low_price_candidates(bids: Sequence[BidFacts], tab: Tabulation, ceiling: int,
                         params: rules.EvaluationParams) -> dict[int, rules.LowPriceTriggers]:
    """财库〔2026〕2号 triggers over the conformity-passed raw quotes (never SME prices)."""
    passed = {b.key: b.price for b in bids if tab.conformity[b.bid_id].passed}
    if not passed:
        return {}
    found = rules.low_price_review_list(passed, ceiling, params)
    return {int(k): v for k, v in found.items()}


def group_cells(entries) -> dict[str, dict[tuple, Cell]]:
    """(member key, entries) pairs → the sheets mapping `tabulate` takes."""
    sheets: dict[str, dict[tuple, Cell]] = defaultdict(dict)
    for member, entry in entries:
        sheets[member][(entry.bid_id, entry.item_id)] = Cell(entry.value, entry.passed)
    return dict(sheets)
