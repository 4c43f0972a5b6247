"""bidding

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 01:52:14.916573
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('custody_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('suite', sa.String(length=16), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('salt', sa.LargeBinary(length=32), nullable=False),
    sa.Column('log_n', sa.Integer(), nullable=False),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_custody_keys_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_keys')),
    sa.UniqueConstraint('user_id', name=op.f('uq_custody_keys_user_id'))
    )
    op.create_table('opening_custodians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sealed_share', sa.Text(), nullable=True),
    sa.Column('sealed_passphrase', sa.LargeBinary(), nullable=True),
    sa.Column('released_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_secret', sa.LargeBinary(), nullable=True),
    sa.Column('designated_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_opening_custodians_project_id_projects')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_opening_custodians_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_custodians')),
    sa.UniqueConstraint('project_id', 'position', name='uq_opening_custodians_position'),
    sa.UniqueConstraint('project_id', 'user_id', name='uq_opening_custodians_user')
    )
    with op.batch_alter_table('opening_custodians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_custodians_project_id'), ['project_id'], unique=False)

    op.create_table('opening_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('custody', sa.Enum('auto', 'custodians', 'dual', name='custodymode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=True),
    sa.Column('suite', sa.String(length=16), nullable=True),
    sa.Column('key_id', sa.String(length=64), nullable=True),
    sa.Column('public_key', sa.Text(), nullable=True),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=True),
    sa.Column('generated_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_opening_keys_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_keys')),
    sa.UniqueConstraint('project_id', name=op.f('uq_opening_keys_project_id'))
    )
    op.create_table('openings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('waiting', 'done', name='openingstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('custody', sa.Enum('auto', 'custodians', 'dual', name='custodymode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('window_ends_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('lots', sa.JSON(), nullable=False),
    sa.Column('documents_stored_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_openings_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_openings')),
    sa.UniqueConstraint('project_id', name=op.f('uq_openings_project_id'))
    )
    op.create_table('bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('bidder_org_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('submitted', 'withdrawn', name='bidstate', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bidder_org_id'], ['organisations.id'], name=op.f('fk_bids_bidder_org_id_organisations')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_bids_lot_id_lots')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_bids_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bids')),
    sa.UniqueConstraint('lot_id', 'bidder_org_id', name=op.f('uq_bids_lot_id'))
    )
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bids_bidder_org_id'), ['bidder_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bids_project_id'), ['project_id'], unique=False)

    op.create_table('bid_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('envelope_sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('header_sha256', sa.String(length=64), nullable=False),
    sa.Column('dual_key_id', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('received_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('receipt_signature', sa.String(length=128), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_bid_versions_bid_id_bids')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_bid_versions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bid_versions')),
    sa.UniqueConstraint('bid_id', 'version', name=op.f('uq_bid_versions_bid_id'))
    )
    with op.batch_alter_table('bid_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bid_versions_bid_id'), ['bid_id'], unique=False)

    op.create_table('decryption_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('wrapped_share', sa.LargeBinary(), nullable=True),
    sa.Column('submitted_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_decryption_shares_bid_id_bids')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_decryption_shares_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decryption_shares')),
    sa.UniqueConstraint('bid_id', name=op.f('uq_decryption_shares_bid_id'))
    )
    op.create_table('opening_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('bid_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('envelope_sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'decrypted', 'invalid', 'revoked', 'system_failed', 'not_opened', name='linestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.Column('total_price', sa.BigInteger(), nullable=True),
    sa.Column('offer', sa.JSON(), nullable=True),
    sa.Column('offer_sha256', sa.String(length=64), nullable=True),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('anomalies', sa.JSON(), nullable=False),
    sa.Column('opened_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('objection', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['bid_id'], ['bids.id'], name=op.f('fk_opening_lines_bid_id_bids')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_opening_lines_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_opening_lines_lot_id_lots')),
    sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_opening_lines_opening_id_openings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_lines')),
    sa.UniqueConstraint('bid_id', name=op.f('uq_opening_lines_bid_id'))
    )
    with op.batch_alter_table('opening_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_lines_opening_id'), ['opening_id'], unique=False)



def downgrade():
    with op.batch_alter_table('opening_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opening_lines_opening_id'))

    op.drop_table('opening_lines')
    op.drop_table('decryption_shares')
    with op.batch_alter_table('bid_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bid_versions_bid_id'))

    op.drop_table('bid_versions')
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bids_project_id'))
        batch_op.drop_index(batch_op.f('ix_bids_bidder_org_id'))

    op.drop_table('bids')
    op.drop_table('openings')
    op.drop_table('opening_keys')
    with op.batch_alter_table('opening_custodians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opening_custodians_project_id'))

    op.drop_table('opening_custodians')
    op.drop_table('custody_keys')
