"""Accounts end to end through WebTest: login, throttling, CSRF, registration, roles, API."""

import pytest
import sqlalchemy as sa
from factories import PASSWORD, make_user

from trading.accounts.models import Organisation, Role, User
from trading.accounts.rules import make_credit_code
from trading.audit.models import AuditEvent


def count(dbsession, model):
    return dbsession.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def bidder(dbsession, clock, settings):
    return make_user(dbsession, clock, settings, role=Role.BIDDER, username="bidder_a")


def test_home_page_is_chinese_and_needs_no_javascript(testapp):
    page = testapp.get("/")
    assert "阳光交易平台" in page.text and "<script" not in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_english_is_switchable(testapp):
    testapp.get("/locale/en", status=303)
    page = testapp.get("/login")
    assert "Log in" in page.text and "Sunshine Trading Platform" in page.text
    assert "用户名" not in page.text  # form labels are translated too
    testapp.get("/locale/zh_CN", status=303)
    assert "登录" in testapp.get("/login").text


def test_login_and_logout(testapp, bidder):
    response = testapp.login("bidder_a")
    assert response.location.endswith("/workspace")
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]
    page = testapp.get("/workspace")
    assert "投标人" in page.text
    token = testapp.get_csrf_token("/workspace")
    testapp.post("/logout", {"csrf_token": token}, status=303)
    testapp.get("/workspace", status=303)  # back to the login page


def test_wrong_password_is_refused_with_a_message(testapp, bidder):
    page = testapp.login("bidder_a", password="not-the-password", status=401)
    assert "用户名或密码错误" in page.text
    testapp.get("/workspace", status=303)


def test_login_is_throttled_after_repeated_failures(testapp, bidder, settings):
    for _ in range(settings["auth.throttle_failures"]):
        testapp.login("bidder_a", password="wrong-password", status=401)
    page = testapp.login("bidder_a", password=PASSWORD, status=429)
    assert "登录失败次数过多" in page.text


def test_missing_or_wrong_csrf_token_changes_nothing(testapp, bidder, dbsession):
    before = count(dbsession, AuditEvent)
    data = {"username": "bidder_a", "password": PASSWORD, "submit": "submit"}
    page = testapp.post("/login", data, status=400)
    assert "表单已过期" in page.text
    testapp.post("/login", {**data, "csrf_token": "forged"}, status=400)
    assert count(dbsession, AuditEvent) == before


def test_session_fixation_is_prevented(testapp, bidder):
    testapp.set_cookie("trading_auth", "planted-by-attacker")
    response = testapp.login("bidder_a")
    assert "planted-by-attacker" not in response.headers["Set-Cookie"]


def registration(testapp, **overrides):
    data = {
        "csrf_token": testapp.get_csrf_token("/register"),
        "name": "福州某建设有限公司", "credit_code": make_credit_code("91350100MA8880001"),
        "role": "bidder", "region": "鼓楼区", "contact_name": "张三",
        "contact_phone": "0591-12345678", "contact_email": "a@example.com",
        "username": "newco", "display_name": "张三",
        "__start__": "password:mapping", "password": PASSWORD, "password-confirm": PASSWORD,
        "__end__": "password:mapping", "submit": "submit",
    }
    data.update(overrides)
    return list(data.items())


def test_register_then_land_in_the_workspace(testapp, dbsession):
    response = testapp.post("/register", registration(testapp), status=303)
    assert response.location.endswith("/workspace")
    assert "福州某建设有限公司" in testapp.get("/workspace").text


@pytest.mark.parametrize("field,value,message", [
    ("name", "长" * 201, "长于最大长度 200"),
    ("credit_code", "91350100M000100Y44", "校验位错误"),
    ("credit_code", "123", "短于最小长度 18"),
    ("contact_phone", "call me", "电话号码格式错误"),
    ("role", "center", "不是这些值"),
])
def test_malformed_registration_changes_nothing(testapp, dbsession, field, value, message):
    before = (count(dbsession, Organisation), count(dbsession, User))
    page = testapp.post("/register", registration(testapp, **{field: value}), status=400)
    assert message in page.text
    assert (count(dbsession, Organisation), count(dbsession, User)) == before


def test_second_registration_with_the_same_credit_code(testapp, dbsession):
    testapp.post("/register", registration(testapp), status=303)
    testapp.reset()
    before = count(dbsession, Organisation)
    page = testapp.post("/register", registration(testapp, username="other"), status=409)
    assert "该统一社会信用代码已注册" in page.text
    assert count(dbsession, Organisation) == before


def test_unknown_route_is_a_404_page(testapp):
    page = testapp.get("/no/such/page", status=404)
    assert "页面不存在" in page.text
    api = testapp.get("/api/v1/no/such", status=404)
    assert api.json["error"] == "not_found"


def test_api_requires_a_token_and_accepts_a_valid_one(testapp, bidder, dbsession, clock,
                                                      settings):
    assert testapp.get("/api/v1/me", status=401).json["error"] == "unauthenticated"
    from factories import actor_for

    from trading.accounts.service import AccountService

    _, token = AccountService(dbsession, clock, settings).create_api_token(
        bidder, "t", actor=actor_for(bidder))
    me = testapp.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["username"] == "bidder_a" and me["role"] == "bidder"
    testapp.get("/api/v1/me", headers={"Authorization": "Bearer trd_forged"}, status=401)


def test_token_created_in_the_ui_works_once_shown(testapp, bidder):
    testapp.login("bidder_a")
    page = testapp.get("/account")
    form = page.forms["token"]
    form["name"] = "my script"
    form.get("checkbox", index=0).checked = True  # the first scope: account:read
    shown = form.submit("submit")
    token = shown.html.select_one("code.token").text
    me = testapp.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["username"] == "bidder_a"


def test_another_roles_page_is_forbidden_and_changes_nothing(testapp, bidder, dbsession):
    from trading.audit.models import TlogCheckpoint

    testapp.login("bidder_a")
    assert "无权访问" in testapp.get("/audit/log", status=403).text
    before = count(dbsession, TlogCheckpoint)
    token = testapp.get_csrf_token("/workspace")
    testapp.post("/audit/checkpoints/sign", {"csrf_token": token}, status=403)
    assert count(dbsession, TlogCheckpoint) == before


def test_center_browses_the_log_and_signs_a_checkpoint(testapp, dbsession, clock, settings):
    from trading.audit.models import TlogCheckpoint

    make_user(dbsession, clock, settings, role=Role.CENTER, username="center_a")
    testapp.login("center_a")
    page = testapp.get("/audit/log?subject_type=user")
    assert "创建用户" in page.text and "审计日志" in page.text
    before = count(dbsession, TlogCheckpoint)
    token = testapp.get_csrf_token("/audit/checkpoints")
    testapp.post("/audit/checkpoints/sign", {"csrf_token": token}, status=303)
    assert count(dbsession, TlogCheckpoint) == before + 1


def test_anonymous_user_is_sent_to_login_for_protected_pages(testapp):
    response = testapp.get("/audit/log", status=303)
    assert "/login?next=%2Faudit%2Flog" in response.location
