"""Periodic audit jobs: the transparency log's sequencer, and the frozen chain's head."""

from huey import crontab

from ..jobs.queue import huey
from ..jobs.request import job_request
from .merkle import sequence
from .service import sign_checkpoint


@huey.periodic_task(crontab(minute="*"))
def sequence_audit_log() -> None:
    """Integrate the queued events and sign the new tree head (one sequencer at a time)."""
    with job_request() as request:
        sequence(request.dbsession, request.registry["keys"], request.registry.settings,
                 now=request.clock())


@huey.periodic_task(crontab(minute="*/10"))
def sign_audit_checkpoint() -> None:
    """Sign the chain head if it moved; a head already signed is left alone."""
    with job_request() as request:
        sign_checkpoint(request.dbsession, request.registry["keys"], now=request.clock())
