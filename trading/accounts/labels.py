"""The roles in words (UI words, not codes): the account pages, the header and the opening
hall name a role by its label. Here, in accounts beside the Role enum, so the account
pages need nothing from trading.navigation (which builds on accounts)."""

from ..i18n import _
from .models import Role

ROLE_LABELS = {
    Role.OWNER: _("项目业主"),
    Role.BIDDER: _("投标人"),
    Role.INTERMEDIARY: _("中介机构"),
    Role.EXPERT: _("评标专家"),
    Role.CENTER: _("交易中心"),
    Role.SUPERVISOR: _("监管"),
    Role.SYSADMIN: _("系统管理员"),
    Role.SECADMIN: _("安全管理员"),
    Role.AUDITOR: _("审计管理员"),
}
