"""Small-works schemas: one colander schema for each deform form and its JSON API body."""

import colander
import deform

from ..forms import CSRFSchema, Day, Money, Text
from ..i18n import _
from .models import NAME_MAX, TEXT_MAX
from .rules import AllocationMethod, Category, Grade, ObjectType

CATEGORY_LABELS = {
    Category.BUILDING_MUNICIPAL: _("房屋建筑和市政"),
    Category.ROADS: _("交通公路"),
    Category.WATER: _("水利"),
    Category.POWER: _("能源电力"),
}
GRADE_LABELS = {Grade.SPECIAL: _("特级"), Grade.FIRST: _("一级"), Grade.SECOND: _("二级"),
                Grade.THIRD: _("三级")}
METHOD_LABELS = {
    AllocationMethod.LOTTERY: _("随机抽取（摇号）"),
    AllocationMethod.ROTATION: _("轮候"),
    AllocationMethod.DOUBLE_RANDOM_CREDIT: _("双随机信用法"),
    AllocationMethod.REASONABLE_LOW_PRICE: _("合理低价法"),
}
OBJECT_LABELS = {ObjectType.WORKS: _("施工"), ObjectType.GOODS: _("重要设备、材料"),
                 ObjectType.SERVICES: _("勘察、设计、监理")}
OFFERED_METHODS = tuple(AllocationMethod)


def _select(labels: dict, title, default=None):
    return colander.SchemaNode(
        Text(), title=title, default=default,
        validator=colander.OneOf([str(k) for k in labels]),
        widget=deform.widget.SelectWidget(values=[(str(k), _(v)) for k, v in labels.items()]))


def _text(title, low=1, high=NAME_MAX, **kw):
    return colander.SchemaNode(Text(), title=title,
                               validator=colander.Length(low, high), **kw)


def _date(title, typ=None, **kw):
    # a plain text field: works without JavaScript and in every browser
    return colander.SchemaNode(typ or Day(), title=title, description=_("如 2026-03-25"),
                               widget=deform.widget.TextInputWidget(), **kw)


class QualificationSchema(colander.MappingSchema):
    category = _select(CATEGORY_LABELS, _("类别"))
    sub_specialty = _text(_("子专业（如 装饰装修、园林绿化，可空）"), 0, 60, missing="")
    grade = colander.SchemaNode(
        colander.Integer(), title=_("资质等级"), default=int(Grade.THIRD),
        validator=colander.OneOf([int(g) for g in Grade]),
        widget=deform.widget.SelectWidget(values=[(str(int(g)), _(v))
                                                  for g, v in GRADE_LABELS.items()]))
    certificate_no = _text(_("资质证书编号"), 1, 60)
    valid_from = _date(_("资质有效期起"))
    valid_until = _date(_("资质有效期至"))


class QualificationsSchema(colander.SequenceSchema):
    qualification = QualificationSchema(title=_("资质证书"))


class ManagersSchema(colander.SequenceSchema):
    manager = _text(_("项目经理姓名"), 1, 60)


class EnterpriseBody(colander.MappingSchema):
    """入库申请 (the API schema); the credit code is the organisation's own."""

    qualifications = QualificationsSchema(
        title=_("资质证书"), validator=colander.Length(1, 20),
        widget=deform.widget.SequenceWidget(min_len=1, add_subitem_text_template=_("添加资质")))
    # A business licence may run for decades, or without end (长期, written 9999-12-31).
    business_licence_until = _date(_("营业执照有效期至（长期填 9999-12-31）"),
                                   Day(years_ahead=50, open_ended=True))
    safety_licence_no = _text(_("安全生产许可证编号"), 1, 60)
    safety_licence_until = _date(_("安全生产许可证有效期至"))
    local_office = _text(_("本地办公场所地址"))
    local_insured_staff = colander.SchemaNode(
        colander.Integer(), title=_("本地参保人员数"), validator=colander.Range(0, 100000))
    managers = ManagersSchema(
        title=_("项目经理"), validator=colander.Length(1, 50),
        widget=deform.widget.SequenceWidget(min_len=1, add_subitem_text_template=_("添加项目经理")))
    similar_projects = _text(_("近 3 年完成的类似工程（每行一项）"), 0, TEXT_MAX, missing="",
                             widget=deform.widget.TextAreaWidget(rows=3))
    integrity_commitment = colander.SchemaNode(
        colander.Boolean(), title=_("诚信承诺"), missing=False,
        description=_("本企业承诺所填信息真实有效，中选后不无故放弃，不转包、违法分包"),
        widget=deform.widget.CheckboxWidget())


