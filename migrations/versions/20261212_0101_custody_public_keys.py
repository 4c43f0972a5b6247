"""custody: custodians upload public keys; shares HPKE-sealed per project (issue #15)

Revision ID: custody_public_keys
Revises: tlog_0001
Create Date: 2026-12-11 00:01:00

The old custody keys were derived on the server from passphrases it saw, so the server
could rebuild them: they are deleted, never converted, and so are the shares sealed to
them (a `custodians` project not yet opened needs its custodians to upload keys and be
designated again). The one-time passphrases and released secrets go with their columns.
"""

from alembic import op
import sqlalchemy as sa


revision = 'custody_public_keys'
down_revision = 'tlog_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE opening_custodians SET sealed_share = NULL")
    op.execute("DELETE FROM custody_keys")
    with op.batch_alter_table('custody_keys', schema=None) as batch_op:
        batch_op.drop_column('salt')
        batch_op.drop_column('log_n')
    with op.batch_alter_table('opening_custodians', schema=None) as batch_op:
        batch_op.drop_column('sealed_passphrase')
        batch_op.drop_column('released_secret')
        batch_op.add_column(sa.Column('released_share', sa.LargeBinary(), nullable=True))
    with op.batch_alter_table('opening_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('split_id', sa.String(length=32), nullable=True))
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement_nonce', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('openings', schema=None) as batch_op:
        batch_op.drop_column('statement_nonce')
    with op.batch_alter_table('opening_keys', schema=None) as batch_op:
        batch_op.drop_column('split_id')
    with op.batch_alter_table('opening_custodians', schema=None) as batch_op:
        batch_op.drop_column('released_share')
        batch_op.add_column(sa.Column('released_secret', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('sealed_passphrase', sa.LargeBinary(), nullable=True))
    op.execute("DELETE FROM custody_keys")
    with op.batch_alter_table('custody_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_n', sa.Integer(), nullable=False,
                                      server_default='17'))
        batch_op.add_column(sa.Column('salt', sa.LargeBinary(length=32), nullable=False,
                                      server_default=''))
