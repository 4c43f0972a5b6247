"""Pure expert-draw rules (rules §4.2–§4.3): who may be drawn, who must withdraw (回避).

No database: the committee service hands in plain facts and gets reasons back, so the
same checks run at the draw (owner, agency) and again after the opening (bidders).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from ..accounts.rules import credit_code_problem

# 政府采购评审专家管理办法 (财库〔2016〕198号): employment, directorship or control within
# the three years before the procurement is a conflict. [S, verify]
LOOKBACK_DAYS = 3 * 365


@dataclass(frozen=True)
class Party:
    """An organisation the expert must have no tie with: owner, agency or bidder."""

    role: str  # owner | agency | bidder
    name: str
    credit_code: str = ""


@dataclass(frozen=True)
class ExpertFacts:
    expert_id: int
    status: str
    specialties: tuple[str, ...]
    region: str
    employers: tuple[dict, ...] = ()  # {"name", "credit_code", "from", "to"} ISO dates
    shareholdings: tuple[dict, ...] = ()  # {"name", "credit_code", "share"}
    relatives: tuple[dict, ...] = ()  # {"name", "relation", "org_name", "credit_code"}
    recent_draws_same_owner: tuple[date, ...] = field(default=())


ROLE_WORDS = {"owner": "招标人（采购人）", "agency": "代理机构", "bidder": "投标人"}


def _date(text: str) -> date | None:
    """YYYY-MM-DD only (Python also reads 20150301, which the pages would not show)."""
    if not text or len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _share(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().rstrip("%％"))
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 < value <= 100 else None


def fact_problems(employers: Sequence[dict], shareholdings: Sequence[dict],
                  relatives: Sequence[dict]) -> list[tuple[str, str]]:
    """(field, words) for every entry the conflict checks could not rely on: employment
    dates that are not ISO dates or end before they start, a share outside (0, 100] %,
    a relative without the relation or the employer to compare, a malformed credit code."""
    problems = []
    for n, job in enumerate(employers, start=1):
        start, end = _date(job.get("from", "")), _date(job.get("to") or "")
        if start is None or (job.get("to") and end is None):
            problems.append(("employers",
                             f"第{n}行：起止日期须为 YYYY-MM-DD（在职则结束日期留空）"))
        elif end is not None and end < start:
            problems.append(("employers", f"第{n}行：结束日期早于起始日期"))
    for n, holding in enumerate(shareholdings, start=1):
        if _share(holding.get("share", "")) is None:
            problems.append(("shareholdings", f"第{n}行：持股比例须为大于0且不超过100的百分数"))
    for n, relative in enumerate(relatives, start=1):
        if not relative.get("relation") or not (relative.get("org_name")
                                                 or relative.get("credit_code")):
            problems.append(("relatives", f"第{n}行：须填写关系及任职单位（或其信用代码）"))
    for name, rows in (("employers", employers), ("shareholdings", shareholdings),
                       ("relatives", relatives)):
        for n, row in enumerate(rows, start=1):
            problem = credit_code_problem(row["credit_code"]) if row.get("credit_code") \
                else None
            if problem:
                problems.append((name, f"第{n}行：统一社会信用代码无效（{problem}）"))
    return problems


def _same(party: Party, name: str, code: str) -> bool:
    if party.credit_code and code:
        return party.credit_code == code
    return bool(name) and party.name == name


def _within(entry: dict, on: date, lookback_days: int) -> bool:
    """An employment that had not ended before the look-back window started."""
    ended = entry.get("to")
    return not ended or date.fromisoformat(ended) >= on - timedelta(days=lookback_days)


def conflict_reasons(expert: ExpertFacts, parties: Iterable[Party], on: date,
                     lookback_days: int = LOOKBACK_DAYS) -> tuple[str, ...]:
    """Every tie between the expert and the parties, in words; empty means none."""
    reasons = []
    for party in parties:
        who = f"{ROLE_WORDS.get(party.role, party.role)}“{party.name}”"
        for job in expert.employers:
            if _same(party, job.get("name", ""), job.get("credit_code", "")) \
                    and _within(job, on, lookback_days):
                reasons.append(f"近三年内受聘于{who}")
        for holding in expert.shareholdings:
            if _same(party, holding.get("name", ""), holding.get("credit_code", "")):
                reasons.append(f"持有{who}股份")
        for relative in expert.relatives:
            if _same(party, relative.get("org_name", ""), relative.get("credit_code", "")):
                reasons.append(f"近亲属{relative.get('name', '')}"
                               f"（{relative.get('relation', '')}）任职于{who}")
    return tuple(dict.fromkeys(reasons))


def draw_exclusions(expert: ExpertFacts, *, specialty: str, region: str,
                    parties: Sequence[Party], on: date,
                    rotation_days: int) -> tuple[str, ...]:
    """Why the expert may not enter this specialty's frozen list (empty: eligible)."""
    reasons = []
    if expert.status != "active":
        reasons.append("专家状态非正常（暂停或禁入）")
    if specialty not in expert.specialties:
        reasons.append(f"不具备专业“{specialty}”")
    if region and expert.region != region:
        reasons.append(f"不属于抽取地区“{region}”")
    if rotation_days and any(on - d < timedelta(days=rotation_days)
                             for d in expert.recent_draws_same_owner):
        reasons.append(f"{rotation_days}日内已被抽取参加同一招标人的项目（轮换）")
    return (*reasons, *conflict_reasons(expert, parties, on))


def pool_too_small(available: int, need: int, factor: int = 2) -> bool:
    """Rules §4.2: fewer than factor × need eligible → widen the region or escalate."""
    return available < factor * need
