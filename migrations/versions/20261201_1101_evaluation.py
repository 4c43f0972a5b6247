"""evaluation: the report's signing deadline, signatures recorded as agreement

Revision ID: evaluation_0001
Revises: award_0004
Create Date: 2026-12-01 11:00:00
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = 'evaluation_0001'
down_revision = 'award_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluation_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sign_by', trading.db.types.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('report_signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deemed', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('report_signatures', schema=None) as batch_op:
        batch_op.drop_column('deemed')
    with op.batch_alter_table('evaluation_reports', schema=None) as batch_op:
        batch_op.drop_column('sign_by')