class EnterpriseSchema(CSRFSchema, EnterpriseBody):
    pass


class BudgetFileBody(colander.MappingSchema):
    """The budget approval in a JSON body: its file name and its bytes in base64."""

    filename = _text(_("文件名"), 1, NAME_MAX)
    content_base64 = colander.SchemaNode(Text(), title=_("文件内容（base64）"))


class WorkBody(colander.MappingSchema):
    """A small-works posting (the API schema). There is deliberately no winner field."""

    name = _text(_("工程名称"), 2)
    category = _select(CATEGORY_LABELS, _("类别"))
    sub_specialty = _text(_("子专业（可空）"), 0, 60, missing="")
    object_type = _select(OBJECT_LABELS, _("工程内容"), default=str(ObjectType.WORKS))
    amount = colander.SchemaNode(Money(), title=_("工程估算金额（元）"))
    site = _text(_("建设地点"))
    approved_on = _date(_("立项/预算批复日期"))
    budget_proof = _text(_("预算批复文号及资金来源"), 1, TEXT_MAX,
                         widget=deform.widget.TextAreaWidget(rows=2))
    method = _select({m: METHOD_LABELS[m] for m in OFFERED_METHODS}, _("分配方式"),
                     default=str(AllocationMethod.LOTTERY))
    budget_file = BudgetFileBody(title=_("预算批复文件"), missing=None)


class _UploadsOfOneRequest(dict):
    """deform's upload store for one form of one request: a refused form asks for the file
    again; nothing of it is kept anywhere until the service stores it."""

    def preview_url(self, uid):
        return None


@colander.deferred
def _upload_widget(node, kw):
    return deform.widget.FileUploadWidget(_UploadsOfOneRequest())


class WorkSchema(CSRFSchema, WorkBody):
    budget_file = colander.SchemaNode(
        deform.FileData(), title=_("预算批复文件（PDF、JPG 或 PNG，不超过 10 MiB）"),
        # null, not None: a refused form is rendered again from its values
        missing=colander.null, widget=_upload_widget)


class DecisionBody(colander.MappingSchema):
    decision = colander.SchemaNode(Text(),
                                   validator=colander.OneOf(["approve", "return"]))
    reasons = _text(_("审核意见"), 0, TEXT_MAX, missing="")
    split_decision = _text(_("拆分审查意见"), 0, TEXT_MAX, missing="")


class StatusBody(colander.MappingSchema):
    action = colander.SchemaNode(Text(),
                                 validator=colander.OneOf(["suspend", "reinstate", "exit"]))
    reason = _text(_("理由"), 0, TEXT_MAX, missing="")


class AcceptBody(colander.MappingSchema):
    manager = _text(_("项目经理"), 1, 60)


class DeclineBody(colander.MappingSchema):
    reason = _text(_("放弃理由"), 1, TEXT_MAX)


class DeclineDecisionBody(colander.MappingSchema):
    """交易中心对放弃理由的认定: justified or not, always with the center's reason."""

    decline_id = colander.SchemaNode(colander.Integer(), title=_("放弃记录"))
    decision = colander.SchemaNode(Text(), title=_("认定"),
                                   validator=colander.OneOf(["justified", "unjustified"]))
    reason = _text(_("认定理由"), 1, TEXT_MAX)


