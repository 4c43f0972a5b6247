"""The transparency log's sequencer loop: integrate and sign within about a second.

A huey periodic task fires at most once a minute, and issue #17 asks for a checkpoint
within 2 s of an event under load. So the worker that runs the periodic tasks also runs
this loop in a thread: every `audit.sequence_ms` it looks at the queue (one indexed read,
no lock, no write while the queue is empty) and, when something is queued, runs
`merkle.sequence` in its own transaction. Several loops (a second worker started with
periodic tasks by mistake, `trading audit checkpoint`, an opening signing its deadline
checkpoint) are safe: `sequence` takes the TlogState row lock, so one integrates at a time
and the next finds the queue emptied. The minute task in tasks.py stays as a fallback.

On SQLite the step waits for the database's one writer (BEGIN IMMEDIATE under the busy
timeout) and holds the lock only to append what it read and hashed before; a writer that
keeps the lock past the timeout (an opening's long transaction) is not a failure: the step
is tried again at the next tick, without the backoff.
"""

import contextlib
import logging
import threading

import sqlalchemy as sa

from ..jobs.request import job_request
from .merkle import LogBusy, sequence
from .models import TlogPending

log = logging.getLogger(__name__)
# After a failed step (database restarting, a lock timeout) wait this many intervals.
BACKOFF_STEPS = 4


class Sequencer:
    """One step at a time (`step`) or a loop in a thread (`start`)."""

    def __init__(self, session_scope, keys, settings, clock):
        self.session_scope = session_scope  # a context manager yielding a committed session
        self.keys, self.settings, self.clock = keys, settings, clock
        self.interval = int(settings.get("audit.sequence_ms") or 0) / 1000
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def step(self) -> int | None:
        """Integrate what is queued; returns the new tree size, None when nothing was
        queued (then nothing was written)."""
        with self.session_scope() as db:
            if db.scalar(sa.select(TlogPending.id).limit(1)) is None:
                return None
            cp = sequence(db, self.keys, self.settings, now=self.clock())
            return cp.size if cp is not None else 0

    def run(self) -> None:
        wait = self.interval
        while not self.stopping.wait(wait):
            try:
                self.step()
                wait = self.interval
            except LogBusy:  # SQLite: another writer still holds the lock; wait for it
                log.info("audit log sequencer: the database is busy; trying again")
                wait = self.interval
            except Exception:  # the loop outlives a database restart; the next step retries
                log.exception("audit log sequencer step failed; retrying")
                wait = self.interval * BACKOFF_STEPS

    def start(self) -> threading.Thread | None:
        """Run the loop in a daemon thread (none when `audit.sequence_ms` is 0)."""
        if self.interval <= 0:
            return None
        self.thread = threading.Thread(target=self.run, name="audit-sequencer", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 10) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)


def worker_sequencer(registry) -> Sequencer:
    """The worker's sequencer on the app's registry: each step a job request of its own
    (its own transaction, committed when the step's session closes)."""
    @contextlib.contextmanager
    def session_scope():
        with job_request(registry) as request:
            yield request.dbsession

    return Sequencer(session_scope, registry["keys"], registry.settings, registry["clock"])
