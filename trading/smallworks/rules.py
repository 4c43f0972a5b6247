"""小额工程企业库 rules — pure functions for small works and the enterprise registry.

Domain rules §6 (thresholds §6.1, registry design §6.3, whose numbers are
configurable defaults) and the `smallworks.*` keys of §8.  No database, no
request, no clock, no randomness: inputs and outputs are plain values (ints,
Decimals, dates, aware datetimes, frozen dataclasses).

Conventions
-----------
* Money is integer 分 (`*_fen`); scores and credit are `Decimal`, 2 dp,
  ROUND_HALF_UP; similarity ratios are exact fractions shown to 2 dp.
* Every parameter lives in `SmallWorksParams`; the §6.3 values are [P]
  defaults to confirm with the trading center.
* Errors subclass `RuleError` (a `trading.errors.DomainError` and a
  `ValueError`), each with a machine `code`.
* Nothing depends on input order: enterprises, projects and quotes are sorted
  by id first, so permuting an input never changes a result.

The pool (候选库)
-----------------
`build_pool` checks every enterprise once, in one linear pass, against the
project (category, tier → required grade, licence dates, status, fairness
caps, cool-down, annual caps) and returns the frozen `Pool`: `eligible`
candidates (with the attributes that made them eligible) and `excluded` ones,
each with every reason that excluded it.  eligible ∪ excluded is exactly the
input and nobody is excluded without a reason.

How randomness is surfaced
--------------------------
Nothing here draws.  A method that needs chance returns `NeedsLottery` (the
purpose, the frozen candidate list sorted by id, how many to draw and the ids
already drawn from that list).  The service freezes
`NeedsLottery.draw_candidates()` with `trading.draws` (commit–reveal,
HMAC-DRBG), then passes the drawn ids to `selected_by_lottery` or
`short_list_from_draw`, which check them against the frozen list.

* 随机抽取: `lottery_request` — draw 1 from the pool.
* 轮候: `rotation_pick` — the head of the queue (never-awarded first, then the
  oldest last award); a tie at the head → `NeedsLottery` over the tie.
* 双随机信用: `short_list_request` draws the short list; `double_random_pick`
  takes the best credit on it; a credit tie → `NeedsLottery`.
* 合理低价: `short_list_request`, then `reasonable_low_price` on the opened
  quotes of the short list; a price tie → `NeedsLottery`.

A decline takes the next winner from the same frozen pool: lottery methods
continue the same draw (`already_drawn`, matching `draws.engine.continue_draw`),
ranked methods are called again with `declined=` and go to the next in rank.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher
from enum import IntEnum, StrEnum

from trading.draws.lottery import (
    Failed,
    InvalidDraw,
    NeedsLottery,
    Selected,
    add_months,
    resolve_lottery,
    within_months,
)
from trading.draws.lottery import (
    selected_by_lottery as selected_by_lottery,  # re-exported for the services
)
from trading.errors import RuleRefused

# The object type picks the national tender threshold (必须招标的工程项目规定 Art 5): 施工;
# 重要设备、材料; 勘察、设计、监理.
from trading.projects.kinds import ObjectType
from trading.smallworks.status import RegistryStatus

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


# --- errors ---------------------------------------------------------------------------


class RuleError(RuleRefused):
    """A rule of the small-works registry refuses the input."""

    code = "smallworks_rule"


class InvalidParams(RuleError):
    code = "invalid_params"


class InvalidAmount(RuleError):
    code = "invalid_amount"


class AboveThreshold(RuleError):
    """The amount must be tendered (必须招标): it is not a small work."""

    code = "above_tender_threshold"


class DuplicateId(RuleError):
    code = "duplicate_id"


class NotACandidate(RuleError):
    code = "not_a_candidate"


class DeclineWindowClosed(RuleError):
    code = "decline_window_closed"


class InvalidEvaluation(RuleError):
    code = "invalid_evaluation"


class NaiveDatetime(RuleError):
    code = "naive_datetime"


# --- vocabulary -----------------------------------------------------------------------


class Category(StrEnum):
    """Main registry categories; sub-specialties (装饰装修, 园林绿化…) are str."""

    BUILDING_MUNICIPAL = "building_municipal"  # 房屋建筑和市政
    ROADS = "roads"  # 交通公路
    WATER = "water"  # 水利
    POWER = "power"  # 能源电力


class Grade(IntEnum):
    """Qualification grade (资质等级); a smaller value is a higher grade."""

    SPECIAL = 0  # 特级
    FIRST = 1  # 一级
    SECOND = 2  # 二级
    THIRD = 3  # 三级


class ExclusionReason(StrEnum):
    NOT_ACTIVE = "not_active"  # 不在库
    SUSPENDED = "suspended"  # 暂停
    BLACKLISTED = "blacklisted"  # 黑名单
    RECENT_SERIOUS_VIOLATION = "recent_serious_violation"  # 近 3 年严重违法违规
    BUSINESS_LICENCE_EXPIRED = "business_licence_expired"  # 营业执照过期
    SAFETY_LICENCE_MISSING = "safety_licence_missing"  # 无安全生产许可证
    SAFETY_LICENCE_EXPIRED = "safety_licence_expired"  # 安全生产许可证过期
    NO_QUALIFICATION = "no_qualification"  # 无该类别资质
    NO_SUB_SPECIALTY = "no_sub_specialty"  # 有该类别资质, 但无该子专业
    QUALIFICATION_NOT_YET_VALID = "qualification_not_yet_valid"  # 资质未生效
    QUALIFICATION_EXPIRED = "qualification_expired"  # 资质过期
    GRADE_TOO_LOW = "grade_too_low"  # 资质等级不足
    CONCURRENT_CONTRACT_CAP = "concurrent_contract_cap"  # 在建合同已达上限
    NO_FREE_PROJECT_MANAGER = "no_free_project_manager"  # 无空闲项目经理
    COOL_DOWN = "cool_down"  # 中选冷却期
    ANNUAL_COUNT_CAP = "annual_count_cap"  # 年度中选次数上限
    ANNUAL_AMOUNT_CAP = "annual_amount_cap"  # 年度中选金额上限


class AllocationMethod(StrEnum):
    LOTTERY = "lottery"  # 随机抽取/摇号
    ROTATION = "rotation"  # 轮候
    DOUBLE_RANDOM_CREDIT = "double_random_credit"  # 双随机信用法
    REASONABLE_LOW_PRICE = "reasonable_low_price"  # 合理低价法


class SmallWorkDrawPurpose(StrEnum):
    LOTTERY = "smallworks.lottery"  # 摇号
    ROTATION_TIE = "smallworks.rotation_tie"  # 轮候并列
    SHORT_LIST = "smallworks.short_list"  # 随机短名单
    CREDIT_TIE = "smallworks.credit_tie"  # 信用分并列
    PRICE_TIE = "smallworks.price_tie"  # 合理低价并列


class SmallWorkFailureReason(StrEnum):
    POOL_TOO_SMALL = "pool_too_small"  # 符合条件的企业不足
    POOL_EXHAUSTED = "pool_exhausted"  # 候选库已抽完 (均放弃)
    SHORT_LIST_EXHAUSTED = "short_list_exhausted"  # 短名单均放弃 → 续抽
    NO_REASONABLE_QUOTE = "no_reasonable_quote"  # 无合理报价


# --- parameters -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tier:
    """An amount band (金额档) and the qualification grade it requires.

    `upper_fen` is inclusive; None means "up to the tender threshold".
    """

    code: str
    upper_fen: int | None
    required_grade: Grade


_DEFAULT_TIERS = (
    Tier("up_to_300k", 30_000_000, Grade.THIRD),  # ≤ 30 万
    Tier("300k_to_1m", 100_000_000, Grade.THIRD),  # 30–100 万
    Tier("1m_to_4m", None, Grade.SECOND),  # 100–400 万
)
_DEFAULT_THRESHOLDS = (
    (ObjectType.WORKS, 400_000_000),  # 400 万元
    (ObjectType.GOODS, 200_000_000),  # 200 万元
    (ObjectType.SERVICES, 100_000_000),  # 100 万元
)


@dataclass(frozen=True)
class SmallWorksParams:
    """The small-works part of a RuleProfile ([L] law, [P] our proposal)."""

    # §8 smallworks.thresholds: at or above → must be tendered [L]
    thresholds_fen: tuple[tuple[ObjectType, int], ...] = _DEFAULT_THRESHOLDS
    tiers: tuple[Tier, ...] = _DEFAULT_TIERS  # [P]
    max_active_contracts: int = 2  # per firm [P]
    max_manager_active_contracts: int = 1  # per project manager [P]
    cooldown_days: int = 90  # no new win in the same category for N days [P]
    cooldown_until_completion: bool = False  # …or until the last win is completed
    annual_award_count_cap: int | None = 5  # [P]
    annual_award_amount_cap_fen: int | None = 800_000_000  # 800 万元 [P]
    violation_lookback_months: int = 36  # no serious violation in 3 years [P]
    split_window_days: int = 90  # "short interval" of the split check [P]
    split_name_similarity: Decimal = Decimal("0.80")
    min_pool_size: int = 3  # fewer eligible firms → no draw [P]
    short_list_size: int = 5  # double-random and reasonable-low-price [P]
    decline_window: timedelta = timedelta(hours=24)  # [P]
    decline_suspension_count: int = 2  # 2 unjustified declines in 12 months [P]
    decline_lookback_months: int = 12
    suspension_months: int = 6  # [P]
    # 合理低价: floor = max(control × 0.85, mean of valid quotes × 0.90) [P]
    reasonable_floor_of_control: Decimal = Decimal("0.85")
    reasonable_floor_of_mean: Decimal = Decimal("0.90")
    credit_initial_score: Decimal = Decimal(80)  # no completed work yet [P]
    credit_lookback_months: int = 36
    # weights of evaluation score, on-time rate, quality-acceptance rate [P]
    credit_weights: tuple[Decimal, Decimal, Decimal] = (
        Decimal("0.6"),
        Decimal("0.2"),
        Decimal("0.2"),
    )
    decline_penalty: Decimal = Decimal(5)  # credit points per unjustified decline

    def __post_init__(self):
        _check_tiers(self.tiers)
        if {t for t, _ in self.thresholds_fen} != set(ObjectType):
            raise InvalidParams("thresholds must cover every object type once")
        if sum(self.credit_weights) != 1:
            raise InvalidParams("credit weights must add up to 1")
        ratios = (self.reasonable_floor_of_control, self.reasonable_floor_of_mean)
        if any(not 0 <= r <= 1 for r in ratios):
            raise InvalidParams("reasonable-price floors are ratios in [0, 1]")
        if min(self.min_pool_size, self.short_list_size) < 1:
            raise InvalidParams("pool and short-list sizes must be at least 1")


def _check_tiers(tiers: tuple[Tier, ...]) -> None:
    if not tiers or tiers[-1].upper_fen is not None:
        raise InvalidParams("the last tier must be open-ended (upper_fen=None)")
    uppers = [t.upper_fen for t in tiers[:-1]]
    if any(u is None for u in uppers) or uppers != sorted(set(uppers)):
        raise InvalidParams("tier bounds must be strictly increasing")


# --- the RuleProfile row (rules §8 ``smallworks.*``) ------------------------------------

PROFILE_CODE = "smallworks"  # rule_profiles.code of the registry's profile
# The parameters the trading center sets in its profile, by profile key; the others keep
# the code defaults above (the law, or details the center has not asked to tune).
PROFILE_INTS = {
    "smallworks.max_active_contracts": "max_active_contracts",
    "smallworks.max_manager_active_contracts": "max_manager_active_contracts",
    "smallworks.cooldown_days": "cooldown_days",
    "smallworks.split_window_days": "split_window_days",
    "smallworks.decline_suspension_count": "decline_suspension_count",
    "smallworks.decline_lookback_months": "decline_lookback_months",
}
PROFILE_OPTIONAL_INTS = {  # null: no cap
    "smallworks.annual_award_count_cap": "annual_award_count_cap",
    "smallworks.annual_award_amount_cap_fen": "annual_award_amount_cap_fen",
}
CONFIRMATION_KEY = "smallworks.confirmation_hours"  # 确认期限 (the decline window)
TIERS_KEY = "smallworks.tiers"
# Smallest sensible values; a cap of 0 would exclude every firm from every pool.
_MINIMUM = {"max_active_contracts": 1, "max_manager_active_contracts": 1,
            "cooldown_days": 0, "split_window_days": 0, "decline_suspension_count": 1,
            "decline_lookback_months": 1, "annual_award_count_cap": 1,
            "annual_award_amount_cap_fen": 1}


def profile_from_params(params: SmallWorksParams) -> dict:
    """The profile JSON of `params` (what the center edits and a work records)."""
    data = {key: getattr(params, name) for key, name in
            {**PROFILE_INTS, **PROFILE_OPTIONAL_INTS}.items()}
    data[CONFIRMATION_KEY] = int(params.decline_window / timedelta(hours=1))
    data[TIERS_KEY] = [{"code": t.code, "upper_fen": t.upper_fen,
                        "grade": int(t.required_grade)} for t in params.tiers]
    return data


def params_from_profile(data: dict, base: SmallWorksParams | None = None) -> SmallWorksParams:
    """`base` (the code defaults) with the profile's values laid over it; refuses a value
    of the wrong type or out of range with InvalidParams naming the key."""
    base = base or SmallWorksParams()
    changes = {}
    for key, name in PROFILE_INTS.items():
        if key in data:
            changes[name] = _profile_int(data[key], key, _MINIMUM[name])
    for key, name in PROFILE_OPTIONAL_INTS.items():
        if key in data:
            value = data[key]
            changes[name] = None if value is None else _profile_int(value, key, _MINIMUM[name])
    if CONFIRMATION_KEY in data:
        hours = _profile_int(data[CONFIRMATION_KEY], CONFIRMATION_KEY, 1)
        changes["decline_window"] = timedelta(hours=hours)
    if TIERS_KEY in data:
        changes["tiers"] = _profile_tiers(data[TIERS_KEY])
    merged = replace(base, **changes)  # __post_init__ checks the tiers' order
    works_threshold = dict(merged.thresholds_fen)[ObjectType.WORKS]
    if any(t.upper_fen is not None and t.upper_fen >= works_threshold for t in merged.tiers):
        raise InvalidParams("金额档上限须低于施工招标限额", field=TIERS_KEY)
    return merged


def _tier_code(upper_fen: int | None) -> str:
    """A band's code from its bound, for bands entered without one: up_to_30wan (万)."""
    if upper_fen is None:
        return "open_ended"
    if upper_fen % 1_000_000 == 0:
        return f"up_to_{upper_fen // 1_000_000}wan"
    return f"up_to_{upper_fen}fen"


