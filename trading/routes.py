"""Every route of the application, grouped by domain (the one map of the app)."""


def includeme(config):
    config.add_route("home", "/")
    config.add_route("locale", "/locale/{code}")
    config.add_route("workspace", "/workspace")

    # accounts
    config.add_route("accounts.login", "/login")
    config.add_route("accounts.logout", "/logout")
    config.add_route("accounts.register", "/register")
    config.add_route("accounts.me", "/account")
    config.add_route("accounts.password", "/account/password")
    config.add_route("accounts.tokens", "/account/tokens")
    config.add_route("accounts.token_revoke", "/account/tokens/{token_id:\\d+}/revoke")

    # audit
    config.add_route("audit.checkpoints", "/audit/checkpoints")
    config.add_route("audit.checkpoints.sign", "/audit/checkpoints/sign")
    config.add_route("audit.log", "/audit/log")

    # JSON API
    config.add_route("api.openapi", "/api/v1/openapi.json")
    config.add_route("api.me", "/api/v1/me")
    config.add_route("api.audit.checkpoints", "/api/v1/audit/checkpoints")
