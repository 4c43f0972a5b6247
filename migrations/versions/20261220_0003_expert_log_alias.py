"""each expert's library alias (专家库代号, issue #17 pt 4): the expert library's changes are
logged per specialty by this random alias, and an expert draw's pseudonyms are derived from
it, so a draw's list is provably the library less its exclusions without naming anyone

Revision ID: tlog_sets_0003
Revises: tlog_sets_0002
Create Date: 2026-12-20 00:03:00
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = 'tlog_sets_0003'
down_revision = 'tlog_sets_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_alias', sa.String(length=16), nullable=True))
    experts = sa.table('experts', sa.column('id', sa.Integer),
                       sa.column('log_alias', sa.String))
    conn = op.get_bind()
    for (expert_id,) in conn.execute(sa.select(experts.c.id)).all():
        conn.execute(sa.update(experts).where(experts.c.id == expert_id)
                     .values(log_alias=secrets.token_hex(8)))
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.alter_column('log_alias', existing_type=sa.String(length=16), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_experts_log_alias'), ['log_alias'])


def downgrade():
    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_experts_log_alias'), type_='unique')
        batch_op.drop_column('log_alias')
