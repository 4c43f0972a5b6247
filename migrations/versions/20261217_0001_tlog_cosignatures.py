"""witnesses' cosignatures of the audit log's checkpoints (issue #17)

Revision ID: tlog_cosignatures
Revises: second_factor_0001
Create Date: 2026-12-17 00:01:00
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types

from trading.audit.protection import install_protection, remove_protection


revision = 'tlog_cosignatures'
down_revision = 'second_factor_0001'
branch_labels = None
depends_on = None

TABLES = ('tlog_cosignatures',)


def upgrade():
    op.create_table(
        'tlog_cosignatures',
        sa.Column('size', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('key_id', sa.String(length=8), nullable=False),
        sa.Column('witness', sa.String(length=100), nullable=False),
        sa.Column('timestamp', sa.BigInteger(), nullable=False),
        sa.Column('line', sa.Text(), nullable=False),
        sa.Column('received_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('size', 'key_id', name=op.f('pk_tlog_cosignatures')),
    )
    install_protection(op.get_bind(), TABLES)


def downgrade():
    remove_protection(op.get_bind(), TABLES)
    op.drop_table('tlog_cosignatures')
