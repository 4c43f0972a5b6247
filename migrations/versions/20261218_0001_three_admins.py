"""accounts: the three administrators (三员分立, 等保 2.0 level 3): sysadmin, secadmin,
auditor roles, and the security policy the security administrator sets (issue #16)

Revision ID: three_admins_0001
Revises: tlog_cosignatures
Create Date: 2026-12-18 00:01:00
"""

from alembic import op
import sqlalchemy as sa

import trading.db.types

revision = 'three_admins_0001'
down_revision = 'tlog_cosignatures'
branch_labels = None
depends_on = None

OLD = ('owner', 'bidder', 'intermediary', 'expert', 'center', 'supervisor')
NEW = OLD + ('sysadmin', 'secadmin', 'auditor')


def _role(values):
    return sa.Enum(*values, name='role', native_enum=False, create_constraint=True, length=32)


def _retype(old, new):
    for table in ('users', 'organisations'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('role', existing_type=_role(old), type_=_role(new),
                                  existing_nullable=False)


def upgrade():
    _retype(OLD, NEW)
    op.create_table(
        'security_policy',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('set_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['set_by_id'], ['users.id'],
                                name=op.f('fk_security_policy_set_by_id_users')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_security_policy')),
    )


def downgrade():
    op.drop_table('security_policy')
    _retype(NEW, OLD)
