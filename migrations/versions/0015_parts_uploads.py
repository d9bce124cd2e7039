"""core: stored files (uploads by content hash) and document jobs (check-in's badge jobs, made generic)

Revision ID: 0015_parts_uploads
Revises: 0014_checkin_scan_trust
Create Date: 2026-12-10 09:00:00

"""

from datetime import timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_parts_uploads"
down_revision = "0014_checkin_scan_trust"
branch_labels = None
depends_on = None

BADGES = "checkin.badges"  # the kind check-in registers its badge sheets under
BADGE_FOLDER = "badges/"  # where badge sheets were and are written, under the instance folder
KEEP_SHEETS = timedelta(days=7)  # a badge sheet's retention after it was built (checkin/services/badges.py)

STATE = sa.Enum("queued", "running", "done", "failed", name="documentjobstate", native_enum=False, length=10)
OLD_STATE = sa.Enum("queued", "running", "done", "failed", name="badgejobstate", native_enum=False, length=10)


def _badge_jobs_table():
    return sa.table(
        "badge_jobs",
        sa.column("id", sa.Integer),
        sa.column("activity_id", sa.Integer),
        sa.column("requested_by_id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("total", sa.Integer),
        sa.column("done", sa.Integer),
        sa.column("file_name", sa.String),
        sa.column("error", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("started_at", sa.DateTime(timezone=True)),
        sa.column("finished_at", sa.DateTime(timezone=True)),
    )


def _document_jobs_table():
    return sa.table(
        "document_jobs",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("subject_id", sa.Integer),
        sa.column("requested_by_id", sa.Integer),
        sa.column("state", sa.String),
        sa.column("total", sa.Integer),
        sa.column("done", sa.Integer),
        sa.column("file_name", sa.String),
        sa.column("content_type", sa.String),
        sa.column("error", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("started_at", sa.DateTime(timezone=True)),
        sa.column("finished_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )


def _advance_sequence(table: str) -> None:
    # Rows were copied with their ids (a sheet's download address holds it): PostgreSQL's sequence must follow.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1,"
            " false)"
        )


def upgrade():
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("use", sa.String(length=40), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_stored_files_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
    )
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_files_sha256"), ["sha256"], unique=False)

    op.create_table(
        "document_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("state", STATE, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_document_jobs_requested_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_jobs")),
    )
    with op.batch_alter_table("document_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_jobs_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_document_jobs_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index("ix_document_jobs_kind_subject", ["kind", "subject_id"], unique=False)

    # The badge jobs so far become document jobs of check-in's badge kind, with their ids (download addresses)
    # and their files where they are; a finished sheet expires a week after it was built, as before.
    bind = op.get_bind()
    old = _badge_jobs_table()
    rows = [
        {
            "id": row.id,
            "kind": BADGES,
            "subject_id": row.activity_id,
            "requested_by_id": row.requested_by_id,
            "state": row.state,
            "total": row.total,
            "done": row.done,
            "file_name": BADGE_FOLDER + row.file_name if row.file_name else None,
            "content_type": "application/pdf",
            "error": row.error,
            "created_at": row.created_at,
            "started_at": row.started_at,
            "finished_at": row.finished_at,
            "expires_at": row.finished_at + KEEP_SHEETS if row.finished_at else None,
        }
        for row in bind.execute(sa.select(old))
    ]
    if rows:
        op.bulk_insert(_document_jobs_table(), rows)
    _advance_sequence("document_jobs")

    with op.batch_alter_table("badge_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_jobs_state"))
        batch_op.drop_index(batch_op.f("ix_badge_jobs_activity_id"))
    op.drop_table("badge_jobs")


def downgrade():
    op.create_table(
        "badge_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("state", OLD_STATE, nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activities.id"], name=op.f("fk_badge_jobs_activity_id_activities"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_badge_jobs_requested_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_jobs")),
    )
    with op.batch_alter_table("badge_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_badge_jobs_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_badge_jobs_state"), ["state"], unique=False)

    # Badge jobs of activities that still exist go back; other kinds of document have no older home.
    bind = op.get_bind()
    jobs = _document_jobs_table()
    activities = sa.table("activities", sa.column("id", sa.Integer))
    rows = [
        {
            "id": row.id,
            "activity_id": row.subject_id,
            "requested_by_id": row.requested_by_id,
            "state": row.state,
            "total": row.total,
            "done": row.done,
            "file_name": row.file_name.removeprefix(BADGE_FOLDER) if row.file_name else None,
            "error": row.error,
            "created_at": row.created_at,
            "started_at": row.started_at,
            "finished_at": row.finished_at,
        }
        for row in bind.execute(
            sa.select(jobs).where(jobs.c.kind == BADGES, jobs.c.subject_id.in_(sa.select(activities.c.id)))
        )
    ]
    if rows:
        op.bulk_insert(_badge_jobs_table(), rows)
    _advance_sequence("badge_jobs")

    with op.batch_alter_table("document_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_document_jobs_kind_subject")
        batch_op.drop_index(batch_op.f("ix_document_jobs_expires_at"))
        batch_op.drop_index(batch_op.f("ix_document_jobs_state"))
    op.drop_table("document_jobs")
    with op.batch_alter_table("stored_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_sha256"))
    op.drop_table("stored_files")
