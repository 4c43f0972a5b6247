"""The mail job: one task per mail, retried while the SMTP server refuses or is away; and
the 电子监察 alerts' periodic check (the overdue steps are computed, not stored)."""

from huey import crontab

from ..jobs.queue import huey
from ..jobs.request import job_request
from .mail import deliver_now


@huey.task(retries=5, retry_delay=120)
def deliver(item: dict) -> None:
    deliver_now(huey.pyramid_registry, item)


@huey.periodic_task(crontab(minute="*/5"))
def supervision_alerts() -> int:
    """Every five minutes: the supervisors hear of each overdue step that appeared since."""
    from .subscribers import overdue_alerts

    with job_request() as request:
        return overdue_alerts(request.dbsession, request.clock)
