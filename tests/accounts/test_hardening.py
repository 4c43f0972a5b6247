"""Issue #16 points 2–4: login throttling that cannot lock a victim out, the 等保 2.0
password and session controls, API token scopes and expiry, the protected audit log."""

import threading

import pytest
import sqlalchemy as sa
from factories import PASSWORD, actor_for, make_user

from trading.accounts.errors import LoginFailed, LoginThrottled, WeakPassword
from trading.accounts.models import ApiToken, LoginThrottle, Role
from trading.accounts.service import AccountService, password_problem, throttle_delay


@pytest.fixture
def accounts(dbsession, clock, settings):
    return AccountService(dbsession, clock, settings)


def test_an_attacker_cannot_lock_staff_out_from_another_address(testapp, dbsession, clock,
                                                                 settings):
    make_user(dbsession, clock, settings, role=Role.CENTER, username="center_v")
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    for _ in range(settings["auth.throttle_failures"] * 3):
        token = testapp.get_csrf_token()
        testapp.post("/login", {"username": "center_v", "password": "guess", "csrf_token": token,
                                "next": "", "submit": "submit"}, extra_environ=attacker,
                     status=(401, 429))
    response = testapp.login("center_v")  # from 192.0.2.10, the victim's own address
    assert response.location.endswith("/workspace")


def test_delays_grow_with_each_failure_and_are_capped():
    delays = [throttle_delay(n, 5, 900).total_seconds() for n in range(1, 20)]
    assert delays[:4] == [0, 0, 0, 0]
    assert delays[4:8] == [2, 4, 8, 16]
    assert max(delays) == 900 and delays == sorted(delays)


def test_the_delay_is_waited_out_not_a_lockout(accounts, dbsession, clock, settings):
    make_user(dbsession, clock, settings, username="carol")
    for _ in range(settings["auth.throttle_failures"]):
        with pytest.raises(LoginFailed):
            accounts.authenticate("carol", "nope", ip="1.1.1.9")
    with pytest.raises(LoginThrottled, match="秒后再试"):
        accounts.authenticate("carol", PASSWORD, ip="1.1.1.9")
    clock.advance(seconds=3)
    assert accounts.authenticate("carol", PASSWORD, ip="1.1.1.9").username == "carol"
    row = dbsession.scalar(sa.select(LoginThrottle).where(LoginThrottle.username == "carol"))
    assert row.failures == 0  # a success clears the pair's count


def test_an_address_spraying_many_accounts_is_slowed(accounts, dbsession, clock, settings):
    limit = settings["auth.throttle_address_failures"]
    for n in range(limit):
        with pytest.raises(LoginFailed):
            accounts.authenticate(f"nobody{n}", "x", ip="198.51.100.7")
    with pytest.raises(LoginThrottled):
        accounts.authenticate("someone_else", "x", ip="198.51.100.7")


def test_a_failed_login_is_audited_as_a_failure(testapp, dbsession, clock, settings):
    from trading.audit.models import AuditEvent

    make_user(dbsession, clock, settings, username="dave_f")
    testapp.login("dave_f", password="wrong", status=401)
    event = dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "account.login_failed").order_by(AuditEvent.seq.desc())).first()
    assert event.result == "failure" and event.actor_label == "dave_f"
    assert event.occurred_at and event.ip == "192.0.2.10"


@pytest.mark.slow
def test_concurrent_wrong_attempts_are_counted_one_after_another(app_settings, tmp_path,
                                                                  clock):
    """Ten simultaneous wrong passwords against a limit of 5: the old count-then-insert let
    every one through to the password check; the locked row lets at most the free ones."""
    from conftest import migrate

    from trading.db import get_engine, get_session_factory

    engine = get_engine({"sqlalchemy.url": f"sqlite:///{tmp_path / 'race.sqlite3'}"})
    migrate(engine)
    factory = get_session_factory(engine)
    settings = {**app_settings, "auth.argon2_time_cost": 1, "auth.argon2_memory_cost": 8,
                "auth.throttle_failures": 5, "auth.throttle_address_failures": 50,
                "auth.throttle_window": 900, "auth.throttle_max_delay": 900,
                "auth.password_min_length": 8, "auth.password_classes": 3}
    with factory() as db:
        make_user(db, clock, settings, role=Role.SUPERVISOR, username="victim")
        db.commit()
    outcomes, barrier = [], threading.Barrier(10)

    def attempt():
        with factory() as db:
            barrier.wait()
            try:
                AccountService(db, clock, settings).authenticate("victim", "bad", ip="9.9.9.9")
            except LoginFailed:
                outcomes.append("checked")
                db.commit()
            except LoginThrottled:
                outcomes.append("throttled")
            except sa.exc.IntegrityError:
                outcomes.append("retry")  # the first insert raced; pyramid_retry repeats it

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert outcomes.count("checked") <= 5, outcomes
    assert outcomes.count("throttled") >= 5 - outcomes.count("retry"), outcomes


@pytest.mark.parametrize("password,problem", [
    ("Short-1", "至少"), ("alllowercase", "至少3类"), ("lower-and-symbols", "至少3类"),
])
def test_password_complexity_comes_from_settings(password, problem):
    assert problem in password_problem(password, 8, 3)
    assert password_problem("Lower-123", 8, 3) is None
    assert password_problem("lowerdigits1", 8, 2) is None


