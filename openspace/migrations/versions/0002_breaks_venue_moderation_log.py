"""Breaks, venue, topic status (pre-moderation, restorable withdrawals), blocked participants, activity log;
ids never reused on SQLite

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 20:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

AUTOINCREMENT_TABLES = ('events', 'rooms', 'slots', 'topics')


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venue', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('lock_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('max_topics_per_participant', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('premoderation', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_check_constraint('max_topics_positive', 'max_topics_per_participant >= 0')

    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_break', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='live', nullable=False))
        batch_op.add_column(sa.Column('wanted_room_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('wanted_slot_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_topics_wanted_room_id_rooms'), 'rooms', ['wanted_room_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_topics_wanted_slot_id_slots'), 'slots', ['wanted_slot_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_check_constraint('status_known', "status IN ('live', 'pending', 'withdrawn')")
        batch_op.create_check_constraint('only_live_topics_hold_cells', "status = 'live' OR room_id IS NULL")
        batch_op.create_index('ix_topics_event_author', ['event_id', 'author_hash'], unique=False)

    op.create_table('blocked_participants',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('author_hash', sa.String(length=64), nullable=False),
    sa.Column('blocked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_blocked_participants_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'author_hash', name=op.f('pk_blocked_participants'))
    )
    op.create_table('activity_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.CheckConstraint("actor IN ('organizer', 'participant', 'system')", name=op.f('ck_activity_log_actor_known')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_activity_log_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_log')),
    sqlite_autoincrement=True,
    )
    with op.batch_alter_table('activity_log', schema=None) as batch_op:
        batch_op.create_index('ix_activity_log_event_id_id', ['event_id', 'id'], unique=False)

    if op.get_bind().dialect.name == 'sqlite':
        # SQLite reuses the highest rowid after a delete; AUTOINCREMENT needs the table rebuilt (env.py turns
        # foreign keys off around migrations, so the rebuild's DROP TABLE cascades nothing).
        for table in AUTOINCREMENT_TABLES:
            with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': True}):
                pass


def downgrade():
    op.drop_table('activity_log')
    op.drop_table('blocked_participants')
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_index('ix_topics_event_author')
        batch_op.drop_constraint('ck_topics_only_live_topics_hold_cells', type_='check')
        batch_op.drop_constraint('ck_topics_status_known', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_topics_wanted_slot_id_slots'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_topics_wanted_room_id_rooms'), type_='foreignkey')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('wanted_slot_id')
        batch_op.drop_column('wanted_room_id')
        batch_op.drop_column('status')
    with op.batch_alter_table('slots', schema=None) as batch_op:
        batch_op.drop_column('is_break')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint('ck_events_max_topics_positive', type_='check')
        batch_op.drop_column('premoderation')
        batch_op.drop_column('max_topics_per_participant')
        batch_op.drop_column('lock_reason')
        batch_op.drop_column('venue')
