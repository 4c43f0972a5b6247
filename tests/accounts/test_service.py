

import pytest
import sqlalchemy as sa
from factories import PASSWORD, actor_for, make_user

from trading.accounts.errors import (
    DuplicateCreditCode,
    DuplicateUsername,
    InvalidCreditCode,
    LoginFailed,
    LoginThrottled,
    WeakPassword,
)
from trading.accounts.models import Organisation, Role
from trading.accounts.rules import make_credit_code
from trading.accounts.service import AccountService
from trading.actor import Actor
from trading.audit.models import AuditEvent


@pytest.fixture
def accounts(dbsession, clock, settings):
    return AccountService(dbsession, clock, settings)


def register(accounts, code="91350100MA9990001", username="acme1"):
    return accounts.register_organisation(
        name="某某建设有限公司", credit_code=make_credit_code(code), role=Role.BIDDER,
        username=username, display_name="张三", password=PASSWORD,
        actor=Actor(None, "anonymous", ip="192.0.2.5"),
    )


def test_register_creates_org_user_and_audit_rows(accounts, dbsession):
    org, user = register(accounts)
    assert user.organisation_id == org.id and user.role is Role.BIDDER
    actions = dbsession.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject_id.in_([str(org.id), str(user.id)]))).all()
    assert "account.org_registered" in actions and "account.user_created" in actions
    assert PASSWORD not in str(dbsession.scalars(sa.select(AuditEvent.data)).all())


def test_second_registration_with_the_same_credit_code_is_refused(accounts, dbsession):
    register(accounts)
    before = dbsession.scalar(sa.select(sa.func.count()).select_from(Organisation))
    with pytest.raises(DuplicateCreditCode):
        register(accounts, username="acme2")
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Organisation)) == before


def test_malformed_credit_code_is_refused(accounts):
    with pytest.raises(InvalidCreditCode) as info:
        accounts.register_organisation(
            name="x", credit_code="91350100M000100Y44", role=Role.BIDDER, username="u1",
            display_name="u", password=PASSWORD, actor=Actor.system("t"))
    assert info.value.field == "credit_code"


def test_duplicate_username_and_weak_password(accounts, dbsession, clock, settings):
    make_user(dbsession, clock, settings, username="taken")
    with pytest.raises(DuplicateUsername):
        register(accounts, username="taken")
    with pytest.raises(WeakPassword):
        accounts.create_user(username="new", display_name="n", password="short",
                             role=Role.EXPERT, organisation=None, actor=Actor.system("t"))


def test_authenticate(accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings, username="alice")
    assert accounts.authenticate("alice", PASSWORD, ip="1.1.1.1") is user
    with pytest.raises(LoginFailed):
        accounts.authenticate("alice", "wrong-password", ip="1.1.1.1")
    with pytest.raises(LoginFailed):
        accounts.authenticate("nobody", PASSWORD, ip="1.1.1.1")


def test_repeated_failures_slow_that_address_down_but_never_lock_the_user_out(
        accounts, dbsession, clock, settings):
    make_user(dbsession, clock, settings, username="bob")
    for _ in range(settings["auth.throttle_failures"]):
        with pytest.raises(LoginFailed):
            accounts.authenticate("bob", "wrong-password", ip="1.1.1.2")
    with pytest.raises(LoginThrottled):
        accounts.authenticate("bob", PASSWORD, ip="1.1.1.2")
    # The right password from another address is never refused (issue #16: lockout).
    assert accounts.authenticate("bob", PASSWORD, ip="1.1.1.3").username == "bob"
    clock.advance(seconds=settings["auth.throttle_window"] + 1)
    assert accounts.authenticate("bob", PASSWORD, ip="1.1.1.2").username == "bob"


def test_sessions_expire_and_end(accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings)
    token = accounts.start_session(user, ip="1.1.1.1")
    assert accounts.user_for_session_token(token) is user
    assert accounts.user_for_session_token(token + "x") is None
    accounts.end_session(token, actor_for(user))
    assert accounts.user_for_session_token(token) is None
    other = accounts.start_session(user, ip="1.1.1.1")
    clock.advance(seconds=settings["auth.session_max_age"] + 1)
    assert accounts.user_for_session_token(other) is None


def test_each_login_gets_a_new_token(accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings)
    assert accounts.start_session(user, ip="") != accounts.start_session(user, ip="")


def test_password_change_ends_other_sessions(accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings)
    here = accounts.start_session(user, ip="1.1.1.1")
    elsewhere = accounts.start_session(user, ip="1.1.1.2")
    with pytest.raises(LoginFailed):
        accounts.change_password(user, "bad-old", "new-password-1", keep_token=here,
                                 actor=actor_for(user))
    accounts.change_password(user, PASSWORD, "new-password-1", keep_token=here,
                             actor=actor_for(user))
    assert accounts.user_for_session_token(here) is user
    assert accounts.user_for_session_token(elsewhere) is None
    assert accounts.authenticate(user.username, "new-password-1", ip="").id == user.id


def test_api_tokens_are_stored_hashed_and_revocable(accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings)
    row, token = accounts.create_api_token(user, "ci", actor_for(user))
    assert token not in (row.token_hash, row.prefix) and token.startswith(row.prefix)
    assert accounts.user_for_api_token(token) is user
    other = make_user(dbsession, clock, settings)
    assert accounts.revoke_api_token(other, row.id, actor_for(other)) is None
    accounts.revoke_api_token(user, row.id, actor_for(user))
    assert accounts.user_for_api_token(token) is None


def test_inactive_users_cannot_use_anything(accounts, dbsession, clock, settings):
    user = make_user(dbsession, clock, settings, username="gone")
    token = accounts.start_session(user, ip="")
    user.is_active = False
    assert accounts.user_for_session_token(token) is None
    with pytest.raises(LoginFailed):
        accounts.authenticate("gone", PASSWORD, ip="")

