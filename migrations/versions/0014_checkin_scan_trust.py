"""checkin: the phone's own time of a scan beside the time it counts at, and a digest of the token scanned

Revision ID: 0014_checkin_scan_trust
Revises: 0013_quiz_pools
Create Date: 2026-12-02 09:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0014_checkin_scan_trust"
down_revision = "0013_quiz_pools"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device_time", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("token_digest", sa.String(length=32), nullable=True))
    # Scans stored so far counted at the phone's time: that is what the phone said.
    op.execute("UPDATE scans SET device_time = scanned_at")


def downgrade():
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_column("token_digest")
        batch_op.drop_column("device_time")
