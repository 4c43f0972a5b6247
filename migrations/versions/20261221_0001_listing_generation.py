"""the public listing's cache generation (issue #19 pt 3): one row the writers of projects,
notices and results bump, read by every web process before it serves a cached listing

Revision ID: listing_cache_0001
Revises: tlog_sets_0003
Create Date: 2026-12-21 00:01:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'listing_cache_0001'
down_revision = 'tlog_sets_0003'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'listing_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.BigInteger(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_generation')),
    )
    op.bulk_insert(table, [{'id': 1, 'value': 0, 'changed_at': None}])


def downgrade():
    op.drop_table('listing_generation')