def same_profile(a: dict, b: dict) -> bool:
    """Whether two profiles set the same values (band codes are names, not values)."""
    def values(data):
        return {**data, TIERS_KEY: [(t.get("upper_fen"), t.get("grade"))
                                    for t in data.get(TIERS_KEY, [])]}
    return values(a) == values(b)


def _profile_int(value, key: str, minimum: int) -> int:
    if type(value) is not int or value < minimum:
        raise InvalidParams(f"{key} 须为不小于 {minimum} 的整数", field=key)
    return value


def _profile_tiers(value) -> tuple[Tier, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidParams("金额档至少一档", field=TIERS_KEY)
    tiers = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"code", "upper_fen", "grade"}:
            raise InvalidParams("金额档格式错误", field=TIERS_KEY)
        upper, grade = item.get("upper_fen"), item.get("grade")
        if upper is not None and (type(upper) is not int or upper <= 0):
            raise InvalidParams("金额档上限须为正整数（分）", field=TIERS_KEY)
        if type(grade) is not int or grade not in {int(g) for g in Grade}:
            raise InvalidParams("金额档的资质等级无效", field=TIERS_KEY)
        code = item.get("code") or _tier_code(upper)
        tiers.append(Tier(str(code)[:40], upper, Grade(grade)))
    if tiers[-1].upper_fen is not None:
        raise InvalidParams("最后一档不设上限（至招标限额）", field=TIERS_KEY)
    uppers = [t.upper_fen for t in tiers[:-1]]
    if any(u is None for u in uppers) or uppers != sorted(set(uppers)):
        raise InvalidParams("金额档上限须逐档递增", field=TIERS_KEY)
    if len({t.code for t in tiers}) != len(tiers):
        raise InvalidParams("金额档代码重复", field=TIERS_KEY)
    return tuple(tiers)


