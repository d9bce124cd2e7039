"""contests: questions a closed round published (never drawn again in the contest), a round's own pool of topics,
and the least score that wins a prize

Revision ID: 0013_quiz_pools
Revises: 0012_ident_return_codes
Create Date: 2027-01-10 06:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013_quiz_pools"
down_revision = "0012_ident_return_codes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("quiz_rounds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prize_min_percent", sa.Integer(), server_default="50", nullable=False))
        batch_op.add_column(sa.Column("pool_topic_ids", sa.JSON(), server_default="[]", nullable=False))
    # Rounds already closed keep the results they published: a recompute must give them again, so no least score.
    op.execute("UPDATE quiz_rounds SET prize_min_percent = 0 WHERE state = 'closed'")
    op.create_table(
        "quiz_published_questions",
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["contest_id"], ["contests.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["quiz_questions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["quiz_rounds.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("contest_id", "question_id"),
    )
    # What the rounds closed so far have published: every question drawn by one of their attempts.
    op.execute(
        """
        INSERT INTO quiz_published_questions (contest_id, question_id, round_id)
        SELECT r.contest_id, aq.question_id, MIN(r.id)
        FROM quiz_attempt_questions aq
        JOIN quiz_attempts a ON a.id = aq.attempt_id
        JOIN quiz_rounds r ON r.id = a.round_id
        WHERE r.state = 'closed'
        GROUP BY r.contest_id, aq.question_id
        """
    )


def downgrade():
    op.drop_table("quiz_published_questions")
    with op.batch_alter_table("quiz_rounds", schema=None) as batch_op:
        batch_op.drop_column("pool_topic_ids")
        batch_op.drop_column("prize_min_percent")
