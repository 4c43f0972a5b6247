"""projects: the search index also holds each public project's exact filters (type,
status, procurement method, region) as facet tokens, so a keyword with filters is
answered by the index alone (issue #19 point 3); rebuilt from the projects

Revision ID: project_search_0002
Revises: signed_notices_0001
Create Date: 2026-12-19 00:03:00
"""

from alembic import op

from trading.projects import fulltext

revision = 'project_search_0002'
down_revision = 'signed_notices_0001'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    fulltext.drop_table(conn)
    fulltext.create_table(conn)
    fulltext.rebuild(conn)


def downgrade():
    # The index is derived data: the earlier revision's readers ignore the facets.
    pass