# --- small helpers --------------------------------------------------------------------


def _round_half_up_div(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def _times_ratio(amount_fen: int, ratio: Decimal, count: int = 1) -> int:
    """amount × ratio / count, rounded half up to the 分, exactly."""
    numerator, denominator = ratio.as_integer_ratio()
    return _round_half_up_div(amount_fen * numerator, denominator * count)


def quantize2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(f"{name} must be timezone-aware", field=name)


def _sorted_unique(items: Iterable, key: str) -> list:
    """Sort by the id attribute `key`; two items with one id are an input error."""
    ordered = sorted(items, key=lambda item: getattr(item, key))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if getattr(before, key) == getattr(after, key):
            raise DuplicateId(f"{key} {getattr(after, key)!r} appears twice")
    return ordered


# --- thresholds and tiers (§6.1, §6.3) ------------------------------------------------


def tender_threshold(object_type: ObjectType, params: SmallWorksParams) -> int:
    return dict(params.thresholds_fen)[object_type]


def check_below_threshold(
    amount_fen: int, object_type: ObjectType, params: SmallWorksParams
) -> None:
    """Refuse amounts at or above the mandatory-tender threshold (必须招标)."""
    if type(amount_fen) is not int or amount_fen <= 0:
        raise InvalidAmount(
            "the amount must be a positive integer of 分", field="amount"
        )
    threshold = tender_threshold(object_type, params)
    if amount_fen >= threshold:
        raise AboveThreshold(
            f"{amount_fen} 分 ≥ {threshold} 分: {object_type.value} must be tendered",
            field="amount",
        )


def tier_for(amount_fen: int, params: SmallWorksParams) -> Tier:
    """The amount band: ≤ 30 万 / 30–100 万 / above, upper bounds inclusive."""
    for tier in params.tiers:
        if tier.upper_fen is None or amount_fen <= tier.upper_fen:
            return tier
    raise AssertionError("unreachable: the last tier is open-ended")


# --- split detection (拆分规避招标, 实施条例 Art 24) ------------------------------


@dataclass(frozen=True, slots=True)
class SmallWorksProject:
    id: str
    owner_id: str  # 建设单位
    name: str
    site: str  # 建设地点
    category: str
    object_type: ObjectType
    amount_fen: int
    approved_on: date  # 立项/审批日期
    # 子专业 (装饰装修, 园林绿化…): when set, only certificates registered for it qualify
    sub_specialty: str = ""


@dataclass(frozen=True, slots=True)
class SplitEvidence:
    project_id: str
    amount_fen: int
    approved_on: date
    same_site: bool
    name_similarity: Decimal


@dataclass(frozen=True, slots=True)
class SplitFlag:
    """Advisory: the center reviews it; the evidence says why each one is related."""

    project_id: str
    total_fen: int
    threshold_fen: int
    related: tuple[SplitEvidence, ...]


# phase/lot markers that a split typically adds: 一期, 第2标段, 3号楼, A包 …
# ("次" is left out: it would eat real terms such as 二次供水)
_PHASE = re.compile(
    r"第?[0-9一二三四五六七八九十百零〇两a-z]+"
    r"(?:期|标段|标|批次|批|包|号楼|栋|段)"
)


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def normalize_site(site: str) -> str:
    return _letters_and_digits(unicodedata.normalize("NFKC", site).casefold())


def normalize_name(name: str) -> str:
    """NFKC, case-folded, phase/lot markers removed, letters and digits only."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return _letters_and_digits(_PHASE.sub("", text))


def name_similarity(a: str, b: str) -> Decimal:
    """2·matches / total length of the normalized names (difflib's ratio, exactly,
    symmetric because the pair is ordered first), 2 dp."""
    x, y = sorted((normalize_name(a), normalize_name(b)))
    total = len(x) + len(y)
    if total == 0:
        return Decimal(0)
    matcher = SequenceMatcher(None, x, y, autojunk=False)
    matches = sum(block.size for block in matcher.get_matching_blocks())
    return quantize2(Decimal(2 * matches) / Decimal(total))


def detect_split(
    project: SmallWorksProject,
    history: Iterable[SmallWorksProject],
    params: SmallWorksParams,
) -> SplitFlag | None:
    """Flag a suspected split: same owner and object type, approved within the
    window, same site or a similar name, and the amounts together reach the
    tender threshold."""
    site = normalize_site(project.site)
    related = []
    for other in _sorted_unique(history, "id"):
        if not _may_be_part(project, other, params):
            continue
        same_site = bool(site) and normalize_site(other.site) == site
        similarity = name_similarity(project.name, other.name)
        if same_site or similarity >= params.split_name_similarity:
            related.append(
                SplitEvidence(
                    other.id, other.amount_fen, other.approved_on, same_site, similarity
                )
            )
    total = project.amount_fen + sum(r.amount_fen for r in related)
    threshold = tender_threshold(project.object_type, params)
    if not related or total < threshold:
        return None
    return SplitFlag(project.id, total, threshold, tuple(related))


def _may_be_part(
    project: SmallWorksProject, other: SmallWorksProject, params: SmallWorksParams
) -> bool:
    gap = abs((other.approved_on - project.approved_on).days)
    return (
        other.id != project.id
        and other.owner_id == project.owner_id
        and other.object_type == project.object_type
        and gap <= params.split_window_days
    )


# --- enterprises and the pool (§6.3) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Qualification:
    """资质证书 in one category, valid on [valid_from, valid_until]."""

    category: str
    grade: Grade
    valid_from: date
    valid_until: date
    sub_specialty: str = ""  # 子专业 within the category; "" = the category at large


@dataclass(frozen=True, slots=True)
class Enterprise:
    """What the registry knows of a firm on the day a pool is built."""

    id: str
    status: RegistryStatus
    business_licence_until: date  # date.max for a long-term (长期) licence
    safety_licence_until: date | None  # 安全生产许可证; None when none is held
    qualifications: tuple[Qualification, ...]
    active_contracts: int  # 在建小额工程合同数
    manager_active_contracts: tuple[int, ...]  # one entry per project manager
    credit_score: Decimal
    last_wins: tuple[tuple[str, date], ...] = ()  # (category, last award date)
    open_win_categories: frozenset[str] = frozenset()  # uncompleted awards
    awards_this_year: int = 0
    awarded_fen_this_year: int = 0
    blacklisted: bool = False
    last_serious_violation_on: date | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """An eligible firm and the attributes that made it eligible (published)."""

    id: str
    grade: Grade
    qualification_until: date
    safety_licence_until: date | None
    credit_score: Decimal
    last_win_on: date | None  # in the project's category; None = never awarded
    free_managers: int
    sub_specialty: str = ""  # the project's, when it asked for one

    def draw_candidate(self) -> dict:
        """The `trading.draws` candidate object (canonical-JSON types only); the
        sub-specialty only when the project asked for one, so records of works
        without it are unchanged."""
        attributes = self._attributes()
        if self.sub_specialty:
            attributes["sub_specialty"] = self.sub_specialty
        return {"id": self.id, "attributes": attributes}

    def _attributes(self) -> dict:
        return {
            "grade": _GRADE_NAMES[self.grade],
            "qualification_until": self.qualification_until.isoformat(),
            "safety_licence_until": _iso(self.safety_licence_until),
            "credit_score": str(quantize2(self.credit_score)),
            "last_win_on": _iso(self.last_win_on),
            "free_managers": self.free_managers,
        }


_GRADE_NAMES = {grade: grade.name.lower() for grade in Grade}  # Enum.name is slow


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True, slots=True)
class Exclusion:
    id: str
    reasons: tuple[ExclusionReason, ...]  # never empty, in check order


@dataclass(frozen=True, slots=True)
class Pool:
    """The frozen candidate pool (候选库) of one project, on one day."""

    project_id: str
    category: str
    tier: Tier
    on: date
    eligible: tuple[Candidate, ...]
    excluded: tuple[Exclusion, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.eligible)


def build_pool(
    enterprises: Iterable[Enterprise],
    project: SmallWorksProject,
    on: date,
    params: SmallWorksParams,
) -> Pool:
    """Check every enterprise against the project on `on`; one linear pass.

    Refuses the project itself (AboveThreshold) before looking at anyone.
    """
    check_below_threshold(project.amount_fen, project.object_type, params)
    tier = tier_for(project.amount_fen, params)
    need_safety = project.object_type is ObjectType.WORKS
    violation_since = add_months(on, -params.violation_lookback_months)
    sub = normalize_sub_specialty(project.sub_specialty)
    eligible, excluded = [], []
    for firm in _sorted_unique(enterprises, "id"):
        reasons: list[ExclusionReason] = []
        _check_standing(firm, on, violation_since, need_safety, reasons)
        qualification = _check_qualification(firm, project.category, sub, tier, on,
                                             reasons)
        free_managers = _check_workload(firm, params, reasons)
        last_win = _last_win(firm, project.category)
        _check_fairness(firm, project, last_win, on, params, reasons)
        if reasons:
            excluded.append(Exclusion(firm.id, tuple(reasons)))
        else:
            eligible.append(_candidate(firm, qualification, last_win, free_managers, sub))
    return Pool(
        project.id, project.category, tier, on, tuple(eligible), tuple(excluded)
    )


def _check_standing(
    firm: Enterprise,
    on: date,
    violation_since: date,
    need_safety: bool,
    reasons: list[ExclusionReason],
) -> None:
    if firm.status is RegistryStatus.SUSPENDED:
        reasons.append(ExclusionReason.SUSPENDED)
    elif firm.status is not RegistryStatus.ACTIVE:
        reasons.append(ExclusionReason.NOT_ACTIVE)
    if firm.blacklisted:
        reasons.append(ExclusionReason.BLACKLISTED)
    violation = firm.last_serious_violation_on
    if violation is not None and violation_since < violation <= on:
        reasons.append(ExclusionReason.RECENT_SERIOUS_VIOLATION)
    if on > firm.business_licence_until:
        reasons.append(ExclusionReason.BUSINESS_LICENCE_EXPIRED)
    if need_safety:
        if firm.safety_licence_until is None:
            reasons.append(ExclusionReason.SAFETY_LICENCE_MISSING)
        elif on > firm.safety_licence_until:
            reasons.append(ExclusionReason.SAFETY_LICENCE_EXPIRED)


def normalize_sub_specialty(name: str) -> str:
    """子专业 compared as written, but NFKC, case-folded and without blanks: "园林 绿化"
    and "园林绿化" are one sub-specialty, "装饰装修" and "装饰" are two."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _check_qualification(
    firm: Enterprise,
    category: str,
    sub: str,
    tier: Tier,
    on: date,
    reasons: list[ExclusionReason],
) -> Qualification | None:
    """The best qualification that qualifies (highest grade, then latest expiry); with a
    sub-specialty `sub` (normalized), only certificates registered for it.

    One pass: this runs for every firm of the registry on every pool build.
    """
    best = None
    held = in_sub = started = current = False
    for q in firm.qualifications:
        if q.category != category:
            continue
        held = True
        if sub and normalize_sub_specialty(q.sub_specialty) != sub:
            continue
        in_sub = True
        if on < q.valid_from:
            continue
        started = True
        if on > q.valid_until:
            continue
        current = True
        if q.grade <= tier.required_grade and (best is None or _better(q, best)):
            best = q
    if best is None:
        if held and not in_sub:
            reasons.append(ExclusionReason.NO_SUB_SPECIALTY)
        else:
            reasons.append(_qualification_reason(held, started, current))
    return best


