"""Accounts: organisations, users, roles, login, API tokens."""


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "account.org_registered": N_("单位注册"),
        "account.user_created": N_("创建用户"),
        "account.enabled": N_("启用账号"),
        "account.disabled": N_("停用账号"),
        "account.logged_in": N_("登录成功"),
        "account.logged_out": N_("退出登录"),
        "account.login_failed": N_("登录失败"),
        "account.second_factor_failed": N_("两步验证失败"),
        "account.password_changed": N_("修改密码"),
        "account.token_created": N_("创建接口令牌"),
        "account.token_revoked": N_("吊销接口令牌"),
        "account.totp_enabled": N_("启用两步验证"),
        "account.totp_reset": N_("重置两步验证"),
        "account.recovery_code_used": N_("使用恢复码登录"),
        "security.policy_set": N_("设置安全策略"),
    }


def includeme(config):
    from .policy import PolicyService, policy_service_factory
    from .service import AccountService, account_service_factory
    from .totp import SecondFactorService, second_factor_factory

    config.add_audit_actions(_audit_actions())
    config.register_service_factory(account_service_factory, AccountService)
    config.register_service_factory(second_factor_factory, SecondFactorService)
    config.register_service_factory(policy_service_factory, PolicyService)
