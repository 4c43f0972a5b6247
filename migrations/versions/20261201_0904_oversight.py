"""the supermarket's service time limit, structured: days or a due date, and the start

Revision ID: oversight_0001
Revises: evaluation_0001
Create Date: 2026-12-01 10:00:00
"""

import re
from datetime import date

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = 'oversight_0001'
down_revision = 'evaluation_0001'
branch_labels = None
depends_on = None

# The parse of trading.intermediaries.rules.parse_time_limit as it stood when this ran
# (a migration must not change meaning when the application's rule does later).
WORKING = re.compile(r"(\d{1,5})\s*个?\s*工作日")
CALENDAR = re.compile(r"(\d{1,5})\s*个?\s*(?:日历天|自然日|天|日)(?!期)")
DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
STARTED = ('service_in_progress',)  # here status_changed_at is when the service started


def parse(text):
    """(days, working, due_on) read from the free text, or None."""
    text = text or ''
    if found := WORKING.search(text):
        return int(found.group(1)), True, None
    if found := DATE.search(text):
        try:
            return None, False, date(*(int(g) for g in found.groups()))
        except ValueError:
            return None
    if found := CALENDAR.search(text):
        return int(found.group(1)), False, None
    return None


def upgrade():
    with op.batch_alter_table('im_purchases') as batch:
        batch.add_column(sa.Column('service_days', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('service_working_days', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('service_due_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('service_started_at',
                                   trading.db.types.UTCDateTime(timezone=True), nullable=True))
    purchases = sa.table('im_purchases', sa.column('id', sa.Integer()),
                         sa.column('time_limit', sa.String()),
                         sa.column('status', sa.String()),
                         sa.column('status_changed_at', sa.DateTime(timezone=True)),
                         sa.column('service_days', sa.Integer()),
                         sa.column('service_working_days', sa.Boolean()),
                         sa.column('service_due_on', sa.Date()),
                         sa.column('service_started_at', sa.DateTime(timezone=True)))
    bind = op.get_bind()
    for row in bind.execute(sa.select(purchases.c.id, purchases.c.time_limit)).all():
        term = parse(row.time_limit)
        if term is not None:
            bind.execute(purchases.update().where(purchases.c.id == row.id).values(
                service_days=term[0], service_working_days=term[1], service_due_on=term[2]))
    bind.execute(purchases.update().where(purchases.c.status.in_(STARTED)).values(
        service_started_at=purchases.c.status_changed_at))


def downgrade():
    with op.batch_alter_table('im_purchases') as batch:
        batch.drop_column('service_started_at')
        batch.drop_column('service_due_on')
        batch.drop_column('service_working_days')
        batch.drop_column('service_days')
