"""Interest marks, check-ins and personal feed keys

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:25:29.588026

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE TABLEs with composite keys (nothing here hands out ids, so no AUTOINCREMENT is needed).
    op.create_table('feed_keys',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('author_hash', sa.String(length=64), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_feed_keys_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'author_hash', name=op.f('pk_feed_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_feed_keys_key_hash'))
    )
    op.create_table('checkins',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('author_hash', sa.String(length=64), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_checkins_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_checkins_room_id_rooms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['slot_id'], ['slots.id'], name=op.f('fk_checkins_slot_id_slots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'slot_id', 'author_hash', name=op.f('pk_checkins'))
    )
    op.create_index('ix_checkins_event_slot_room', 'checkins', ['event_id', 'slot_id', 'room_id'], unique=False)

    op.create_table('interests',
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('author_hash', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_interests_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_interests_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('topic_id', 'author_hash', name=op.f('pk_interests'))
    )
    op.create_index('ix_interests_event_author', 'interests', ['event_id', 'author_hash'], unique=False)
    op.create_index('ix_interests_event_id', 'interests', ['event_id'], unique=False)



def downgrade():
    op.drop_index('ix_interests_event_id', table_name='interests')
    op.drop_index('ix_interests_event_author', table_name='interests')

    op.drop_table('interests')
    op.drop_index('ix_checkins_event_slot_room', table_name='checkins')

    op.drop_table('checkins')
    op.drop_table('feed_keys')
