"""message args: a message's subject and body are catalogue entries whose fields are
filled when shown, so the message centre reads in the reader's language

Revision ID: messages_0002
Revises: messages_0001
Create Date: 2026-12-19 00:09:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'messages_0002'
down_revision = 'messages_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('messages') as batch:
        batch.add_column(sa.Column('args', sa.JSON(), nullable=False, server_default='{}'))


def downgrade():
    with op.batch_alter_table('messages') as batch:
        batch.drop_column('args')
