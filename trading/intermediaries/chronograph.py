"""The purchase kind of the chronograph: which purchases are due, and advancing one."""

import sqlalchemy as sa

from .models import Purchase
from .service import IntermediaryService


def due_purchases(dbsession, now, limit):
    query = (sa.select(Purchase.id).where(Purchase.next_check <= now)
             .order_by(Purchase.next_check).limit(limit))
    return list(dbsession.scalars(query))


def advance_purchase(request, purchase_id):
    purchase = request.dbsession.get(Purchase, purchase_id)
    if purchase is None:
        return None
    return request.find_service(IntermediaryService).advance(purchase)
