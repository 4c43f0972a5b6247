"""projects

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:25:42.709030
"""

from alembic import op
import sqlalchemy as sa
import trading.db.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rule_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('regime', sa.Enum('tendering', 'government_procurement', name='regime', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('procurement_method', sa.Enum('open_tender', 'invited_tender', 'competitive_consultation', 'final_offer', 'small_works', 'intermediary', name='procurementmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_profiles')),
    sa.UniqueConstraint('code', 'version', name=op.f('uq_rule_profiles_code'))
    )
    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('project_type', sa.Enum('works', 'government_procurement', 'small_works', 'intermediary_service', name='projecttype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('regime', sa.Enum('tendering', 'government_procurement', name='regime', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('object_type', sa.Enum('works', 'goods', 'services', name='objecttype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('procurement_method', sa.Enum('open_tender', 'invited_tender', 'competitive_consultation', 'final_offer', 'small_works', 'intermediary', name='procurementmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('evaluation_method', sa.Enum('comprehensive', 'lowest_price', 'reasonable_low_price', name='evaluationmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('award_method', sa.Enum('rank_one', 'separated', name='awardmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('custody_mode', sa.Enum('auto', 'custodians', 'dual', name='custodymode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('region', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_org_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('rule_profile_id', sa.Integer(), nullable=False),
    sa.Column('retender_of_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'pending_review', 'returned', 'published', 'bidding', 'opening', 'evaluation', 'candidates_publicised', 'awarded', 'contracted', 'archived', 'cancelled', 'failed', name='projectstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status_changed_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('frozen_reason', sa.String(length=500), nullable=False),
    sa.Column('frozen_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('doc_start', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('doc_end', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('clarification_deadline', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('bid_deadline', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('next_check', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_projects_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_org_id'], ['organisations.id'], name=op.f('fk_projects_owner_org_id_organisations')),
    sa.ForeignKeyConstraint(['retender_of_id'], ['projects.id'], name=op.f('fk_projects_retender_of_id_projects')),
    sa.ForeignKeyConstraint(['rule_profile_id'], ['rule_profiles.id'], name=op.f('fk_projects_rule_profile_id_rule_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('number', name=op.f('uq_projects_number'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_budget'), ['budget'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_next_check'), ['next_check'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_owner_org_id'), ['owner_org_id'], unique=False)
        batch_op.create_index('ix_projects_published', ['published_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_status'), ['status'], unique=False)
        batch_op.create_index('ix_projects_type_published', ['project_type', 'published_at'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('affects_bids', sa.Boolean(), nullable=False),
    sa.Column('published_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_announcements_project_id_projects')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_announcements_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_published_at'), ['published_at'], unique=False)

    op.create_table('lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('ceiling_price', sa.BigInteger(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_lots_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lots')),
    sa.UniqueConstraint('project_id', 'number', name=op.f('uq_lots_project_id'))
    )
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lots_project_id'), ['project_id'], unique=False)

    op.create_table('project_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('uploaded_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_documents_project_id_projects')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_project_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_documents'))
    )
    with op.batch_alter_table('project_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_documents_project_id'), ['project_id'], unique=False)

    op.create_table('project_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_reviews_project_id_projects')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_project_reviews_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_reviews'))
    )
    with op.batch_alter_table('project_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_reviews_project_id'), ['project_id'], unique=False)

    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_org_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('asked_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', trading.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_questions_answered_by_id_users')),
    sa.ForeignKeyConstraint(['asked_by_org_id'], ['organisations.id'], name=op.f('fk_questions_asked_by_org_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_questions_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_project_id'), ['project_id'], unique=False)

    op.create_table('document_downloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('downloaded_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['project_documents.id'], name=op.f('fk_document_downloads_document_id_project_documents')),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_document_downloads_org_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_document_downloads_project_id_projects')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_document_downloads_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_downloads'))
    )
    with op.batch_alter_table('document_downloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_downloads_project_id'), ['project_id'], unique=False)

    op.create_table('signups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('bidder_org_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('signed_up_at', trading.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bidder_org_id'], ['organisations.id'], name=op.f('fk_signups_bidder_org_id_organisations')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_signups_lot_id_lots')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_signups_project_id_projects')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signups_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signups')),
    sa.UniqueConstraint('lot_id', 'bidder_org_id', name=op.f('uq_signups_lot_id'))
    )
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signups_bidder_org_id'), ['bidder_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signups_project_id'), ['project_id'], unique=False)



def downgrade():
    with op.batch_alter_table('signups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signups_project_id'))
        batch_op.drop_index(batch_op.f('ix_signups_bidder_org_id'))

    op.drop_table('signups')
    with op.batch_alter_table('document_downloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_downloads_project_id'))

    op.drop_table('document_downloads')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_project_id'))

    op.drop_table('questions')
    with op.batch_alter_table('project_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_reviews_project_id'))

    op.drop_table('project_reviews')
    with op.batch_alter_table('project_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_documents_project_id'))

    op.drop_table('project_documents')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lots_project_id'))

    op.drop_table('lots')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_published_at'))
        batch_op.drop_index(batch_op.f('ix_announcements_project_id'))

    op.drop_table('announcements')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_type_published')
        batch_op.drop_index(batch_op.f('ix_projects_status'))
        batch_op.drop_index(batch_op.f('ix_projects_region'))
        batch_op.drop_index('ix_projects_published')
        batch_op.drop_index(batch_op.f('ix_projects_owner_org_id'))
        batch_op.drop_index(batch_op.f('ix_projects_next_check'))
        batch_op.drop_index(batch_op.f('ix_projects_budget'))

    op.drop_table('projects')
    op.drop_table('rule_profiles')
