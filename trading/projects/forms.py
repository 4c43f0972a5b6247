"""Project schemas: one colander schema for the deform form and the JSON API."""

import colander
import deform

from ..forms import CSRFSchema, LocalDateTime, Money, Text
from ..i18n import _
from .kinds import (
    LABELS,
    AwardMethod,
    CryptoSuite,
    CustodyMode,
    EvaluationMethod,
    ObjectType,
    ProcurementMethod,
    ProjectType,
)

POSTABLE_TYPES = (ProjectType.WORKS, ProjectType.GOVERNMENT_PROCUREMENT, ProjectType.SMALL_WORKS)


def _choices(members):
    # TranslationStrings: deform's templates translate those, never a plain str label.
    return [(str(m), _(LABELS[m])) for m in members]


def _select(members, title, default=None):
    return colander.SchemaNode(
        Text(), title=title, default=default,
        validator=colander.OneOf([str(m) for m in members]),
        widget=deform.widget.SelectWidget(values=_choices(members)),
    )


class LotSchema(colander.MappingSchema):
    name = colander.SchemaNode(Text(), title=_("标段（包）名称"),
                               validator=colander.Length(1, 200))
    budget = colander.SchemaNode(Money(), title=_("预算金额（元）"))
    ceiling_price = colander.SchemaNode(Money(), title=_("最高限价（元，可空）"), missing=None)
    description = colander.SchemaNode(Text(), title=_("标段说明"), missing="",
                                      validator=colander.Length(0, 2000),
                                      widget=deform.widget.TextAreaWidget(rows=2))


class LotsSchema(colander.SequenceSchema):
    lot = LotSchema(title=_("标段（包）"))


class ProjectBody(colander.MappingSchema):
    """The fields of a posting, without CSRF (the API schema)."""

    name = colander.SchemaNode(Text(), title=_("项目名称"),
                               validator=colander.Length(2, 200))
    project_type = _select(POSTABLE_TYPES, _("项目类型"), default=str(ProjectType.WORKS))
    object_type = _select(list(ObjectType), _("采购对象"), default=str(ObjectType.WORKS))
    procurement_method = _select(
        [ProcurementMethod.OPEN_TENDER, ProcurementMethod.INVITED_TENDER,
         ProcurementMethod.COMPETITIVE_CONSULTATION, ProcurementMethod.FINAL_OFFER,
         ProcurementMethod.SMALL_WORKS], _("采购方式"), default=str(ProcurementMethod.OPEN_TENDER))
    evaluation_method = _select(list(EvaluationMethod), _("评标办法"),
                                default=str(EvaluationMethod.COMPREHENSIVE))
    award_method = _select(list(AwardMethod), _("定标方式"), default=str(AwardMethod.RANK_ONE))
    custody_mode = colander.SchemaNode(
        Text(), title=_("开标密钥托管方式"), missing="", default="",
        description=_("默认按交易规则（不见面开标或多人分持密钥），平台无法独自提前解密；"
                      "“平台托管”须明示选择，平台可在开标前解密"),
        validator=colander.OneOf(["", *(str(m) for m in CustodyMode)]),
        widget=deform.widget.SelectWidget(
            values=[("", _("按交易规则默认")), *_choices(list(CustodyMode))]))
    crypto_suite = colander.SchemaNode(
        Text(), title=_("加密算法套件"), missing="", default="",
        description=_("国密项目：投标文件以SM2/SM3/SM4加密，回执和报告以SM2签名"),
        validator=colander.OneOf(["", *(str(s) for s in CryptoSuite)]),
        widget=deform.widget.SelectWidget(
            values=[("", _("按交易规则默认")), *_choices(list(CryptoSuite))]))
    region = colander.SchemaNode(Text(), title=_("项目所在地区"),
                                 validator=colander.Length(1, 100))
    description = colander.SchemaNode(Text(), title=_("项目概况"), missing="",
                                      validator=colander.Length(0, 20000),
                                      widget=deform.widget.TextAreaWidget(rows=5))
    doc_start = colander.SchemaNode(LocalDateTime(), title=_("文件获取开始时间"),
                                    description=_("北京时间，如 2026-03-25 09:00"))
    doc_end = colander.SchemaNode(LocalDateTime(), title=_("文件获取截止时间"))
    clarification_deadline = colander.SchemaNode(LocalDateTime(), title=_("澄清及提问截止时间"))
    bid_deadline = colander.SchemaNode(LocalDateTime(), title=_("投标截止时间（开标时间）"))
    lots = LotsSchema(
        title=_("标段（包）"), validator=colander.Length(1, 50),
        widget=deform.widget.SequenceWidget(min_len=1, add_subitem_text_template=_("添加标段")))


class ProjectSchema(CSRFSchema, ProjectBody):
    pass


class ReviewSchema(CSRFSchema):
    reasons = colander.SchemaNode(Text(), title=_("审核意见"), missing="",
                                  validator=colander.Length(0, 2000),
                                  widget=deform.widget.TextAreaWidget(rows=3))


class ClarificationBody(colander.MappingSchema):
    title = colander.SchemaNode(Text(), title=_("公告标题"),
                                validator=colander.Length(2, 300))
    body = colander.SchemaNode(Text(), title=_("澄清或变更内容"),
                               validator=colander.Length(1, 20000),
                               widget=deform.widget.TextAreaWidget(rows=6))
    affects_bids = colander.SchemaNode(colander.Boolean(), title=_("影响投标文件编制"),
                                       missing=False, widget=deform.widget.CheckboxWidget())
    new_deadline = colander.SchemaNode(LocalDateTime(), title=_("新的投标截止时间（可空）"),
                                       missing=None)


class ClarificationSchema(CSRFSchema, ClarificationBody):
    pass


class QuestionBody(colander.MappingSchema):
    text = colander.SchemaNode(Text(), title=_("问题"),
                               validator=colander.Length(5, 5000),
                               widget=deform.widget.TextAreaWidget(rows=4))


class QuestionSchema(CSRFSchema, QuestionBody):
    pass


class AnswerBody(colander.MappingSchema):
    answer = colander.SchemaNode(Text(), title=_("答复"),
                                 validator=colander.Length(1, 10000),
                                 widget=deform.widget.TextAreaWidget(rows=4))


class AnswerSchema(CSRFSchema, AnswerBody):
    pass