def _better(q: Qualification, other: Qualification) -> bool:
    return (q.grade, other.valid_until) < (other.grade, q.valid_until)


def _qualification_reason(held: bool, started: bool, current: bool) -> ExclusionReason:
    if not held:
        return ExclusionReason.NO_QUALIFICATION
    if current:
        return ExclusionReason.GRADE_TOO_LOW
    if not started:
        return ExclusionReason.QUALIFICATION_NOT_YET_VALID
    return ExclusionReason.QUALIFICATION_EXPIRED


def _check_workload(
    firm: Enterprise, params: SmallWorksParams, reasons: list[ExclusionReason]
) -> int:
    """Concurrent-contract caps per firm and per project manager; returns the
    number of project managers free to take this project."""
    if firm.active_contracts >= params.max_active_contracts:
        reasons.append(ExclusionReason.CONCURRENT_CONTRACT_CAP)
    cap = params.max_manager_active_contracts
    free = len([busy for busy in firm.manager_active_contracts if busy < cap])
    if free == 0:
        reasons.append(ExclusionReason.NO_FREE_PROJECT_MANAGER)
    return free


def _last_win(firm: Enterprise, category: str) -> date | None:
    days = [day for cat, day in firm.last_wins if cat == category]
    return max(days) if days else None


def _check_fairness(
    firm: Enterprise,
    project: SmallWorksProject,
    last_win: date | None,
    on: date,
    params: SmallWorksParams,
    reasons: list[ExclusionReason],
) -> None:
    if in_cool_down(last_win, on, params) or (
        params.cooldown_until_completion
        and project.category in firm.open_win_categories
    ):
        reasons.append(ExclusionReason.COOL_DOWN)
    count_cap = params.annual_award_count_cap
    if count_cap is not None and firm.awards_this_year >= count_cap:
        reasons.append(ExclusionReason.ANNUAL_COUNT_CAP)
    amount_cap = params.annual_award_amount_cap_fen
    # this award must not take the firm past the cap, not merely start below it
    if (
        amount_cap is not None
        and firm.awarded_fen_this_year + project.amount_fen > amount_cap
    ):
        reasons.append(ExclusionReason.ANNUAL_AMOUNT_CAP)


