"""contests: when a quiz round's flags were last detected; a question picture's description

Revision ID: 0010_quiz_organizer
Revises: 0009_badge_jobs
Create Date: 2026-12-01 06:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_quiz_organizer"
down_revision = "0009_badge_jobs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flags_checked_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("quiz_questions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_alt", sa.String(length=300), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("quiz_questions", schema=None) as batch_op:
        batch_op.drop_column("image_alt")
    with op.batch_alter_table("quiz_rounds", schema=None) as batch_op:
        batch_op.drop_column("flags_checked_at")
