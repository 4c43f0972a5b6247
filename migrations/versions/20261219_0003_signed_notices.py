"""projects: every published notice (公告) is signed by the platform — Ed25519, or SM2 with
SM3 and the GB/T 32918.2 signer ID for 国密 projects (issue #21); notices published before
carry no signature

Revision ID: signed_notices_0001
Revises: listing_indexes_0001
Create Date: 2026-12-19 00:01:00
"""

from alembic import op
import sqlalchemy as sa

revision = 'signed_notices_0001'
down_revision = 'listing_indexes_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('signing_algorithm', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_column('signing_algorithm')
        batch_op.drop_column('signature')
