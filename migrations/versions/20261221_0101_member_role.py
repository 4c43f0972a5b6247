"""evaluation: one MemberRole — a committee seat's role takes the rules' enum, with
agency_staff (代理机构工作人员), whom the composition rule refuses with its reason

Revision ID: member_role_0001
Revises: listing_cache_0001
Create Date: 2026-12-21 01:01:00

The column's CHECK constraint lists the enum's values, so it gains agency_staff: the one
enum the rules and the table share is stored as it is. No row changes.
"""

from alembic import op


revision = 'member_role_0001'
down_revision = 'listing_cache_0001'
branch_labels = None
depends_on = None

NAME = 'ck_committee_members_memberrole'


def _allow(*values):
    listed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table('committee_members', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(NAME), type_='check')
        batch_op.create_check_constraint(op.f(NAME), f"role IN ({listed})")


def upgrade():
    _allow('expert', 'owner_rep', 'agency_staff')


def downgrade():
    _allow('expert', 'owner_rep')
