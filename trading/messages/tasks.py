"""The mail job: one task per mail, retried while the SMTP server refuses or is away."""

from ..jobs.queue import huey
from .mail import deliver_now


@huey.task(retries=5, retry_delay=120)
def deliver(item: dict) -> None:
    deliver_now(huey.pyramid_registry, item)
