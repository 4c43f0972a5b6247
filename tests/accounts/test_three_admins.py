"""Issue #16 pt 3: 三员分立 (等保 2.0 level 3). The system administrator manages accounts,
the security administrator sets the security policy, the audit administrator reads the
audit log; each is refused the others' pages, nobody can change an audit row, and each
change is audited. Bad input: a clear message, nothing changed."""

import re

import pyotp
import pytest
import sqlalchemy as sa
from factories import actor_for, make_user

from trading.accounts.models import (
    ApiToken,
    LoginSession,
    PolicySetting,
    RecoveryCode,
    Role,
    User,
)
from trading.accounts.service import AccountService
from trading.accounts.totp import SecondFactorService, open_secret
from trading.audit.models import AuditEvent

PAGES = {"sysadmin": ["/admin/users"], "secadmin": ["/admin/policy"],
         "auditor": ["/audit/log"]}


def _token(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _admin(dbsession, clock, settings, role, testapp=None):
    user = make_user(dbsession, clock, settings, role=Role(role), username=f"{role}_3y")
    if testapp is not None:
        testapp.login(user.username)
    return user


def _events(dbsession, action):
    return dbsession.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.mark.parametrize("role", sorted(PAGES))
def test_each_administrator_is_refused_the_others_pages(testapp, dbsession, clock, settings,
                                                       role):
    _admin(dbsession, clock, settings, role, testapp)
    for owner, pages in PAGES.items():
        for page in pages:
            testapp.get(page, status=200 if owner == role else 403)
    testapp.get("/supervision", status=403)  # no business role either
    label = {"sysadmin": "系统管理员", "secadmin": "安全管理员", "auditor": "审计管理员"}[role]
    assert label in testapp.get("/account").text


def test_the_accounts_administrator_cannot_post_policy_nor_the_security_one_accounts(
        testapp, dbsession, clock, settings):
    _admin(dbsession, clock, settings, "sysadmin", testapp)
    token = _token(testapp.get("/admin/users"))
    testapp.post("/admin/policy", {"csrf_token": token, "password_min_length": "12",
                                   "password_classes": "3", "password_max_age_days": "90",
                                   "idle_timeout": "1800", "throttle_failures": "5",
                                   "submit": "submit"}, status=403)
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(PolicySetting)) == 0
    testapp.reset()
    _admin(dbsession, clock, settings, "secadmin", testapp)
    token = _token(testapp.get("/admin/policy"))
    testapp.post("/admin/users", {"csrf_token": token, "username": "sneaky",
                                  "display_name": "x", "role": "center",
                                  "password": "Password-123", "submit": "submit"}, status=403)
    assert dbsession.scalar(sa.select(User).where(User.username == "sneaky")) is None


def test_the_system_administrator_creates_and_disables_accounts(testapp, dbsession, clock,
                                                               settings):
    _admin(dbsession, clock, settings, "sysadmin", testapp)
    token = _token(testapp.get("/admin/users"))
    form = {"csrf_token": token, "username": "new_auditor", "display_name": "审计员甲",
            "role": "auditor", "password": "Password-123", "submit": "submit"}
    testapp.post("/admin/users", form, status=303)
    created = dbsession.scalar(sa.select(User).where(User.username == "new_auditor"))
    assert created.role is Role.AUDITOR and created.organisation_id is None
    page = testapp.get("/admin/users")
    assert "审计管理员" in page.text
    for bad, message in [({"password": "short"}, "密码至少"),
                         ({"role": "owner"}, ""), ({"username": "new_auditor"}, "已被使用"),
                         ({"display_name": "\u202e"}, "")]:
        before = dbsession.scalar(sa.select(sa.func.count(User.id)))
        refused = testapp.post("/admin/users", {**form, "username": "other_one", **bad},
                               status=(400, 409))
        assert message in refused.text
        assert dbsession.scalar(sa.select(sa.func.count(User.id))) == before
    testapp.post(f"/admin/users/{created.id}/active", {"csrf_token": token, "active": "0"},
                 status=303)
    dbsession.refresh(created)
    assert not created.is_active
    assert [e.data["username"] for e in _events(dbsession, "account.disabled")] == [
        "new_auditor"]
    me = dbsession.scalar(sa.select(User).where(User.username == "sysadmin_3y"))
    own = testapp.post(f"/admin/users/{me.id}/active", {"csrf_token": token, "active": "0"},
                       status=409)
    assert "不能停用或启用自己的账户" in own.text
    testapp.get("/audit/log", status=403)  # manages accounts, never reads their trail


def test_the_security_administrator_sets_the_policy_within_bounds(testapp, dbsession, clock,
                                                                 settings):
    _admin(dbsession, clock, settings, "secadmin", testapp)
    page = testapp.get("/admin/policy")
    good = {"csrf_token": _token(page), "password_min_length": "12", "password_classes": "4",
            "password_max_age_days": "60", "idle_timeout": "900", "throttle_failures": "5",
            "submit": "submit"}
    for field, value, message in [("password_min_length", "6", "8–64"),
                                  ("idle_timeout", "86400", "300–1800"),
                                  ("password_classes", "x", "")]:
        refused = testapp.post("/admin/policy", {**good, field: value}, status=400)
        assert message in refused.text
        assert dbsession.scalar(sa.select(sa.func.count()).select_from(PolicySetting)) == 0
    testapp.post("/admin/policy", good, status=303)
    accounts = AccountService(dbsession, clock, settings)
    assert accounts.policy("auth.password_min_length") == 12
    assert accounts.policy("auth.idle_timeout") == 900
    [event] = _events(dbsession, "security.policy_set")
    assert event.data["changes"]["auth.password_min_length"] == {"old": 8, "new": 12}
    # The policy is the one in force: an 11-character password is now too short.
    from trading.accounts.errors import WeakPassword
    with pytest.raises(WeakPassword, match="至少12位"):
        make_user(dbsession, clock, settings, password="Abcdefgh-12")
    testapp.get("/admin/users", status=403)
    testapp.get("/audit/log", status=403)


