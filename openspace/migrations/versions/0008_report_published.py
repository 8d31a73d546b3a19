"""When the event's report was published (None: visible to organizers only)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN: a batch rebuild on SQLite would drop the table's AUTOINCREMENT (ids must never be reused).
    op.add_column('events', sa.Column('report_published_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('events', 'report_published_at')
