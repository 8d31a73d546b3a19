"""Results of sessions: versions kept for good, action items, photos; each topic's result state

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-04 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN and CREATE TABLEs: a batch rebuild on SQLite would drop AUTOINCREMENT (ids are never reused).
    op.add_column('topics', sa.Column('result_state', sa.String(length=16), server_default='missing', nullable=False))
    op.create_table('results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('insights', sa.Text(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('updated_by', sa.String(length=16), nullable=True),
    sa.CheckConstraint('length(summary) <= 4000', name=op.f('ck_results_summary_length')),
    sa.CheckConstraint('length(insights) <= 4000', name=op.f('ck_results_insights_length')),
    sa.CheckConstraint('attendees IS NULL OR attendees BETWEEN 0 AND 100000', name=op.f('ck_results_attendees_range')),
    sa.CheckConstraint("state IN ('missing', 'draft', 'documented', 'reviewed')", name=op.f('ck_results_state_known')),
    sa.CheckConstraint(
        "updated_by IS NULL OR updated_by IN ('host', 'participant', 'organizer')",
        name=op.f('ck_results_updated_by_known'),
    ),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_results_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_results_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results')),
    sa.UniqueConstraint('topic_id', name=op.f('uq_results_topic_id')),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_results_event_id', 'results', ['event_id'], unique=False)
    op.create_table('result_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('insights', sa.Text(), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=True),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('action_items', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("role IN ('host', 'participant', 'organizer')", name=op.f('ck_result_versions_role_known')),
    sa.ForeignKeyConstraint(
        ['result_id'], ['results.id'], name=op.f('fk_result_versions_result_id_results'), ondelete='CASCADE'
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_versions')),
    sa.UniqueConstraint('result_id', 'version', name='uq_result_versions_result_version'),
    sqlite_autoincrement=True,
    )
    op.create_table('action_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=300), nullable=False),
    sa.Column('who', sa.String(length=120), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint('length(what) BETWEEN 1 AND 300', name=op.f('ck_action_items_what_length')),
    sa.CheckConstraint('length(who) <= 120', name=op.f('ck_action_items_who_length')),
    sa.CheckConstraint('length(owner) <= 120', name=op.f('ck_action_items_owner_length')),
    sa.CheckConstraint('length(note) <= 1000', name=op.f('ck_action_items_note_length')),
    sa.CheckConstraint(
        "status IN ('open', 'in_progress', 'done', 'dropped')", name=op.f('ck_action_items_status_known')
    ),
    sa.ForeignKeyConstraint(
        ['event_id'], ['events.id'], name=op.f('fk_action_items_event_id_events'), ondelete='CASCADE'
    ),
    sa.ForeignKeyConstraint(
        ['result_id'], ['results.id'], name=op.f('fk_action_items_result_id_results'), ondelete='CASCADE'
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_items')),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_action_items_result_id', 'action_items', ['result_id'], unique=False)
    op.create_index('ix_action_items_event_id', 'action_items', ['event_id'], unique=False)
    op.create_table('photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=False),
    sa.Column('thumb', sa.LargeBinary(), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint(
        "content_type IN ('image/jpeg', 'image/png', 'image/webp')", name=op.f('ck_photos_content_type_known')
    ),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_photos_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(
        ['result_id'], ['results.id'], name=op.f('fk_photos_result_id_results'), ondelete='CASCADE'
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos')),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_photos_result_id', 'photos', ['result_id'], unique=False)


def downgrade():
    op.drop_table('photos')
    op.drop_table('action_items')
    op.drop_table('result_versions')
    op.drop_table('results')
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_column('result_state')