def test_a_weak_password_is_refused_at_registration(accounts, dbsession, clock, settings):
    with pytest.raises(WeakPassword):
        make_user(dbsession, clock, settings, password="password")


def test_an_expired_password_must_be_changed_first(testapp, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings, role=Role.OWNER, username="old_pw")
    settings["auth.password_max_age_days"] = 90
    try:
        clock.advance(days=91)
        response = testapp.login("old_pw")
        assert response.location.endswith("/account")
        assert "密码已过期" in testapp.get("/account").text
        testapp.get("/projects/new", status=403)
        form = testapp.get("/account").forms["password"]
        form["old_password"] = PASSWORD
        form["new_password"] = form["new_password-confirm"] = "Fresh-pass-2026"
        form.submit("submit", status=303)
        testapp.get("/projects/new", status=200)
        assert user.password_changed_at == clock()
    finally:
        settings["auth.password_max_age_days"] = 0


def test_idle_and_absolute_session_limits(accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings)
    token = accounts.start_session(user, ip="1.1.1.1")
    idle = settings["auth.idle_timeout"]
    assert idle == 1800  # 30 minutes by default
    clock.advance(seconds=idle - 60)
    assert accounts.user_for_session_token(token) is user  # activity moves the idle mark
    clock.advance(seconds=idle - 60)
    assert accounts.user_for_session_token(token) is user
    clock.advance(seconds=idle + 1)
    assert accounts.user_for_session_token(token) is None
    fresh = accounts.start_session(user, ip="1.1.1.1")
    for _ in range(settings["auth.session_max_age"] // (idle - 60) + 1):
        clock.advance(seconds=idle - 60)
        accounts.user_for_session_token(fresh)
    assert accounts.user_for_session_token(fresh) is None  # the absolute lifetime ended it


# -- API tokens ----------------------------------------------------------------------------


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_token_works_only_within_its_scopes(testapp, accounts, dbsession, clock, settings):
    from factories import make_project

    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    project = make_project(dbsession, clock, settings, dbsession.info.get("registry")
                           or testapp.app.registry, owner=owner)
    _, reader = accounts.create_api_token(owner, "r", actor_for(owner),
                                          scopes=["project:read", "account:read"])
    testapp.get("/api/v1/me", headers=_bearer(reader))
    testapp.get(f"/api/v1/projects/{project.id}", headers=_bearer(reader))
    refused = testapp.put_json(f"/api/v1/projects/{project.id}", {"name": "x"},
                               headers=_bearer(reader), status=403)
    assert refused.json["error"] == "forbidden"
    _, other = accounts.create_api_token(owner, "o", actor_for(owner), scopes=["draw:read"])
    testapp.get("/api/v1/me", headers=_bearer(other), status=403)
    testapp.get("/api/v1/openapi.json", headers=_bearer(other))  # public: no scope needed


def test_tokens_expire(testapp, accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings)
    _, token = accounts.create_api_token(user, "t", actor_for(user), days=7)
    testapp.get("/api/v1/me", headers=_bearer(token))
    clock.advance(days=7)
    testapp.get("/api/v1/me", headers=_bearer(token), status=401)
    with pytest.raises(Exception, match="有效期"):
        accounts.create_api_token(user, "t", actor_for(user), days=10_000)


def test_a_password_change_revokes_every_token(testapp, accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings, username="pw_change")
    _, token = accounts.create_api_token(user, "t", actor_for(user))
    testapp.get("/api/v1/me", headers=_bearer(token))
    accounts.change_password(user, PASSWORD, "Another-pass-9", keep_token=None,
                             actor=actor_for(user))
    testapp.get("/api/v1/me", headers=_bearer(token), status=401)


def test_the_account_page_lists_scope_expiry_and_last_use(testapp, accounts, dbsession, clock,
                                                          settings):
    user = make_user(dbsession, clock, settings, username="lister")
    _, token = accounts.create_api_token(user, "nightly sync", actor_for(user),
                                         scopes=["account:read"], days=30)
    clock.advance(minutes=5)
    testapp.get("/api/v1/me", headers=_bearer(token))
    row = dbsession.scalar(sa.select(ApiToken).where(ApiToken.name == "nightly sync"))
    assert row.last_used_at == clock()
    testapp.login("lister")
    page = testapp.get("/account").text
    assert "nightly sync" in page and "账户 · 只读" in page
    assert "2026-04-01" in page  # expiry: 30 days after 2026-03-02 (Beijing time)
    assert "从未使用" not in page


# -- the audit log in the database -------------------------------------------------------------


def test_no_application_session_can_update_or_delete_audit_rows(dbsession, clock):
    from trading.actor import Actor
    from trading.audit.models import AuditEvent
    from trading.audit.service import record

    event = record(dbsession, Actor.system("test"), "x.y", "thing", 1, now=clock())
    dbsession.flush()
    for statement in (sa.update(AuditEvent).where(AuditEvent.seq == event.seq)
                      .values(actor_label="forged"),
                      sa.delete(AuditEvent).where(AuditEvent.seq == event.seq)):
        nested = dbsession.begin_nested()
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            dbsession.execute(statement)
        nested.rollback()

