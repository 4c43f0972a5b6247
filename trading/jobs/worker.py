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
    "trading.smallworks.tasks",
)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="trading-worker", description=__doc__)
    parser.add_argument("config_uri", help="the ini file, e.g. development.ini")
    parser.add_argument("--no-periodic", action="store_true", help="for extra consumers")
    args = parser.parse_args(argv)
    setup_logging(args.config_uri)
    try:
        env = bootstrap(args.config_uri)
    except ConfigError as exc:
        raise SystemExit(f"trading-worker: {exc}") from None
    for name in TASK_MODULES:
        importlib.import_module(name)
    from .queue import huey

    settings = env["registry"].settings
    periodic = settings["huey.periodic"] and not args.no_periodic
    logging.getLogger(__name__).info(
        "worker on %s backend, %s workers", settings["huey.backend"], settings["huey.workers"]
    )
    huey.flush_locks()
    consumer = huey.create_consumer(
        workers=settings["huey.workers"], worker_type="thread", periodic=periodic
    )
    consumer.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
