"""Enqueue after commit: a job exists only if the transaction that asked for it commits."""

import os
import uuid

import pytest
import transaction
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from trading.jobs import request_enqueue
from trading.jobs.queue import configure

RESULTS = []


def make_huey(backend, tmp_path):
    settings = {"huey.backend": backend, "huey.immediate": False}
    if backend == "sqlite":
        settings["huey.filename"] = str(tmp_path / "huey.sqlite3")
    if backend == "redis":
        url = os.environ.get("TRADING_TEST_REDIS_URL")
        if not url:
            if os.environ.get("TRADING_REQUIRE_SERVICES") == "1":
                pytest.fail("TRADING_REQUIRE_SERVICES=1 but TRADING_TEST_REDIS_URL is not set")
            pytest.skip("set TRADING_TEST_REDIS_URL to run the Redis variant")
        settings["huey.url"] = url
    # A private instance per test: the app's instance stays in immediate mode.
    instance = Huey(f"test-{uuid.uuid4().hex[:8]}", storage_class=MemoryStorage, utc=True)
    configure(instance, settings)
    return instance


class FakeRequest:
    def __init__(self, tm, clock):
        self.tm = tm
        self.clock = clock


@pytest.fixture(params=["memory", "sqlite", "redis"])
def queue(request, tmp_path):
    instance = make_huey(request.param, tmp_path)
    instance.storage.flush_all()

    @instance.task()
    def remember(value):
        RESULTS.append(value)

    RESULTS.clear()
    yield instance, remember
    instance.storage.flush_all()


def test_configure_picks_the_storage(tmp_path):
    assert isinstance(make_huey("memory", tmp_path).storage, MemoryStorage)
    assert isinstance(make_huey("sqlite", tmp_path).storage, SqliteStorage)


def test_redis_backend_is_configured_from_the_url(tmp_path):
    assert isinstance(make_huey("redis", tmp_path).storage, RedisStorage)


def test_commit_enqueues_and_the_worker_runs_it(queue, clock):
    instance, remember = queue
    tm = transaction.TransactionManager(explicit=True)
    with tm:
        request_enqueue(FakeRequest(tm, clock), remember, "committed")
        assert instance.pending_count() == 0  # nothing before commit
    assert instance.pending_count() == 1
    task = instance.dequeue()
    instance.execute(task)
    assert RESULTS == ["committed"]


def test_abort_drops_the_job(queue, clock):
    instance, remember = queue
    tm = transaction.TransactionManager(explicit=True)
    tm.begin()
    request_enqueue(FakeRequest(tm, clock), remember, "aborted")
    tm.abort()
    assert instance.pending_count() == 0 and RESULTS == []


def test_eta_schedules_instead_of_queueing(queue, clock):
    instance, remember = queue
    tm = transaction.TransactionManager(explicit=True)
    eta = clock().replace(year=2030)
    with tm:
        request_enqueue(FakeRequest(tm, clock), remember, "later", eta=eta)
    task = instance.dequeue()
    assert task is not None and task.eta is not None


def test_sqlite_queue_file_folder_is_created(tmp_path):
    settings = {"huey.backend": "sqlite", "huey.immediate": False,
                "huey.filename": str(tmp_path / "fresh" / "var" / "huey.sqlite3")}
    configure(Huey("t", storage_class=MemoryStorage), settings)
    assert (tmp_path / "fresh" / "var" / "huey.sqlite3").exists()
