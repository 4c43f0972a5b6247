"""The supermarket's jobs: the chronograph sweep runs each purchase's due step at its time
(and only then), and the periodic qualification check runs in a job session."""

from datetime import timedelta

from trading.intermediaries.status import PurchaseStatus
from trading.intermediaries.tasks import check_qualification_lines
from trading.jobs import chronograph

P = PurchaseStatus


def test_the_sweep_closes_registration_and_selects_at_their_times(im):
    firms = [im.intermediary() for _ in range(3)]
    purchase = im.purchase()
    im.register(purchase, *firms)
    assert purchase.next_check == purchase.registration_deadline
    im.clock.set(purchase.registration_deadline - timedelta(seconds=1))
    assert chronograph.sweep_kind("im_purchase") == 0
    assert purchase.status is P.REGISTRATION
    im.clock.set(purchase.registration_deadline)
    assert chronograph.sweep_kind("im_purchase") == 1
    assert purchase.status is P.SELECTING and purchase.next_check == purchase.selection_time
    im.clock.set(purchase.selection_time)
    chronograph.sweep_kind("im_purchase")
    assert purchase.status is P.SELECTED
    assert purchase.next_check == purchase.confirm_deadline
    chronograph.sweep_kind("im_purchase")  # running again early changes nothing
    assert purchase.status is P.SELECTED


def test_the_periodic_qualification_check_runs_in_a_job(im):
    im.intermediary(valid_until=im.service.today() + timedelta(days=3))
    check_qualification_lines.call_local()
    im.clock.advance(days=4)
    check_qualification_lines.call_local()
    assert im.service.check_qualifications() == (0, 0)  # both steps were done by the job
