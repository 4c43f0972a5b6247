"""Issue #19 point 6: several workers. A task lock is a lease that expires; starting a worker
releases nobody's lease; the periodic tasks are enqueued by exactly one consumer, the one
holding the `periodic` lease, and another takes over when that one is gone."""

import pytest
from huey.exceptions import TaskLockedException

from trading.jobs import leases, worker
from trading.jobs.leases import LeasedScheduler


def test_a_lease_has_one_holder_until_it_expires(dbsession, clock):
    assert leases.acquire("advance-project-7", "worker-a", 60)
    assert leases.acquire("advance-project-7", "worker-a", 60)  # renewal by its holder
    assert not leases.acquire("advance-project-7", "worker-b", 60)
    assert leases.holder_of("advance-project-7") == "worker-a"
    clock.advance(seconds=59)
    assert not leases.acquire("advance-project-7", "worker-b", 60)
    clock.advance(seconds=1)  # worker-a was killed: nobody renewed its lease
    assert leases.holder_of("advance-project-7") is None
    assert leases.acquire("advance-project-7", "worker-b", 60)
    leases.release("advance-project-7", "worker-a")  # too late: not worker-a's any more
    assert leases.holder_of("advance-project-7") == "worker-b"
    leases.release("advance-project-7", "worker-b")
    assert leases.holder_of("advance-project-7") is None


def test_a_task_lock_refuses_a_second_runner_and_is_free_afterwards(dbsession):
    with leases.held("archive-3") as holder:
        assert leases.holder_of("archive-3") == holder
        with pytest.raises(TaskLockedException), leases.held("archive-3"):
            pass
    with leases.held("archive-3"):
        pass


def test_starting_a_worker_releases_no_lease_another_worker_holds(dbsession, clock,
                                                                  monkeypatch, registry):
    assert leases.acquire("advance-project-9", "live-worker", 120)
    assert leases.acquire(LeasedScheduler.LEASE, "live-leader", 120)
    started = []
    monkeypatch.setattr(worker, "bootstrap", lambda uri: {"registry": registry})
    monkeypatch.setattr(worker, "setup_logging", lambda uri: None)
    monkeypatch.setattr(leases.LeasedConsumer, "run", lambda self: started.append(self))
    # (--no-periodic: no catch-up tasks or sequencer thread inside the test's transaction)
    assert worker.main(["development.ini", "--no-periodic"]) == 0
    assert isinstance(started[0].leased_scheduler, LeasedScheduler)
    assert leases.holder_of("advance-project-9") == "live-worker"
    assert leases.holder_of(LeasedScheduler.LEASE) == "live-leader"
    with pytest.raises(TaskLockedException), leases.held("advance-project-9"):
        pass  # the new worker waits for the live one, as Huey retries a locked task


class FakeHuey:
    """Counts the periodic reads: a scheduler reads them only when it enqueues them."""

    def __init__(self):
        self.reads = 0

    def read_periodic(self, now):
        self.reads += 1
        return []


def scheduler() -> LeasedScheduler:
    return LeasedScheduler(FakeHuey(), stop_flag=None, interval=1, periodic=True)


def minute(schedulers, now):
    for one in schedulers:
        one._next_claim = 0.0  # each claims at every minute here, as renewals would
        one.enqueue_periodic_tasks(now)
    return [one.huey.reads for one in schedulers]


def test_exactly_one_consumer_enqueues_the_periodic_tasks_and_another_takes_over(
        dbsession, clock):
    first, second, third = scheduler(), scheduler(), scheduler()
    consumers = [first, second, third]
    assert minute(consumers, clock()) == [1, 0, 0]
    clock.advance(seconds=60)
    assert minute(consumers, clock()) == [2, 0, 0]
    # The leader dies: it renews nothing; its lease runs out, then one other leads.
    del consumers[0]
    clock.advance(seconds=leases.lease_seconds())
    assert minute(consumers, clock()) == [1, 0]
    clock.advance(seconds=60)
    assert minute(consumers, clock()) == [2, 0]
    assert leases.holder_of(LeasedScheduler.LEASE) == second.holder
    second.resign()  # stopped cleanly: the lead is free at once, no need to wait
    del consumers[0]
    assert minute(consumers, clock()) == [1]
    assert leases.holder_of(LeasedScheduler.LEASE) == third.holder
