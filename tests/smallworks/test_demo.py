"""The demo registry and works: every offered method allocated, bidder1 waiting to answer."""

from collections import Counter

import pytest
import sqlalchemy as sa

from trading.accounts.models import User
from trading.demo import load_demo
from trading.smallworks.models import Enterprise, SmallWork
from trading.smallworks.status import AllocationStatus as A
from trading.smallworks.status import RegistryStatus as R


@pytest.mark.slow
def test_demo_registry_and_allocations(dbsession, clock, settings):
    load_demo(dbsession, clock, settings)
    load_demo(dbsession, clock, settings)  # idempotent
    entries = list(dbsession.scalars(sa.select(Enterprise)))
    assert len(entries) == 37
    by_status = Counter(e.status for e in entries)
    assert by_status[R.APPLIED] == 1 and by_status[R.RETURNED] == 1
    assert by_status[R.SUSPENDED] == 1  # its safety licence expired
    assert len({q.category for e in entries for q in e.qualifications}) == 4
    from trading.demo.audit import LATE_SMALL_WORKS  # the supervision demo's overdue ones

    works = {w.name: w for w in dbsession.scalars(sa.select(SmallWork))
             if w.name not in LATE_SMALL_WORKS}
    assert {str(w.method) for w in works.values()} == {"lottery", "rotation",
                                                       "double_random_credit",
                                                       "reasonable_low_price"}
    statuses = Counter(w.status for w in works.values())
    assert statuses[A.EVALUATED] == 1 and statuses[A.CONTRACTED] == 1
    assert statuses[A.PUBLICITY] == 2 and statuses[A.SUBMITTED] == 1
    assert next(w for w in works.values() if w.quotes_opened_at).winner is not None
    drawn = next(w for w in works.values() if w.status is A.DRAWN)
    bidder1 = dbsession.scalar(sa.select(User).where(User.username == "bidder1"))
    assert drawn.winner.organisation_id == bidder1.organisation_id
    assert drawn.respond_by > clock()
    flagged = next(w for w in works.values() if w.status is A.SUBMITTED)
    assert flagged.split_flag is not None
