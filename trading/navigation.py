"""Navigation by role: what each kind of user sees in the header."""

from .accounts.models import Role

PUBLIC = (("home", "首页"), ("audit.checkpoints", "审计存证"))

BY_ROLE = {
    Role.OWNER: (("workspace", "业主工作台"),),
    Role.BIDDER: (("workspace", "投标人工作台"),),
    Role.INTERMEDIARY: (("workspace", "中介机构工作台"),),
    Role.EXPERT: (("workspace", "专家工作台"),),
    Role.CENTER: (("workspace", "交易中心工作台"),),
    Role.SUPERVISOR: (("workspace", "监管工作台"),),
}

ROLE_LABELS = {
    Role.OWNER: "项目业主",
    Role.BIDDER: "投标人",
    Role.INTERMEDIARY: "中介机构",
    Role.EXPERT: "评标专家",
    Role.CENTER: "交易中心",
    Role.SUPERVISOR: "监管",
}


def navigation(user) -> list[tuple[str, str]]:
    """(route name, Chinese label) pairs; labels are translated in the template."""
    items = list(PUBLIC)
    if user is not None:
        items += BY_ROLE.get(user.role, ())
        items.append(("accounts.me", "我的账户"))
    return items
