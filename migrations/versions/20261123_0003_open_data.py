"""open data

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:29:54.541362
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ocds_releases',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('ocid', sa.String(length=100), nullable=False),
    sa.Column('release_id', sa.String(length=120), nullable=False),
    sa.Column('tag', sa.String(length=40), nullable=False),
    sa.Column('date', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data_json', sa.Text(), nullable=False),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ocds_releases_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ocds_releases')),
    sa.UniqueConstraint('release_id', name=op.f('uq_ocds_releases_release_id'))
    )
    with op.batch_alter_table('ocds_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ocds_releases_ocid'), ['ocid'], unique=False)
        batch_op.create_index(batch_op.f('ix_ocds_releases_project_id'), ['project_id'], unique=False)



def downgrade():
    with op.batch_alter_table('ocds_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ocds_releases_project_id'))
        batch_op.drop_index(batch_op.f('ix_ocds_releases_ocid'))

    op.drop_table('ocds_releases')
