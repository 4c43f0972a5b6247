"""logged sets (issue #17 pt 4): a draw's candidate pool and an award's inputs are logged
entry by entry as they happen; draws name the checkpoint signed at the freeze and each
candidate's (and each excluded one's) entry

Revision ID: tlog_sets_0001
Revises: messages_0002
Create Date: 2026-12-20 00:01:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'tlog_sets_0001'
down_revision = 'messages_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'tlog_sets',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('last_seq', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_tlog_sets')),
    )
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_set', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('log_size', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('log_entries', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.drop_column('log_entries')
        batch_op.drop_column('log_size')
        batch_op.drop_column('log_set')
    op.drop_table('tlog_sets')
