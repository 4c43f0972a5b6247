"""Navigation by role: what each kind of user sees in the header."""

from .accounts.models import Role
from .i18n import _

PUBLIC = (
    ("home", _("首页")),
    ("projects.list", _("交易项目")),
    ("smallworks.registry", _("小额工程")),
    ("im.home", _("中介超市")),
    ("draws.list", _("抽取公示")),
    ("audit.checkpoints", _("审计存证")),
)

BY_ROLE = {
    Role.OWNER: (("workspace", _("业主工作台")), ("projects.mine", _("我的项目")),
                 ("projects.new", _("发布项目")), ("award.roster", _("定标委员会成员库")),
                 ("im.purchases.mine", _("中介服务采购"))),
    Role.BIDDER: (("workspace", _("投标人工作台")), ("bidsecurity.mine", _("投标保证金"))),
    Role.INTERMEDIARY: (("workspace", _("中介机构工作台")), ("im.entry", _("入驻申请"))),
    Role.EXPERT: (("workspace", _("专家工作台")),),
    Role.CENTER: (("workspace", _("交易中心工作台")), ("projects.reviews", _("项目审核")),
                  ("evaluation.experts", _("专家库")),
                  ("im.entries", _("入驻审核")), ("im.purchases.review", _("中介采购审核")),
                  ("bidsecurity.center", _("保证金对账")),
                  ("supervision.dashboard", _("一屏统览")), ("audit.log", _("审计日志")),
                  ("archive.index", _("归档"))),
    Role.SUPERVISOR: (("workspace", _("监管工作台")), ("supervision.dashboard", _("一屏统览")),
                      ("evaluation.unlocks", _("评审解锁")),
                      ("bidsecurity.supervision", _("保证金监管")),
                      ("audit.log", _("审计日志")), ("archive.index", _("归档"))),
    Role.SYSADMIN: (("admin.users", _("账户管理")),),
    Role.SECADMIN: (("admin.policy", _("安全策略")),),
    Role.AUDITOR: (("audit.log", _("审计日志")),),
}


def navigation(user) -> list[tuple[str, str]]:
    """(route name, Chinese label) pairs; labels are translated in the template."""
    items = list(PUBLIC)
    if user is not None:
        items += BY_ROLE.get(user.role, ())
        items.append(("accounts.me", _("我的账户")))
    return items
