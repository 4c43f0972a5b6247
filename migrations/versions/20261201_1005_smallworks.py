"""opendata: OCDS releases of small works (a release is of a project or of a small work)

Revision ID: smallworks_0005
Revises: smallworks_0004
Create Date: 2026-12-01 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = 'smallworks_0005'
down_revision = 'smallworks_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ocds_releases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('smallwork_id', sa.Integer(), nullable=True))
        batch_op.alter_column('project_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_ocds_releases_smallwork_id'), ['smallwork_id'],
                              unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_ocds_releases_smallwork_id_smallworks_projects'),
            'smallworks_projects', ['smallwork_id'], ['id'])


def downgrade():
    op.execute("DELETE FROM ocds_releases WHERE project_id IS NULL")
    with op.batch_alter_table('ocds_releases', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_ocds_releases_smallwork_id_smallworks_projects'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ocds_releases_smallwork_id'))
        batch_op.alter_column('project_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('smallwork_id')
