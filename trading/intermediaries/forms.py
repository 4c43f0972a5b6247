"""中介超市 schemas: one colander schema for each deform form and its JSON API body.

Shapes and formats only; every business rule (deadlines, eligibility, bounds, caps) is the
service's.
"""

from decimal import Decimal, InvalidOperation

import colander
import deform

from ..forms import CSRFSchema, Day, LocalDateTime, Money, NotBlank, Text, Ticked, id_range
from ..i18n import _
from .errors import PurchaseInvalid
from .rules import AmountMode, CreditEventKind, FundingSource, RatingDimension, SelectionMethod

LABELS = {
    SelectionMethod.RANDOM: _("随机选取"),
    SelectionMethod.LOWEST_PRICE: _("竞价选取 · 最低价中选"),
    SelectionMethod.BEST_PRICE: _("竞价选取 · 最优价中选"),
    SelectionMethod.DIRECT: _("直接选取"),
    SelectionMethod.CREDIT_BEST: _("信用择优选取"),
    SelectionMethod.PLAN_BEST: _("方案择优选取"),
    AmountMode.FIXED: _("固定金额"),
    AmountMode.RANGE: _("价格区间"),
    AmountMode.DISCOUNT_RATE: _("下浮率"),
    FundingSource.STATE_FUNDS: _("财政/国有资金"),
    FundingSource.PRIVATE: _("自有资金"),
    RatingDimension.QUALITY: _("服务质量"),
    RatingDimension.TIMELINESS: _("服务时效"),
    RatingDimension.ATTITUDE: _("服务态度"),
    RatingDimension.FEE_COMPLIANCE: _("收费规范"),
    CreditEventKind.UNJUSTIFIED_DECLINE: _("无正当理由放弃中选"),
    CreditEventKind.FAILED_TO_SIGN: _("未按时签订合同"),
    CreditEventKind.MISSED_SERVICE_DEADLINE: _("服务超时"),
    CreditEventKind.COMPLAINT_UPHELD: _("投诉查实"),
    CreditEventKind.FALSE_MATERIALS: _("提供虚假材料"),
    CreditEventKind.COLLUSION: _("串通报价"),
}


def _select(members, title, default=None):
    return colander.SchemaNode(
        Text(), title=title, default=default,
        validator=colander.OneOf([str(m) for m in members]),
        widget=deform.widget.SelectWidget(values=[(str(m), _(LABELS[m])) for m in members]))


def _text(title, low=1, high=200, **kw):
    return colander.SchemaNode(Text(), title=title,
                               validator=colander.Length(low, high), **kw)


def _area(title, high=5000, missing="", rows=3):
    return colander.SchemaNode(Text(), title=title, missing=missing,
                               validator=colander.Length(0, high),
                               widget=deform.widget.TextAreaWidget(rows=rows))


def _date(title, typ=None, **kw):
    return colander.SchemaNode(typ or Day(), title=title,
                               description=_("格式 2026-03-25"),
                               widget=deform.widget.TextInputWidget(), **kw)


class Rate(colander.SchemaType):
    """A percent with at most 2 dp ('12.5') ⇄ Decimal; never a float."""

    def serialize(self, node, appstruct):
        return colander.null if appstruct in (colander.null, None) else str(appstruct)

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, "", None):
            return colander.null
        try:
            value = Decimal(str(cstruct).strip())
        except InvalidOperation:
            raise colander.Invalid(node, _("请输入百分数，如 12.5")) from None
        if not value.is_finite():
            raise colander.Invalid(node, _("请输入百分数，如 12.5"))
        return value


@colander.deferred
def _type_choices(node, kw):
    # Choices come with the binding (IntermediaryService.choices): a schema reads no tables.
    return deform.widget.SelectWidget(values=kw.get("type_choices", ()))


@colander.deferred
def _item_choices(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=kw.get("item_choices", ()))


# -- catalogue -------------------------------------------------------------------------


class ServiceTypeBody(colander.MappingSchema):
    code = _text(_("类型编码"), 1, 32)
    name = _text(_("服务类型名称"), 1, 100)
    required_qualification = _text(_("所需资质"), 0, 300, missing="")
    description = _area(_("说明"))


class ServiceTypeSchema(CSRFSchema, ServiceTypeBody):
    pass


