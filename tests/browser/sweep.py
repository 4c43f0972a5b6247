"""Run the chronograph's due steps once, as the worker would, against the live test server's
database, storage and keys, on its shifted clock (serve.py runs no worker).

    sweep.py WORKDIR              every due entity of every kind (the minute sweep)
    sweep.py WORKDIR KIND ID      that entity's `advance` only (a walk that moved the
                                  shared server's clock touches nothing else)
    sweep.py WORKDIR task MOD:FN  one periodic job's body, once (e.g. the bid security
                                  refunds, trading.bidsecurity.tasks:make_due_refunds)"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import ROOT, ShiftedClock, environment, settings_for  # noqa: E402


def main(workdir: str, kind: str | None = None, entity_id: str | None = None) -> None:
    import os

    work = Path(workdir)
    os.environ.update(environment(work))

    from trading import main as make_app
    from trading.jobs import chronograph

    settings = {**settings_for(str(ROOT / "development.ini"), work), "huey.immediate": "true"}
    make_app({}, clock=ShiftedClock(work / "clock_offset"), **settings)
    if kind == "task":
        from pyramid.path import DottedNameResolver

        print(DottedNameResolver().resolve(entity_id)())
        return
    if kind is not None:
        chronograph.advance(kind, int(entity_id))
        return
    chronograph.sweep()


if __name__ == "__main__":
    main(*sys.argv[1:])
