"""smallworks: the center's decision on a decline; why an entry is suspended

Revision ID: smallworks_0001
Revises: evaluation_0001
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import trading.db.types

revision = 'smallworks_0001'
down_revision = 'award_0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('smallworks_declines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_at', trading.db.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('smallworks_enterprises', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspension_cause', sa.String(length=20), nullable=False,
                                      server_default=''))
    # Suspensions made before the cause was kept: the service wrote these reasons.
    entries = sa.table('smallworks_enterprises', sa.column('status', sa.String),
                       sa.column('status_reason', sa.Text),
                       sa.column('suspension_cause', sa.String))
    suspended = entries.c.status == 'suspended'
    op.execute(entries.update().where(
        suspended, entries.c.status_reason.like('%次无正当理由放弃中选'))
        .values(suspension_cause='declines'))
    op.execute(entries.update().where(
        suspended, entries.c.status_reason.like('%已过期，自动暂停'))
        .values(suspension_cause='expiry'))
    op.execute(entries.update().where(suspended, entries.c.suspension_cause == '')
               .values(suspension_cause='center'))


def downgrade():
    with op.batch_alter_table('smallworks_enterprises', schema=None) as batch_op:
        batch_op.drop_column('suspension_cause')
    with op.batch_alter_table('smallworks_declines', schema=None) as batch_op:
        batch_op.drop_column('decision_reason')
        batch_op.drop_column('decided_at')
