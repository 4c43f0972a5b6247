"""bid security: electronic guarantees (电子保函, issue #20 point 3)

Revision ID: bidsecurity_guarantees
Revises: job_leases_0001
Create Date: 2026-12-19 00:01:00

Applications (who asked, like a sub-account), guarantee documents sealed to the opening key
(only lot and arrival time in plaintext), the opening's check naming the guarantee, and a
refund row per guarantee — its release or, after an approved forfeiture, its claim — so a
refund no longer always names a bank notification.
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = 'bidsecurity_guarantees'
down_revision = 'job_leases_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bidsecurity_guarantee_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('pay_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_bidsecurity_guarantee_applications_lot_id_lots')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_bidsecurity_guarantee_applications_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_bidsecurity_guarantee_applications_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bidsecurity_guarantee_applications')),
    sa.UniqueConstraint('lot_id', 'organisation_id', name='uq_bidsecurity_guarantee_applications_lot_org'),
    sa.UniqueConstraint('number', name=op.f('uq_bidsecurity_guarantee_applications_number'))
    )
    with op.batch_alter_table('bidsecurity_guarantee_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bidsecurity_guarantee_applications_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bidsecurity_guarantee_applications_project_id'), ['project_id'], unique=False)

    op.create_table('bidsecurity_guarantees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('number_sha256', sa.String(length=64), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('opened', sa.JSON(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['bidsecurity_guarantee_applications.id'], name=op.f('fk_bidsecurity_guarantees_application_id_bidsecurity_guarantee_applications')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_bidsecurity_guarantees_lot_id_lots')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_bidsecurity_guarantees_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bidsecurity_guarantees')),
    sa.UniqueConstraint('number_sha256', name=op.f('uq_bidsecurity_guarantees_number_sha256'))
    )
    with op.batch_alter_table('bidsecurity_guarantees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bidsecurity_guarantees_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bidsecurity_guarantees_received_at'), ['received_at'], unique=False)

    with op.batch_alter_table('bidsecurity_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guarantee_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_bidsecurity_checks_guarantee_id_bidsecurity_guarantees'), 'bidsecurity_guarantees', ['guarantee_id'], ['id'])

    with op.batch_alter_table('bidsecurity_refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guarantee_id', sa.Integer(), nullable=True))
        batch_op.alter_column('notification_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_bidsecurity_refunds_guarantee_id'), ['guarantee_id'])
        batch_op.create_foreign_key(batch_op.f('fk_bidsecurity_refunds_guarantee_id_bidsecurity_guarantees'), 'bidsecurity_guarantees', ['guarantee_id'], ['id'])



def downgrade():
    # A guarantee's release or claim has no notification: it goes with the guarantees.
    op.execute("DELETE FROM bidsecurity_forfeitures WHERE refund_id IN (SELECT id FROM "
               "bidsecurity_refunds WHERE guarantee_id IS NOT NULL)")
    op.execute("DELETE FROM bidsecurity_refunds WHERE guarantee_id IS NOT NULL")
    with op.batch_alter_table('bidsecurity_refunds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bidsecurity_refunds_guarantee_id_bidsecurity_guarantees'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_bidsecurity_refunds_guarantee_id'), type_='unique')
        batch_op.alter_column('notification_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('guarantee_id')

    with op.batch_alter_table('bidsecurity_checks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_bidsecurity_checks_guarantee_id_bidsecurity_guarantees'), type_='foreignkey')
        batch_op.drop_column('guarantee_id')

    with op.batch_alter_table('bidsecurity_guarantees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bidsecurity_guarantees_received_at'))
        batch_op.drop_index(batch_op.f('ix_bidsecurity_guarantees_project_id'))

    op.drop_table('bidsecurity_guarantees')
    with op.batch_alter_table('bidsecurity_guarantee_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bidsecurity_guarantee_applications_project_id'))
        batch_op.drop_index(batch_op.f('ix_bidsecurity_guarantee_applications_organisation_id'))

    op.drop_table('bidsecurity_guarantee_applications')
