"""award committee: conflict facts and chair on the roster, pseudonymous draw, signed report

Revision ID: award_0004
Revises: 0102_smallworks_quotes
"""

import sqlalchemy as sa
from alembic import op

revision = 'award_0004'
down_revision = '0102_smallworks_quotes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('award_roster', schema=None) as batch_op:
        batch_op.add_column(sa.Column('may_chair', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        for name in ('employers', 'shareholdings', 'relatives'):
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False,
                                          server_default='[]'))
    with op.batch_alter_table('award_committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pseudonym_salt', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('excluded', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('report_body', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('report_signature', sa.String(length=128),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('award_committees', schema=None) as batch_op:
        for name in ('report_signature', 'report_body', 'excluded', 'pseudonym_salt'):
            batch_op.drop_column(name)
    with op.batch_alter_table('award_roster', schema=None) as batch_op:
        for name in ('relatives', 'shareholdings', 'employers', 'may_chair'):
            batch_op.drop_column(name)
