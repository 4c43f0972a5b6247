"""Periodic signing of the audit chain head."""

from huey import crontab

from ..jobs.queue import huey
from ..jobs.runtime import job_session, runtime
from .service import sign_checkpoint


@huey.periodic_task(crontab(minute="*/10"))
def sign_audit_checkpoint() -> None:
    """Sign the chain head if it moved; a head already signed is left alone."""
    with job_session() as dbsession:
        sign_checkpoint(dbsession, runtime.keys, now=runtime.clock())