def test_the_auditor_reads_the_log_and_nothing_else(testapp, dbsession, clock, settings):
    _admin(dbsession, clock, settings, "auditor", testapp)
    page = testapp.get("/audit/log")
    assert page.status_int == 200
    for path in ("/admin/users", "/admin/policy", "/projects/reviews", "/archive"):
        testapp.get(path, status=(403, 404))


@pytest.mark.slow  # ≈2 s: runs the CLI in a subprocess
def test_the_first_system_administrator_comes_from_the_command_line(tmp_path, monkeypatch,
                                                                   capsys, second_app):
    """`trading admin create`: once, with a policy-conforming password; nothing else."""
    import base64

    from conftest import INI

    from trading.cli import main as cli
    from trading.db import get_engine, get_session_factory

    url = f"sqlite:///{tmp_path / 'admin.sqlite3'}"
    for name, value in {"TRADING_DATABASE_URL": url, "TRADING_STORAGE_ROOT": str(tmp_path),
                        "TRADING_KEK": base64.b64encode(bytes(range(32, 64))).decode(),
                        "TRADING_SIGNING_KEY": base64.b64encode(bytes(range(32))).decode(),
                        "TRADING_HUEY_BACKEND": "memory"}.items():
        monkeypatch.setenv(name, value)
    assert cli(["migrate", str(INI)]) == 0
    monkeypatch.setenv("TRADING_ADMIN_PASSWORD", "weak")
    assert cli(["admin", "create", str(INI), "root_admin"]) == 2
    assert "密码至少" in capsys.readouterr().err
    monkeypatch.setenv("TRADING_ADMIN_PASSWORD", "Password-123")
    assert cli(["admin", "create", str(INI), "root_admin", "--name", "张管理"]) == 0
    assert cli(["admin", "create", str(INI), "second_admin"]) == 2
    assert "exists already" in capsys.readouterr().err
    engine = get_engine({"sqlalchemy.url": url})
    with get_session_factory(engine)() as db:
        admins = db.scalars(sa.select(User)).all()
        assert [(u.username, u.role, u.display_name) for u in admins] == [
            ("root_admin", Role.SYSADMIN, "张管理")]
        assert [e.action for e in db.scalars(sa.select(AuditEvent))] == [
            "account.user_created"]
    engine.dispose()


def test_the_security_administrator_resets_a_lost_second_factor(testapp, dbsession, clock,
                                                                settings, monkeypatch):
    staff = make_user(dbsession, clock, settings, role=Role.CENTER, username="lost_phone")
    service = SecondFactorService(dbsession, clock, settings,
                                  testapp.app.registry["keys"].kek)
    service.begin(staff)
    secret = open_secret(testapp.app.registry["keys"].kek, staff.id, staff.totp_pending)
    service.confirm(staff, pyotp.TOTP(secret).at(clock()), actor=actor_for(staff))
    accounts = AccountService(dbsession, clock, settings)
    accounts.start_session(staff, ip="")
    accounts.create_api_token(staff, "t", actor_for(staff))
    _admin(dbsession, clock, settings, "secadmin", testapp)
    page = testapp.get("/admin/policy")
    token = _token(page)
    unknown = testapp.post("/admin/second-factor/reset", {"csrf_token": token,
                                                          "username": "nobody_here",
                                                          "submit": "submit"}, status=400)
    assert "没有这个用户名" in unknown.text
    dbsession.refresh(staff)
    assert staff.totp_enabled_at is not None
    testapp.post("/admin/second-factor/reset", {"csrf_token": token, "username": "lost_phone",
                                                "submit": "submit"}, status=303)
    dbsession.refresh(staff)
    assert staff.totp_enabled_at is None and staff.totp_secret is None
    left = dbsession.scalar(sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == staff.id))
    live = dbsession.scalars(sa.select(LoginSession).where(
        LoginSession.user_id == staff.id, LoginSession.revoked_at.is_(None))).all()
    tokens = dbsession.scalars(sa.select(ApiToken).where(
        ApiToken.user_id == staff.id, ApiToken.revoked_at.is_(None))).all()
    assert (left, live, tokens) == (0, [], [])
    assert [e.data["username"] for e in _events(dbsession, "account.totp_reset")] == [
        "lost_phone"]
    testapp.reset()
    _admin_named(dbsession, clock, settings, "sysadmin", "sys_no_reset", testapp)
    testapp.post("/admin/second-factor/reset", {"csrf_token": _token(testapp.get(
        "/admin/users")), "username": "secadmin_3y", "submit": "submit"}, status=403)


def _admin_named(dbsession, clock, settings, role, username, testapp):
    user = make_user(dbsession, clock, settings, role=Role(role), username=username)
    testapp.login(username)
    return user
