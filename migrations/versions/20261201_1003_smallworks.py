"""smallworks: parameters from a RuleProfile row; each work records the ones it used

Seeds version 1 of the `smallworks` profile with the domain rules' §6.3 defaults (the
values are written out here, not imported: a migration must not change when code does).

Revision ID: smallworks_0003
Revises: smallworks_0002
Create Date: 2026-12-01 10:30:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import trading.db.types

revision = 'smallworks_0003'
down_revision = 'smallworks_0002'
branch_labels = None
depends_on = None

DEFAULTS = {
    "smallworks.max_active_contracts": 2,
    "smallworks.max_manager_active_contracts": 1,
    "smallworks.cooldown_days": 90,
    "smallworks.split_window_days": 90,
    "smallworks.decline_suspension_count": 2,
    "smallworks.decline_lookback_months": 12,
    "smallworks.annual_award_count_cap": 5,
    "smallworks.annual_award_amount_cap_fen": 800000000,
    "smallworks.confirmation_hours": 24,
    "smallworks.tiers": [
        {"code": "up_to_300k", "upper_fen": 30000000, "grade": 3},
        {"code": "300k_to_1m", "upper_fen": 100000000, "grade": 3},
        {"code": "1m_to_4m", "upper_fen": None, "grade": 2},
    ],
}


def upgrade():
    with op.batch_alter_table('smallworks_projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('profile_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
    profiles = sa.table('rule_profiles', sa.column('code', sa.String),
                        sa.column('version', sa.Integer), sa.column('regime', sa.String),
                        sa.column('procurement_method', sa.String),
                        sa.column('params', sa.JSON), sa.column('created_at', trading.db.types.UTCDateTime()))
    op.bulk_insert(profiles, [{
        "code": "smallworks", "version": 1, "regime": "tendering",
        "procurement_method": "small_works", "params": DEFAULTS,
        "created_at": datetime(2026, 12, 1, tzinfo=UTC)}])


def downgrade():
    op.execute("DELETE FROM rule_profiles WHERE code = 'smallworks'")
    with op.batch_alter_table('smallworks_projects', schema=None) as batch_op:
        batch_op.drop_column('params')
        batch_op.drop_column('profile_version')
