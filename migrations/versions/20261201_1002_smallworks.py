"""smallworks: index the certificates by category (every pool reads one category)

Revision ID: smallworks_0002
Revises: smallworks_0001
Create Date: 2026-12-01 10:10:00
"""

from alembic import op

revision = 'smallworks_0002'
down_revision = 'smallworks_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('smallworks_qualifications', schema=None) as batch_op:
        batch_op.create_index('ix_smallworks_qualifications_category',
                              ['category', 'enterprise_id'], unique=False)


def downgrade():
    with op.batch_alter_table('smallworks_qualifications', schema=None) as batch_op:
        batch_op.drop_index('ix_smallworks_qualifications_category')