def in_cool_down(last_win: date | None, on: date, params: SmallWorksParams) -> bool:
    """Excluded for `cooldown_days` days after a win: eligible again on day N."""
    if last_win is None:
        return False
    return on < last_win + timedelta(days=params.cooldown_days)


def _candidate(
    firm: Enterprise,
    qualification: Qualification,
    last_win: date | None,
    free_managers: int,
    sub: str,
) -> Candidate:
    return Candidate(
        firm.id,
        qualification.grade,
        qualification.valid_until,
        firm.safety_licence_until,
        firm.credit_score,
        last_win,
        free_managers,
        qualification.sub_specialty if sub else "",
    )


# --- outcomes and lotteries -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShortList:
    """A random short list drawn from the pool, in id order."""

    ids: tuple[str, ...]
    drawn_order: tuple[str, ...]  # as drawn: the `already_drawn` of a top-up draw


def short_list_from_draw(
    needs: NeedsLottery, drawn: Sequence[str], earlier: ShortList | None = None
) -> ShortList:
    """The short list after a draw; a top-up draw extends the `earlier` one."""
    if needs.purpose is not SmallWorkDrawPurpose.SHORT_LIST:
        raise InvalidDraw(f"{needs.purpose.value} is not a short-list draw")
    order = (earlier.drawn_order if earlier else ()) + resolve_lottery(needs, drawn)
    return ShortList(tuple(sorted(order)), order)


