"""Schemathesis against /api/v1/openapi.json, in process: no 500 and no response outside
the document, whoever calls (anonymous, a bidder, an owner with bearer tokens; every role
in the deep run of `make drills`)."""

import os

import pytest
import schemathesis
from factories import actor_for, make_project, make_user
from hypothesis import HealthCheck, given, settings

from trading.accounts.models import Role
from trading.accounts.service import AccountService

pytestmark = pytest.mark.slow  # 35 s per role: make test-slow and make fuzz-deep

# `make test` runs a few examples per operation; `make drills` sets TRADING_FUZZ_EXAMPLES
# for the deep run, every role included.
EXAMPLES = int(os.environ.get("TRADING_FUZZ_EXAMPLES", "2"))
DEEP = EXAMPLES > 10
# Rules an OpenAPI schema cannot state: cross-field checks of a search, and the business
# rules behind every action (deadlines, statuses, notice periods). There a schema-valid
# request may be refused with a 4xx naming its reason; the Error schema is still checked.
# 422 is such a refusal everywhere (the body fits its schema, a rule refused it); a 400
# to a schema-valid body means the schema promised more than the code accepts.
CONFIG = schemathesis.config.SchemathesisConfig.from_str("""
[checks.positive_data_acceptance]
expected-statuses = ["2XX", "3XX", 401, 403, 404, 409, 422, 429]

[[operations]]
include-operation-id = "api.projects.get"
checks.positive_data_acceptance.expected-statuses = ["2XX", "3XX", 400]

[[operations]]
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2XX", "3XX", 400, 401, 403, 404, 409,
                                                     413, 422, 429]
""")


class InTransaction:
    """The app inside the test's doomed transaction, as the `testapp` fixture runs it."""

    def __init__(self, app, tm, dbsession):
        self.app, self.extra = app, {"tm.active": True, "tm.manager": tm,
                                     "app.dbsession": dbsession, "REMOTE_ADDR": "192.0.2.20"}

    def __call__(self, environ, start_response):
        environ.update(self.extra)
        return self.app(environ, start_response)


ROLES = (None, Role.BIDDER, Role.OWNER, Role.CENTER, Role.SUPERVISOR, Role.EXPERT,
         Role.INTERMEDIARY)


@pytest.fixture
def world(dbsession, clock, settings, registry):
    """A project open for bidding, and a user of each role with an API token."""
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    make_project(dbsession, clock, settings, registry, owner=owner, open_bidding=True)
    users = {Role.OWNER: owner}
    tokens = {}
    for role in ROLES[1:]:
        user = users.get(role) or make_user(dbsession, clock, settings, role=role)
        tokens[role] = AccountService(dbsession, clock, settings).create_api_token(
            user, "fuzz", actor_for(user))[1]
    return tokens


@pytest.mark.parametrize("role", ROLES if DEEP else ROLES[:3], ids=str)
def test_the_api_answers_every_input_within_its_spec(app, tm, dbsession, world, role):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json",
                                            InTransaction(app, tm, dbsession), config=CONFIG)
    headers = {"Authorization": f"Bearer {world[role]}"} if role else {}
    cases, failures = [], []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            cases.append(case)
            case.call_and_validate(headers=headers)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # every operation, then fail
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    print(f"fuzz api as {role or 'anonymous'}: {len(cases)} cases, {len(failures)} failing")
    assert not failures, "\n\n".join(failures)
