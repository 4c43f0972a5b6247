"""Issue #16 point 5: the public host is pinned; a forged Host header builds no URL."""

from factories import PASSWORD, make_user

from trading.accounts.models import Role


def test_a_forged_host_does_not_reach_redirects_or_links(testapp):
    for host in ("evil.example", "evil.example:6543"):
        response = testapp.get("/workspace", headers={"Host": host}, status=303)
        assert response.location.startswith("http://localhost:6543/login")
        response = testapp.get("/workspace", status=303,
                               headers={"X-Forwarded-Host": host})
        assert "evil" not in response.location
        document = testapp.get("/api/v1/openapi.json", headers={"Host": host}).json
        assert document["servers"] == [{"url": "http://localhost:6543"}]


def test_login_redirect_after_a_forged_host(testapp, dbsession, clock, settings):
    make_user(dbsession, clock, settings, role=Role.BIDDER, username="pinned_b")
    token = testapp.get_csrf_token()
    response = testapp.post("/login", {"username": "pinned_b", "password": PASSWORD,
                                       "csrf_token": token, "next": "", "submit": "submit"},
                            headers={"Host": "evil.example", "Cookie": "; ".join(
                                f"{c.name}={c.value}" for c in testapp.cookiejar)},
                            status=303)
    assert response.location == "http://localhost:6543/workspace"


def test_the_public_url_must_be_http(app_settings):
    import pytest

    from trading.config import ConfigError
    from trading.guards import pinned_environ

    assert pinned_environ("https://jy.example.gov.cn")["SERVER_PORT"] == "443"
    for bad in ("ftp://x", "https://", "javascript:alert(1)"):
        with pytest.raises(ConfigError, match="public_url"):
            pinned_environ(bad)
