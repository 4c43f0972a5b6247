"""draws

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 01:34:35.372177
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.String(length=64), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('candidate_list_hash', sa.String(length=64), nullable=False),
    sa.Column('witnesses', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('frozen', 'committed', 'revealed', name='drawstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=True),
    sa.Column('sealed_seed', sa.LargeBinary(), nullable=True),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('beacon', sa.String(length=500), nullable=True),
    sa.Column('beacon_source', sa.String(length=200), nullable=True),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('follow_ups', sa.JSON(), nullable=False),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('committed_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('beacon_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revealed_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draws'))
    )
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.create_index('ix_draws_subject', ['subject_type', 'subject_id'], unique=False)



def downgrade():
    with op.batch_alter_table('draws', schema=None) as batch_op:
        batch_op.drop_index('ix_draws_subject')

    op.drop_table('draws')
