"""jobs: leases with an expiry for task locks and the periodic leader (issue #19 point 6)

Revision ID: job_leases_0001
Revises: project_search_0002
Create Date: 2026-12-19 00:01:00
"""

from alembic import op
import sqlalchemy as sa

import trading.db.types

revision = 'job_leases_0001'
down_revision = 'project_search_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_leases',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('holder', sa.String(length=100), nullable=False),
        sa.Column('expires_at', trading.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_leases')),
    )


def downgrade():
    op.drop_table('job_leases')
