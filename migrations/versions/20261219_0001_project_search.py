"""projects: full-text index of public projects (issue #19 point 3): an FTS5 table on
SQLite, a tsvector column with a GIN index on PostgreSQL, both holding the CJK unigram and
bigram tokens of trading.projects.fulltext; backfilled from the existing projects

Revision ID: project_search_0001
Revises: three_admins_0001
Create Date: 2026-12-19 00:01:00
"""

from alembic import op

from trading.projects import fulltext

revision = 'project_search_0001'
down_revision = 'three_admins_0001'
branch_labels = None
depends_on = None


def upgrade():
    conn = op.get_bind()
    fulltext.create_table(conn)
    fulltext.rebuild(conn)


def downgrade():
    fulltext.drop_table(op.get_bind())
