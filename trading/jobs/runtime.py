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
    """Enqueue from inside a job (or a script). Immediate mode runs what is due now.

    Huey compares an eta with the wall clock; in immediate mode (tests) the injected clock
    is the authority, so a future task is left to the sweep that runs when time moves.
    """
    if eta is None:
        return task(*args)
    if task.huey.immediate:
        return task(*args) if eta <= runtime.clock() else None
    return task.schedule(args=args, eta=eta)
