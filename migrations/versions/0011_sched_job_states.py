"""core: each scheduled job's last success, last failure and failures in a row

Revision ID: 0011_sched_job_states
Revises: 0010_quiz_organizer
Create Date: 2026-12-07 22:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_sched_job_states"
down_revision = "0010_quiz_organizer"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_states",
        sa.Column("job_id", sa.String(length=60), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("failures_in_a_row", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", name=op.f("pk_job_states")),
    )


def downgrade():
    op.drop_table("job_states")
