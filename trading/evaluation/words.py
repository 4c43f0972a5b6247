"""What the committee's flags, reviews and price rules say, in words (rules §4.5–§4.7).

The room, the report page and the printable report read the same stored rows (or the
signed report's copies of them) through these functions: a warning names the expert, the
bidder and the item with the figures that raised it, a low-price trigger states the ratio
the project's rules used, the price base names the formula actually applied. Pure: plain
values in, translation strings out (Chinese msgids with their figures as a mapping), which
the page translates with ``request.localizer.translate`` into Chinese or English.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from ..i18n import N_, _
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
                 params: rules.EvaluationParams):
    """One flag of the report appendix (a ScoreWarning as the report stores it)."""
    d = w.get("detail") or {}
    kind = w.get("kind")
    words = {"member": members.get(w.get("member_id"), ""),
             "bidder": bidders.get(w.get("bid_id"), ""),
             "item": items.get(w.get("item_id") or d.get("item_id"), w.get("item_id") or "")}
    if kind == "deviation":
        return _("${member}对${bidder}的“${item}”评${score}分，其他专家平均${mean}分，"
                 "偏离该项满分的${dev}（提示线${line}）",
                 mapping={**words, "score": _score(d.get("score")),
                          "mean": _score(d.get("others_mean")),
                          "dev": percent(d.get("deviation", 0)),
                          "line": percent(params.subjective_dev_warn)})
    if kind == "dispersion":
        return _("${bidder}的主观分合计在专家之间最低${low}分、最高${high}分，"
                 "相差主观分满分的${spread}（提示线${line}）",
                 mapping={**words, "low": _score(d.get("lowest_total")),
                          "high": _score(d.get("highest_total")),
                          "spread": percent(d.get("spread", 0)),
                          "line": percent(params.dispersion_warn)})
    if kind == "favouritism":
        return _("${member}对${bidder}的每个主观项均高于其他专家，主观分合计高出满分的${dev}"
                 "（提示线${line}）",
                 mapping={**words, "dev": percent(d.get("deviation", 0)),
                          "line": percent(params.favouritism_warn)})
    if kind == "joint_high":
        names = "、".join(members.get(_int(e), str(e)) for e in d.get("expert_ids") or ())
        return _("${names}共同对${bidder}打分明显偏高（${n}名及以上）",
                 mapping={**words, "names": names, "n": params.joint_high_min_experts})
    return _(WARNING_LABELS.get(kind, kind))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def trigger_texts(codes: Iterable[str], params: rules.EvaluationParams) -> list:
    """The 财库〔2026〕2号 triggers that fired, with the project's own ratios."""
    words = {
        "below_mean": _("低于通过符合性审查的全部报价平均值的${r}",
                        mapping={"r": percent(params.lowprice_ratio_avg)}),
        "below_second": _("为最低报价且低于次低报价的${r}",
                          mapping={"r": percent(params.lowprice_ratio_second)}),
        "below_ceiling": _("低于最高限价（无最高限价时为预算）的${r}",
                           mapping={"r": percent(params.lowprice_ratio_ceiling)}),
    }
    return [words.get(c, c) for c in codes]


def price_base_text(price: Mapping, *, priced: int, params: rules.EvaluationParams,
                    final_quote: bool = False):
    """How the 评标基准价 of this report was found: the formula the criteria name."""
    formula = (price or {}).get("formula", "none")
    if final_quote:
        return _("磋商基准价：满足磋商文件要求且最后报价最低的供应商的价格（低价优先法）")
    if formula == "low_price_first":
        return _("评标基准价：满足招标文件要求且评审价最低的投标报价（低价优先法）")
    if formula == "average_benchmark":
        coefficient = price.get("coefficient")
        if priced > params.works_trim_when_more_than:
            if coefficient:
                return _("评标基准价：有效投标报价去掉一个最高价和一个最低价后的算术平均值"
                         "乘以系数${k}（平均值基准价法）", mapping={"k": coefficient})
            return _("评标基准价：有效投标报价去掉一个最高价和一个最低价后的算术平均值"
                     "（平均值基准价法）")
        if coefficient:
            return _("评标基准价：有效投标报价算术平均值乘以系数${k}（平均值基准价法）",
                     mapping={"k": coefficient})
        return _("评标基准价：有效投标报价算术平均值（平均值基准价法）")
    return _("本项目不计价格分")


def aggregation_text(trimmed: bool):
    """How each bidder's expert scores were combined (rules §4.5)."""
    return (_("专家评分汇总：去掉一个最高分和一个最低分后取算术平均") if trimmed
            else _("专家评分汇总：全体专家评分的算术平均"))