def _pool_failure(pool: Pool, params: SmallWorksParams, used: int) -> Failed | None:
    """Too small a pool never draws; an exhausted one has nobody left."""
    if len(pool.eligible) < params.min_pool_size:
        return Failed(
            SmallWorkFailureReason.POOL_TOO_SMALL,
            f"{len(pool.eligible)} eligible firm(s), {params.min_pool_size} needed",
        )
    if used >= len(pool.eligible):
        return Failed(SmallWorkFailureReason.POOL_EXHAUSTED, "every eligible firm was drawn")
    return None


# --- allocation methods (§6.3) --------------------------------------------------------


def lottery_request(
    pool: Pool, params: SmallWorksParams, already_drawn: Sequence[str] = ()
) -> NeedsLottery | Failed:
    """随机抽取: one winner from the pool; after a decline, continue the same draw."""
    failed = _pool_failure(pool, params, len(already_drawn))
    if failed:
        return failed
    return NeedsLottery(SmallWorkDrawPurpose.LOTTERY, pool.eligible, 1, tuple(already_drawn))


def rotation_queue(pool: Pool) -> tuple[tuple[Candidate, ...], ...]:
    """轮候: groups in queue order — never awarded first, then the oldest last award.

    Members of a group are tied (same last-award date) and sorted by id.
    """
    groups: dict[date | None, list[Candidate]] = {}
    for candidate in pool.eligible:
        groups.setdefault(candidate.last_win_on, []).append(candidate)
    order = sorted(groups, key=lambda d: (d is not None, d or date.min))
    return tuple(tuple(groups[key]) for key in order)