class QuoteBody(colander.MappingSchema):
    price = colander.SchemaNode(Money(), title=_("报价（元）"))


class CompleteBody(colander.MappingSchema):
    completed_on = colander.SchemaNode(Day(), title=_("竣工日期"))
    on_time = colander.SchemaNode(colander.Boolean(), title=_("按期竣工"), missing=False)
    quality_accepted = colander.SchemaNode(colander.Boolean(), title=_("竣工验收合格"),
                                           missing=False)


class EvaluateBody(colander.MappingSchema):
    score = colander.SchemaNode(colander.Decimal(quant="0.01"), title=_("履约评价分（0–100）"),
                                validator=colander.Range(0, 100))


# -- the center's parameters (the `smallworks` RuleProfile) ---------------------------------


def _count(title, low, **kw):
    return colander.SchemaNode(colander.Integer(), title=title,
                               validator=colander.Range(low, 100_000), **kw)


class TierSchema(colander.MappingSchema):
    upper = colander.SchemaNode(Money(), title=_("金额上限（元，含；最后一档留空）"),
                                missing=None)
    grade = colander.SchemaNode(
        colander.Integer(), title=_("要求的资质等级（或更高）"), default=int(Grade.THIRD),
        validator=colander.OneOf([int(g) for g in Grade]),
        widget=deform.widget.SelectWidget(values=[(str(int(g)), _(v))
                                                  for g, v in GRADE_LABELS.items()]))


class TiersSchema(colander.SequenceSchema):
    tier = TierSchema(title=_("金额档"))


class ProfileBody(colander.MappingSchema):
    """The parameters the center sets (the API schema); the rules check the ranges that
    depend on each other (bands increasing, below the tender threshold)."""

    tiers = TiersSchema(
        title=_("金额档与资质等级"), validator=colander.Length(1, 10),
        widget=deform.widget.SequenceWidget(min_len=1, add_subitem_text_template=_("添加金额档")))
    max_active_contracts = _count(_("每家企业同时在建合同上限"), 1)
    max_manager_active_contracts = _count(_("每名项目经理同时在建项目上限"), 1)
    cooldown_days = _count(_("中选后同类别冷却期（天）"), 0)
    annual_award_count_cap = _count(_("年度中选次数上限（留空不限）"), 1, missing=None)
    annual_award_amount_cap = colander.SchemaNode(
        Money(), title=_("年度中选金额上限（元，留空不限）"), missing=None)
    confirmation_hours = _count(_("中选确认期限（小时）"), 1)
    decline_suspension_count = _count(_("无正当理由放弃满几次暂停"), 1)
    decline_lookback_months = _count(_("放弃次数统计期（月）"), 1)
    split_window_days = _count(_("拆分审查期（天）"), 0)


class ProfileSchema(CSRFSchema, ProfileBody):
    pass


def profile_data(values: dict) -> dict:
    """The form's values as `smallworks.*` profile keys (money already in 分)."""
    return {
        "smallworks.tiers": [{"upper_fen": t["upper"], "grade": t["grade"]}
                             for t in values["tiers"]],
        **{f"smallworks.{name}": values[name] for name in (
            "max_active_contracts", "max_manager_active_contracts", "cooldown_days",
            "annual_award_count_cap", "confirmation_hours", "decline_suspension_count",
            "decline_lookback_months", "split_window_days")},
        "smallworks.annual_award_amount_cap_fen": values["annual_award_amount_cap"],
    }


def profile_values(data: dict) -> dict:
    """A profile's keys as the form's appstruct (the inverse of `profile_data`)."""
    def blank(value):  # no cap / the open-ended band: an empty field
        return colander.null if value is None else value

    values = {key.removeprefix("smallworks."): blank(value) for key, value in data.items()}
    values["tiers"] = [{"upper": blank(t["upper_fen"]), "grade": t["grade"]}
                       for t in data["smallworks.tiers"]]
    values["annual_award_amount_cap"] = values.pop("annual_award_amount_cap_fen")
    return values
