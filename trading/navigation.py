"""Navigation by role: what each kind of user sees in the header."""

from .accounts.models import Role
from .i18n import LOCALES, _

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
    """(route name, Chinese label) pairs; labels are translated in the template. A
    signed-in user's own pages come first, after 首页: what does not fit on the header's
    line goes into its 更多 menu (header_navigation), the public pages first."""
    if user is None:
        return list(PUBLIC)
    return [PUBLIC[0], *BY_ROLE.get(user.role, ()), *PUBLIC[1:], ("accounts.me", _("我的账户"))]


# The header's one line at 1 366 px and wider, in em of the navigation's 16 px text: the
# page is at most 1 120 px wide less its padding, less the 1.5 em gaps either side of
# the navigation.
HEADER_ROOM = 65.0
MORE_BUTTON = 4.5  # "More ▾" and its gap


def label_width(text: str) -> float:
    """A text's width in em, a little over: a Chinese character 1 em, anything else
    0.5 em (the sans-serif fonts of site.css average under that)."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in text)


def _session_width(request, labels) -> float:
    """The header's right-hand side: the name, 消息 and its count, 退出 (or 登录 and 注册)
    and the other language's name, .75 em apart, in text of .95 em."""
    if request.identity is not None:
        texts = [request.identity.display_name, labels["消息"], labels["退出"]]
        unread = getattr(request, "unread_messages", 0)
        extra = 1.0 + 0.5 * len(str(unread)) if unread else 0.0
    else:
        texts, extra = [labels["登录"], labels["注册"]], 0.0
    texts += [name for code, name in LOCALES.items() if code != request.locale_name]
    return 0.95 * sum(label_width(text) + 0.75 for text in texts) + extra


def header_navigation(request, labels):
    """(on the line, in the 更多 menu): the user's navigation (route, message id), as
    many as fit beside the brand and the session with a 1 em gap after each, labels
    [message id] their text; the rest from the first that does not fit."""
    items = navigation(request.identity)
    brand = 1.25 * label_width(labels["阳光交易平台"]) + 1.5  # bold 1.2 em, and ☀
    room = HEADER_ROOM - brand - _session_width(request, labels)
    widths = [label_width(labels[label]) + 1.0 for _route, label in items]
    if sum(widths) <= room:
        return items, []
    shown, used = [], MORE_BUTTON
    for item, width in zip(items, widths, strict=True):
        if used + width > room:
            break
        shown.append(item)
        used += width
    return shown, items[len(shown):]
