"""Pure evaluation rules (评标 / 评审规则): no database, no request, no I/O.

Everything here is a function of plain values (ints, Decimals, tuples, frozen
dataclasses), so services, jobs, the public verifier and the tests all compute the same
thing. Section numbers (§) refer to ``shared/domain/rules.md``.

Conventions (the rules kernel's: trading/rules, errors.py, values.py, lottery.py)
----------------------------------------------------------------------------------
* **Money** is ``int`` minor units (分). Floats are refused everywhere
  (``InvalidValue``). A price derived by a rule (SME evaluation price, 评标基准价) is
  rounded to the 分 with ROUND_HALF_UP, like every price the platform shows.
* **Scores and ratios** are ``Decimal``. Intermediate arithmetic is exact
  (``fractions.Fraction``) and a published score is rounded exactly once, by
  :func:`quantize` (2 dp, ROUND_HALF_UP) — the one place for that rule (§0.3.4).
  Legal ratios with no finite decimal form (the 2/3 expert share, the 1/2 majority) are
  ``Fraction`` so that 6 experts out of 9 is exactly 2/3.
* **Ids** (bidders, experts, items, candidates) are non-empty ``str``; the draw engine
  uses string ids too.
* **Errors**: every invalid input raises a subclass of :class:`RuleError` (itself a
  ``ValueError``, ``trading.rules.errors``) with a message that names the offending
  value; ``trading.award.rules`` uses the same hierarchy.

Randomness (one design, used by both rule modules)
---------------------------------------------------
No rule function draws, shuffles or calls ``random``. When chance has to decide (a tie
that the profile's tie-break keys cannot split, a direct lottery, a random coefficient),
the function returns a :class:`TieNeedsLottery` (``trading.rules.lottery``) describing
the draw: ``candidates`` (sorted, the canonical frozen list to hand to
``trading.draws``) and ``draw_count`` (how many positions of the draw order are needed).
The service runs the verifiable draw engine (commit, beacon, reveal) — possibly hours
later — and then **calls the same function again with identical inputs plus** ``drawn=``
(the engine's ordered picks). The function checks the picks with
``trading.draws.lottery.resolve_tie`` (right count, distinct, all among the candidates;
otherwise ``LotteryMismatch``) and completes. A rule result is therefore a pure function
of ``(inputs, drawn)``, which is what makes it recomputable by anyone.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from trading.draws.lottery import LotteryMismatch, resolve_tie
from trading.projects.kinds import ObjectType, Regime
from trading.rules.best_price import drop_extremes
from trading.rules.errors import (
    DuplicateEntry,
    EmptyInput,
    ForbiddenInRegime,
    InvalidParameter,
    InvalidValue,
    RuleError,
    UnknownParticipant,
)
from trading.rules.lottery import TieNeedsLottery
from trading.rules.values import (
    as_count,
    as_ids,
    as_money,
    as_score,
    quantize,
    round_to_fen,
)

_ZERO = Decimal(0)


# --- errors ---------------------------------------------------------------------------


class CommitteeCompositionError(RuleError):
    """The committee breaks §4.1; ``problems`` lists every violation found."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class ScoreOutOfRange(RuleError):
    """An expert's score lies outside the scoring item's [min, max]."""


class ScoreOffStep(RuleError):
    """An expert's score is not on the item's step or allowed levels (档次)."""


class ObjectiveScoresDisagree(RuleError):
    """Experts disagree on an objective item (客观分不一致, 87号令 Art 64)."""

    def __init__(self, item_id: str, values: Mapping[str, Decimal]):
        self.item_id = item_id
        self.values = dict(values)
        shown = ", ".join(f"{e}={v}" for e, v in sorted(self.values.items()))
        super().__init__(f"objective item {item_id!r}: experts disagree ({shown})")


# --- shared value helpers -------------------------------------------------------------


def _ratio(value: object, what: str) -> Fraction:
    """A weight or ratio as an exact Fraction; Decimal, int or Fraction accepted."""
    if isinstance(value, Fraction):
        return value
    return Fraction(as_score(value, what))


def _mean(values: Sequence[Fraction | Decimal | int]) -> Fraction:
    return sum((Fraction(v) for v in values), Fraction(0)) / len(values)


# --- lotteries (see the module docstring) ---------------------------------------------


# --- vocabulary -----------------------------------------------------------------------


class Procedure(enum.StrEnum):
    TENDER = "tender"  # 公开招标 / 邀请招标
    CONSULTATION = "consultation"  # 竞争性磋商 (财库〔2014〕214号)
    NEGOTIATION = "negotiation"  # 竞争性谈判
    INQUIRY = "inquiry"  # 询价

    @property
    def is_tender(self) -> bool:
        return self is Procedure.TENDER


class TieKey(enum.StrEnum):
    """One ranking key; a profile lists them in order (§2.2, §4.5)."""

    TOTAL_DESC = "total_desc"  # 总分高者优先
    PRICE_ASC = "price_asc"  # 报价低者优先
    TECH_DESC = "tech_desc"  # 技术指标优者优先 (approximated by the technical score)


# Ranking key lists for the common evaluation methods.
RANK_COMPREHENSIVE = (TieKey.TOTAL_DESC, TieKey.PRICE_ASC)  # 综合评分法, 87号令 Art 57
RANK_CONSULTATION = (TieKey.TOTAL_DESC, TieKey.PRICE_ASC, TieKey.TECH_DESC)  # 214号
RANK_LOWEST_PRICE = (TieKey.PRICE_ASC,)  # 最低评标价法, 87号令 Art 56


# --- parameters (RuleProfile values, §8 defaults) -------------------------------------

# 财库〔2026〕2号 sets these trigger ratios; purchasers may only raise them (to
# max_ratio).
LOWPRICE_STATUTORY_MIN = {
    "lowprice_ratio_avg": Decimal("0.50"),
    "lowprice_ratio_second": Decimal("0.50"),
    "lowprice_ratio_ceiling": Decimal("0.45"),
}


