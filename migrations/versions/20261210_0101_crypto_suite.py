"""projects: the crypto suite chosen per project (x25519, xwing, sm2, sm2mlkem)

Revision ID: projects_crypto_suite
Revises: hardening_0001
Create Date: 2026-12-10 01:01:00

NULL keeps the rule profile's `crypto.suite`, else the platform's `bidding.suite`; the
suite is resolved and written here when the opening key is generated at approval.
"""

from alembic import op
import sqlalchemy as sa


revision = 'projects_crypto_suite'
down_revision = 'hardening_0001'
branch_labels = None
depends_on = None

SUITES = ('x25519', 'xwing', 'sm2', 'sm2mlkem')


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'crypto_suite',
            sa.Enum(*SUITES, name='cryptosuite', native_enum=False, create_constraint=True,
                    length=32),
            nullable=True))


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint('cryptosuite', type_='check')
        batch_op.drop_column('crypto_suite')
