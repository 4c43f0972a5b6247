"""The chronograph: next_check, advance, and the sweep that catches up after downtime.

A test-only entity (its own metadata, so migrations and `alembic check` never see it)
stands in for a domain: a "ticker" that must fire once at each of its due instants.
"""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from trading.db.types import UTCDateTime
from trading.jobs import chronograph


class TickerBase(DeclarativeBase):
    pass


class Ticker(TickerBase):
    __tablename__ = "test_chronograph_tickers"

    id: Mapped[int] = mapped_column(primary_key=True)
    due_at: Mapped[list] = mapped_column(sa.JSON)  # ISO instants still to fire
    fired: Mapped[list] = mapped_column(sa.JSON, default=list)
    next_check: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


def due(dbsession, now, limit):
    query = sa.select(Ticker.id).where(Ticker.next_check <= now).limit(limit)
    return dbsession.scalars(query).all()


def advance(request, ticker_id):
    dbsession, now = request.dbsession, request.clock()
    ticker = dbsession.get(Ticker, ticker_id)
    pending = [datetime.fromisoformat(t) for t in ticker.due_at]
    fire = [t for t in pending if t <= now]
    # Idempotent: a due instant is consumed in the same transaction that records it.
    ticker.fired = ticker.fired + [t.isoformat() for t in fire]
    rest = [t for t in pending if t > now]
    ticker.due_at = [t.isoformat() for t in rest]
    ticker.next_check = min(rest) if rest else None
    dbsession.flush()
    return ticker.next_check


@pytest.fixture(scope="module", autouse=True)
def ticker_table(dbengine):
    TickerBase.metadata.create_all(dbengine)
    yield
    TickerBase.metadata.drop_all(dbengine)


@pytest.fixture(autouse=True)
def registered(registry):
    config = Configurator(registry=registry)
    config.add_chronograph_kind("ticker", due=due, advance=advance)
    config.commit()
    yield
    registry[chronograph.KINDS].pop("ticker")


def test_the_domains_kinds_are_in_the_registry(registry):
    assert {"project", "im_purchase", "ticker"} <= set(chronograph.kinds(registry))


def test_one_kind_per_name(registry):
    config = Configurator(registry=registry)
    config.add_chronograph_kind("twice", due=due, advance=advance)
    config.add_chronograph_kind("twice", due=due, advance=lambda request, entity_id: None)
    with pytest.raises(ConfigurationConflictError):
        config.commit()
    assert "twice" not in chronograph.kinds(registry)


def make_ticker(dbsession, *instants):
    ticker = Ticker(due_at=[t.isoformat() for t in instants], fired=[],
                    next_check=min(instants))
    dbsession.add(ticker)
    dbsession.flush()
    return ticker


def test_nothing_fires_before_it_is_due(dbsession, clock):
    ticker = make_ticker(dbsession, clock() + timedelta(minutes=5))
    assert chronograph.sweep_kind("ticker") == 0
    assert ticker.fired == []


def test_advance_twice_is_harmless(dbsession, clock):
    at = clock() + timedelta(minutes=5)
    ticker = make_ticker(dbsession, at)
    clock.advance(minutes=5)
    chronograph.advance("ticker", ticker.id)
    chronograph.advance("ticker", ticker.id)
    assert ticker.fired == [at.isoformat()] and ticker.next_check is None


def test_early_advance_does_nothing_and_keeps_next_check(dbsession, clock):
    at = clock() + timedelta(hours=1)
    ticker = make_ticker(dbsession, at)
    chronograph.advance("ticker", ticker.id)
    assert ticker.fired == [] and ticker.next_check == at


def test_worker_down_for_an_hour_catches_up_in_one_sweep(dbsession, clock):
    start = clock()
    a = make_ticker(dbsession, start + timedelta(minutes=10), start + timedelta(minutes=40),
                    start + timedelta(hours=3))
    b = make_ticker(dbsession, start + timedelta(minutes=30))
    clock.advance(hours=1)  # the worker was down: no advance ran at 10, 30 or 40 minutes
    assert chronograph.sweep_kind("ticker") == 2
    assert len(a.fired) == 2 and len(b.fired) == 1
    assert a.next_check == start + timedelta(hours=3) and b.next_check is None
    assert chronograph.sweep_kind("ticker") == 0  # nothing left overdue


def test_schedule_uses_the_request_enqueue(clock):
    calls = []
    chronograph.schedule(lambda task, *args, eta=None: calls.append((task, args, eta)),
                         "ticker", 5, clock())
    chronograph.schedule(lambda *a, **k: calls.append("never"), "ticker", 5, None)
    assert calls == [(chronograph.advance, ("ticker", 5), clock())]
