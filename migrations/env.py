"""Alembic environment: the same settings loader as the app, batch mode on SQLite.

A caller may pass an open connection in `config.attributes["connection"]` (Alembic's
connection-sharing recipe); the tests migrate their own engine that way.
"""

from alembic import context
from pyramid.paster import get_appsettings, setup_logging

from trading.config import load
from trading.db import get_engine, load_models
from trading.db.meta import Base
from trading.projects import fulltext

load_models()

config = context.config


def _target_connection_and_run():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    if config.config_file_name:
        setup_logging(config.config_file_name)
    settings = load(get_appsettings(config.config_file_name))
    engine = get_engine(settings)
    with engine.connect() as conn:
        _run(conn)


def _include_name(name, type_, parent_names):
    # The full-text index is built by hand per database (an FTS5 virtual table and its
    # shadow tables on SQLite, a tsvector table on PostgreSQL): see projects/fulltext.py.
    return not (type_ == "table" and name.startswith(fulltext.TABLE))


def _run(connection):
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_target_connection_and_run()
