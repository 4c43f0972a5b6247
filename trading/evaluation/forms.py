"""Colander schemas shared by the evaluation pages and the JSON API.

Lists an operator types (employers, specialties, scoring items) are one entry per line,
fields separated by "|", so the pages work without JavaScript; `lines` parses them.
"""

import colander
import deform

from ..forms import CSRFSchema, Text, id_range
from ..i18n import _
from .errors import EvaluationInvalid

TEXT = deform.widget.TextAreaWidget(rows=4)
FORMULA_CHOICES = (("low_price_first", _("低价优先法（基准价=最低评标价）")),
                   ("average_benchmark", _("平均值基准价法（仅工程招标）")),
                   ("none", _("不计价格分")))
KIND_WORDS = {"合格制": "pass_fail", "客观": "objective", "主观": "subjective",
              "pass_fail": "pass_fail", "objective": "objective", "subjective": "subjective"}


def lines(text: str, field: str, columns: tuple[str, ...], *, required: int = 1) -> list[dict]:
    """'a|b|c' lines → dicts with the given keys; blank lines are skipped."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < required or len(parts) > len(columns) or not all(parts[:required]):
            raise EvaluationInvalid(f"第{number}行格式应为：{'|'.join(columns)}", field=field)
        rows.append(dict(zip(columns, parts + [""] * (len(columns) - len(parts)), strict=True)))
    return rows


def _text(title, max_len=200, **kw):
    return colander.SchemaNode(Text(), title=title,
                               validator=colander.Length(max=max_len), **kw)


def _employers():
    return _text(
        _("工作单位（每行：单位名称|统一社会信用代码|起始日期|结束日期，在职则结束日期留空）"),
        4000, missing="", widget=TEXT)


def _shareholdings():
    return _text(_("持股（每行：单位名称|统一社会信用代码|比例）"), 4000, missing="", widget=TEXT)


def _relatives():
    return _text(_("近亲属（每行：姓名|关系|任职单位|统一社会信用代码）"), 4000, missing="",
                 widget=TEXT)


class ExpertSchema(CSRFSchema):
    code = _text(_("专家编号"), 32)
    name = _text(_("姓名"), 100)
    region = _text(_("所在地区"), 100)
    specialties = _text(_("专业（以逗号分隔）"), 500)
    title = _text(_("职称"), 100, missing="")
    years_experience = colander.SchemaNode(colander.Integer(), title=_("从业年限"), missing=0,
                                           validator=colander.Range(0, 70))
    phone = _text(_("联系电话"), 40, missing="")
    username = _text(_("关联的专家登录账号（可空）"), 64, missing="")
    employers = _employers()
    shareholdings = _shareholdings()
    relatives = _relatives()


class ExpertEditSchema(CSRFSchema):
    """编辑专家信息: every fact the conflict checks use, and the status with its reason."""

    name = _text(_("姓名"), 100)
    region = _text(_("所在地区"), 100)
    specialties = _text(_("专业（以逗号分隔）"), 500)
    title = _text(_("职称"), 100, missing="")
    years_experience = colander.SchemaNode(colander.Integer(), title=_("从业年限"), missing=0,
                                           validator=colander.Range(0, 70))
    phone = _text(_("联系电话"), 40, missing="")
    employers = _employers()
    shareholdings = _shareholdings()
    relatives = _relatives()
    status = colander.SchemaNode(Text(), title=_("状态"),
                                 validator=colander.OneOf(("active", "suspended", "blacklisted")),
                                 widget=deform.widget.SelectWidget(values=(
                                     ("active", _("正常")), ("suspended", _("暂停")),
                                     ("blacklisted", _("禁入")))))
    reason = _text(_("暂停或禁入的理由"), 500, missing="")
    version = colander.SchemaNode(colander.Integer(), missing=None,
                                  widget=deform.widget.HiddenWidget())


class ExpertStatusSchema(CSRFSchema):
    status = colander.SchemaNode(Text(), title=_("状态"),
                                 validator=colander.OneOf(("active", "suspended", "blacklisted")),
                                 widget=deform.widget.SelectWidget(values=(
                                     ("active", _("正常")), ("suspended", _("暂停")),
                                     ("blacklisted", _("禁入")))))
    reason = _text(_("理由"), 500, missing="")


class CommitteeSchema(CSRFSchema):
    plan = _text(_("抽取专业（每行：专业|人数|候补人数）"), 2000, widget=TEXT)
    owner_reps = _text(_("业主代表登录账号（以逗号分隔，可空）"), 500, missing="")
    region = _text(_("抽取地区（空为不限）"), 100, missing="")


class CriteriaSchema(CSRFSchema):
    items = _text(_("评审因素（每行：编号|名称|类型（合格制/客观/主观）|满分|步长|★）"), 8000,
                  widget=deform.widget.TextAreaWidget(rows=8))
    formula = colander.SchemaNode(Text(), title=_("价格分计算方法"),
                                  validator=colander.OneOf([c[0] for c in FORMULA_CHOICES]),
                                  widget=deform.widget.SelectWidget(values=FORMULA_CHOICES))
    weight = _text(_("价格权重（如 0.30，即30分）"), 10, missing="")
    coefficient = _text(_("下浮系数（平均值法，可空）"), 10, missing="")
    sme_small_micro_rate = _text(_("小微企业价格扣除比例（政府采购，可空，如 0.10）"), 10,
                                 missing="")
    sme_partnered_rate = _text(_("联合体/分包小微企业扣除比例（如 0.04）"), 10, missing="")
    n_candidates = colander.SchemaNode(colander.Integer(), title=_("推荐候选人数"), missing=3,
                                       validator=colander.Range(1, 7))


def criteria_input(values: dict) -> dict:
    """The appstruct as CriteriaService.save's arguments."""
    items = []
    for row in lines(values["items"], "items",
                     ("item_id", "name", "kind", "max_score", "step", "key"), required=3):
        kind = KIND_WORDS.get(row["kind"])
        if kind is None:
            raise EvaluationInvalid(f"类型“{row['kind']}”应为 合格制、客观 或 主观", field="items")
        items.append({"item_id": row["item_id"], "name": row["name"], "kind": kind,
                      "max_score": row["max_score"] or None, "step": row["step"] or None,
                      "key_requirement": row["key"] in ("★", "*", "是")})
    price = {"formula": values["formula"], "weight": values["weight"],
             "coefficient": values["coefficient"]}
    if values["sme_small_micro_rate"]:
        price["sme"] = {"small_micro_rate": values["sme_small_micro_rate"],
                        "partnered_rate": values["sme_partnered_rate"] or "0"}
    return {"items": items, "price": price, "n_candidates": values["n_candidates"]}


