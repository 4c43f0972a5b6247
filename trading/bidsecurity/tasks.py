"""Refunds through the bank adapter (rules §10.2, §10.4).

Each refund is sent in its own transaction after its order (amount with interest) was
committed in an earlier one: a worker killed between the bank's payment and the commit
resends the very same order under the same idempotency key, and the bank pays it once.
"""

from huey import crontab

from ..jobs.queue import huey
from ..jobs.request import job_request
from .models import Refund, RefundStatus
from .service import BidSecurityService


def make_due_refunds() -> dict:
    with job_request() as request:
        service = request.find_service(BidSecurityService)
        ids = [service.fix_order(refund).id for refund in service.due_refunds()]
    made = failed = 0
    for refund_id in ids:
        with job_request() as request:
            refund = request.dbsession.get(Refund, refund_id)
            if refund.status not in (RefundStatus.DUE, RefundStatus.RETRYING):
                continue  # another worker made it meanwhile
            if request.find_service(BidSecurityService).send(refund):
                made += 1
            else:
                failed += 1
    return {"made": made, "failed": failed}


def make_due_claims() -> dict:
    """Claims (索赔) of guarantees whose forfeiture a supervisor approved, once each."""
    claimed = unclaimed = 0
    with job_request() as request:
        claims = [refund.id for refund in request.find_service(BidSecurityService).due_claims()]
    for refund_id in claims:
        with job_request() as request:
            refund = request.dbsession.get(Refund, refund_id)
            if refund.bank_reference:
                continue
            if request.find_service(BidSecurityService).claim(refund):
                claimed += 1
            else:
                unclaimed += 1
    return {"claimed": claimed, "failed": unclaimed}


@huey.periodic_task(crontab(minute="*"))
def bidsecurity_refunds() -> dict:
    """Every minute: send what is due (refunds, guarantee releases) and claim approved
    forfeited guarantees; a failed attempt waits for its back-off."""
    return {**make_due_refunds(), "claims": make_due_claims()}


@huey.periodic_task(crontab(hour="1", minute="0"))
def bidsecurity_overdue() -> int:
    """09:00 Beijing: one 电子监察 alert per refund past its statutory day."""
    with job_request() as request:
        return request.find_service(BidSecurityService).alert_overdue()
