"""Time-driven work (architecture §6): `next_check`, an `advance` task and a sweep.

A domain adds a *kind* (e.g. "project") in its includeme with
`config.add_chronograph_kind(name, due=…, advance=…)`, two functions:

- `due(dbsession, now, limit)` → ids whose `next_check` is at or before `now`;
- `advance(request, entity_id)` → runs every due handler idempotently (services from
  `request.find_service`, the time from `request.clock`) and returns the entity's new
  `next_check` (or None when nothing more is due).

`schedule()` enqueues `advance` after commit with `eta=next_check`; the periodic sweep
catches anything overdue (a worker that was down for an hour catches up when it returns).
Running `advance` early, late or twice is harmless by construction of the handlers.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from huey import crontab
from huey.exceptions import TaskLockedException

from . import leases
from .queue import huey
from .request import job_request

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChronographKind:
    name: str
    due: Callable
    advance: Callable


KINDS = "chronograph.kinds"  # registry key: {name: ChronographKind}


def add_chronograph_kind(config, name: str, *, due: Callable, advance: Callable) -> None:
    """The directive: one kind per name (a second registration of a name is a conflict at
    config time, not a silent override)."""
    kind = ChronographKind(name, config.maybe_dotted(due), config.maybe_dotted(advance))

    def register():
        config.registry[KINDS][name] = kind

    config.action(("chronograph.kind", name), register)


def kinds(registry) -> dict[str, ChronographKind]:
    return registry[KINDS]


@huey.task(retries=3, retry_delay=30)
def advance(kind: str, entity_id: int) -> None:
    """Run what is due for one entity; idempotent, so duplicates and retries are harmless."""
    with leases.held(f"advance-{kind}-{entity_id}"), job_request() as request:
        run_advance(request, kind, entity_id)


def run_advance(request, kind: str, entity_id: int):
    handler = kinds(request.registry)[kind]
    next_check = handler.advance(request, entity_id)
    if next_check is not None and next_check > request.clock():
        # The sweep would catch it too; scheduling keeps the latency to the second.
        request.enqueue(advance, kind, entity_id, eta=next_check)
    return next_check


def run_now(kind: str, entity_id: int) -> bool:
    """The `advance` task in the caller's thread: a page's "now, by hand" button (no worker
    running, or one behind). Same lock and its own committed transaction, exactly as a
    worker runs it, so the two never take a step twice; False while a worker holds it."""
    try:
        advance.call_local(kind, entity_id)
    except TaskLockedException:
        return False
    return True


@huey.periodic_task(crontab(minute="*"))
def sweep() -> None:
    """Every minute: advance every entity whose next_check is past (catch-up)."""
    for name in list(kinds(huey.pyramid_registry)):
        sweep_kind(name)


def sweep_kind(name: str, limit: int = 500) -> int:
    with job_request() as request:
        kind = kinds(request.registry)[name]
        ids = list(kind.due(request.dbsession, request.clock(), limit))
    for entity_id in ids:
        advance(name, entity_id)
    return len(ids)


def schedule(enqueue, kind: str, entity_id: int, next_check) -> None:
    """Ask for `advance` at `next_check`; services pass their request's enqueue."""
    if next_check is not None:
        enqueue(advance, kind, entity_id, eta=next_check)
