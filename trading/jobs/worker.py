"""`trading-worker development.ini`: the Huey consumer, configured from the same ini."""

import argparse
import importlib
import logging
import sys

from pyramid.paster import bootstrap, setup_logging

from ..config import ConfigError

# Every module that declares tasks; Huey needs them imported before the consumer starts.
TASK_MODULES = (
    "trading.jobs.chronograph",
    "trading.audit.tasks",
    "trading.archive.tasks",
    "trading.bidding.tasks",
    "trading.bidsecurity.tasks",
    "trading.smallworks.tasks",
    "trading.intermediaries.tasks",
    "trading.messages.tasks",
)
# Catch-up tasks queued once at start: Huey drops a task its worker was killed running, and
# the periodic runs of these may be ten minutes away (tests/drills/ kill workers to see it).
CATCH_UP = (
    ("trading.jobs.chronograph", "sweep"),
    ("trading.archive.tasks", "archive_due"),
)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="trading-worker", description=__doc__)
    parser.add_argument("config_uri", help="the ini file, e.g. development.ini")
    parser.add_argument("--no-periodic", action="store_true",
                        help="never lead the periodic tasks (by default every consumer may, "
                             "one at a time, chosen by a lease)")
    args = parser.parse_args(argv)
    setup_logging(args.config_uri)
    try:
        env = bootstrap(args.config_uri)
    except ConfigError as exc:
        raise SystemExit(f"trading-worker: {exc}") from None
    for name in TASK_MODULES:
        importlib.import_module(name)
    from ..bidding.openpool import warm_up
    from .leases import LeasedConsumer
    from .queue import huey

    settings = env["registry"].settings
    warm_up(settings)  # the openings' workers fork from it, from the first opening on
    periodic = settings["huey.periodic"] and not args.no_periodic
    logging.getLogger(__name__).info(
        "worker on %s backend, %s workers", settings["huey.backend"], settings["huey.workers"]
    )
    # Nothing is released here: a task lock or the periodic lead another worker holds is a
    # lease (jobs/leases.py) that expires by itself if that worker is gone.
    if periodic:
        for module, name in CATCH_UP:
            getattr(importlib.import_module(module), name)()
        # The log's checkpoints within about a second (issue #17), not the minute's cron.
        from ..audit.sequencer import worker_sequencer

        worker_sequencer(env["registry"]).start()
    consumer = LeasedConsumer(huey, workers=settings["huey.workers"], worker_type="thread",
                              periodic=periodic)
    consumer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
