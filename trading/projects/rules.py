"""Pure rules for postings: rule-profile defaults, timeline and lot checks, clarifications.

Every number here is a default of the versioned RuleProfile (rules §8); a project keeps the
profile version it was posted under.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .kinds import ProcurementMethod, Regime

LOCAL = ZoneInfo("Asia/Shanghai")

BASE_PARAMS = {
    "notice.min_days": 20,  # tender issue → deadline (招标投标法 Art 24; 87号令 Art 25)
    "documents.min_working_days": 5,  # documents available (87号令 Art 18)
    "clarification.min_days": 15,  # 实施条例 Art 21; 87号令 Art 27
    "bidding.min_bidders": 3,  # 实施条例 Art 44; 87号令 Art 41
    "decrypt.window_min": 30,  # rules §7.3 [P]
    # A new project's custody when its owner does not choose: one the operator cannot open
    # alone (issue #15). `auto` (the platform can decrypt before the opening) is only ever
    # an explicit choice.
    "custody.default": "dual",
    "publicity.candidates_days_min": 3,  # 实施条例 Art 54
    "objection.answer_days": 3,
    "committee.min_size": 5,
    "scores.trim_when_experts_gte": 7,
}

# Differences between procedures are data (architecture §5).
METHOD_OVERRIDES = {
    ProcurementMethod.COMPETITIVE_CONSULTATION: {"notice.min_days": 10, "committee.min_size": 3,
                                                "bidding.min_bidders": 3},
    ProcurementMethod.FINAL_OFFER: {"notice.min_days": 10},
    ProcurementMethod.SMALL_WORKS: {"notice.min_days": 7, "committee.min_size": 3},
    ProcurementMethod.INTERMEDIARY: {"notice.min_days": 3},
}


# 终次报价 round (rules §1.4, §8 ``final_offer.*``); trading.award.rules reads them.
FINAL_OFFER_PARAMS = {
    "final_offer.eligibility_window_min": 5,
    "final_offer.window_min": 30,
    "final_offer.reference": "mean_all",
    "final_offer.winner_rule": "closest",
    "final_offer.tie_breaker": "lottery",
    "final_offer.min_offers": 1,
    "final_offer.too_few": "fail",
    "final_offer.on_no_offer": "fallback",
    "final_offer.floor_permille": 800,  # floor = 80 % of the ceiling price [P]
    "final_offer.late_join": True,  # a signed-up non-bidder may join by accepting the floor
}


def default_params(regime: Regime, method: ProcurementMethod) -> dict:
    params = dict(BASE_PARAMS)
    params.update(METHOD_OVERRIDES.get(method, {}))
    if method is ProcurementMethod.FINAL_OFFER:
        params.update(FINAL_OFFER_PARAMS)
        if regime is Regime.GOVERNMENT_PROCUREMENT:
            # 87号令 Art 55: no average-based price competition in 政府采购 (rules §1.4).
            params["final_offer.winner_rule"] = "lowest"
    if regime is Regime.GOVERNMENT_PROCUREMENT:
        params["publicity.result_working_days"] = 1  # 87号令 Art 69
    return params


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days (Mon–Fri, Asia/Shanghai) from start's date up to end's date.

    Public holidays and make-up working days come from the center's calendar later; without
    it, weekends alone are skipped, which never shortens a legal minimum by a weekend.
    """
    day, last, count = _local_date(start), _local_date(end), 0
    while day < last:
        if day.weekday() < 5:
            count += 1
        day += timedelta(days=1)
    return count


def _local_date(value: datetime) -> date:
    return value.astimezone(LOCAL).date()


@dataclass(frozen=True)
class Timeline:
    doc_start: datetime  # 文件获取开始 / 报名开始
    doc_end: datetime  # 文件获取截止
    clarification_deadline: datetime  # 澄清/提问截止
    bid_deadline: datetime  # 投标截止 = 开标时间


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def timeline_problems(t: Timeline, params: dict, now: datetime) -> list[Problem]:
    """Everything wrong with a timeline at `now`; empty means it may be published."""
    problems = []
    if t.bid_deadline <= now:
        problems.append(Problem("bid_deadline", "投标截止时间已过"))
    if not t.doc_start < t.doc_end <= t.bid_deadline:
        problems.append(Problem("doc_end", "文件获取期应在投标截止前，且结束晚于开始"))
    if not t.doc_start <= t.clarification_deadline <= t.bid_deadline:
        problems.append(Problem("clarification_deadline",
                                "澄清截止时间应在文件获取开始与投标截止之间"))
    start = max(t.doc_start, now)
    min_days = params["notice.min_days"]
    if t.bid_deadline - start < timedelta(days=min_days):
        problems.append(Problem(
            "bid_deadline",
            f"自文件发出之日至投标截止不得少于{min_days}日"
            f"（最早 {earliest_deadline(start, min_days)}）",
        ))
    min_wd = params["documents.min_working_days"]
    if working_days_between(t.doc_start, t.doc_end) < min_wd:
        problems.append(Problem("doc_end", f"文件获取期不得少于{min_wd}个工作日"))
    return problems


def earliest_deadline(start: datetime, days: int) -> str:
    return (start + timedelta(days=days)).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class LotInput:
    name: str
    budget: int | None  # 分
    ceiling_price: int | None  # 最高限价, 分


def lot_problems(lots: list[LotInput]) -> list[Problem]:
    if not lots:
        return [Problem("lots", "至少需要一个标段（包）")]
    problems = []
    for i, lot in enumerate(lots, start=1):
        field = f"lots.{i - 1}"
        if lot.budget is None or lot.budget <= 0:
            problems.append(Problem(f"{field}.budget", f"第{i}标段缺少预算金额"))
            continue
        if lot.ceiling_price is not None and not 0 <= lot.ceiling_price <= lot.budget:
            problems.append(Problem(f"{field}.ceiling_price",
                                    f"第{i}标段最高限价应在0与预算之间"))
    return problems


def clarification_deadline_problem(*, affects_bids: bool, now: datetime,
                                   current_deadline: datetime, new_deadline: datetime | None,
                                   params: dict) -> Problem | None:
    """A change that affects bids needs `clarification.min_days` before the deadline (§7.8)."""
    min_days = params["clarification.min_days"]
    if new_deadline is not None and new_deadline < current_deadline:
        return Problem("new_deadline", "澄清或变更不得提前投标截止时间")
    deadline = new_deadline or current_deadline
    if affects_bids and deadline - now < timedelta(days=min_days):
        return Problem(
            "new_deadline",
            f"影响投标文件编制的澄清或修改，距投标截止不足{min_days}日，须顺延截止时间"
            f"（最早 {earliest_deadline(now, min_days)}）",
        )
    return None
