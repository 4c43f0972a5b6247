"""collusion signals; address and device on sign-ups, downloads, envelopes, shares

Revision ID: 0901
Revises: 0101
Create Date: 2026-12-01 07:10:00
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = '0901'
down_revision = '0101'
branch_labels = None
depends_on = None

# (table, columns): existing rows get "" (nothing was recorded for them).
TRACED = (
    ('signups', ('ip', 'device')),
    ('document_downloads', ('device',)),
    ('bid_versions', ('ip', 'device')),
    ('decryption_shares', ('device',)),
)
LENGTH = {'ip': 64, 'device': 32}


def upgrade():
    for table, columns in TRACED:
        with op.batch_alter_table(table) as batch:
            for name in columns:
                batch.add_column(sa.Column(name, sa.String(length=LENGTH[name]),
                                           nullable=False, server_default=''))
    op.create_table('collusion_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('scanned_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lots', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_collusion_scans_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collusion_scans')),
    sa.UniqueConstraint('project_id', name=op.f('uq_collusion_scans_project_id'))
    )
    op.create_table('collusion_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('bidder_org_ids', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_collusion_signals_lot_id_lots')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_collusion_signals_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collusion_signals'))
    )
    with op.batch_alter_table('collusion_signals') as batch:
        batch.create_index(batch.f('ix_collusion_signals_project_id'), ['project_id'], unique=False)


def downgrade():
    with op.batch_alter_table('collusion_signals') as batch:
        batch.drop_index(batch.f('ix_collusion_signals_project_id'))
    op.drop_table('collusion_signals')
    op.drop_table('collusion_scans')
    for table, columns in reversed(TRACED):
        with op.batch_alter_table(table) as batch:
            for name in reversed(columns):
                batch.drop_column(name)
