"""hardening (issue #16): login throttles per (account, address), API token scopes and
expiry, idle sessions, the audit log protected in the database

Revision ID: hardening_0001
Revises: smallworks_0005
Create Date: 2026-12-10 00:01:00
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types

from trading.audit.protection import install_protection, remove_protection


revision = 'hardening_0001'
down_revision = 'smallworks_0005'
branch_labels = None
depends_on = None

# Its own tables, named: later migrations add theirs to the protected list.
CHAIN_TABLES = ('audit_events', 'audit_checkpoints')


def upgrade():
    op.create_table(
        'login_throttles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('blocked_until', trading.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles')),
        sa.UniqueConstraint('username', 'ip', name=op.f('uq_login_throttles_username')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scopes', sa.String(length=500), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('expires_at', trading.db.types.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at',
                                      trading.db.types.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result', sa.String(length=16), nullable=True))
    install_protection(op.get_bind(), CHAIN_TABLES)


def downgrade():
    remove_protection(op.get_bind(), CHAIN_TABLES)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('result')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('scopes')
    op.drop_table('login_throttles')
