"""Drill (`make drills`): the simulated bank, a real process with its own key and state
file, is killed (SIGKILL) in the middle of a batch of refunds — after it paid one but
before its answer left — so the rest of the batch finds it gone. The refunds stay owed
(retrying, each failure audited) and, once past their statutory day, raise 电子监察
alerts; the bank is restarted on the same state file and every refund is then made
exactly once, for the amount fixed at its first order."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from bidsecurity.conftest import bank_key, simbank  # noqa: F401  (fixtures)
from bidsecurity_support import open_bids, open_world, submit_bid

from trading.audit.models import AuditEvent
from trading.bidsecurity.bank import BankUnavailable, HttpBank, key_loader, urllib_post
from trading.bidsecurity.models import Refund, RefundStatus
from trading.bidsecurity.service import BidSecurityService
from trading.bidsecurity.simbank import SimBank, load_or_create_key
from trading.bidsecurity.tasks import make_due_refunds

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.drill  # make drills


class Bank:
    """The simulated bank as its own process, on a fixed state file and key."""

    def __init__(self, tmp: Path):
        self.tmp, self.process, self.url = tmp, None, ""

    def start(self):
        args = [sys.executable, "-m", "trading.bidsecurity.simbank", "--port", "0",
                "--state", str(self.tmp / "bank.sqlite3"), "--key", str(self.tmp / "bank.key"),
                "--public-out", str(self.tmp / "bank.pub")]
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.url = self.process.stdout.readline().split()[-1]  # once it listens

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)
        self.process.stdout.close()

    def paid(self) -> list[dict]:
        return SimBank(load_or_create_key(self.tmp / "bank.key"),
                       self.tmp / "bank.sqlite3").refunds()


def audited(dbsession, action) -> int:
    return len(dbsession.scalars(sa.select(AuditEvent.seq).where(
        AuditEvent.action == action)).all())


def test_a_bank_killed_mid_batch_pays_every_refund_exactly_once(
        dbsession, clock, settings, registry, monkeypatch, tmp_path, simbank, bank_key):  # noqa: F811
    # Payments come through the in-process bank; refunds go to the real process.
    world = open_world(dbsession, clock, settings, registry, None, simbank, bidders=3)
    world.bank = HttpBank("http://x", lambda: bank_key.public_key())
    for bidder in world.bidders[:2]:
        submit_bid(world, bidder)
        world.receive(*world.note(bidder))
        world.receive(*world.note(bidder))  # a duplicate: one more refund in the batch
    world.receive(*world.note(world.bidders[2]))  # paid, no bid
    open_bids(world)  # two bids of three: failed, all five due
    refunds = dbsession.scalars(sa.select(Refund).order_by(Refund.id)).all()
    assert len(refunds) == 5 and {x.status for x in refunds} == {RefundStatus.DUE}

    bank = Bank(tmp_path)
    bank.start()
    calls = {"n": 0}

    def post(url, body, headers):
        calls["n"] += 1
        if calls["n"] == 2:  # the bank pays, then dies before its answer leaves
            urllib_post(url, body, headers)
            bank.kill()
            raise BankUnavailable("connection reset")
        return urllib_post(url, body, headers)

    adapter = HttpBank("", key_loader(str(tmp_path / "bank.pub")), post)
    monkeypatch.setitem(registry, "bidsecurity.bank", adapter)
    adapter.base_url = bank.url
    assert make_due_refunds() == {"made": 1, "failed": 4}
    assert len(bank.paid()) == 2  # one confirmed, one paid with its answer lost
    dbsession.expire_all()
    owed = [x for x in refunds if x.status is not RefundStatus.REFUNDED]
    assert len(owed) == 4 and {x.status for x in owed} == {RefundStatus.RETRYING}
    assert all(x.last_error and x.next_attempt_at for x in owed)
    assert audited(dbsession, "bidsecurity.refund_failed") == 4
    assert make_due_refunds() == {"made": 0, "failed": 0}  # each waits for its back-off
    # Still down past the statutory day: one 电子监察 alert per refund owed, none lost.
    clock.advance(days=6)
    service = BidSecurityService(dbsession, clock)
    assert {x.id for x in service.overdue()} == {x.id for x in owed}
    assert service.alert_overdue() == 4
    assert audited(dbsession, "bidsecurity.refund_overdue") == 4
    assert make_due_refunds() == {"made": 0, "failed": 4}  # retried, still refused
    bank.start()  # back, same state, a new port
    adapter.base_url = bank.url
    try:
        clock.advance(hours=2)  # past every back-off
        assert make_due_refunds() == {"made": 4, "failed": 0}
        assert make_due_refunds() == {"made": 0, "failed": 0}
    finally:
        bank.kill()
    paid = bank.paid()
    assert sorted(p["idempotency_key"] for p in paid) == sorted(x.idempotency_key
                                                               for x in refunds)
    assert {x.status for x in refunds} == {RefundStatus.REFUNDED}
    assert sorted(p["amount_fen"] for p in paid) == sorted(
        x.principal_fen + x.interest_fen for x in refunds)
    assert len({p["bank_reference"] for p in paid}) == len(paid) == 5
    # The amounts were fixed at the first order: the late retry paid no extra interest.
    assert all(clock() - x.ordered_at >= timedelta(days=6) for x in owed)
