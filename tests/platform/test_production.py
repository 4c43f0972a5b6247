"""Issue #16 point 5: production.ini starts with a complete environment, serves a page, and
refuses each unsafe setting with its own message.

The boot test follows the README's "Production deployment" section: `trading migrate`, then
`pserve production.ini` on a loopback port, then a request through it."""

import base64
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from pyramid.paster import get_appsettings

from trading.config import ConfigError, load

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_INI = str(ROOT / "production.ini")
BIN = Path(sys.executable).parent


def environment(tmp_path) -> dict:
    return {
        "TRADING_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "TRADING_REDIS_URL": os.environ.get("TRADING_TEST_REDIS_URL",
                                            "redis://127.0.0.1:6379/3"),
        "TRADING_AUTH_SECRET": secrets.token_urlsafe(48),
        "TRADING_SESSION_SECRET": secrets.token_urlsafe(48),
        "TRADING_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
        "TRADING_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "TRADING_STORAGE_ROOT": str(tmp_path / "files"),
        "TRADING_PUBLIC_URL": "https://jy.example.gov.cn",
    }


def production(tmp_path, **env_changes) -> dict:
    env = {**environment(tmp_path), **env_changes}
    env = {k: v for k, v in env.items() if v is not None}
    return load(dict(get_appsettings(PRODUCTION_INI)), environ=env)


def test_the_shipped_production_ini_loads_with_a_complete_environment(tmp_path):
    settings = production(tmp_path)
    assert settings["keys.generate_missing"] is False  # "false" was truthy before
    assert settings["auth.cookie_secure"] is True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_production_ini_boots_and_serves_a_page(tmp_path):
    env = {**os.environ, **environment(tmp_path)}
    migrate = subprocess.run([str(BIN / "trading"), "migrate", PRODUCTION_INI], env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    port = _free_port()
    server = subprocess.Popen([str(BIN / "pserve"), PRODUCTION_INI, f"http_port={port}"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        page = _get(f"http://127.0.0.1:{port}/login", server)
        assert "阳光交易平台" in page.read().decode()
        assert page.headers["X-Frame-Options"] == "DENY"
        forged = urllib.request.Request(f"http://127.0.0.1:{port}/workspace",
                                        headers={"Host": "evil.example"})
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirect:
            opener.open(forged, timeout=30)
        assert redirect.value.headers["Location"].startswith(
            "https://jy.example.gov.cn/login")
    finally:
        server.terminate()
        server.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url, server):
    deadline = time.monotonic() + 120
    while True:
        try:
            return urllib.request.urlopen(url, timeout=30)
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None:
                raise AssertionError(server.stdout.read().decode()) from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


ZERO = base64.b64encode(bytes(32)).decode()
SAME = base64.b64encode(bytes(range(32))).decode()


@pytest.mark.parametrize("changes,message", [
    ({"TRADING_AUTH_SECRET": "x"}, "auth.secret is too short"),
    ({"TRADING_SESSION_SECRET": "short-but-not-dev"}, "session.secret is too short"),
    ({"TRADING_AUTH_SECRET": "ab" * 40}, "auth.secret has too little entropy"),
    ({"TRADING_AUTH_SECRET": "S" * 64}, "auth.secret has too little entropy"),
    ({"TRADING_AUTH_SECRET": "same-" + "k3Y9pQ2rT7wZ4mN8vB6x" * 2,
      "TRADING_SESSION_SECRET": "same-" + "k3Y9pQ2rT7wZ4mN8vB6x" * 2}, "must be different"),
    ({"TRADING_KEK": ZERO}, "keys.kek is all zero bytes"),
    ({"TRADING_KEK": SAME, "TRADING_SIGNING_KEY": SAME}, "kek must differ from keys.signing"),
    ({"TRADING_KEK": "not base64!"}, "keys.kek is not valid base64"),
    ({"TRADING_SIGNING_KEY": base64.b64encode(b"ab" * 16).decode()}, "signing_key is not random"),
    ({"TRADING_COOKIE_SECURE": "false"}, "secure cookies"),
    ({"TRADING_PUBLIC_URL": None}, "TRADING_PUBLIC_URL"),
    ({"TRADING_PUBLIC_URL": "http://jy.example.gov.cn"}, "https://"),
    ({"TRADING_AUTH_SECRET": "dev-only-auth-secret-change-me"}, "development value"),
    ({"TRADING_KEK": None}, "production needs keys.kek"),
])
def test_each_unsafe_environment_is_refused_with_its_own_message(tmp_path, changes, message):
    with pytest.raises(ConfigError, match=message):
        production(tmp_path, **changes)


@pytest.mark.parametrize("setting,value,message", [
    ("keys.generate_missing", "true", "never generates keys"),
    ("pyramid.includes", "pyramid_debugtoolbar", "debug includes: pyramid_debugtoolbar"),
    ("pyramid.reload_templates", "true", "debug settings: pyramid.reload_templates"),
    ("pyramid.debug_authorization", "yes", "debug settings: pyramid.debug_authorization"),
    ("auth.totp_roles", "center supervisor", "second factor for center staff, supervisors, admin"),
    ("auth.totp_roles", "", "second factor for center staff, supervisors, admin"),
    ("auth.totp_custodians", "false", "second factor for center staff, supervisors, admin"),
])
def test_each_unsafe_ini_setting_is_refused_with_its_own_message(tmp_path, setting, value,
                                                                  message):
    settings = {**dict(get_appsettings(PRODUCTION_INI)), setting: value}
    with pytest.raises(ConfigError, match=message):
        load(settings, environ=environment(tmp_path))


def test_keys_generate_prints_values_production_accepts(tmp_path, capsys):
    from trading.cli import main as cli

    assert cli(["keys", "generate"]) == 0
    printed = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines()
                   if line.startswith("TRADING_"))
    settings = production(tmp_path, **printed)
    assert settings["keys.kek"] == printed["TRADING_KEK"]
