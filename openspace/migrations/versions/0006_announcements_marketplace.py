"""Announcements pinned above the wall; the marketplace (pitch round) state on the event

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'announcements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.Column('until', sa.DateTime(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('length(text) BETWEEN 1 AND 200', name=op.f('ck_announcements_text_length')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_announcements_event_id_events'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_announcements_event_position', 'announcements', ['event_id', 'position'], unique=False)
    # Plain ADD COLUMNs: a batch rebuild on SQLite would drop the table's AUTOINCREMENT (ids must never be reused).
    op.add_column('events', sa.Column('market_open', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('events', sa.Column('market_topic_id', sa.Integer(), nullable=True))
    op.add_column('events', sa.Column('market_skipped', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('market_skipped')
        batch_op.drop_column('market_topic_id')
        batch_op.drop_column('market_open')
    op.drop_index('ix_announcements_event_position', table_name='announcements')
    op.drop_table('announcements')
