"""The audit log is append-only in the database itself (issue #16 point 3, 等保 2.0 §8.1.4.3):
no application role can update, delete or truncate its rows, whatever the code does.

Triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on every protected table;
production also grants the application's role only INSERT and SELECT on them (README,
"Production deployment"), so removing a trigger needs the database owner. The protection
is generic — a table list, not knowledge of the hash chain — so a later log (a Merkle tree)
joins by adding its tables here.
"""

import contextlib

import sqlalchemy as sa

PROTECTED = ("audit_events", "audit_checkpoints", "tlog_leaves", "tlog_hashes",
             "tlog_checkpoints", "tlog_cosignatures")
MESSAGE = "audit records are append-only"


def _sqlite_statements(table: str) -> list[str]:
    return [f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {table}'); END"
            for verb in ("UPDATE", "DELETE")]


def _postgres_statements(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION trading_append_only()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION trading_append_only()",
    ]


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION trading_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: %', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql
"""


def install_protection(connection, tables=PROTECTED) -> None:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(sa.text(POSTGRES_FUNCTION))
    for table in tables:
        statements = (_postgres_statements(table) if dialect == "postgresql"
                      else _sqlite_statements(table))
        for statement in statements:
            connection.execute(sa.text(statement))


def remove_protection(connection, tables=PROTECTED) -> None:
    for table in tables:
        if connection.dialect.name == "postgresql":
            names = (f"{table}_append_only", f"{table}_no_truncate")
            for name in names:
                connection.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON {table}"))
        else:
            for verb in ("update", "delete"):
                connection.execute(sa.text(f"DROP TRIGGER IF EXISTS {table}_no_{verb}"))


@contextlib.contextmanager
def suspended(connection, tables=PROTECTED):
    """What only the database owner can do, inside the caller's transaction: tests that
    play an operator rewriting history use it, and the rollback restores the triggers."""
    remove_protection(connection, tables)
    try:
        yield
    finally:
        install_protection(connection, tables)


GRANTS = """\
-- The application's role may append to the audit log and read it, nothing else.
REVOKE ALL ON audit_events, audit_checkpoints, tlog_leaves, tlog_hashes, tlog_checkpoints,
    tlog_cosignatures FROM trading_app;
GRANT SELECT, INSERT ON audit_events, audit_checkpoints, tlog_leaves, tlog_hashes,
    tlog_checkpoints, tlog_cosignatures TO trading_app;
-- The queue and the sequencer's tree head change as the log grows.
GRANT SELECT, INSERT, UPDATE, DELETE ON tlog_pending, tlog_state TO trading_app;
"""
