"""What a job runs in: a real request on the app's registry (style.md §2.9).

As in Warehouse's `tasks.py`, each task body gets a request made by
`pyramid.scripting.prepare`, so services come from `request.find_service` exactly as in
views, and the job's work commits (or aborts) on `request.tm`. The registry is the one the
app's `jobs` include gave the Huey instance; a second app in the process gives it its own.
"""

import contextlib

from pyramid.request import Request
from pyramid.scripting import prepare

from .queue import huey

# Test hook (like the cookiecutter's `environ["app.dbsession"]`): while the tests set this
# registry key to their session, jobs run in it and leave commit and abort to the test's
# own doomed transaction manager.
TEST_DBSESSION = "jobs.test_dbsession"


@contextlib.contextmanager
def job_request(registry=None):
    """A request for one job: its own transaction, committed on success, aborted on error."""
    registry = registry if registry is not None else huey.pyramid_registry
    request = Request.blank("/")
    session = registry.get(TEST_DBSESSION)
    if session is not None:
        request.environ["app.dbsession"] = session
    with prepare(request=request, registry=registry):
        if session is not None:
            yield request
            return
        with request.tm:
            yield request


def job_enqueue(task, *args, eta=None):
    """Enqueue from code that has no request (a script's service). Immediate mode runs what
    is due now.

    Huey compares an eta with the wall clock; in immediate mode (tests) the app's clock is
    the authority, so a future task is left to the sweep that runs when time moves.
    """
    if eta is None:
        return task(*args)
    if task.huey.immediate:
        return task(*args) if eta <= task.huey.pyramid_registry["clock"]() else None
    return task.schedule(args=args, eta=eta)
