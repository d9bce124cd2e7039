"""The schema comes from the migrations, on both databases, and matches the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db


def _include(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and name == "apscheduler_jobs")


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": _include})
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_nothing_and_upgrade_again(app):
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version", "apscheduler_jobs"}
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"units", "users", "audit_entries", "plans", "activities", "contests", "checkpoints"} <= tables
