"""bids: a random public id (issue #15 point 5)

Revision ID: bids_public_id
Revises: custody_public_keys
Create Date: 2026-12-12 00:01:00

Pages, URLs and the API name a bid by `public_id`, 80 random bits in hex: the row id is
platform-wide and sequential, so a bidder who saw its own bid's id learned how many bids
had been made. Existing bids get a random id here.
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = 'bids_public_id'
down_revision = 'custody_public_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))
    bids = sa.table('bids', sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    connection = op.get_bind()
    for (bid_id,) in connection.execute(sa.select(bids.c.id)).all():
        connection.execute(sa.update(bids).where(bids.c.id == bid_id)
                           .values(public_id=secrets.token_hex(10)))
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint('uq_bids_public_id', ['public_id'])


def downgrade():
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.drop_constraint('uq_bids_public_id', type_='unique')
        batch_op.drop_column('public_id')
