"""messages: the in-app message centre (站内消息, issue #18 point 3) and the accounts'
e-mail address with their opt-in to e-mail notifications

Revision ID: messages_0001
Revises: published_notices_0001
Create Date: 2026-12-19 00:08:00
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = 'messages_0001'
down_revision = 'published_notices_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('route', sa.String(length=64), nullable=False),
        sa.Column('route_args', sa.JSON(), nullable=False),
        sa.Column('dedupe_key', sa.String(length=128), nullable=True),
        sa.Column('created_at', trading.db.types.UTCDateTime(), nullable=False),
        sa.Column('read_at', trading.db.types.UTCDateTime(), nullable=True),
        sa.Column('mailed_at', trading.db.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['recipient_id'], ['users.id'],
                                name=op.f('fk_messages_recipient_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
        sa.UniqueConstraint('recipient_id', 'dedupe_key', name='uq_messages_recipient_key'),
    )
    op.create_index('ix_messages_recipient_read', 'messages', ['recipient_id', 'read_at'],
                    unique=False)
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('email', sa.String(length=200), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('notify_by_email', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('notify_by_email')
        batch.drop_column('email')
    op.drop_index('ix_messages_recipient_read', table_name='messages')
    op.drop_table('messages')
