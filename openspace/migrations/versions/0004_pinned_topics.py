"""Topics an organizer pinned to their place (only organizers move them)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 08:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch rebuild on SQLite would drop the table's AUTOINCREMENT (ids must never be reused).
    op.add_column('topics', sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_column('pinned')