class ServiceItemBody(colander.MappingSchema):
    code = _text(_("事项编码"), 1, 32)
    name = _text(_("服务事项名称"), 1, 200)
    approval_item = _text(_("关联审批事项"), 0, 200, missing="")
    required_qualification = _text(_("所需资质"), 0, 300, missing="")


class ServiceItemSchema(CSRFSchema, ServiceItemBody):
    pass


# -- entry (入驻) ---------------------------------------------------------------------------


class PractitionerSchema(colander.MappingSchema):
    name = _text(_("姓名"), 1, 100)
    certificate = _text(_("执业资格证书"), 0, 200, missing="")
    social_insurance_months = colander.SchemaNode(
        colander.Integer(), title=_("本单位社保缴纳月数"), missing=0,
        validator=colander.Range(0, 600))


class PractitionersSchema(colander.SequenceSchema):
    practitioner = PractitionerSchema(title=_("执业人员"))
    validator = colander.Length(min=1, min_err=_("至少填写一名执业人员"))


class LineSchema(colander.MappingSchema):
    service_type_id = colander.SchemaNode(colander.Integer(), title=_("服务类型"),
                                          validator=id_range(), widget=_type_choices)
    certificate_no = _text(_("资质证书编号"), 1, 100)
    grade = _text(_("资质等级"), 0, 50, missing="")
    valid_from = _date(_("有效期自"))
    valid_until = _date(_("有效期至"))


class LinesSchema(colander.SequenceSchema):
    line = LineSchema(title=_("资质（每个服务类型一条）"))
    validator = colander.Length(min=1, min_err=_("至少填写一条资质（每个服务类型一条）"))


class EntryBody(colander.MappingSchema):
    licence_number = _text(_("营业执照注册号"), 1, 64)
    legal_representative = _text(_("法定代表人"), 1, 100)
    registered_capital = colander.SchemaNode(Money(), title=_("注册资本（元）"), missing=0)
    business_scope = _area(_("经营范围"))
    address = _text(_("住所"), 0, 300, missing="")
    # A business licence may run for decades (长期 is left empty).
    licence_valid_until = _date(_("营业期限至（长期可空）"), Day(years_ahead=50), missing=None)
    practitioners = PractitionersSchema(
        title=_("执业人员"), widget=deform.widget.SequenceWidget(
            min_len=1, add_subitem_text_template=_("添加执业人员")))
    lines = LinesSchema(
        title=_("资质"), widget=deform.widget.SequenceWidget(
            min_len=1, add_subitem_text_template=_("添加资质")))
    # The commitment (承诺书) is signed by ticking the box and naming the signatory; the
    # service checks it again for callers that do not come through a schema.
    commitment = colander.SchemaNode(
        colander.Boolean(), title=_("我单位已阅读并签署承诺书"),
        validator=Ticked(_("须签署承诺书（勾选并填写签署人）")))
    signed_by = colander.SchemaNode(
        Text(), title=_("承诺书签署人"),
        validator=colander.All(colander.Length(1, 100), NotBlank(_("请填写承诺书签署人"))))


class EntrySchema(CSRFSchema, EntryBody):
    pass


class RenewBody(colander.MappingSchema):
    certificate_no = _text(_("资质证书编号"), 1, 100)
    valid_until = _date(_("有效期至"))


class ReviewBody(colander.MappingSchema):
    reasons = _area(_("审核意见（退回时必填）"), high=2000)


class ReviewSchema(CSRFSchema, ReviewBody):
    pass


class EntryStatusBody(colander.MappingSchema):
    action = colander.SchemaNode(Text(), title=_("操作"),
                                 validator=colander.OneOf(["suspend", "reinstate", "exit"]))
    reason = _area(_("理由"), high=500)


class CreditEventBody(colander.MappingSchema):
    kind = _select(list(CreditEventKind), _("不良行为"))
    note = _area(_("事实与依据"), high=500)


class CreditEventSchema(CSRFSchema, CreditEventBody):
    pass


# -- purchases -------------------------------------------------------------------------------


