"""projects: the listing's filter indexes hold the status too (issue #19 point 3), so the
capped count and the page of a filtered listing are read from an index alone

Revision ID: listing_indexes_0001
Revises: project_search_0001
Create Date: 2026-12-19 00:02:00
"""

from alembic import op

revision = 'listing_indexes_0001'
down_revision = 'project_search_0001'
branch_labels = None
depends_on = None

OLD = {
    'ix_projects_type_published': ['project_type', 'published_at'],
    'ix_projects_region': ['region'],
    'ix_projects_budget': ['budget'],
}
NEW = {
    'ix_projects_type_published_status': ['project_type', 'published_at', 'status'],
    'ix_projects_region_status': ['region', 'status', 'published_at'],
    'ix_projects_budget_status': ['budget', 'status'],
}


def _swap(drop, create):
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name in drop:
            batch_op.drop_index(name)
        for name, columns in create.items():
            batch_op.create_index(name, columns, unique=False)


def upgrade():
    _swap(OLD, NEW)


def downgrade():
    _swap(NEW, OLD)
