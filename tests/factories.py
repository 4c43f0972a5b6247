"""Plain builder functions: each flushes and returns what it made."""

import itertools

from trading.accounts.models import Organisation, Role, User
from trading.accounts.rules import make_credit_code
from trading.accounts.service import AccountService
from trading.actor import Actor

PASSWORD = "password123"
_seq = itertools.count(1)


def actor_for(user: User) -> Actor:
    return Actor(user.id, user.username, user.organisation_id, str(user.role), "192.0.2.1")


def make_org(dbsession, clock, role=Role.BIDDER, name=None, credit_code=None) -> Organisation:
    n = next(_seq)
    org = Organisation(
        name=name or f"测试单位{n}", role=role,
        credit_code=credit_code or make_credit_code(f"91350100MA{n:07d}"),
        created_at=clock(),
    )
    dbsession.add(org)
    dbsession.flush()
    return org


def make_user(dbsession, clock, settings, role=Role.BIDDER, username=None,
              organisation=None, password=PASSWORD) -> User:
    n = next(_seq)
    if organisation is None and role in (Role.OWNER, Role.BIDDER, Role.INTERMEDIARY):
        organisation = make_org(dbsession, clock, role=role)
    accounts = AccountService(dbsession, clock, settings)
    return accounts.create_user(
        username=username or f"{role}{n}", display_name=f"用户{n}", password=password,
        role=role, organisation=organisation, actor=Actor.system("test"),
    )
