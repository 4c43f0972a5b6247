"""bid versions name the audit event that logs them (issue #17: a receipt's promise of
inclusion in the transparency log)

Revision ID: bid_audit_seq
Revises: bids_public_id
Create Date: 2026-12-16 00:01:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'bid_audit_seq'
down_revision = 'bids_public_id'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bid_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_seq', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('bid_versions', schema=None) as batch_op:
        batch_op.drop_column('audit_seq')
