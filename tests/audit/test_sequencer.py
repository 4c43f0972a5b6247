"""The worker's sequencer loop (issue #17 pt 1: a checkpoint within 2 s, not a minute)."""

import contextlib

import pytest
import sqlalchemy as sa

from trading.actor import Actor
from trading.audit import merkle
from trading.audit.models import TlogCheckpoint, TlogPending, TlogState
from trading.audit.sequencer import Sequencer
from trading.audit.service import record
from trading.config import ConfigError, load

ACTOR = Actor(7, "center1", 3, "center", "192.0.2.9", "req-1")


@pytest.fixture
def sequencer(dbsession, registry, settings, clock):
    @contextlib.contextmanager
    def scope():
        yield dbsession

    return Sequencer(scope, registry["keys"], {**settings, "audit.sequence_ms": 500}, clock)


def _drain(dbsession, registry, settings, clock):
    """Integrate whatever earlier fixtures logged, so each test starts from an empty queue."""
    merkle.sequence(dbsession, registry["keys"], settings, now=clock())


def test_an_empty_queue_is_a_read_only(sequencer, dbsession, registry, settings, clock):
    _drain(dbsession, registry, settings, clock)
    statements = []
    sa.event.listen(dbsession.connection(), "before_cursor_execute",
                    lambda *args: statements.append(args[2]))
    assert sequencer.step() is None
    assert statements and all(s.lstrip().upper().startswith("SELECT") for s in statements)


def test_a_step_integrates_the_queue_and_signs_the_head(sequencer, dbsession, clock):
    events = [record(dbsession, ACTOR, "test.logged", "thing", i, now=clock(), promise=True)
              for i in range(3)]
    dbsession.flush()
    size = sequencer.step()
    assert size == dbsession.get(TlogState, merkle.STATE_ID).size
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(TlogPending)) == 0
    assert dbsession.get(TlogCheckpoint, size) is not None
    for event in events:
        assert merkle.leaf_of_event(dbsession, event.seq).integrated_at == clock()
    assert sequencer.step() is None  # nothing new: no second checkpoint, no write


class _Ticks:
    """Stands in for the stop event: `wait` returns False (keep going) n times."""

    def __init__(self, n):
        self.left, self.waits = n, []

    def wait(self, timeout):
        self.waits.append(timeout)
        self.left -= 1
        return self.left < 0


def test_the_loop_outlives_a_failed_step_and_backs_off(sequencer, caplog):
    outcomes = iter([RuntimeError("database restarting"), 5, None])

    def step():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    sequencer.step, sequencer.stopping = step, _Ticks(3)
    sequencer.run()
    assert sequencer.stopping.waits == [0.5, 2.0, 0.5, 0.5]
    assert "sequencer step failed" in caplog.text


def test_zero_turns_the_loop_off_and_the_interval_is_bounded(settings):
    base = {k: v for k, v in settings.items() if isinstance(v, str)}
    assert load({**base, "audit.sequence_ms": "0"}, environ={})["audit.sequence_ms"] == 0
    assert Sequencer(None, None, {"audit.sequence_ms": 0}, None).start() is None
    for bad in ("-1", "300000", "soon"):
        with pytest.raises(ConfigError, match="sequence_ms"):
            load({**base, "audit.sequence_ms": bad}, environ={})


def test_a_busy_database_is_waited_for_not_a_failure(sequencer, caplog):
    outcomes = iter([merkle.LogBusy("an opening holds the write lock"), 5, None])

    def step():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    sequencer.step, sequencer.stopping = step, _Ticks(3)
    sequencer.run()
    assert sequencer.stopping.waits == [0.5, 0.5, 0.5, 0.5]  # no backoff
    assert "step failed" not in caplog.text


@pytest.fixture
def sqlite_file(dbengine):
    if dbengine.dialect.name != "sqlite":
        pytest.skip("SQLite's one writer lock")
    return dbengine.url.database


def test_on_sqlite_the_step_takes_the_write_lock_first_and_waits_for_the_writer(
        sqlite_file, dbengine, registry, settings, clock):
    """Another writer holds the lock: the step raises LogBusy once its busy timeout is
    spent (here none) and writes nothing; once the writer is done, the step's first
    statement after its reads is BEGIN IMMEDIATE (nothing here is committed)."""
    import sqlite3

    from sqlalchemy.orm import Session

    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    try:
        with dbengine.connect() as conn:
            conn.exec_driver_sql("PRAGMA busy_timeout=0")
            holder.execute("BEGIN IMMEDIATE")
            with Session(conn) as db, pytest.raises(merkle.LogBusy):
                merkle.sequence(db, registry["keys"], settings, now=clock())
            holder.execute("ROLLBACK")
            statements = []
            sa.event.listen(conn, "before_cursor_execute",
                            lambda *args: statements.append(args[2]))
            with Session(conn) as db:
                merkle.sequence(db, registry["keys"], settings, now=clock())
                assert conn.connection.driver_connection.in_transaction
                db.rollback()
            writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
            assert writes[0] == "BEGIN IMMEDIATE"
            assert writes[1].startswith("UPDATE tlog_state")
            conn.exec_driver_sql("PRAGMA busy_timeout=15000")
    finally:
        holder.close()
