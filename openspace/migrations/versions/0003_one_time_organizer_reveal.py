"""One-time token for showing a new event's organizer link, so the secret never rides in the session cookie

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 07:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch rebuild on SQLite would drop the table's AUTOINCREMENT (ids must never be reused).
    op.add_column('events', sa.Column('organizer_reveal_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('organizer_reveal_hash')