class ReasonSchema(CSRFSchema):
    reason = _text(_("理由"), 2000)


class SignSchema(CSRFSchema):
    confirmation = _text(_("请输入确认语"), 200)
    agrees = colander.SchemaNode(colander.Boolean(), title=_("同意评标结论"), missing=True)
    dissent = _text(_("不同意见及理由"), 2000, missing="")


class SignInSchema(CSRFSchema):
    confirmation = _text(_("请输入承诺语"), 200)
    conflict = _text(_("如有利害关系请如实申报（无则留空）"), 1000, missing="")


class MarkSchema(colander.MappingSchema):
    bid_id = colander.SchemaNode(colander.Integer(), validator=id_range())
    item_id = _text("item", 64)
    value = _text("value", 32, missing=None)
    passed = colander.SchemaNode(colander.Boolean(), missing=None)
    reason = _text("reason", 1000, missing="")


class MarksSchema(colander.SequenceSchema):
    mark = MarkSchema()


class SheetBody(colander.MappingSchema):
    marks = MarksSchema()


class MemberBody(colander.MappingSchema):
    member_id = colander.SchemaNode(colander.Integer(), validator=id_range())


# -- 竞争性磋商: the panel's notes, a withdrawal, the termination -------------------------


class NoteBody(colander.MappingSchema):
    """A change of requirements broadcast to every supplier still in (变更通知)."""

    text = colander.SchemaNode(Text(), validator=colander.Length(2, 5000))


class SessionBody(NoteBody):
    """The minutes of the panel's separate session with one supplier."""

    org_id = colander.SchemaNode(colander.Integer(), validator=colander.Range(1, 2**31 - 1))


class WithdrawBody(colander.MappingSchema):
    reason = colander.SchemaNode(Text(), missing="",
                                 validator=colander.Length(0, 500))


class TerminateBody(colander.MappingSchema):
    """磋商终止 (214号 Art 34): the reason is published with the failure."""

    reason = colander.SchemaNode(Text(), validator=colander.Length(2, 500))
