from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from trading.accounts.models import Organisation, Role
from trading.clock import FixedClock, SystemClock
from trading.forms import format_yuan


def test_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock() == clock()
    clock.advance(hours=1)
    assert clock() == datetime(2026, 1, 1, 1, tzinfo=UTC)


def test_fixed_clock_refuses_naive_time():
    with pytest.raises(ValueError):
        FixedClock(datetime(2026, 1, 1))


def test_system_clock_is_aware_utc():
    assert SystemClock()().tzinfo is UTC


def test_utc_datetime_round_trips_aware(dbsession, clock):
    shanghai = timezone(timedelta(hours=8))
    org = Organisation(name="x", role=Role.BIDDER, credit_code=None,
                       created_at=datetime(2026, 5, 1, 9, 30, tzinfo=shanghai))
    dbsession.add(org)
    dbsession.flush()
    dbsession.expire(org)
    assert org.created_at == datetime(2026, 5, 1, 1, 30, tzinfo=UTC)
    assert org.created_at.tzinfo is not None


def test_utc_datetime_refuses_naive(dbsession):
    dbsession.add(Organisation(name="x", role=Role.BIDDER, created_at=datetime(2026, 5, 1)))
    with pytest.raises(sa.exc.StatementError, match="naive"):
        dbsession.flush()


def test_enum_check_constraint_rejects_unknown_values(dbsession, clock):
    with pytest.raises(sa.exc.IntegrityError):
        dbsession.execute(sa.text(
            "INSERT INTO organisations (name, role, region, contact_name, contact_phone,"
            " contact_email, created_at) VALUES ('x', 'pirate', '', '', '', '', :t)"),
            {"t": clock().replace(tzinfo=None)})


def test_foreign_keys_are_enforced(dbsession, clock):
    with pytest.raises(sa.exc.IntegrityError):
        dbsession.execute(sa.text(
            "INSERT INTO users (username, display_name, password_hash, role, organisation_id,"
            " is_active, created_at, password_changed_at)"
            " VALUES ('u', 'u', 'h', 'bidder', 999999, true, :t, :t)"),
            {"t": clock().replace(tzinfo=None)})


@pytest.mark.parametrize("fen,text", [(0, "0.00"), (5, "0.05"), (123456789, "1,234,567.89"),
                                      (-150, "-1.50")])
def test_format_yuan(fen, text):
    assert format_yuan(fen) == text
