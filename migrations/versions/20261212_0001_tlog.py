"""audit transparency log (issue #17): queue, leaves, subtree hashes, checkpoints, tree head

Revision ID: tlog_0001
Revises: bidsecurity_0001
Create Date: 2026-12-12 00:01:00

The frozen hash chain's events are queued in seq order, so the sequencer makes them the
log's first entries; the queue's id sequence continues above them (new events take their
seq from it). AuditHead stays where it is: the chain up to it still verifies.
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types

from trading.audit.protection import install_protection, remove_protection


revision = 'tlog_0001'
down_revision = 'bidsecurity_0001'
branch_labels = None
depends_on = None

TABLES = ('tlog_leaves', 'tlog_hashes', 'tlog_checkpoints')
EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'


def upgrade():
    op.create_table(
        'tlog_pending',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('queued_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('promised', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tlog_pending')),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'tlog_leaves',
        sa.Column('idx', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('event_seq', sa.BigInteger(), nullable=False),
        sa.Column('leaf_hash', sa.String(length=64), nullable=False),
        sa.Column('queued_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('integrated_at', trading.db.types.UTCDateTime(timezone=True),
                  nullable=False),
        sa.Column('promised', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('idx', name=op.f('pk_tlog_leaves')),
        sa.UniqueConstraint('event_seq', name=op.f('uq_tlog_leaves_event_seq')),
    )
    op.create_table(
        'tlog_hashes',
        sa.Column('level', sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column('idx', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('level', 'idx', name=op.f('pk_tlog_hashes')),
    )
    op.create_table(
        'tlog_checkpoints',
        sa.Column('size', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('root', sa.String(length=64), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('signed_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('size', name=op.f('pk_tlog_checkpoints')),
    )
    op.create_table(
        'tlog_state',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('root', sa.String(length=64), nullable=False),
        sa.Column('updated_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_tlog_state')),
    )
    op.execute(f"INSERT INTO tlog_state (id, size, root) VALUES (1, 0, '{EMPTY_ROOT}')")
    # Backfill: the chain's events, queued in seq order at the time they happened.
    op.execute("INSERT INTO tlog_pending (id, queued_at, promised) "
               "SELECT seq, occurred_at, false FROM audit_events ORDER BY seq")
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('tlog_pending', 'id'), "
                   "(SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_events), false)")
    install_protection(bind, TABLES)
    # The OCDS feed's ids followed commit order because release writers queued on the audit
    # head; the head no longer moves, so release writers queue on a row of their own.
    op.create_table(
        'ocds_feed_lock',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('taken_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ocds_feed_lock')),
    )
    op.execute("INSERT INTO ocds_feed_lock (id) VALUES (1)")


def downgrade():
    op.drop_table('ocds_feed_lock')
    remove_protection(op.get_bind(), TABLES)
    for table in ('tlog_state', 'tlog_checkpoints', 'tlog_hashes', 'tlog_leaves',
                  'tlog_pending'):
        op.drop_table(table)
