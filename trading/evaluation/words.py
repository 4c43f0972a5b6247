"""What the committee's flags, reviews and price rules say, in words (rules §4.5–§4.7).

The room, the report page and the printable report read the same stored rows (or the
signed report's copies of them) through these functions: a warning names the expert, the
bidder and the item with the figures that raised it, a low-price trigger states the ratio
the project's rules used, the price base names the formula actually applied. Pure: plain
values in, Chinese text out (msgids, translated by the page).
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ..i18n import N_
from . import rules

WARNING_LABELS = {"deviation": N_("评分偏离"), "dispersion": N_("评分离散"),
                  "favouritism": N_("倾向性打分"), "joint_high": N_("多名专家共同偏高")}
DECISION_LABELS = {"pending": N_("待认定"), "accepted": N_("说明成立，投标有效"),
                   "rejected": N_("不能证明报价合理，投标无效")}
TRIGGERS = ("below_mean", "below_second", "below_ceiling")


def percent(value) -> str:
    """'0.4667' → '46.67%', '0.50' → '50%' (a stored decimal fraction, never a float)."""
    text = f"{(Decimal(str(value)) * 100).quantize(Decimal('0.01')):f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def _score(value) -> str:
    if value in (None, ""):
        return "—"
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def warning_text(w: Mapping, *, members: Mapping, bidders: Mapping, items: Mapping,
                 params: rules.EvaluationParams) -> str:
    """One flag of the report appendix (a ScoreWarning as the report stores it)."""
    d = w.get("detail") or {}
    member = members.get(w.get("member_id"), "")
    bidder = bidders.get(w.get("bid_id"), "")
    item = items.get(w.get("item_id") or d.get("item_id"), w.get("item_id") or "")
    kind = w.get("kind")
    if kind == "deviation":
        return (f"{member}对{bidder}的“{item}”评{_score(d.get('score'))}分，其他专家平均"
                f"{_score(d.get('others_mean'))}分，偏离该项满分的{percent(d.get('deviation', 0))}"
                f"（提示线{percent(params.subjective_dev_warn)}）")
    if kind == "dispersion":
        return (f"{bidder}的主观分合计在专家之间最低{_score(d.get('lowest_total'))}分、最高"
                f"{_score(d.get('highest_total'))}分，相差主观分满分的"
                f"{percent(d.get('spread', 0))}（提示线{percent(params.dispersion_warn)}）")
    if kind == "favouritism":
        return (f"{member}对{bidder}的每个主观项均高于其他专家，主观分合计高出满分的"
                f"{percent(d.get('deviation', 0))}（提示线{percent(params.favouritism_warn)}）")
    if kind == "joint_high":
        names = "、".join(members.get(_int(e), str(e)) for e in d.get("expert_ids") or ())
        return f"{names}共同对{bidder}打分明显偏高（{params.joint_high_min_experts}名及以上）"
    return str(WARNING_LABELS.get(kind, kind))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def trigger_texts(codes: Iterable[str], params: rules.EvaluationParams) -> list[str]:
    """The 财库〔2026〕2号 triggers that fired, with the project's own ratios."""
    words = {
        "below_mean": f"低于通过符合性审查的全部报价平均值的{percent(params.lowprice_ratio_avg)}",
        "below_second": f"为最低报价且低于次低报价的{percent(params.lowprice_ratio_second)}",
        "below_ceiling": f"低于最高限价（无最高限价时为预算）的"
                         f"{percent(params.lowprice_ratio_ceiling)}",
    }
    return [words.get(c, c) for c in codes]


def price_base_text(price: Mapping, *, priced: int, params: rules.EvaluationParams,
                    final_quote: bool = False) -> str:
    """How the 评标基准价 of this report was found: the formula the criteria name."""
    formula = (price or {}).get("formula", "none")
    if final_quote:
        return "磋商基准价：满足磋商文件要求且最后报价最低的供应商的价格（低价优先法）"
    if formula == "low_price_first":
        return "评标基准价：满足招标文件要求且评审价最低的投标报价（低价优先法）"
    if formula == "average_benchmark":
        pool = ("去掉一个最高价和一个最低价后的" if priced > params.works_trim_when_more_than
                else "")
        coefficient = price.get("coefficient")
        times = f"乘以系数{coefficient}" if coefficient else ""
        return f"评标基准价：有效投标报价{pool}算术平均值{times}（平均值基准价法）"
    return "本项目不计价格分"


def aggregation_text(trimmed: bool) -> str:
    """How each bidder's expert scores were combined (rules §4.5)."""
    return ("专家评分汇总：去掉一个最高分和一个最低分后取算术平均" if trimmed
            else "专家评分汇总：全体专家评分的算术平均")