@dataclass(frozen=True)
class EvaluationParams:
    """The evaluation part of a RuleProfile; defaults are §8 of the domain rules.

    ``PROFILE_KEYS`` maps each §8 key to its field, for persisting profiles. Fields
    marked [P] have no legal source and must be confirmed with the trading center.
    """

    # committee (§4.1)
    committee_min_size_tender: int = 5  # works / GP tender, ≥5 odd
    committee_min_size_gp_large: int = 7  # GP ≥1000万 / complex / social impact
    committee_min_size_water_works: int = 7  # water-conservancy works [I]
    committee_min_size_non_tender: int = 3  # 磋商 / 谈判 / 询价
    committee_expert_ratio_min: Fraction = Fraction(2, 3)
    gp_large_budget_fen: int = 1_000_000_000  # 1000万元 in 分
    # pass/fail review (§4.4): pass when the share of "pass" votes is strictly above
    # this
    pass_threshold: Fraction = Fraction(1, 2)
    # aggregation and warnings (§4.5, §4.6)
    trim_when_experts_gte: int = 7
    subjective_dev_warn: Decimal = Decimal("0.30")
    dispersion_warn: Decimal = Decimal("0.30")  # [P] range of totals / max total
    favouritism_warn: Decimal = Decimal("0.10")  # [P] signed deviation / max total
    joint_high_min_experts: int = 3  # [I] ≥3 experts jointly high on one bidder
    # price weights (§2.2, 87号令 Art 55)
    consult_price_weight_goods: tuple[Decimal, Decimal] = (
        Decimal("0.30"),
        Decimal("0.60"),
    )
    consult_price_weight_services: tuple[Decimal, Decimal] = (
        Decimal("0.10"),
        Decimal("0.30"),
    )
    gp_price_weight_min_goods: Decimal = Decimal("0.30")
    gp_price_weight_min_services: Decimal = Decimal("0.10")
    # works average benchmark (§1.4, Gansu CalcQuoteScoreUtil [I])
    works_trim_when_more_than: int = 3  # drop 1 high + 1 low when n > 3
    works_penalty_above_per_pct: Decimal = Decimal("1")  # [P] points per 1 % above
    works_penalty_below_per_pct: Decimal = Decimal("0.5")  # [P] points per 1 % below
    # abnormally low prices (§4.7)
    lowprice_ratio_avg: Decimal = Decimal("0.50")
    lowprice_ratio_second: Decimal = Decimal("0.50")
    lowprice_ratio_ceiling: Decimal = Decimal("0.45")
    lowprice_max_ratio: Decimal = Decimal("0.65")
    lowprice_explanation_min_minutes: int = 30
    # the report (§4.4): after this many hours a member who neither signed nor stated a
    # dissent with reasons is recorded as agreeing (实施条例 Art 53, 87号令 Art 61) [P]
    report_signing_hours: int = 24
    # SME price deduction (§2.5)
    sme_small_goods_services: tuple[Decimal, Decimal] = (
        Decimal("0.10"),
        Decimal("0.20"),
    )
    sme_small_works: tuple[Decimal, Decimal] = (Decimal("0.03"), Decimal("0.05"))
    sme_partnered_goods_services: tuple[Decimal, Decimal] = (
        Decimal("0.04"),
        Decimal("0.06"),
    )
    sme_partnered_works: tuple[Decimal, Decimal] = (Decimal("0.01"), Decimal("0.02"))
    sme_share_gate: Decimal = Decimal("0.30")
    # ranking (§4.5)
    ranking_keys: tuple[TieKey, ...] = RANK_COMPREHENSIVE
    # minimum counts (§7.10)
    min_bidders: int = 3
    invitation_list_factor: int = 2  # list ≥ 2 × number drawn (87号令 Art 14)
    invitation_min_witnesses: int = 2

    def __post_init__(self) -> None:
        for name in (
            "committee_min_size_tender",
            "committee_min_size_gp_large",
            "committee_min_size_water_works",
            "committee_min_size_non_tender",
            "trim_when_experts_gte",
            "report_signing_hours",
            "min_bidders",
            "invitation_list_factor",
        ):
            as_count(getattr(self, name), name, minimum=1)
        as_count(self.works_trim_when_more_than, "works_trim_when_more_than", minimum=2)
        as_money(self.gp_large_budget_fen, "gp_large_budget_fen")
        for name in (
            "committee_expert_ratio_min",
            "pass_threshold",
            "subjective_dev_warn",
            "dispersion_warn",
            "favouritism_warn",
        ):
            if not 0 <= _ratio(getattr(self, name), name) <= 1:
                raise InvalidParameter(f"{name} must lie in [0, 1]")
        for name, low in LOWPRICE_STATUTORY_MIN.items():
            value = as_score(getattr(self, name), name)
            if not low <= value <= self.lowprice_max_ratio:
                raise InvalidParameter(
                    f"{name}={value} must lie in [{low}, {self.lowprice_max_ratio}]"
                    " (财库〔2026〕2号: purchasers may only raise the ratio)"
                )
        for name in (
            "consult_price_weight_goods",
            "consult_price_weight_services",
            "sme_small_goods_services",
            "sme_small_works",
            "sme_partnered_goods_services",
            "sme_partnered_works",
        ):
            low, high = getattr(self, name)
            if not 0 <= as_score(low, name) <= as_score(high, name) <= 1:
                raise InvalidParameter(f"{name} must be a range within [0, 1]")
        if not self.ranking_keys:
            raise InvalidParameter("ranking_keys must name at least one key")


DEFAULT_EVALUATION = EvaluationParams()

PROFILE_KEYS = {  # §8 key -> EvaluationParams field
    "committee.min_size.tender": "committee_min_size_tender",
    "committee.min_size.gp_large": "committee_min_size_gp_large",
    "committee.min_size.non_tender": "committee_min_size_non_tender",
    "committee.expert_ratio_min": "committee_expert_ratio_min",
    "scores.trim_when_experts_gte": "trim_when_experts_gte",
    "scores.subjective_dev_warn": "subjective_dev_warn",
    "consult.price_weight_range.goods": "consult_price_weight_goods",
    "consult.price_weight_range.services": "consult_price_weight_services",
    "gp.price_weight_min.goods": "gp_price_weight_min_goods",
    "gp.price_weight_min.services": "gp_price_weight_min_services",
    "lowprice.ratio_avg": "lowprice_ratio_avg",
    "lowprice.ratio_second": "lowprice_ratio_second",
    "lowprice.ratio_ceiling": "lowprice_ratio_ceiling",
    "lowprice.max_ratio": "lowprice_max_ratio",
    "lowprice.explanation_min_minutes": "lowprice_explanation_min_minutes",
    "report.signing_hours": "report_signing_hours",
    "sme.deduction_goods_services": "sme_small_goods_services",
    "sme.deduction_consortium": "sme_partnered_goods_services",
    "sme.share_gate": "sme_share_gate",
}


# --- committee composition (§4.1) -----------------------------------------------------


class MemberRole(enum.StrEnum):
    """A committee seat's role: the rules' and the `committee_members.role` column's."""

    EXPERT = "expert"  # 评审专家 / 评标专家
    OWNER_REP = "owner_rep"  # 招标人代表 / 采购人代表
    AGENCY_STAFF = "agency_staff"  # 代理机构工作人员 — never allowed to sit


@dataclass(frozen=True)
class Seat:
    """A seat on the committee as the composition rules see it (the row is
    `evaluation.models.CommitteeMember`)."""

    member_id: str
    role: MemberRole
    is_chair: bool = False  # 组长