def rotation_pick(
    pool: Pool, params: SmallWorksParams, declined: frozenset[str] = frozenset()
) -> Selected | NeedsLottery | Failed:
    """The head of the queue wins; a tie at the head is broken by lottery."""
    failed = _pool_failure(pool, params, len(declined & set(pool.ids)))
    if failed:
        return failed
    for group in rotation_queue(pool):
        live = tuple(c for c in group if c.id not in declined)
        if len(live) == 1:
            evidence = (("last_win_on", _iso(live[0].last_win_on) or "never"),)
            return Selected(live[0].id, AllocationMethod.ROTATION, evidence)
        if live:
            return NeedsLottery(SmallWorkDrawPurpose.ROTATION_TIE, live)
    raise AssertionError("unreachable: _pool_failure caught an exhausted pool")


def short_list_request(
    pool: Pool, params: SmallWorksParams, earlier: ShortList | None = None
) -> ShortList | NeedsLottery | Failed:
    """The random short list (双随机 / 合理低价): `short_list_size` from the pool.

    When the pool is no larger than the short list, everyone is on it without a
    draw.  When the whole short list declined, pass it as `earlier`: the draw
    continues on the same frozen pool for another short list.
    """
    drawn_order = earlier.drawn_order if earlier else ()
    failed = _pool_failure(pool, params, len(drawn_order))
    if failed:
        return failed
    left = len(pool.eligible) - len(drawn_order)
    if not drawn_order and left <= params.short_list_size:
        return ShortList(pool.ids, pool.ids)
    count = min(params.short_list_size, left)
    return NeedsLottery(SmallWorkDrawPurpose.SHORT_LIST, pool.eligible, count, drawn_order)


def _short_listed(
    pool: Pool, short_list: ShortList, declined: frozenset[str]
) -> list[Candidate]:
    on_list = set(short_list.ids)
    strangers = on_list - set(pool.ids)
    if strangers:
        raise NotACandidate(f"short-listed id(s) {sorted(strangers)} not in the pool")
    return [c for c in pool.eligible if c.id in on_list and c.id not in declined]


def double_random_pick(
    pool: Pool, short_list: ShortList, declined: frozenset[str] = frozenset()
) -> Selected | NeedsLottery | Failed:
    """双随机信用: the best credit score on the short list wins; ties → lottery."""
    live = _short_listed(pool, short_list, declined)
    if not live:
        return Failed(SmallWorkFailureReason.SHORT_LIST_EXHAUSTED, "draw another short list")
    best = max(quantize2(c.credit_score) for c in live)
    tied = tuple(c for c in live if quantize2(c.credit_score) == best)
    if len(tied) > 1:
        return NeedsLottery(SmallWorkDrawPurpose.CREDIT_TIE, tied)
    evidence = (("credit_score", str(best)),)
    return Selected(tied[0].id, AllocationMethod.DOUBLE_RANDOM_CREDIT, evidence)


@dataclass(frozen=True, slots=True)
class Quote:
    """An opened price (开标报价) of a short-listed firm, in 分."""

    enterprise_id: str
    price_fen: int


def reasonable_floor(
    valid: Sequence[Quote], control_fen: int, params: SmallWorksParams
) -> int:
    """The lowest reasonable price: max(control × floor_of_control,
    mean of the valid quotes × floor_of_mean), rounded half up to the 分."""
    of_control = _times_ratio(control_fen, params.reasonable_floor_of_control)
    total = sum(q.price_fen for q in valid)
    of_mean = _times_ratio(total, params.reasonable_floor_of_mean, len(valid))
    return max(of_control, of_mean)


def reasonable_low_price(
    pool: Pool,
    short_list: ShortList,
    quotes: Iterable[Quote],
    control_fen: int,
    params: SmallWorksParams,
    declined: frozenset[str] = frozenset(),
) -> Selected | NeedsLottery | Failed:
    """合理低价: the lowest reasonable quote of the short list wins; ties → lottery.

    Valid quotes are > 0 and ≤ the control price (最高投标限价).  Reasonable ones
    are ≥ `reasonable_floor`, computed once from every valid opened quote, so a
    decline hands the award to the next reasonable quote without moving the
    floor.
    """
    live_ids = {c.id for c in _short_listed(pool, short_list, frozenset())}
    opened = _sorted_unique(quotes, "enterprise_id")
    strangers = [q.enterprise_id for q in opened if q.enterprise_id not in live_ids]
    if strangers:
        raise NotACandidate(f"quote(s) from {strangers} not on the short list")
    valid = [q for q in opened if 0 < q.price_fen <= control_fen]
    if not valid:
        return Failed(SmallWorkFailureReason.NO_REASONABLE_QUOTE, "no valid quote")
    floor = reasonable_floor(valid, control_fen, params)
    ok = [q for q in valid if q.price_fen >= floor and q.enterprise_id not in declined]
    if not ok:
        return Failed(SmallWorkFailureReason.NO_REASONABLE_QUOTE, f"none ≥ floor {floor} 分")
    lowest = min(q.price_fen for q in ok)
    tied = [q for q in ok if q.price_fen == lowest]
    evidence = (("floor_fen", str(floor)), ("price_fen", str(lowest)))
    if len(tied) == 1:
        method = AllocationMethod.REASONABLE_LOW_PRICE
        return Selected(tied[0].enterprise_id, method, evidence)
    tied_ids = {q.enterprise_id for q in tied}
    return NeedsLottery(
        SmallWorkDrawPurpose.PRICE_TIE, tuple(c for c in pool.eligible if c.id in tied_ids)
    )


