"""Accounts: organisations, users, roles, login, API tokens."""


def includeme(config):
    from .policy import PolicyService, policy_service_factory
    from .service import AccountService, account_service_factory
    from .totp import SecondFactorService, second_factor_factory

    config.register_service_factory(account_service_factory, AccountService)
    config.register_service_factory(second_factor_factory, SecondFactorService)
    config.register_service_factory(policy_service_factory, PolicyService)
