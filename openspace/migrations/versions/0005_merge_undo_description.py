"""Co-hosts and merged topics, undone log steps, an event description

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs: a batch rebuild on SQLite would drop the tables' AUTOINCREMENT (ids must never be reused).
    op.add_column('topics', sa.Column('cohosts', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('topics', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.add_column('activity_log', sa.Column('undone', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('events', sa.Column('description', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('description')
    with op.batch_alter_table('activity_log', schema=None) as batch_op:
        batch_op.drop_column('undone')
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('cohosts')
