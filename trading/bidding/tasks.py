"""Huey tasks of the bidding domain: thin wrappers around the chronograph."""

from ..jobs import leases
from ..jobs.chronograph import run_advance
from ..jobs.queue import huey
from ..jobs.request import job_request


@huey.task(retries=3, retry_delay=10)
def open_bids(project_id: int) -> None:
    """Open a project's bids now that custody allows it (the last custodian released, or
    every bidder decrypted). It is the project's own `advance`, so it is idempotent and
    shares its lock with the chronograph: running it twice opens nothing twice."""
    with leases.held(f"advance-project-{project_id}"), job_request() as request:
        run_advance(request, "project", project_id)
