"""archive

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-23 01:47:39.663085
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('archive_packages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('retention', sa.String(length=16), nullable=False),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_archive_packages_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_packages')),
    sa.UniqueConstraint('project_id', name=op.f('uq_archive_packages_project_id'))
    )


def downgrade():
    op.drop_table('archive_packages')