class PurchaseBody(colander.MappingSchema):
    title = _text(_("采购项目名称"), 2, 200)
    project_name = _text(_("所属投资项目"), 1, 200)
    contact = _text(_("联系人及电话"), 0, 100, missing="")
    service_type_id = colander.SchemaNode(colander.Integer(), title=_("服务类型"),
                                          validator=id_range(), widget=_type_choices)
    item_ids = colander.SchemaNode(colander.Set(), title=_("服务事项"), widget=_item_choices)
    content = _area(_("服务内容"), missing=colander.required)
    service_days = colander.SchemaNode(
        colander.Integer(), title=_("服务时限：天数"), missing=None,
        validator=colander.Range(1, 1825),
        description=_("自业主确认合同（服务开始）起计；或填写下面的完成日期，二者选一"))
    service_working_days = colander.SchemaNode(colander.Boolean(), title=_("按工作日计算"),
                                               missing=False)
    service_due_on = _date(_("服务时限：完成日期"), missing=None)
    time_limit = _text(_("服务时限说明"), 0, 200, missing="",
                       description=_("如“30日历天”；不填则按天数或完成日期生成"))
    qualification_requirements = _area(_("资质及执业人员要求"), high=2000)
    funding = _select(list(FundingSource), _("资金来源"), default=str(FundingSource.STATE_FUNDS))
    amount_mode = _select(list(AmountMode), _("金额方式"), default=str(AmountMode.FIXED))
    fixed_fen = colander.SchemaNode(Money(), title=_("固定金额（元）"), missing=None)
    base_fen = colander.SchemaNode(Money(), title=_("价格区间：最低价（元）"), missing=None)
    highest_fen = colander.SchemaNode(Money(), title=_("价格区间：最高价（元）"), missing=None)
    rate_base_fen = colander.SchemaNode(Money(), title=_("下浮率：基准金额（元）"), missing=None)
    min_rate = colander.SchemaNode(Rate(), title=_("下浮率下限（%）"), missing=None)
    max_rate = colander.SchemaNode(Rate(), title=_("下浮率上限（%）"), missing=None)
    method = _select(list(SelectionMethod), _("选取方式"), default=str(SelectionMethod.RANDOM))
    long_list_size = colander.SchemaNode(colander.Integer(), title=_("信用择优：长名单数量"),
                                         missing=None, validator=colander.Range(1, 100))
    short_list_size = colander.SchemaNode(colander.Integer(), title=_("信用择优：短名单数量"),
                                          missing=None, validator=colander.Range(1, 100))
    registration_deadline = colander.SchemaNode(LocalDateTime(), title=_("报名截止时间"),
                                                description=_("北京时间，如 2026-03-25 09:00"))
    selection_time = colander.SchemaNode(LocalDateTime(), title=_("选取时间"))
    avoid = _area(_("回避单位（统一社会信用代码，每行一个）"), high=5000)


class PurchaseSchema(CSRFSchema, PurchaseBody):
    pass


def purchase_values(values: dict) -> dict:
    """The service's input from the schema's appstruct (ids as ints, avoid as a list)."""
    avoid = values.get("avoid") or ""
    try:
        item_ids = sorted(int(i) for i in values.get("item_ids") or ())
    except (TypeError, ValueError):
        # colander.Set keeps whatever was sent; a non-number is bad input, not a crash.
        raise PurchaseInvalid("服务事项须为清单中的事项编号", field="item_ids") from None
    return {**values, "item_ids": item_ids,
            "avoid": [line for line in avoid.replace(",", "\n").splitlines() if line.strip()]}


class ChooseBody(colander.MappingSchema):
    org_id = colander.SchemaNode(colander.Integer(), title=_("选定的中介机构"),
                                 validator=id_range())
    reasons = _area(_("选定理由（书面说明）"), high=2000)


class DeclineBody(colander.MappingSchema):
    reason = _area(_("放弃原因"), high=500)


class ContractReviewBody(colander.MappingSchema):
    valid = colander.SchemaNode(colander.Boolean(), title=_("合同有效"), missing=False)
    reason = _area(_("意见（无效时必填）"), high=500)


class RatingBody(colander.MappingSchema):
    quality = colander.SchemaNode(colander.Integer(), title=_("服务质量（1–5）"))
    timeliness = colander.SchemaNode(colander.Integer(), title=_("服务时效（1–5）"))
    attitude = colander.SchemaNode(colander.Integer(), title=_("服务态度（1–5）"))
    fee_compliance = colander.SchemaNode(colander.Integer(), title=_("收费规范（1–5）"))
    comment = _area(_("评价意见"), high=1000)


class ReasonBody(colander.MappingSchema):
    reason = _area(_("理由"), high=500)
