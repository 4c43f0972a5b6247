"""award: descending auctions (降价竞价) of price-competition award stages

Revision ID: award_0005
Revises: evaluation_0001
"""

import sqlalchemy as sa
from alembic import op

import trading.db.types

revision = 'award_0005'
down_revision = 'oversight_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'award_auctions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('committee_id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.Integer(), nullable=False),
        sa.Column('candidates', sa.JSON(), nullable=False),
        sa.Column('opened_prices', sa.JSON(), nullable=False),
        sa.Column('step_fen', sa.BigInteger(), nullable=False),
        sa.Column('start_fen', sa.BigInteger(), nullable=False),
        sa.Column('floor_fen', sa.BigInteger(), nullable=False),
        sa.Column('idle_minutes', sa.Integer(), nullable=False),
        sa.Column('opened_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('hard_end_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ends_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('closed_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['committee_id'], ['award_committees.id'],
                                name=op.f('fk_award_auctions_committee_id_award_committees')),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'],
                                name=op.f('fk_award_auctions_lot_id_lots')),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'],
                                name=op.f('fk_award_auctions_project_id_projects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_award_auctions')),
        sa.UniqueConstraint('committee_id', name=op.f('uq_award_auctions_committee_id')),
    )
    with op.batch_alter_table('award_auctions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_auctions_project_id'), ['project_id'],
                              unique=False)
    op.create_table(
        'award_auction_bids',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('auction_id', sa.Integer(), nullable=False),
        sa.Column('org_id', sa.Integer(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('placed_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('placed_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['auction_id'], ['award_auctions.id'],
                                name=op.f('fk_award_auction_bids_auction_id_award_auctions')),
        sa.ForeignKeyConstraint(['org_id'], ['organisations.id'],
                                name=op.f('fk_award_auction_bids_org_id_organisations')),
        sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'],
                                name=op.f('fk_award_auction_bids_placed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_award_auction_bids')),
        sa.UniqueConstraint('auction_id', 'amount_fen', name='uq_award_auction_bids_amount'),
    )
    with op.batch_alter_table('award_auction_bids', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_auction_bids_auction_id'), ['auction_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('award_auction_bids', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_auction_bids_auction_id'))
    op.drop_table('award_auction_bids')
    with op.batch_alter_table('award_auctions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_auctions_project_id'))
    op.drop_table('award_auctions')
