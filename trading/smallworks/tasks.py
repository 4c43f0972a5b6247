"""The registry's periodic sweep: licence-expiry notices and suspensions, suspensions that
ended, and confirmation windows that passed without an answer."""

from huey import crontab

from ..actor import Actor
from ..jobs.queue import huey
from ..jobs.request import job_request
from .service import SmallWorksService


@huey.periodic_task(crontab(minute="*/10"))
def smallworks_sweep() -> dict:
    """Idempotent: running it late or twice changes nothing more than once."""
    with job_request() as request:
        service = request.find_service(SmallWorksService)
        return service.sweep(actor=Actor.system("smallworks_sweep"))
