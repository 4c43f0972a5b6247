"""Periodic audit jobs: the transparency log's sequencer, and the frozen chain's head."""

from huey import crontab

from ..jobs.queue import huey
from ..jobs.runtime import job_session, runtime
from .merkle import sequence
from .service import sign_checkpoint


@huey.periodic_task(crontab(minute="*"))
def sequence_audit_log() -> None:
    """Integrate the queued events and sign the new tree head (one sequencer at a time)."""
    with job_session() as dbsession:
        sequence(dbsession, runtime.keys, runtime.settings, now=runtime.clock())


@huey.periodic_task(crontab(minute="*/10"))
def sign_audit_checkpoint() -> None:
    """Sign the chain head if it moved; a head already signed is left alone."""
    with job_session() as dbsession:
        sign_checkpoint(dbsession, runtime.keys, now=runtime.clock())
