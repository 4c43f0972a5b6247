"""Issue #16 pt 3 (等保 2.0 §8.1.4.1 d): a second factor for staff roles — TOTP (RFC 6238)
with an enrolment page, recovery codes shown once and kept hashed, required per role by
configuration, and each code accepted once."""

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from factories import PASSWORD, make_project, make_user
from security.test_hostile_input import bearer

from trading.accounts.models import RecoveryCode, Role
from trading.accounts.totp import STEP, SecondFactorService, code_digest, open_secret
from trading.audit.models import AuditEvent
from trading.security import AUTH_COOKIE


@pytest.fixture
def staff_need_totp(settings, monkeypatch):
    monkeypatch.setitem(settings, "auth.totp_roles", ["center", "supervisor"])
    monkeypatch.setitem(settings, "auth.totp_custodians", True)


def code_at(secret, clock, offset=0):
    return pyotp.TOTP(secret, interval=STEP).at(clock() + timedelta(seconds=offset))


def password_step(testapp, username, status=303):
    token = testapp.get_csrf_token()
    return testapp.post("/login", {"username": username, "password": PASSWORD,
                                   "csrf_token": token, "next": "", "submit": "submit"},
                        status=status)


def second_step(testapp, code, status=303):
    page = testapp.get("/login/second-factor")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return testapp.post("/login/second-factor", {"code": code, "csrf_token": token,
                                                 "submit": "submit"}, status=status)


def enrol(testapp, username, clock) -> tuple[str, list[str]]:
    """Sign in with the password (enrolment only), scan, confirm; (secret, recovery codes)."""
    password_step(testapp, username)
    page = testapp.get("/account/two-factor")
    assert "<svg" in page.text  # the QR code, inline, no script
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", page.text).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    done = testapp.post("/account/two-factor", {"code": code_at(secret, clock),
                                                "csrf_token": token, "submit": "submit"})
    codes = re.findall(r"<li><code>([0-9a-f-]{20})</code></li>", done.text)
    assert len(codes) == 10
    testapp.reset()
    return secret, codes


def test_a_staff_member_without_a_second_factor_may_only_enrol(testapp, dbsession, clock,
                                                              settings, staff_need_totp):
    user = make_user(dbsession, clock, settings, role=Role.CENTER, username="c_enrol")
    password_step(testapp, "c_enrol")
    testapp.get("/workspace", status=403)
    testapp.get("/audit/log", status=403)
    assert "启用两步验证" in testapp.get("/account").text
    project = make_project(dbsession, clock, settings, testapp.app.registry, publish=True)
    signals = f"/api/v1/projects/{project.id}/signals"
    headers = bearer(dbsession, clock, settings, user)
    testapp.get(signals, headers=headers, status=403)
    testapp.reset()
    secret, codes = enrol(testapp, "c_enrol", clock)
    dbsession.refresh(user)
    # Kept sealed under the KEK, recovery codes as SHA-256 only.
    assert secret not in user.totp_secret and user.totp_pending is None
    assert open_secret(testapp.app.registry["keys"].kek, user.id, user.totp_secret) == secret
    stored = set(dbsession.scalars(sa.select(RecoveryCode.code_hash)
                                   .where(RecoveryCode.user_id == user.id)))
    assert stored == {code_digest(c) for c in codes} and not set(codes) & stored
    assert dbsession.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "account.totp_enabled", AuditEvent.subject_id == str(user.id)))
    testapp.get(signals, headers=headers, status=200)


def test_a_wrong_code_at_enrolment_enables_nothing(testapp, dbsession, clock, settings,
                                                  staff_need_totp):
    user = make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="s_wrong")
    password_step(testapp, "s_wrong")
    page = testapp.get("/account/two-factor")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    wrong = testapp.post("/account/two-factor", {"code": "000000", "csrf_token": token,
                                                 "submit": "submit"}, status=400)
    assert "验证码不正确" in wrong.text
    dbsession.refresh(user)
    assert user.totp_enabled_at is None and user.totp_secret is None


def test_sign_in_needs_the_code_and_a_code_is_accepted_once(testapp, dbsession, clock,
                                                           settings, staff_need_totp):
    make_user(dbsession, clock, settings, role=Role.CENTER, username="c_login")
    secret, _codes = enrol(testapp, "c_login", clock)
    clock.advance(seconds=STEP)  # the enrolment's code is spent
    first = password_step(testapp, "c_login")
    assert first.location.endswith("/login/second-factor")
    assert AUTH_COOKIE not in testapp.cookies  # the password alone opened no session
    testapp.get("/workspace", status=303)
    wrong = second_step(testapp, "123456" if code_at(secret, clock) != "123456" else "654321",
                        status=400)
    assert "验证码不正确或已使用" in wrong.text
    code = code_at(secret, clock)
    assert second_step(testapp, code).location.endswith("/workspace")
    testapp.get("/workspace", status=200)
    testapp.reset()
    password_step(testapp, "c_login")
    assert "已使用" in second_step(testapp, code, status=400).text  # replayed
    clock.advance(seconds=STEP)
    second_step(testapp, code_at(secret, clock))


def test_a_recovery_code_works_once(testapp, dbsession, clock, settings, staff_need_totp):
    user = make_user(dbsession, clock, settings, role=Role.CENTER, username="c_recover")
    _secret, codes = enrol(testapp, "c_recover", clock)
    password_step(testapp, "c_recover")
    second_step(testapp, codes[0].upper().replace("-", " "))  # as a person may type it
    testapp.reset()
    password_step(testapp, "c_recover")
    second_step(testapp, codes[0], status=400)
    assert SecondFactorService(dbsession, clock, settings, b"").recovery_left(user) == 9


def test_the_password_step_expires(testapp, dbsession, clock, settings, staff_need_totp):
    make_user(dbsession, clock, settings, role=Role.CENTER, username="c_slow")
    secret, _ = enrol(testapp, "c_slow", clock)
    password_step(testapp, "c_slow")
    clock.advance(seconds=301)
    late = testapp.get("/login/second-factor", status=303)
    assert "/login" in late.location


def test_wrong_codes_are_throttled_like_passwords(testapp, dbsession, clock, settings,
                                                 staff_need_totp):
    make_user(dbsession, clock, settings, role=Role.CENTER, username="c_guess")
    secret, _ = enrol(testapp, "c_guess", clock)
    clock.advance(seconds=STEP)
    password_step(testapp, "c_guess")
    statuses = [second_step(testapp, "000001", status=(400, 429)).status_int
                for _ in range(settings["auth.throttle_failures"] + 1)]
    assert statuses[-1] == 429, statuses
    failed = dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "account.second_factor_failed")).all()
    assert failed and all(e.result == "failure" for e in failed)


def test_who_needs_a_second_factor_is_configuration(dbsession, clock, settings, monkeypatch):
    from trading.bidding.models import CustodyKey

    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    service = SecondFactorService(dbsession, clock, settings, b"")
    monkeypatch.setitem(settings, "auth.totp_roles", [])
    monkeypatch.setitem(settings, "auth.totp_custodians", False)
    assert not service.required(center) and not service.required(owner)
    monkeypatch.setitem(settings, "auth.totp_roles", ["center"])
    assert service.required(center) and not service.required(owner)
    dbsession.add(CustodyKey(user_id=owner.id, suite="x25519", key_id="k", public_key="{}",
                             created_at=clock()))
    dbsession.flush()
    assert not service.required(owner)
    monkeypatch.setitem(settings, "auth.totp_custodians", True)
    assert service.required(owner)  # a custodian of opening keys
