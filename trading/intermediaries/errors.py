"""中介超市 refusals: a Chinese message for people, a code for the API.

The pure rules raise `rules.RuleError`s with English developer text; `translated` turns
one into the same code with the Chinese sentence a user reads.
"""

import contextlib

from ..errors import Conflict, DeadlinePassed, DomainError, NotFound, NotPermitted, Unprocessable  # noqa: F401
from . import rules

RULE_MESSAGES = {
    rules.InvalidTerms.code: "金额条件无效：固定金额须大于 0；价格区间须最低价 ≤ 最高价；"
                             "下浮率须 0 ≤ 最小值 ≤ 最大值 < 100，最多两位小数",
    rules.QuoteOutOfBounds.code: "报价超出采购公告允许的范围",
    rules.MethodNotAllowed.code: "该选取方式不能与所选金额方式同时使用（随机选取须固定金额；"
                                 "竞价和方案择优须报价区间或下浮率）",
    rules.DirectSelectionRefused.code: "直接选取仅限采购金额低于上限的项目",
    rules.MissingJustification.code: "必须书面说明理由",
    rules.NotACandidate.code: "所选中介机构不在可选名单内",
    rules.DeclineWindowClosed.code: "确认期限已过，不能再放弃中选",
    rules.InvalidRating.code: "评价须对每一项打分，每项为 1–5 的整数",
    rules.RatingWindowClosed.code: "已超过服务评价期限",
    rules.RegistrationPeriodTooShort.code: "报名期过短",
    rules.InvalidParams.code: "选取参数无效",
    rules.DuplicateParticipant.code: "同一中介机构重复参与",
    rules.InvalidDraw.code: "抽取结果与冻结名单不符",
    rules.InvalidCoefficient.code: "下浮系数不在允许的集合中",
    rules.InvalidServiceTerm.code: "服务时限须填写服务天数（1–1825 天）或晚于选取日的完成日期，"
                                   "二者选一",
}


def translated(error: rules.RuleError, detail: str = "") -> DomainError:
    message = RULE_MESSAGES.get(error.code, "不符合中介超市规则")
    return DomainError(f"{message}{'：' + detail if detail else ''}", field=error.field,
                       code=error.code)


@contextlib.contextmanager
def rule_refusals(detail: str = ""):
    """Run pure rules; a RuleError leaves as a Chinese DomainError with the same code."""
    try:
        yield
    except rules.RuleError as error:
        raise translated(error, detail) from None


class EntryInvalid(Unprocessable):
    """An entry application that fits its schema but breaks a rule the schema cannot state
    (a service type not in the catalogue, two lines for one type, dates out of order, an
    expired certificate): 422, as the platform's other rule refusals; 400 means the body
    does not fit its schema."""

    code = "entry_invalid"


class PurchaseInvalid(DomainError):
    code = "purchase_invalid"


class NotEditable(Conflict):
    code = "not_editable"


class RegistrationRefused(DomainError):
    """报名 refused; `code` is the rules' RefusalReason."""

    status = 409


class AlreadyRegistered(Conflict):
    code = "already_registered"


class NotRegistered(NotPermitted):
    code = "not_registered"


class NotSelected(NotPermitted):
    code = "not_selected"


class WrongStage(Conflict):
    code = "wrong_stage"
