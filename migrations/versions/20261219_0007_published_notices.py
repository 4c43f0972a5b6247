"""published notices: the small-works result publicity and the supermarket's selection
result are signed by the platform as they are published (issue #21), like projects' notices

Revision ID: published_notices_0001
Revises: bidsecurity_guarantees
Create Date: 2026-12-19 00:07:00
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = 'published_notices_0001'
down_revision = 'bidsecurity_guarantees'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'published_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=128), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('published_at', trading.db.types.UTCDateTime(), nullable=False),
        sa.Column('signature', sa.String(length=128), nullable=False),
        sa.Column('signing_algorithm', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_published_notices')),
    )
    op.create_index('ix_published_notices_subject', 'published_notices',
                    ['subject', 'subject_id'], unique=False)


def downgrade():
    op.drop_index('ix_published_notices_subject', table_name='published_notices')
    op.drop_table('published_notices')
