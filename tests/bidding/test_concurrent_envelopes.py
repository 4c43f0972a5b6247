"""Issue #16: eight different envelopes from one bidder for one lot at the same moment
(StaleDataError was a 500). Each request gets a receipt for its own version or a clear 409;
the versions that were accepted are numbered one after another, the last one counts
(the supersede rule), and every receipt names a stored version.

Runs against a real app with its own committed database (not the tests' shared doomed
transaction): a SQLite file, and PostgreSQL when TRADING_TEST_DATABASE_URL is set.
"""

import os
import threading

import pytest
import sqlalchemy as sa
import webtest
from bidding.conftest import FAST, World, offer, signed_up_bidders
from conftest import migrate
from factories import actor_for, make_project

from trading import main
from trading.accounts.service import AccountService
from trading.bidding.models import Bid, BidVersion
from trading.bidding.service import BidService
from trading.db import get_engine, get_session_factory
from trading.jobs.request import TEST_DBSESSION

WRITERS = 8


def _database_url(kind: str, tmp_path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'race.sqlite3'}"
    base = os.environ.get("TRADING_TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL: set TRADING_TEST_DATABASE_URL")
    url = sa.make_url(base)
    url = url.set(database=f"{url.database}_envelope_race")
    admin = sa.create_engine(url.set(database=sa.make_url(base).database),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    return url.render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def real_app(request, tmp_path, app_settings, second_app):
    engine = get_engine({"sqlalchemy.url": _database_url(request.param, tmp_path)})
    migrate(engine)
    settings = {**app_settings, **FAST, "storage.root": str(tmp_path / "files")}
    try:
        yield main({}, dbengine=engine, **settings), engine
    finally:
        engine.dispose()


def _world(app, engine, clock):
    """A project open for bidding and one signed-up bidder, committed."""
    factory = get_session_factory(engine, app.registry)
    db = factory()
    app.registry[TEST_DBSESSION] = db  # jobs run in immediate mode, in this session
    try:
        world = World(db, clock, app.registry.settings, app.registry)
        world.project = make_project(db, clock, world.settings, app.registry,
                                     open_bidding=True)
        [bidder] = signed_up_bidders(world, 1)
        world.bidders = [bidder]
        envelopes = [world.seal(bidder, offer_=offer(price=80_000_000 + n))
                     for n in range(2 * WRITERS)]
        token = AccountService(db, clock, world.settings).create_api_token(
            bidder, "race", actor_for(bidder))[1]
        ids = world.project.id, world.lot.id
        db.commit()
    finally:
        app.registry.pop(TEST_DBSESSION, None)
        db.close()
    return ids, envelopes, token


def _meet_before_reading_the_bid(monkeypatch):
    """Every writer's first attempt waits for the others just before it reads the bid: all
    of them read the same version of the row and then write it, the interleaving that
    raised StaleDataError. A retry goes straight through. (A barrier, not a sleep.)"""
    met, real = threading.local(), BidService._accept
    barrier = threading.Barrier(WRITERS, timeout=60)

    def accept(self, *args, **kwargs):
        if not getattr(met, "done", False):
            met.done = True
            barrier.wait()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(BidService, "_accept", accept)


def client(app) -> webtest.TestApp:
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost:6543",
                                               "REMOTE_ADDR": "192.0.2.10"})


def _race(app, url, token, envelopes) -> list:
    answers = [None] * len(envelopes)

    def submit(i):
        response = client(app).post(
            url, upload_files=[("envelope", f"{i}.tbid", envelopes[i])],
            headers={"Authorization": f"Bearer {token}"}, expect_errors=True)
        answers[i] = (response.status_int, response.json)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(envelopes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.slow
def test_eight_envelopes_at_once_each_get_a_receipt_or_a_clear_409(real_app, clock):
    app, engine = real_app
    (project_id, lot_id), envelopes, token = _world(app, engine, clock)
    url = f"/api/v1/projects/{project_id}/lots/{lot_id}/bids"
    # The token's first use writes its last-use time; done now, the racing requests write
    # nothing before the bid (a writer holding that row would keep the others from the
    # barrier).
    client(app).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    answers = []
    # Round one creates the bid (eight inserts of one row), round two modifies it (eight
    # updates of one versioned row).
    for round_ in (envelopes[:WRITERS], envelopes[WRITERS:]):
        with pytest.MonkeyPatch.context() as monkeypatch:
            _meet_before_reading_the_bid(monkeypatch)
            answers += _race(app, url, token, round_)

    statuses = sorted(status for status, _ in answers)
    assert set(statuses) <= {201, 409}, answers
    if engine.dialect.name == "postgresql":
        # The bid row is locked before a version is written: the uploads queue, all kept.
        assert statuses == [201] * len(answers), answers
    for status, body in answers:
        if status == 409:
            assert body["error"] == "concurrent_change" and "同时" in body["message"]
    accepted = [body for status, body in answers if status == 201]
    assert accepted, answers
    with get_session_factory(engine)() as db:
        bid = db.scalar(sa.select(Bid).where(Bid.lot_id == lot_id))
        versions = db.scalars(sa.select(BidVersion).where(BidVersion.bid_id == bid.id)
                              .order_by(BidVersion.version)).all()
    # Every accepted envelope is a version of its own, numbered one after another, and the
    # latest counts; nothing was stored for a request that was answered 409.
    assert [v.version for v in versions] == list(range(1, len(accepted) + 1))
    assert bid.current_version == len(accepted)
    assert sorted(body["version"] for body in accepted) == [v.version for v in versions]
    by_version = {v.version: v for v in versions}
    for body in accepted:
        version = by_version[body["version"]]
        assert body["receipt"]["envelope_sha256"] == version.envelope_sha256
        assert body["receipt"]["signature"] == version.receipt_signature
    assert len({v.envelope_sha256 for v in versions}) == len(versions)
