"""Daily check of qualification lines: notice before expiry, suspend on expiry."""

from huey import crontab

from ..jobs.queue import huey
from ..jobs.request import job_request
from .service import IntermediaryService


@huey.periodic_task(crontab(minute="5", hour="*"))
def check_qualification_lines() -> None:
    """Hourly (idempotent): each line is noticed once and suspended once, so a worker that
    was down catches up at its next run."""
    with job_request() as request:
        request.find_service(IntermediaryService).check_qualifications()
