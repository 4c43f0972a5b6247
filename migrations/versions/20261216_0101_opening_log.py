"""openings name the audit log checkpoint signed at the deadline, and each line its log
entry (issue #17: openings that prove completeness)

Revision ID: opening_log
Revises: bid_audit_seq
Create Date: 2026-12-16 01:01:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'opening_log'
down_revision = 'bid_audit_seq'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_size', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('opening_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_index', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('opening_lines', schema=None) as batch_op:
        batch_op.drop_column('log_index')
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.drop_column('log_size')
