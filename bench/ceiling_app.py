"""The ceiling: a bare Flask + Flask-SQLAlchemy app on the same database and under the same gunicorn settings as
dxday, doing the least a page or a registration can do. Its requests per second are what the stack (gunicorn,
Flask, SQLAlchemy, the driver, the database) allows on this machine; dxday's scenarios are reported as a share
of them.

- ``GET /select``: one indexed query returning 100 of its 100,000 rows, as JSON;
- ``POST /insert``: one row inserted and committed.

``CEILING_DATABASE_URL`` names the database (``gunicorn bench.ceiling_app:app``); ``prepare(url)`` creates the
table and its rows (the runner calls it before starting gunicorn)."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime

from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Index, Integer, String, create_engine, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ROWS = 100_000
GROUPS = 1_000  # /select reads one group: 100 rows through the index


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class CeilingRow(db.Model):
    __tablename__ = "bench_ceiling_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    grp: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    score: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_bench_ceiling_rows_grp_id", "grp", "id"),)

    def as_dict(self) -> dict:
        return {"id": self.id, "grp": self.grp, "name": self.name, "score": self.score,
                "created_at": self.created_at.isoformat()}  # fmt: skip


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = url or os.environ["CEILING_DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}  # as dxday's Config
    db.init_app(app)

    @app.get("/select")
    def select_rows():
        group = random.randrange(GROUPS)
        rows = db.session.scalars(select(CeilingRow).where(CeilingRow.grp == group).order_by(CeilingRow.id).limit(100))
        return jsonify([row.as_dict() for row in rows])

    @app.post("/insert")
    def insert_row():
        row = CeilingRow(grp=random.randrange(GROUPS), name="Nguyễn Văn An", score=random.randrange(1000),
                         created_at=datetime.now(UTC))  # fmt: skip
        db.session.add(row)
        db.session.commit()
        return jsonify(id=row.id), 201

    return app


def prepare(url: str, rows: int = ROWS) -> None:
    """(Re)create the ceiling's table with ``rows`` rows and its index."""
    engine = create_engine(url)
    try:
        Base.metadata.drop_all(engine, tables=[CeilingRow.__table__])
        Base.metadata.create_all(engine, tables=[CeilingRow.__table__])
        now = datetime.now(UTC)
        with Session(engine) as session:
            for start in range(0, rows, 10_000):
                session.execute(
                    insert(CeilingRow),
                    [
                        {"grp": n % GROUPS, "name": f"Người dân {n}", "score": n % 997, "created_at": now}
                        for n in range(start, min(rows, start + 10_000))
                    ],
                )
            session.commit()
    finally:
        engine.dispose()


app = create_app() if os.environ.get("CEILING_DATABASE_URL") else None
