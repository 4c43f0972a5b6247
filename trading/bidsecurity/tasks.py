"""Refunds through the bank adapter (rules §10.2, §10.4).

Each refund is sent in its own transaction after its order (amount with interest) was
committed in an earlier one: a worker killed between the bank's payment and the commit
resends the very same order under the same idempotency key, and the bank pays it once.
"""

from huey import crontab

from ..jobs.queue import huey
from ..jobs.runtime import job_session, runtime
from .models import Refund, RefundStatus
from .service import BidSecurityService


def _service(dbsession) -> BidSecurityService:
    return BidSecurityService(dbsession, runtime.clock, runtime.registry["bidsecurity.bank"])


def make_due_refunds() -> dict:
    with job_session() as dbsession:
        service = _service(dbsession)
        ids = [service.fix_order(refund).id for refund in service.due_refunds()]
    made = failed = 0
    for refund_id in ids:
        with job_session() as dbsession:
            refund = dbsession.get(Refund, refund_id)
            if refund.status not in (RefundStatus.DUE, RefundStatus.RETRYING):
                continue  # another worker made it meanwhile
            if _service(dbsession).send(refund):
                made += 1
            else:
                failed += 1
    return {"made": made, "failed": failed}


@huey.periodic_task(crontab(minute="*"))
def bidsecurity_refunds() -> dict:
    """Every minute: send what is due; a failed attempt waits for its back-off."""
    return make_due_refunds()


@huey.periodic_task(crontab(hour="1", minute="0"))
def bidsecurity_overdue() -> int:
    """09:00 Beijing: one 电子监察 alert per refund past its statutory day."""
    with job_session() as dbsession:
        return _service(dbsession).alert_overdue()
