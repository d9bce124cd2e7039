"""ident: one-time return codes of the online quiz; the outbox's lanes (a fast one for codes)

Revision ID: 0012_ident_return_codes
Revises: 0011_sched_job_states
Create Date: 2026-12-10 06:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_ident_return_codes"
down_revision = "0011_sched_job_states"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lane", sa.String(length=10), server_default="normal", nullable=False))
        # The fast lane's job runs every 5 s: it must find its few messages without walking a round's 100,000
        # pending "results are out" ones.
        batch_op.create_index("ix_outbox_messages_due", ["lane", "state", "next_attempt_at"], unique=False)
    op.create_table(
        "quiz_return_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contests.id"], name=op.f("fk_quiz_return_codes_contest_id_contests"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["quiz_participants.id"],
            name=op.f("fk_quiz_return_codes_participant_id_quiz_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_return_codes")),
    )
    with op.batch_alter_table("quiz_return_codes", schema=None) as batch_op:
        batch_op.create_index("ix_quiz_return_codes_address", ["address_hash", "created_at"], unique=False)
        batch_op.create_index(
            "ix_quiz_return_codes_phone_address", ["phone_hash", "address_hash", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_quiz_return_codes_participant_id"), ["participant_id"], unique=False)


def downgrade():
    with op.batch_alter_table("quiz_return_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_return_codes_participant_id"))
        batch_op.drop_index("ix_quiz_return_codes_phone_address")
        batch_op.drop_index("ix_quiz_return_codes_address")
    op.drop_table("quiz_return_codes")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_due")
        batch_op.drop_column("lane")
