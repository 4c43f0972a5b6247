import pytest

from trading.config import ConfigError, load

BASE = {
    "sqlalchemy.url": "sqlite://",
    "auth.secret": "a",
    "session.secret": "b",
    "storage.root": "/tmp/x",
}


def test_defaults_and_coercion():
    settings = load({**BASE, "huey.workers": "4", "huey.immediate": "yes"}, environ={})
    assert settings["huey.workers"] == 4
    assert settings["huey.immediate"] is True
    assert settings["huey.backend"] == "sqlite"


def test_environment_overrides_the_ini():
    settings = load(BASE, environ={"TRADING_DATABASE_URL": "postgresql+psycopg://x/y",
                                   "TRADING_REDIS_URL": "redis://r:6379/1"})
    assert settings["sqlalchemy.url"] == "postgresql+psycopg://x/y"
    assert settings["huey.url"] == "redis://r:6379/1"


def test_unlisted_environment_variables_are_ignored():
    settings = load(BASE, environ={"SQLALCHEMY_URL": "postgresql://nope"})
    assert settings["sqlalchemy.url"] == "sqlite://"


def test_missing_required_key_names_the_variable():
    with pytest.raises(ConfigError, match=r"sqlalchemy.url \(env TRADING_DATABASE_URL\)"):
        load({k: v for k, v in BASE.items() if k != "sqlalchemy.url"}, environ={})


@pytest.mark.parametrize("key,value", [("huey.workers", "many"), ("huey.backend", "kafka")])
def test_malformed_values_fail_at_start(key, value):
    with pytest.raises(ConfigError):
        load({**BASE, key: value}, environ={})


PRODUCTION = {**BASE, "trading.env": "production", "keys.signing_key": "s", "keys.kek": "k"}


def test_production_refuses_development_secrets():
    with pytest.raises(ConfigError, match="development value of auth.secret"):
        load({**PRODUCTION, "auth.secret": "dev-only-auth-secret-change-me"}, environ={})


def test_production_refuses_a_missing_kek():
    settings = {k: v for k, v in PRODUCTION.items() if k != "keys.kek"}
    with pytest.raises(ConfigError, match="keys.kek"):
        load(settings, environ={})


def test_production_accepts_real_secrets_from_the_environment():
    import base64
    import secrets

    kek = base64.b64encode(secrets.token_bytes(32)).decode()
    signing = base64.b64encode(secrets.token_bytes(32)).decode()
    base = {**BASE, "trading.env": "production", "auth.cookie_secure": "true"}
    settings = load(base, environ={
        "TRADING_KEK": kek, "TRADING_SIGNING_KEY": signing,
        "TRADING_AUTH_SECRET": secrets.token_urlsafe(40),
        "TRADING_SESSION_SECRET": secrets.token_urlsafe(40),
        "TRADING_PUBLIC_URL": "https://jy.example.gov.cn",
    })
    assert settings["keys.kek"] == kek
