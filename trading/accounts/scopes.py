"""API token scopes: `<domain>:read` and `<domain>:write`, the domain being the first part
of a view's Permission (`project:posting:edit` → `project`). Every API view names a
permission, so the check in the security policy covers every view; a GET needs read, any
other method write, and write includes read."""

from ..i18n import _
from ..security import Permission

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Open to everyone, tokens or not: no scope needed.
UNSCOPED = frozenset({"public"})

DOMAIN_LABELS = {
    "account": _("账户"), "audit": _("审计"), "award": _("定标"), "bid": _("投标"),
    "bidder": _("投标人工作台"), "center": _("交易中心工作台"), "custody": _("密钥托管"),
    "draw": _("抽取"), "evaluation": _("评标"), "expert": _("专家工作台"),
    "intermediary": _("中介超市"), "owner": _("业主工作台"), "project": _("交易项目"),
    "smallworks": _("小额工程"), "supervisor": _("监管工作台"),
}


def domains() -> list[str]:
    found = {str(p).split(":", 1)[0] for p in Permission} - UNSCOPED
    return sorted(found)


def all_scopes() -> list[str]:
    return [f"{d}:{a}" for d in domains() for a in ("read", "write")]


def required_scope(permission, method: str) -> str | None:
    domain = str(permission).split(":", 1)[0]
    if domain in UNSCOPED:
        return None
    return f"{domain}:{'read' if method.upper() in SAFE_METHODS else 'write'}"


def allows(scopes: frozenset[str], permission, method: str) -> bool:
    needed = required_scope(permission, method)
    if needed is None or needed in scopes:
        return True
    domain, access = needed.split(":")
    return access == "read" and f"{domain}:write" in scopes


def scope_label(scope: str) -> str:
    domain, access = scope.split(":")
    return f"{DOMAIN_LABELS.get(domain, domain)} · {'读写' if access == 'write' else '只读'}"
