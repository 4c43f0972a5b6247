"""Account schemas, shared by the HTML forms and the JSON API."""

import colander
import deform

from ..forms import CSRFSchema, Text
from ..i18n import _
from .labels import ROLE_LABELS
from .models import SELF_REGISTERED_ROLES, STAFF_ROLES
from .rules import credit_code_problem
from .scopes import all_scopes, scope_label

ROLE_CHOICES = (("owner", _("项目业主 / 采购人")), ("bidder", _("投标人 / 供应商")),
                ("intermediary", _("中介机构")))


def _credit_code(node, value):
    problem = credit_code_problem(value.strip().upper())
    if problem:
        raise colander.Invalid(node, problem)


def _username(node, value):
    bare = value.replace("_", "").replace("-", "").replace(".", "")
    if not bare.isalnum() or not value.isascii():
        raise colander.Invalid(node, "用户名只能包含字母、数字、下划线、点和连字符")


class LoginSchema(CSRFSchema):
    username = colander.SchemaNode(Text(), title=_("用户名"),
                                   validator=colander.Length(1, 64))
    password = colander.SchemaNode(Text(), title=_("密码"),
                                   validator=colander.Length(1, 256),
                                   widget=deform.widget.PasswordWidget())
    next = colander.SchemaNode(Text(), widget=deform.widget.HiddenWidget(),
                               missing="", validator=colander.Length(0, 500))


class SecondFactorSchema(CSRFSchema):
    code = colander.SchemaNode(Text(), title=_("验证码（6位数字）或恢复码"),
                               validator=colander.Length(1, 40))


class RegisterSchema(CSRFSchema):
    name = colander.SchemaNode(Text(), title=_("单位名称"),
                               validator=colander.Length(2, 200))
    credit_code = colander.SchemaNode(Text(), title=_("统一社会信用代码"),
                                      validator=colander.All(colander.Length(18, 18), _credit_code))
    role = colander.SchemaNode(
        Text(), title=_("主体类型"),
        validator=colander.OneOf([str(r) for r in SELF_REGISTERED_ROLES]),
        widget=deform.widget.SelectWidget(values=ROLE_CHOICES),
    )
    region = colander.SchemaNode(Text(), title=_("所在地区"), missing="",
                                 validator=colander.Length(0, 100))
    contact_name = colander.SchemaNode(Text(), title=_("联系人"),
                                       validator=colander.Length(1, 100))
    contact_phone = colander.SchemaNode(
        Text(), title=_("联系电话"),
        validator=colander.Regex(r"^[0-9+\- ]{5,40}$", "电话号码格式错误"))
    contact_email = colander.SchemaNode(
        Text(), title=_("电子邮箱"), missing="",
        validator=colander.All(colander.Length(0, 200), colander.Email("邮箱格式错误")))
    username = colander.SchemaNode(Text(), title=_("登录用户名"),
                                   validator=colander.All(colander.Length(3, 64), _username))
    display_name = colander.SchemaNode(Text(), title=_("姓名"),
                                       validator=colander.Length(1, 100))
    password = colander.SchemaNode(Text(), title=_("密码"),
                                   validator=colander.Length(8, 256),
                                   widget=deform.widget.CheckedPasswordWidget())


class PasswordSchema(CSRFSchema):
    old_password = colander.SchemaNode(Text(), title=_("原密码"),
                                       widget=deform.widget.PasswordWidget(),
                                       validator=colander.Length(1, 256))
    new_password = colander.SchemaNode(Text(), title=_("新密码"),
                                       widget=deform.widget.CheckedPasswordWidget(),
                                       validator=colander.Length(8, 256))


@colander.deferred
def _scope_choices(node, kw):
    return deform.widget.CheckboxChoiceWidget(
        values=[(s, scope_label(s)) for s in all_scopes()])


class TokenSchema(CSRFSchema):
    name = colander.SchemaNode(Text(), title=_("令牌名称"),
                               validator=colander.Length(1, 100))
    scopes = colander.SchemaNode(colander.Set(), title=_("权限范围（按业务读写）"),
                                 widget=_scope_choices,
                                 validator=colander.All(colander.Length(1),
                                                        colander.ContainsOnly(all_scopes())))
    days = colander.SchemaNode(colander.Integer(), title=_("有效期（天）"), default=90,
                               validator=colander.Range(1, 365))


def _staff_role_choices():
    return tuple((str(r), ROLE_LABELS[r]) for r in STAFF_ROLES)


class StaffSchema(CSRFSchema):
    """An account the system administrator (系统管理员) creates: staff, experts and the other
    administrators (organisations register themselves)."""

    username = colander.SchemaNode(Text(), title=_("用户名"), validator=colander.All(
        colander.Length(3, 64), _username))
    display_name = colander.SchemaNode(Text(), title=_("姓名"),
                                       validator=colander.Length(1, 100))
    role = colander.SchemaNode(
        Text(), title=_("角色"),
        validator=colander.OneOf([str(r) for r in STAFF_ROLES]),
        widget=deform.widget.SelectWidget(values=_staff_role_choices()))
    password = colander.SchemaNode(Text(), title=_("初始密码"),
                                   validator=colander.Length(1, 256),
                                   widget=deform.widget.PasswordWidget())


class PolicySchema(CSRFSchema):
    """The security administrator's (安全管理员) policy; bounds in trading.accounts.policy."""

    password_min_length = colander.SchemaNode(colander.Int(), title=_("密码最短长度（位）"))
    password_classes = colander.SchemaNode(colander.Int(), title=_("密码至少包含的字符类别数"))
    password_max_age_days = colander.SchemaNode(colander.Int(), title=_("密码有效期（天）"))
    idle_timeout = colander.SchemaNode(colander.Int(), title=_("会话空闲超时（秒）"))
    throttle_failures = colander.SchemaNode(colander.Int(),
                                            title=_("同一账户同一地址的免延迟失败次数"))


class ResetSecondFactorSchema(CSRFSchema):
    username = colander.SchemaNode(Text(), title=_("用户名"), validator=colander.Length(1, 64))
