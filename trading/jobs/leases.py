"""Leases (租约): who may run a piece of work now, among several workers.

A lease is a row (`job_leases`): a name, its holder and an expiry. `acquire` takes a free
or expired lease in one statement each (an INSERT that yields on conflict, then an UPDATE
guarded by the expiry), so two workers never both hold it; the holder renews it while it
works (`held`), and releases it when done. A worker that is killed releases nothing: its
leases expire after `jobs.lease_seconds`, and another worker then takes them. Nothing
releases a lease at start-up, so starting a worker never takes work from a live one.

Two uses: per-entity task locks (`advance-project-42`, `archive-42`), and the periodic
leader (`periodic`), the one consumer that enqueues the periodic tasks.
"""

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa
from huey.consumer import Consumer, Scheduler
from huey.exceptions import TaskLockedException

from .models import JobLease
from .queue import huey
from .request import TEST_DBSESSION

log = logging.getLogger(__name__)
TABLE = JobLease.__table__
DEFAULT_SECONDS = 120


def new_holder(role: str = "task") -> str:
    """A holder name unique to this acquisition, readable by an operator."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{role}:{uuid.uuid4().hex[:12]}"


def _registry():
    """The app's registry, kept by the Huey instance (jobs includeme), as jobs use it."""
    return huey.pyramid_registry


def _now():
    return _registry()["clock"]()


def lease_seconds() -> int:
    return int(_registry().settings.get("jobs.lease_seconds") or DEFAULT_SECONDS)


@contextlib.contextmanager
def _connection():
    """Lease statements commit on their own, at once: another worker must see them. While
    a test runs jobs in its own doomed transaction, they run there."""
    registry = _registry()
    session = registry.get(TEST_DBSESSION)
    if session is not None:
        yield session.connection()
        return
    with registry["dbengine"].begin() as conn:
        yield conn


def _insert_if_free(conn, values: dict):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # RETURNING, not rowcount: psycopg reports -1 for some statements on a test's session.
    return conn.execute(insert(TABLE).values(**values).on_conflict_do_nothing(
        index_elements=["name"]).returning(TABLE.c.name)).first() is not None


def acquire(name: str, holder: str, seconds: int | None = None) -> bool:
    """Take `name` for `holder` (or renew it if `holder` has it) until now + seconds; False
    while another holder's lease runs."""
    now = _now()
    expires = now + timedelta(seconds=seconds or lease_seconds())
    with _connection() as conn:
        if _insert_if_free(conn, {"name": name, "holder": holder, "expires_at": expires}):
            return True
        taken = conn.execute(
            sa.update(TABLE).where(TABLE.c.name == name,
                                   sa.or_(TABLE.c.holder == holder, TABLE.c.expires_at <= now))
            .values(holder=holder, expires_at=expires).returning(TABLE.c.name))
        return taken.first() is not None


def release(name: str, holder: str) -> None:
    """Give `name` back, if `holder` still has it (an expired lease taken over is not ours)."""
    with _connection() as conn:
        conn.execute(sa.delete(TABLE).where(TABLE.c.name == name, TABLE.c.holder == holder))


def holder_of(name: str) -> str | None:
    """Who holds `name` now (None when free or expired)."""
    with _connection() as conn:
        row = conn.execute(sa.select(TABLE.c.holder, TABLE.c.expires_at)
                           .where(TABLE.c.name == name)).first()
    return row.holder if row is not None and row.expires_at > _now() else None


@contextlib.contextmanager
def held(name: str, seconds: int | None = None):
    """Run the block under lease `name`, renewed every third of its term meanwhile;
    TaskLockedException (Huey retries the task later) while another worker holds it."""
    seconds = seconds or lease_seconds()
    holder = new_holder()
    if not acquire(name, holder, seconds):
        raise TaskLockedException(f"{name} is leased by another worker")
    stop = threading.Event()
    renewer = None
    if _registry().get(TEST_DBSESSION) is None:  # a test's session is not for other threads
        renewer = threading.Thread(target=_renew, args=(name, holder, seconds, stop),
                                   name=f"lease-{name}", daemon=True)
        renewer.start()
    try:
        yield holder
    finally:
        stop.set()
        if renewer is not None:
            renewer.join()
        release(name, holder)


def _renew(name: str, holder: str, seconds: int, stop: threading.Event) -> None:
    while not stop.wait(seconds / 3):
        try:
            if not acquire(name, holder, seconds):
                log.warning("lease %s expired and was taken over while %s ran", name, holder)
        except Exception:  # noqa: BLE001 - a database blip: the next renewal tries again
            log.exception("renewing lease %s", name)


class LeasedScheduler(Scheduler):
    """Huey's scheduler, enqueueing the periodic tasks only while it holds the `periodic`
    lease: every consumer runs one, exactly one of them leads. The leader renews the lease
    every third of its term; when it dies, the lease expires and another consumer leads."""

    LEASE = "periodic"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = new_holder("periodic")
        self.leading = False
        self._next_claim = 0.0

    def claim(self) -> bool:
        if time.monotonic() >= self._next_claim:
            seconds = lease_seconds()
            try:
                leading = acquire(self.LEASE, self.holder, seconds)
            except Exception:  # noqa: BLE001 - the database is away: lead nothing meanwhile
                log.exception("claiming the periodic lease")
                leading = False
            if leading != self.leading:
                log.info("%s the periodic tasks", "leading" if leading else "no longer leading")
            self.leading = leading
            self._next_claim = time.monotonic() + seconds / 3
        return self.leading

    def loop(self, now=None):
        if self.periodic:
            self.claim()
        return super().loop(now)

    def enqueue_periodic_tasks(self, now):
        if self.claim():
            super().enqueue_periodic_tasks(now)

    def resign(self) -> None:
        if self.leading:
            release(self.LEASE, self.holder)
            self.leading = False


class LeasedConsumer(Consumer):
    scheduler_class = LeasedScheduler

    def _create_scheduler(self):
        self.leased_scheduler = super()._create_scheduler()
        return self.leased_scheduler

    def stop(self, graceful=False):
        super().stop(graceful)
        self.leased_scheduler.resign()
