"""Engine, session and transaction wiring (the cookiecutter recipe, plus SQLite pragmas).

pyramid_tm owns the commit: a request's session joins `request.tm` through zope.sqlalchemy,
so a view or service never commits. Two test hooks: `settings["dbengine"]` and
`request.environ["app.dbsession"]`.
"""

import logging
from pathlib import Path

import sqlalchemy as sa
import zope.sqlalchemy
import zope.sqlalchemy.datamanager
from pyramid_retry import mark_error_retryable
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, configure_mappers, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..config import ConfigError

log = logging.getLogger(__name__)

# A double-submitted form races itself into a unique constraint; the retry sees the first
# attempt's row and answers as an idempotent repeat (Warehouse db.py does the same).
mark_error_retryable(IntegrityError)
# Two writers of one versioned row (eight envelopes of one bidder for one lot at once): the
# loser's retry sees the winner's version and answers as the service decides.
mark_error_retryable(StaleDataError)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    # Without this SQLite ignores foreign keys and tests miss what PostgreSQL would catch.
    cursor.execute("PRAGMA foreign_keys=ON")
    # The web app and the Huey worker share the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine(settings: dict, prefix: str = "sqlalchemy.") -> sa.Engine:
    url = str(settings.get(f"{prefix}url", ""))
    # A restarted PostgreSQL leaves every pooled connection dead: the ping at checkout
    # replaces them, instead of failing the next request of each (tests/drills/).
    options = {} if url.startswith("sqlite") else {"pool_pre_ping": True}
    engine = sa.engine_from_config(settings, prefix, **options)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            # The embedded default lives under var/, which a fresh clone does not have.
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def check_connection(engine: sa.Engine) -> None:
    """Fail at start-up with one clear sentence when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        url = engine.url.render_as_string(hide_password=True)
        raise ConfigError(f"数据库不可用 / database unavailable at {url}: {reason}") from exc


def get_session_factory(engine: sa.Engine, registry=None):
    """Sessions that know the app they belong to: a service holding only its session
    reaches the app's extension points through `registry_of` (two apps in one process,
    two registries, never a module-level list shared between them)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"registry": registry})
    forward_zope_events(factory)
    return factory


# zope.sqlalchemy's listeners, registered once on a session factory and forwarded to each
# session's own ZopeTransactionEvents (get_tm_session): `zope.sqlalchemy.register` on
# every session made seven instance-level listeners per request, which cost more than a
# listing page's SQL. A session of the factory without one (it commits itself) is left
# alone.
ZOPE_EVENTS = ("after_begin", "after_attach", "after_flush", "after_bulk_update",
               "after_bulk_delete", "before_commit", "do_orm_execute")
ZOPE_KEY = "zope.sqlalchemy"


def _zope_listener(name: str):
    method = getattr(zope.sqlalchemy.datamanager.ZopeTransactionEvents, name)

    def listener(target, *args):
        # A Session, or an update/delete context or ORM execute state holding one.
        session = target if isinstance(target, Session) else target.session
        events = session.info.get(ZOPE_KEY)
        if events is not None:
            method(events, target, *args)

    return listener


ZOPE_LISTENERS = {name: _zope_listener(name) for name in ZOPE_EVENTS}


def forward_zope_events(session_factory) -> None:
    """Register the forwarding listeners on a session factory, once: the app's factory
    when it is made (before any request's thread), any other when get_tm_session first
    meets it. SQLAlchemy's own registry says whether they are there."""
    for name, listener in ZOPE_LISTENERS.items():
        if not event.contains(session_factory, name, listener):
            event.listen(session_factory, name, listener)


def registry_of(dbsession):
    """The Pyramid registry of the app whose session factory made `dbsession`."""
    registry = dbsession.info.get("registry")
    if registry is None:
        raise RuntimeError("session made outside the app: use registry['dbsession_factory']")
    return registry


def get_tm_session(session_factory, transaction_manager, request=None):
    """A session joined to `transaction_manager`; commit and abort belong to the manager.

    Scripts and jobs use it as::

        with transaction.TransactionManager(explicit=True) as tm:
            dbsession = get_tm_session(factory, tm)
    """
    forward_zope_events(session_factory)
    events = zope.sqlalchemy.datamanager.ZopeTransactionEvents(
        transaction_manager=transaction_manager)
    # The manager is kept so work that must follow the commit (mail) can hook onto it.
    return session_factory(info={"request": request, "tm": transaction_manager,
                                 ZOPE_KEY: events})


def mark_written(dbsession) -> None:
    """Call after writing with a core statement on the session's connection: zope.sqlalchemy
    sees only the ORM's writes, and would roll back a transaction it believes read-only."""
    manager = dbsession.info.get("tm")
    if manager is not None:  # a session of get_tm_session; others commit themselves
        zope.sqlalchemy.mark_changed(dbsession, transaction_manager=manager)


def load_models() -> None:
    """Import every model and configure the mappers: the metadata is then complete."""
    from . import all  # noqa: F401

    configure_mappers()


def includeme(config):
    load_models()
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # An error response (a refused form, a 4xx from the API) commits nothing.
    settings["tm.commit_veto"] = "pyramid_tm.default_commit_veto"
    # pyramid_tm would look the user up before the exception views can see an error: a
    # database that is down there must still give a clear 503, not a bare 500.
    settings["tm.annotate_user"] = False
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    engine = settings.get("dbengine") or get_engine(settings)
    check_connection(engine)
    session_factory = get_session_factory(engine, config.registry)
    config.registry["dbengine"] = engine
    config.registry["dbsession_factory"] = session_factory

    def dbsession(request):
        session = request.environ.get("app.dbsession")
        if session is None:
            session = get_tm_session(session_factory, request.tm, request=request)
        return session

    config.add_request_method(dbsession, reify=True)
