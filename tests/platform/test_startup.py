import pytest

from trading import main
from trading.config import ConfigError


def test_app_refuses_to_start_without_its_database(app_settings):
    settings = {**app_settings, "sqlalchemy.url": "postgresql+psycopg://x@127.0.0.1:1/none"}
    with pytest.raises(ConfigError, match="database unavailable"):
        main({}, **settings)


def test_app_refuses_production_with_development_secrets(app_settings):
    settings = {**app_settings, "trading.env": "production",
                "auth.secret": "dev-only-auth-secret-change-me"}
    with pytest.raises(ConfigError, match="development value"):
        main({}, **settings)
