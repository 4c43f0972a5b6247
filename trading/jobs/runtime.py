"""What a job needs outside a request: settings, a clock, sessions and an enqueue function.

Consumer threads have no Pyramid threadlocals, so `includeme` stores the pieces here once.
"""

import contextlib
import threading
from dataclasses import dataclass, field

import transaction

from ..db import get_tm_session


@dataclass
class Runtime:
    settings: dict = field(default_factory=dict)
    registry: object = None
    session_factory: object = None
    override_session: object = None  # the tests' doomed session, see job_session()
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def clock(self):
        return self.registry["clock"]

    @property
    def keys(self):
        return self.registry["keys"]


runtime = Runtime()


@contextlib.contextmanager
def job_session():
    """A session in its own transaction: committed on success, aborted on error.

    While a test has set `runtime.override_session`, yield that session and leave commit
    and abort to the test's own transaction manager.
    """
    if runtime.override_session is not None:
        yield runtime.override_session
        return
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        yield get_tm_session(runtime.session_factory, tm)


def job_enqueue(task, *args, eta=None):
    """Enqueue from inside a job. Immediate mode runs the task now."""
    if eta is None:
        return task(*args)
    return task.schedule(args=args, eta=eta)