@dataclass(frozen=True)
class ProjectScale:
    """Facts that raise the minimum committee size."""

    budget_fen: int | None = None
    technically_complex: bool = False  # 技术复杂
    large_social_impact: bool = False  # 社会影响较大
    water_conservancy: bool = False  # 水利工程 (sector rule)


@dataclass(frozen=True)
class CommitteeSummary:
    size: int
    experts: int
    min_size: int


def committee_min_size(
    regime: Regime,
    procedure: Procedure,
    scale: ProjectScale = ProjectScale(),
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> int:
    """Minimum committee size for the regime, procedure and project scale (§4.1)."""
    if not procedure.is_tender:  # 214号 Art 14 and the 74号令 methods
        return params.committee_min_size_non_tender
    if regime is Regime.TENDERING:
        if scale.water_conservancy:
            return params.committee_min_size_water_works
        return params.committee_min_size_tender
    large_budget = (
        scale.budget_fen is not None
        and as_money(scale.budget_fen, "budget", positive=False)
        >= params.gp_large_budget_fen
    )
    if large_budget or scale.technically_complex or scale.large_social_impact:
        return params.committee_min_size_gp_large  # 87号令 Art 47
    return params.committee_min_size_tender


def check_committee(
    members: Sequence[Seat],
    *,
    regime: Regime,
    procedure: Procedure,
    scale: ProjectScale = ProjectScale(),
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> CommitteeSummary:
    """Check size, oddness, expert share and chair; report every problem at once."""
    if not members:
        raise EmptyInput("the committee has no members")
    as_ids((m.member_id for m in members), "committee member")
    size = len(members)
    experts = sum(m.role is MemberRole.EXPERT for m in members)
    min_size = committee_min_size(regime, procedure, scale, params)
    problems = []
    if any(m.role is MemberRole.AGENCY_STAFF for m in members):
        problems.append("agency staff may not sit on the committee")
    if size < min_size:
        problems.append(f"{size} members, at least {min_size} required")
    if size % 2 == 0:
        problems.append(f"{size} members, the committee must be odd")
    if Fraction(experts, size) < _ratio(params.committee_expert_ratio_min, "ratio"):
        problems.append(
            f"{experts} experts of {size}, experts must be at least "
            f"{params.committee_expert_ratio_min} of the committee"
        )
    problems += _chair_problems(members, regime)
    if problems:
        raise CommitteeCompositionError(problems)
    return CommitteeSummary(size=size, experts=experts, min_size=min_size)


def _chair_problems(members: Sequence[Seat], regime: Regime) -> list[str]:
    chairs = [m for m in members if m.is_chair]
    problems = []
    if len(chairs) > 1:
        problems.append(f"{len(chairs)} chairs, at most one")
    # 87号令 Art 45: the purchaser's representative may not chair in 政府采购.
    if regime is Regime.GOVERNMENT_PROCUREMENT and any(
        c.role is MemberRole.OWNER_REP for c in chairs
    ):
        problems.append("the purchaser representative may not chair (87号令 Art 45)")
    return problems


@dataclass(frozen=True)
class ChairElection:
    chair: str | None  # None: not decided yet (or a lottery is pending)
    tally: Mapping[str, int]
    lottery: TieNeedsLottery | None = None


def elect_chair(
    votes: Mapping[str, str],
    members: Sequence[str],
    *,
    drawn: Sequence[str] | None = None,
) -> ChairElection:
    """推选组长 (§4.1: elected by the committee; the chair has one equal vote).

    ``votes`` maps each member who voted to the member voted for. More than half of the
    members' votes elects at once; once every member has voted, the plurality does; a tie
    at the top goes to a lottery among the tied (pass the engine's pick back in
    ``drawn``). Who may stand (not the purchaser's representative in 政府采购) is
    ``check_committee``'s and the service's to refuse before a vote is counted.
    """
    ids = as_ids(members, "committee member")
    for voter, candidate in votes.items():
        if voter not in ids or candidate not in ids:
            raise UnknownParticipant(f"vote {voter!r} → {candidate!r} outside the committee")
    tally = dict(sorted(Counter(votes.values()).items()))
    if not tally:
        return ChairElection(None, tally)
    top = max(tally.values())
    leaders = tuple(c for c, n in tally.items() if n == top)
    if 2 * top > len(ids) or (len(votes) == len(ids) and len(leaders) == 1):
        return ChairElection(leaders[0], tally)
    if len(votes) < len(ids):
        return ChairElection(None, tally)
    request = TieNeedsLottery(leaders, 1, "chair election tie (组长推选票数相同)")
    if drawn is None:
        return ChairElection(None, tally, lottery=request)
    return ChairElection(resolve_tie(request, drawn)[0], tally)


# --- pass/fail review (符合性审查, §4.4) ----------------------------------------------


def conformity_majority(
    votes: Mapping[str, bool], params: EvaluationParams = DEFAULT_EVALUATION
) -> bool:
    """Committee verdict on one pass/fail item: pass iff passes/total > threshold."""
    if not votes:
        raise EmptyInput("no expert has voted on this pass/fail item")
    for expert, vote in votes.items():
        if not isinstance(vote, bool):
            raise InvalidValue(
                f"expert {expert!r} vote must be True/False, got {vote!r}"
            )
    passes = sum(votes.values())
    return Fraction(passes, len(votes)) > _ratio(params.pass_threshold, "threshold")


@dataclass(frozen=True)
class ConformityItem:
    item_id: str
    passed: bool  # the committee verdict (see conformity_majority)
    key_requirement: bool = False  # ★ 实质性要求


@dataclass(frozen=True)
class ConformityVerdict:
    passed: bool
    failed_key_items: tuple[str, ...]
    general_deviations: tuple[str, ...]


def bid_conformity(
    items: Sequence[ConformityItem], *, max_general_deviations: int | None = None
) -> ConformityVerdict:
    """A bid fails on any ★ item, or on more general deviations than allowed."""
    as_ids((i.item_id for i in items), "conformity item")
    failed_key = tuple(
        sorted(i.item_id for i in items if not i.passed and i.key_requirement)
    )
    general = tuple(
        sorted(i.item_id for i in items if not i.passed and not i.key_requirement)
    )
    too_many = max_general_deviations is not None and len(general) > as_count(
        max_general_deviations, "max_general_deviations"
    )
    return ConformityVerdict(
        passed=not failed_key and not too_many,
        failed_key_items=failed_key,
        general_deviations=general,
    )


# --- scoring items (§4.4, §4.4b) ------------------------------------------------------


class ItemKind(enum.StrEnum):
    OBJECTIVE = "objective"  # 客观分: every expert must agree
    SUBJECTIVE = "subjective"  # 主观分: scored independently


@dataclass(frozen=True)
class ScoringItem:
    """One factor of the published scoring sheet (评分表)."""

    item_id: str
    kind: ItemKind
    max_score: Decimal
    min_score: Decimal = _ZERO
    step: Decimal | None = None  # e.g. 0.5: allowed scores are min + k·step
    allowed_values: tuple[Decimal, ...] = ()  # fixed levels (档次) instead of a step

    def __post_init__(self) -> None:
        low = as_score(self.min_score, "min_score")
        high = as_score(self.max_score, "max_score")
        if not 0 <= low < high:
            raise InvalidParameter(f"item {self.item_id!r}: need 0 <= min < max")
        if self.step is not None and as_score(self.step, "step") <= 0:
            raise InvalidParameter(f"item {self.item_id!r}: step must be > 0")
        for level in self.allowed_values:
            if not low <= as_score(level, "allowed value") <= high:
                raise InvalidParameter(
                    f"item {self.item_id!r}: level {level} out of range"
                )


def validate_item_score(item: ScoringItem, value: object) -> Decimal:
    """Return the score if it is within the item's range and on its step or levels."""
    score = as_score(value, f"score on {item.item_id!r}")
    if not item.min_score <= score <= item.max_score:
        raise ScoreOutOfRange(
            f"score {score} on {item.item_id!r} outside "
            f"[{item.min_score}, {item.max_score}]"
        )
    if item.allowed_values and score not in item.allowed_values:
        levels = ", ".join(str(v) for v in item.allowed_values)
        raise ScoreOffStep(f"score {score} on {item.item_id!r} is not one of {levels}")
    if item.step is not None and (score - item.min_score) % item.step != 0:
        raise ScoreOffStep(
            f"score {score} on {item.item_id!r} is not on the {item.step} step"
        )
    return score


def agreed_objective_score(item: ScoringItem, scores: Mapping[str, object]) -> Decimal:
    """The one score all experts gave on an objective item; block aggregation if not."""
    if item.kind is not ItemKind.OBJECTIVE:
        raise InvalidParameter(f"item {item.item_id!r} is not objective")
    if not scores:
        raise EmptyInput(f"no expert scored objective item {item.item_id!r}")
    checked = {e: validate_item_score(item, v) for e, v in scores.items()}
    if len(set(checked.values())) > 1:
        raise ObjectiveScoresDisagree(item.item_id, checked)
    return next(iter(checked.values()))


def expert_total(scores: Iterable[object]) -> Decimal:
    """Sum of one expert's item scores for one bidder (exact, no rounding)."""
    return sum((as_score(v, "item score") for v in scores), _ZERO)


# --- aggregation (§4.5) ---------------------------------------------------------------


def trims_expert_scores(
    expert_count: int, params: EvaluationParams = DEFAULT_EVALUATION
) -> bool:
    """Whether the highest and lowest expert scores are dropped for this many."""
    return as_count(expert_count, "expert_count") >= params.trim_when_experts_gte


def aggregate_expert_scores(
    scores: Mapping[str, object], params: EvaluationParams = DEFAULT_EVALUATION
) -> Decimal:
    """Committee score of one bidder: the mean of the experts' scores, trimmed once
    there are ``trim_when_experts_gte`` experts.

    Keyed by expert so nobody counts twice. Only expert scores are ever trimmed — never
    prices in 政府采购 (87号令 Art 55).
    """
    if not scores:
        raise EmptyInput("no expert scores to aggregate")
    values = [as_score(v, f"score of expert {e!r}") for e, v in scores.items()]
    if trims_expert_scores(len(values), params):
        values = drop_extremes(values)
    return quantize(_mean(values))


def total_score(price_score: object, other_scores: object) -> Decimal:
    """Comprehensive total (综合得分) = price score + aggregated other scores, 2 dp."""
    return quantize(
        as_score(price_score, "price score") + as_score(other_scores, "score")
    )


# --- price scores ---------------------------------------------------------------------


def check_price_weight(
    weight: object,
    *,
    regime: Regime,
    procedure: Procedure,
    object_type: ObjectType,
    finance_approved: bool = False,
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> Decimal:
    """Check the price weight (价格权值, a fraction of 100 points) against §2.2 /
    87号令.

    磋商: goods 30–60 %, services 10–30 %, outside only with the local finance
    department's approval. GP tender: goods ≥ 30 %, services ≥ 10 %. Mixed projects use
    the category with the largest budget share (the caller picks ``object_type``).
    """
    w = as_score(weight, "price weight")
    if not 0 < w <= 1:
        raise InvalidParameter(f"price weight {w} must lie in (0, 1]")
    if regime is not Regime.GOVERNMENT_PROCUREMENT or object_type is ObjectType.WORKS:
        return w
    goods = object_type is ObjectType.GOODS
    if procedure is Procedure.CONSULTATION:
        low, high = (
            params.consult_price_weight_goods
            if goods
            else params.consult_price_weight_services
        )
        if not low <= w <= high and not finance_approved:
            raise InvalidParameter(
                f"磋商 price weight {w} for {object_type} must lie in [{low}, {high}]"
                " unless approved by the finance department (214号 Art 24)"
            )
    elif procedure is Procedure.TENDER:
        low = (
            params.gp_price_weight_min_goods
            if goods
            else params.gp_price_weight_min_services
        )
        if w < low:
            raise InvalidParameter(
                f"price weight {w} for {object_type} must be >= {low} (87号令 Art 55)"
            )
    return w


def low_price_first_scores(
    eval_prices: Mapping[str, int], price_weight: object
) -> dict[str, Decimal]:
    """低价优先法: 基准价 = lowest evaluation price; score = 基准价/price × weight ×
    100.

    Mandatory in 政府采购 (87号令 Art 55, 214号 Art 24): no dropping of highest/lowest
    prices. ``eval_prices`` are the SME-adjusted evaluation prices (§2.5).
    """
    if not eval_prices:
        raise EmptyInput("no prices to score")
    prices = {b: as_money(p, f"price of {b!r}") for b, p in eval_prices.items()}
    full = _ratio(price_weight, "price weight") * 100
    if not 0 < full <= 100:
        raise InvalidParameter(f"price weight {price_weight} must lie in (0, 1]")
    base = min(prices.values())  # 评标基准价 / 磋商基准价
    return {b: quantize(Fraction(base, p) * full) for b, p in prices.items()}


@dataclass(frozen=True)
class BenchmarkScore:
    score: Decimal
    deviation_pct: Decimal  # (price − base) / base × 100, 2 dp


@dataclass(frozen=True)
class BenchmarkResult:
    benchmark_fen: int  # 评标基准价
    trimmed: bool
    scores: Mapping[str, BenchmarkScore]


def average_benchmark_scores(
    prices: Mapping[str, int],
    *,
    regime: Regime,
    full_score: object,
    coefficient: object | None = None,
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> BenchmarkResult:
    """Works average-benchmark price score (§1.4, Gansu CalcQuoteScoreUtil [I]).

    With more than ``works_trim_when_more_than`` bids the highest and lowest are
    dropped; the mean of the rest × optional coefficient, rounded to the 分, is the
    评标基准价. score = full − |dev %| × penalty per % (above or below), floored at 0.
    Forbidden in 政府采购 (87号令 Art 55): raises ``ForbiddenInRegime``.
    """
    if regime is Regime.GOVERNMENT_PROCUREMENT:
        raise ForbiddenInRegime(
            "政府采购 must use low-price-first scoring; averaging prices is forbidden"
        )
    if not prices:
        raise EmptyInput("no prices to score")
    checked = {b: as_money(p, f"price of {b!r}") for b, p in prices.items()}
    full = as_score(full_score, "full score")
    values = list(checked.values())
    trimmed = len(values) > params.works_trim_when_more_than
    pool = drop_extremes(values) if trimmed else values
    k = Fraction(1) if coefficient is None else _ratio(coefficient, "coefficient")
    base = round_to_fen(_mean(pool) * k)
    if base <= 0:
        raise InvalidParameter(f"benchmark price {base} 分 must be > 0")
    scores = {b: _benchmark_score(p, base, full, params) for b, p in checked.items()}
    return BenchmarkResult(benchmark_fen=base, trimmed=trimmed, scores=scores)


def _benchmark_score(
    price: int, base: int, full: Decimal, params: EvaluationParams
) -> BenchmarkScore:
    dev_pct = Fraction(price - base, base) * 100
    per_pct = (
        params.works_penalty_above_per_pct
        if dev_pct > 0
        else params.works_penalty_below_per_pct
    )
    raw = Fraction(full) - abs(dev_pct) * Fraction(per_pct)
    return BenchmarkScore(
        score=quantize(max(raw, Fraction(0))), deviation_pct=quantize(dev_pct)
    )


# --- SME price deduction (中小企业价格扣除, §2.5) -------------------------------------


class SmeKind(enum.StrEnum):
    NONE = "none"
    # 小微企业; prison enterprises, welfare units for the disabled and consortia made
    # only of small/micro firms count as small/micro too.
    SMALL_MICRO = "small_micro"
    # 联合体 / 分包: small/micro partners hold a share of the contract
    PARTNERED = "partnered"


@dataclass(frozen=True)
class SmeDeclaration:
    """What the bidder's 中小企业声明函 establishes."""

    kind: SmeKind = SmeKind.NONE
    partner_share: Decimal = _ZERO  # share of the contract held by small/micro partners


@dataclass(frozen=True)
class SmePolicy:
    """The deduction rates the procurement documents chose, and whether SME-reserved."""

    small_micro_rate: Decimal
    partnered_rate: Decimal
    reserved_for_sme: bool = False  # 专门面向中小企业: no deduction at all


def check_sme_policy(
    policy: SmePolicy,
    object_type: ObjectType,
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> None:
    """Both chosen rates must lie in the ranges of 财库〔2020〕46号 / 〔2022〕19号."""
    works = object_type is ObjectType.WORKS
    ranges = {
        "small_micro_rate": params.sme_small_works
        if works
        else params.sme_small_goods_services,
        "partnered_rate": (
            params.sme_partnered_works if works else params.sme_partnered_goods_services
        ),
    }
    for name, (low, high) in ranges.items():
        rate = as_score(getattr(policy, name), name)
        if not low <= rate <= high:
            raise InvalidParameter(
                f"SME {name} {rate} for {object_type} must lie in [{low}, {high}]"
            )


def sme_deduction_rate(
    declaration: SmeDeclaration,
    policy: SmePolicy,
    object_type: ObjectType,
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> Decimal:
    """The deduction this bidder gets; the share gate is a gate, not a taper."""
    check_sme_policy(policy, object_type, params)
    if policy.reserved_for_sme or declaration.kind is SmeKind.NONE:
        return _ZERO
    if declaration.kind is SmeKind.SMALL_MICRO:
        return Decimal(policy.small_micro_rate)
    share = as_score(declaration.partner_share, "partner share")
    if not 0 <= share <= 1:
        raise InvalidValue(f"partner share {share} must lie in [0, 1]")
    return Decimal(policy.partnered_rate) if share >= params.sme_share_gate else _ZERO


def sme_evaluation_price(
    quote_fen: int,
    declaration: SmeDeclaration,
    policy: SmePolicy,
    object_type: ObjectType,
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> int:
    """Evaluation price = quote × (1 − rate), to the 分; the contract keeps the quote.

    Used for both the 基准价 and every price score (87号令 Art 55), never for the
    abnormally-low triggers (§4.7 uses raw quotes).
    """
    quote = as_money(quote_fen, "quote")
    rate = sme_deduction_rate(declaration, policy, object_type, params)
    return round_to_fen(Fraction(quote) * (1 - Fraction(rate)))


# --- ranking (§2.2, §4.5) -------------------------------------------------------------


@dataclass(frozen=True)
class RankEntry:
    bidder_id: str
    total: Decimal = _ZERO  # 综合得分 (already 2 dp)
    price_fen: int = 0  # the raw quote (87号令 Art 57 compares 投标报价)
    tech: Decimal = _ZERO  # technical score, for the 214号 third key


@dataclass(frozen=True)
class RankedBid:
    bidder_id: str
    rank: int  # 1-based; bids still 并列 share the rank of their group
    tied: bool = False  # 并列, left unresolved (outside lottery_within)


@dataclass(frozen=True)
class Ranking:
    bids: tuple[RankedBid, ...]
    pending: tuple[TieNeedsLottery, ...] = ()  # one lottery per unresolved tie group

    @property
    def decided(self) -> bool:
        return not self.pending

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(b.bidder_id for b in self.bids)


def _rank_key(entry: RankEntry, keys: Sequence[TieKey]) -> tuple:
    parts = {
        TieKey.TOTAL_DESC: lambda: -as_score(entry.total, "total"),
        TieKey.PRICE_ASC: lambda: as_money(entry.price_fen, "price", positive=False),
        TieKey.TECH_DESC: lambda: -as_score(entry.tech, "tech score"),
    }
    return tuple(parts[TieKey(k)]() for k in keys)


def _tie_groups(
    entries: Sequence[RankEntry], keys: Sequence[TieKey]
) -> list[list[str]]:
    """Bidders grouped by equal ranking keys, best group first, ids sorted."""
    by_key: dict[tuple, list[str]] = defaultdict(list)
    for entry in entries:
        by_key[_rank_key(entry, keys)].append(entry.bidder_id)
    return [sorted(by_key[k]) for k in sorted(by_key)]


def rank_bids(
    entries: Sequence[RankEntry],
    *,
    keys: Sequence[TieKey] = RANK_COMPREHENSIVE,
    drawn: Sequence[Sequence[str]] = (),
    lottery_within: int | None = None,
) -> Ranking:
    """Rank by the profile's keys; bids equal on every key are 并列.

    A 并列 group starting within the first ``lottery_within`` places (all groups when
    None) needs a lottery ordering the whole group (87号令 Art 57/68: random draw); pass
    each drawn order back in ``drawn``. Groups further down stay 并列 (shared rank).
    """
    if not entries:
        raise EmptyInput("no bids to rank")
    as_ids((e.bidder_id for e in entries), "ranked bidder")
    unused = {frozenset(d): tuple(d) for d in drawn}
    if len(unused) != len(drawn):
        raise LotteryMismatch("two drawn orders answer the same tie group")
    bids: list[RankedBid] = []
    pending: list[TieNeedsLottery] = []
    for group in _tie_groups(entries, keys):
        rank = len(bids) + 1
        needs_draw = len(group) > 1 and (
            lottery_within is None or rank <= lottery_within
        )
        if not needs_draw:
            bids += [RankedBid(b, rank, tied=len(group) > 1) for b in group]
            continue
        request = TieNeedsLottery(tuple(group), len(group), "ranking tie (并列)")
        order = unused.pop(frozenset(group), None)
        if order is None:
            pending.append(request)
            bids += [RankedBid(b, rank, tied=True) for b in group]
        else:
            order = resolve_tie(request, order)
            bids += [RankedBid(b, rank + i) for i, b in enumerate(order)]
    if unused:
        raise LotteryMismatch(
            f"drawn orders match no tie group: {sorted(unused.values())}"
        )
    return Ranking(bids=tuple(bids), pending=tuple(pending))


@dataclass(frozen=True)
class SameBrandResult:
    kept: tuple[str, ...]
    set_aside: tuple[str, ...]  # same-brand bidders behind their brand's best


def apply_same_brand_rule(
    order: Sequence[str], brand_of: Mapping[str, str | None]
) -> SameBrandResult:
    """87号令 Art 31: same core-product brand counts as one; only its best-placed stays.

    ``order`` must be a fully decided ranking (ties already drawn); bidders without a
    brand (None) are never merged.
    """
    seen: set[str] = set()
    kept, aside = [], []
    for bidder in as_ids(order, "ranked bidder"):
        brand = brand_of.get(bidder)
        if brand is not None and brand in seen:
            aside.append(bidder)
            continue
        if brand is not None:
            seen.add(brand)
        kept.append(bidder)
    return SameBrandResult(kept=tuple(kept), set_aside=tuple(aside))


# --- the report's signatures (§4.4) ---------------------------------------------------


def deemed_agreeing(
    members: Iterable[str], signed: Iterable[str], *, deadline, now
) -> tuple[str, ...]:
    """Members recorded as agreeing: past the signing deadline, without a signature or a
    written dissent (实施条例 Art 53; 87号令 Art 61: refusing to sign without reasons
    counts as agreement). Before the deadline nobody is; the order is the members'."""
    done = set(as_ids(signed, "signed member"))
    if now < deadline:
        return ()
    return tuple(m for m in as_ids(members, "member") if m not in done)


# --- 竞争性磋商 scoring (§2.2, §2.4) --------------------------------------------------


class QuoteExclusion(enum.StrEnum):
    """Why a supplier's final quote (最后报价) takes no part in the scoring."""

    WITHDRAWN = "withdrawn"  # 最后报价前退出磋商
    NO_QUOTE = "no_quote"  # 未提交最后报价，或信封无法解密
    ABOVE_CEILING = "above_ceiling"  # 超过采购预算或最高限价 (87号令 Art 63, 214号 Art 34)


@dataclass(frozen=True)
class QuoteScreen:
    valid: Mapping[str, int]  # supplier -> 最后报价, 分
    excluded: Mapping[str, QuoteExclusion]


def screen_final_quotes(
    quotes: Mapping[str, int | None],
    *,
    withdrawn: Iterable[str] = (),
    ceiling_fen: int | None = None,
) -> QuoteScreen:
    """The suppliers whose final quote is scored (§2.2).

    The final quote is part of the response file: a supplier that withdrew, sent none
    (``None``: missing or unreadable envelope) or quoted above the budget/ceiling is not
    evaluated. Quotes are never averaged or trimmed here or anywhere in 磋商 (§1.5).
    """
    gone = set(as_ids(withdrawn, "withdrawn supplier"))
    limit = None if ceiling_fen is None else as_money(ceiling_fen, "ceiling")
    valid: dict[str, int] = {}
    excluded: dict[str, QuoteExclusion] = {}
    for supplier in as_ids(quotes, "supplier"):
        quote = quotes[supplier]
        if supplier in gone:
            excluded[supplier] = QuoteExclusion.WITHDRAWN
        elif quote is None:
            excluded[supplier] = QuoteExclusion.NO_QUOTE
        elif limit is not None and as_money(quote, f"quote of {supplier!r}") > limit:
            excluded[supplier] = QuoteExclusion.ABOVE_CEILING
        else:
            valid[supplier] = as_money(quote, f"quote of {supplier!r}")
    return QuoteScreen(valid=valid, excluded=excluded)


@dataclass(frozen=True)
class ConsultationBid:
    bidder_id: str
    final_quote_fen: int  # 最后报价 as quoted (the contract price; ranks ties)
    eval_price_fen: int  # after the SME deduction (§2.5); the price score uses it
    tech: Decimal  # the experts' aggregated non-price score (§4.5)


@dataclass(frozen=True)
class ConsultationScores:
    benchmark_fen: int  # 磋商基准价 = lowest evaluation price of the compliant suppliers
    price_scores: Mapping[str, Decimal]
    totals: Mapping[str, Decimal]
    ranking: Ranking


def consultation_scores(
    bids: Sequence[ConsultationBid],
    *,
    price_weight: object,
    drawn: Sequence[Sequence[str]] = (),
    lottery_within: int | None = None,
) -> ConsultationScores:
    """§2.4 (214号 Art 24): 综合评分法 on the final responses and final quotes.

    price score = 磋商基准价 / evaluation price × 价格权值 × 100 with the lowest valid
    final quote (after the SME deduction) as 基准价 — no dropping of the highest or
    lowest quote; total = price score + technical score, 2 dp; ranking by total, then
    the lower final quote, then the better technical score; what still ties within the
    candidates goes to a lottery (see ``rank_bids``).
    """
    if not bids:
        raise EmptyInput("no final quotes to score")
    prices = low_price_first_scores(
        {b.bidder_id: b.eval_price_fen for b in bids}, price_weight
    )
    totals = {b.bidder_id: total_score(prices[b.bidder_id], b.tech) for b in bids}
    entries = [
        RankEntry(b.bidder_id, totals[b.bidder_id], b.final_quote_fen, b.tech)
        for b in bids
    ]
    ranking = rank_bids(
        entries, keys=RANK_CONSULTATION, drawn=drawn, lottery_within=lottery_within
    )
    return ConsultationScores(
        benchmark_fen=min(b.eval_price_fen for b in bids),
        price_scores=prices,
        totals=totals,
        ranking=ranking,
    )


# --- 竞争性磋商 guards (§2.2, §2.3) ---------------------------------------------------


class ConsultationException(enum.StrEnum):
    RESEARCH_OR_TECH_TRANSFER = "research_or_tech_transfer"  # 214号 Art 3(4)
    GOV_SERVICES_TWO_QUALIFIED = "gov_services_two_qualified"  # 财库〔2015〕124号


@dataclass(frozen=True)
class ConsultationParams:
    """The 磋商 part of a RuleProfile (§8 ``consult.*``)."""

    min_final_suppliers: int = 3
    min_final_suppliers_exception: int = 2
    min_candidates: int = 3
    min_candidates_exception: int = 2

    def __post_init__(self) -> None:
        for name in (
            "min_final_suppliers",
            "min_final_suppliers_exception",
            "min_candidates",
            "min_candidates_exception",
        ):
            as_count(getattr(self, name), name, minimum=1)


DEFAULT_CONSULTATION = ConsultationParams()


@dataclass(frozen=True)
class GuardResult:
    proceed: bool
    count: int
    minimum: int


def consultation_guard(
    active_suppliers: int,
    *,
    exception: ConsultationException | None = None,
    params: ConsultationParams = DEFAULT_CONSULTATION,
) -> GuardResult:
    """Before FINAL_QUOTE_WINDOW: ≥3 active suppliers (2 under a flagged exception),
    otherwise the consultation is TERMINATED and re-procured (214号 Art 34)."""
    count = as_count(active_suppliers, "active suppliers")
    minimum = (
        params.min_final_suppliers
        if exception is None
        else params.min_final_suppliers_exception
    )
    return GuardResult(proceed=count >= minimum, count=count, minimum=minimum)


# --- score-deviation warnings (评分偏离, §4.6) ----------------------------------------


@dataclass(frozen=True)
class ItemScore:
    expert_id: str
    bidder_id: str
    item_id: str
    value: Decimal


@dataclass(frozen=True)
class DeviationWarning:
    expert_id: str
    bidder_id: str
    item_id: str
    score: Decimal
    others_mean: Decimal
    deviation: Decimal  # |score − others' mean| / item max


@dataclass(frozen=True)
class DispersionFlag:
    bidder_id: str
    lowest_total: Decimal
    highest_total: Decimal
    spread: Decimal  # (highest − lowest) / subjective max total


@dataclass(frozen=True)
class FavouritismFlag:
    expert_id: str
    bidder_id: str
    deviation: Decimal  # signed (expert − others' mean) subjective total / max total


@dataclass(frozen=True)
class JointHighFlag:
    bidder_id: str
    expert_ids: tuple[str, ...]


def _subjective_grid(
    scores: Iterable[ItemScore], items: Iterable[ScoringItem]
) -> tuple[dict[tuple[str, str, str], Decimal], dict[str, ScoringItem]]:
    """Index validated subjective scores by (expert, bidder, item)."""
    subjective = {i.item_id: i for i in items if i.kind is ItemKind.SUBJECTIVE}
    grid: dict[tuple[str, str, str], Decimal] = {}
    for s in scores:
        if s.item_id not in subjective:
            continue
        key = (s.expert_id, s.bidder_id, s.item_id)
        if key in grid:
            raise DuplicateEntry(
                f"expert {s.expert_id!r} scored {s.bidder_id!r} twice on {s.item_id!r}"
            )
        grid[key] = validate_item_score(subjective[s.item_id], s.value)
    return grid, subjective


def deviation_warnings(
    scores: Iterable[ItemScore],
    items: Iterable[ScoringItem],
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> tuple[DeviationWarning, ...]:
    """Soft warnings: a subjective score deviating from the other experts' mean by more
    than ``subjective_dev_warn`` of the item maximum. Advisory: no score is changed."""
    grid, subjective = _subjective_grid(scores, items)
    cells: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for (expert, bidder, item), value in grid.items():
        cells[(bidder, item)][expert] = value
    warnings = []
    for (bidder, item), by_expert in sorted(cells.items()):
        if len(by_expert) < 2:
            continue
        for expert, value in sorted(by_expert.items()):
            others = _mean([v for e, v in by_expert.items() if e != expert])
            dev = abs(Fraction(value) - others) / Fraction(subjective[item].max_score)
            if dev > Fraction(params.subjective_dev_warn):
                warnings.append(
                    DeviationWarning(
                        expert, bidder, item, value, quantize(others), quantize(dev)
                    )
                )
    return tuple(warnings)


def _subjective_totals(
    grid: Mapping[tuple[str, str, str], Decimal],
) -> dict[str, dict[str, Decimal]]:
    """bidder -> expert -> sum of that expert's subjective scores for the bidder."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (expert, bidder, _item), value in grid.items():
        totals[bidder][expert] += value
    return totals


def dispersion_flags(
    scores: Iterable[ItemScore],
    items: Iterable[ScoringItem],
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> tuple[DispersionFlag, ...]:
    """评分离散: a bidder's subjective totals spread over more than
    ``dispersion_warn``."""
    grid, subjective = _subjective_grid(scores, items)
    max_total = Fraction(sum(i.max_score for i in subjective.values()))
    flags = []
    for bidder, by_expert in sorted(_subjective_totals(grid).items()):
        low, high = min(by_expert.values()), max(by_expert.values())
        spread = Fraction(high - low) / max_total
        if len(by_expert) > 1 and spread > Fraction(params.dispersion_warn):
            flags.append(DispersionFlag(bidder, low, high, quantize(spread)))
    return tuple(flags)


def _signed_deviations(
    grid: Mapping[tuple[str, str, str], Decimal], subjective: Mapping[str, ScoringItem]
) -> dict[tuple[str, str], Fraction]:
    """(expert, bidder) -> (own total − others' mean total) / subjective max total."""
    max_total = Fraction(sum(i.max_score for i in subjective.values()))
    result = {}
    for bidder, by_expert in _subjective_totals(grid).items():
        for expert, value in by_expert.items():
            others = [v for e, v in by_expert.items() if e != expert]
            if others:
                result[(expert, bidder)] = (Fraction(value) - _mean(others)) / max_total
    return result


def favouritism_flags(
    scores: Iterable[ItemScore],
    items: Iterable[ScoringItem],
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> tuple[FavouritismFlag, ...]:
    """An expert systematically high on one bidder: above the others on every subjective
    item for it, and by more than ``favouritism_warn`` of the max total. [P]"""
    grid, subjective = _subjective_grid(scores, items)
    flags = []
    for (expert, bidder), dev in sorted(_signed_deviations(grid, subjective).items()):
        if dev > Fraction(params.favouritism_warn) and _high_on_every_item(
            grid, expert, bidder
        ):
            flags.append(FavouritismFlag(expert, bidder, quantize(dev)))
    return tuple(flags)


def _high_on_every_item(
    grid: Mapping[tuple[str, str, str], Decimal], expert: str, bidder: str
) -> bool:
    mine = {i: v for (e, b, i), v in grid.items() if e == expert and b == bidder}
    for item, value in mine.items():
        others = [
            v
            for (e, b, i), v in grid.items()
            if b == bidder and i == item and e != expert
        ]
        if not others or Fraction(value) <= _mean(others):
            return False
    return bool(mine)


def joint_high_flags(
    scores: Iterable[ItemScore],
    items: Iterable[ScoringItem],
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> tuple[JointHighFlag, ...]:
    """≥ ``joint_high_min_experts`` experts each above the others by
    ``favouritism_warn`` on the same bidder — a collusion-style signal from the public
    indicator catalogue."""
    grid, subjective = _subjective_grid(scores, items)
    high: dict[str, list[str]] = defaultdict(list)
    for (expert, bidder), dev in _signed_deviations(grid, subjective).items():
        if dev > Fraction(params.favouritism_warn):
            high[bidder].append(expert)
    return tuple(
        JointHighFlag(bidder, tuple(sorted(experts)))
        for bidder, experts in sorted(high.items())
        if len(experts) >= params.joint_high_min_experts
    )


# --- abnormally low prices (异常低价, §4.7) -------------------------------------------


@dataclass(frozen=True)
class LowPriceTriggers:
    below_mean: bool  # < ratio_avg × mean of conformity-passed prices
    below_second: bool  # the lowest, < ratio_second × the second lowest
    below_ceiling: bool  # < ratio_ceiling × ceiling (budget when there is no ceiling)

    @property
    def triggered(self) -> bool:
        return self.below_mean or self.below_second or self.below_ceiling


def low_price_triggers(
    price_fen: int,
    passed_prices: Sequence[int],
    ceiling_fen: int,
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> LowPriceTriggers:
    """财库〔2026〕2号 review triggers, strict '<'; a trigger means "explain", not
    "invalid".

    Use raw quotes, never SME-adjusted prices. ``passed_prices`` are all
    conformity-passed quotes, this one included.
    """
    price = as_money(price_fen, "price")
    prices = sorted(as_money(p, "passed price") for p in passed_prices)
    ceiling = as_money(ceiling_fen, "ceiling")
    if price not in prices:
        raise UnknownParticipant(f"price {price} is not among the passed prices")
    mean = _mean(prices)
    is_lowest = price == prices[0] and len(prices) > 1
    return LowPriceTriggers(
        below_mean=price < mean * Fraction(params.lowprice_ratio_avg),
        below_second=is_lowest
        and price < prices[1] * Fraction(params.lowprice_ratio_second),
        below_ceiling=price < ceiling * Fraction(params.lowprice_ratio_ceiling),
    )


def low_price_review_list(
    prices: Mapping[str, int],
    ceiling_fen: int,
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> dict[str, LowPriceTriggers]:
    """Bidders whose raw quote triggers a §4.7 review, with the triggers that fired."""
    if not prices:
        raise EmptyInput("no prices to check")
    passed = list(prices.values())
    checks = {
        b: low_price_triggers(p, passed, ceiling_fen, params) for b, p in prices.items()
    }
    return {b: t for b, t in checks.items() if t.triggered}


# --- minimum counts and failure rules (§7.10) -----------------------------------------


class CountVerdict(enum.StrEnum):
    PROCEED = "proceed"
    NO_OPENING = "no_opening"  # < 3 bids at the deadline: do not open, re-tender
    MAY_REJECT_ALL = "may_reject_all"  # works: committee may reject all (规定 Art 27)
    CANNOT_EVALUATE = "cannot_evaluate"  # GP: < 3 qualified (87号令 Art 44)
    RETENDER = "retender"  # works: < 3 passed prequalification (条例 Art 19)


def opening_verdict(
    bids_at_deadline: int, params: EvaluationParams = DEFAULT_EVALUATION
) -> CountVerdict:
    """实施条例 Art 44 / 87号令 Art 41: fewer than 3 bids → no opening."""
    if as_count(bids_at_deadline, "bids at deadline") < params.min_bidders:
        return CountVerdict.NO_OPENING
    return CountVerdict.PROCEED


def evaluation_verdict(
    qualified: int, regime: Regime, params: EvaluationParams = DEFAULT_EVALUATION
) -> CountVerdict:
    """Fewer than 3 qualified/responsive bids after review (tender procedures)."""
    if as_count(qualified, "qualified bids") >= params.min_bidders:
        return CountVerdict.PROCEED
    if regime is Regime.TENDERING:
        return CountVerdict.MAY_REJECT_ALL
    return CountVerdict.CANNOT_EVALUATE


def prequalification_verdict(
    passed: int, params: EvaluationParams = DEFAULT_EVALUATION
) -> CountVerdict:
    """Works: fewer than 3 applicants passing prequalification → re-tender."""
    if as_count(passed, "passed applicants") < params.min_bidders:
        return CountVerdict.RETENDER
    return CountVerdict.PROCEED


def check_invitation_draw(
    list_size: int,
    draw_count: int,
    witnesses: int,
    params: EvaluationParams = DEFAULT_EVALUATION,
) -> None:
    """87号令 Art 14: draw ≥ 3 from a list ≥ 2 × the number drawn, ≥ 2 witnesses."""
    as_count(list_size, "list size")
    as_count(draw_count, "draw count")
    as_count(witnesses, "witnesses")
    problems = []
    if draw_count < params.min_bidders:
        problems.append(
            f"draw at least {params.min_bidders} suppliers, not {draw_count}"
        )
    if list_size < params.invitation_list_factor * draw_count:
        problems.append(
            f"list of {list_size} is shorter than "
            f"{params.invitation_list_factor} × {draw_count}"
        )
    if witnesses < params.invitation_min_witnesses:
        problems.append(
            f"{witnesses} witnesses, {params.invitation_min_witnesses} required"
        )
    if problems:
        raise InvalidParameter("; ".join(problems))
