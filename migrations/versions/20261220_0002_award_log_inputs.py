"""an award's inputs proven against the transparency log (issue #17 pt 4): the publicity
names, per lot, the checkpoint signed when its candidates were fixed and each one's entry

Revision ID: tlog_sets_0002
Revises: tlog_sets_0001
Create Date: 2026-12-20 00:02:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'tlog_sets_0002'
down_revision = 'tlog_sets_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publicities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_inputs', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('publicities', schema=None) as batch_op:
        batch_op.drop_column('log_inputs')