# --- declines and suspension (§6.3) ---------------------------------------------------


def check_decline_time(
    notified_at: datetime, declined_at: datetime, params: SmallWorksParams
) -> None:
    """A drawn firm may decline only within the decline window (inclusive)."""
    _require_aware(notified_at, "notified_at")
    _require_aware(declined_at, "declined_at")
    closes = notified_at + params.decline_window
    if declined_at > closes:
        raise DeclineWindowClosed(f"the decline window closed at {closes}")


@dataclass(frozen=True, slots=True)
class Suspension:
    since: date
    until: date  # exclusive
    declines: tuple[date, ...]  # the unjustified declines that triggered it


def suspension_in_force(
    unjustified_declines: Iterable[date], on: date, params: SmallWorksParams
) -> Suspension | None:
    """2 unjustified declines within 12 months → suspended `suspension_months`
    from the second one.  Returns the suspension in force on `on`, if any."""
    past = sorted(d for d in unjustified_declines if d <= on)
    latest = None
    for index, day in enumerate(past):
        window = tuple(
            d
            for d in past[: index + 1]
            if within_months(d, day, params.decline_lookback_months)
        )
        if len(window) >= params.decline_suspension_count:
            until = add_months(day, params.suspension_months)
            latest = Suspension(day, until, window)
    return latest if latest is not None and on < latest.until else None


class SuspensionCause(StrEnum):
    """Why an entry is suspended; decides what a later decline decision may undo."""

    DECLINES = "declines"  # 12 个月内 2 次无正当理由放弃
    EXPIRY = "expiry"  # 证照过期
    CENTER = "center"  # 交易中心因故暂停


class StandingChange(StrEnum):
    NONE = "none"
    SUSPEND = "suspend"  # the declines now reach the count
    LIFT = "lift"  # the declines that caused the suspension no longer reach it
    RESCHEDULE = "reschedule"  # still suspended by declines, but to another end date


def standing_after_declines(
    status: RegistryStatus,
    cause: str,
    suspended_until: date | None,
    in_force: Suspension | None,
) -> StandingChange:
    """What the declines now say about an entry, after a decline or a decision on one.

    Only a suspension the declines caused moves with them: a center's suspension for
    cause or an expired licence stays whatever the declines say, and an entry outside
    the registry (applied, exited) is never touched.  A suspended entry whose
    suspension the declines caused is reinstated when the center justifies enough of
    them that no suspension is in force any more (the only ground for it is gone).
    """
    if status is RegistryStatus.ACTIVE:
        return StandingChange.SUSPEND if in_force is not None else StandingChange.NONE
    if status is not RegistryStatus.SUSPENDED or cause != SuspensionCause.DECLINES:
        return StandingChange.NONE
    if in_force is None:
        return StandingChange.LIFT
    if in_force.until != suspended_until:
        return StandingChange.RESCHEDULE
    return StandingChange.NONE


# --- credit (§6.3 "performance evaluation feeds credit") ------------------------------


@dataclass(frozen=True, slots=True)
class PerformanceRecord:
    """One completed small work: completion facts and the 履约评价 score."""

    project_id: str
    completed_on: date
    on_time: bool  # 按期竣工
    quality_accepted: bool  # 竣工验收合格
    evaluation_score: Decimal  # 0–100, by the owner or the center


def credit_score(
    records: Iterable[PerformanceRecord],
    unjustified_declines: Iterable[date],
    on: date,
    params: SmallWorksParams,
) -> Decimal:
    """Credit on `on` over the look-back window: weighted evaluation mean, on-time
    rate and quality-acceptance rate (initial score when nothing was completed),
    minus a penalty per unjustified decline, clamped to 0–100, 2 dp."""
    months = params.credit_lookback_months
    recent = [r for r in records if within_months(r.completed_on, on, months)]
    for record in recent:
        if not 0 <= record.evaluation_score <= HUNDRED:
            raise InvalidEvaluation(f"{record.project_id}: score must be 0–100")
    base = _performance(recent, params) if recent else params.credit_initial_score
    declines = sum(1 for d in unjustified_declines if within_months(d, on, months))
    score = base - params.decline_penalty * declines
    return quantize2(min(HUNDRED, max(Decimal(0), score)))


def _performance(recent: list[PerformanceRecord], params: SmallWorksParams) -> Decimal:
    n = len(recent)
    evaluation = sum(r.evaluation_score for r in recent) / n
    on_time = HUNDRED * sum(1 for r in recent if r.on_time) / n
    quality = HUNDRED * sum(1 for r in recent if r.quality_accepted) / n
    w_eval, w_time, w_quality = params.credit_weights
    return w_eval * evaluation + w_time * on_time + w_quality * quality
