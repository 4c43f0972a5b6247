"""Huey wiring: configure from the ini, enqueue only after commit, job requests."""

from .chronograph import KINDS, add_chronograph_kind
from .queue import configure, huey


def request_enqueue(request, task, *args, eta=None):
    """Enqueue `task` when (and only if) the request's transaction commits.

    In immediate mode (tests) the task runs at once: the tests' doomed transaction never
    commits, so an after-commit hook would never fire.
    """
    if task.huey.immediate:
        if eta is not None and eta > request.clock():
            return None  # not due yet; the sweep or a later advance will run it
        return task(*args)

    def after_commit(success: bool):
        if success:
            if eta is None:
                task(*args)
            else:
                task.schedule(args=args, eta=eta)

    request.tm.get().addAfterCommitHook(after_commit)
    return None


def includeme(config):
    settings = config.get_settings()
    configure(huey, settings)
    # The worker keeps the app's registry: each task body builds its request on it
    # (jobs/request.py), as Warehouse's Celery app keeps its Pyramid config.
    huey.pyramid_registry = config.registry
    config.registry[KINDS] = {}
    config.add_directive("add_chronograph_kind", add_chronograph_kind)
    config.add_request_method(
        lambda request: lambda task, *a, eta=None: request_enqueue(request, task, *a, eta=eta),
        "enqueue",
        reify=True,
    )
