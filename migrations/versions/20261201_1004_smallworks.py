"""smallworks: the budget approval as an uploaded document

Works posted before keep their text reference only (the columns stay empty).

Revision ID: smallworks_0004
Revises: smallworks_0003
Create Date: 2026-12-01 10:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'smallworks_0004'
down_revision = 'smallworks_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('smallworks_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('budget_file_sha256', sa.String(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column('budget_file_name', sa.String(length=200),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('budget_file_type', sa.String(length=100),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('budget_file_size', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('smallworks_projects', schema=None) as batch_op:
        batch_op.drop_column('budget_file_size')
        batch_op.drop_column('budget_file_type')
        batch_op.drop_column('budget_file_name')
        batch_op.drop_column('budget_file_sha256')
