"""One spelling per word across what people read: the Vietnamese catalogue and the demo data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import String, Text, select

from app.demo import load_demo
from app.extensions import db

CATALOGUE = Path(__file__).resolve().parents[2] / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
# (the spelling people must not meet, the one the app uses)
SPELLINGS = [("chíp", "chip")]


def test_the_catalogue_spells_chip_one_way():
    text = CATALOGUE.read_text(encoding="utf-8")
    for wrong, right in SPELLINGS:
        assert wrong not in text, f"the catalogue writes {wrong!r}: use {right!r}"


def test_the_demo_data_spells_chip_one_way(app):
    with app.app_context():
        load_demo(db.session, password="mat-khau-demo-1010")
        db.session.commit()
        found = []
        for table in db.metadata.sorted_tables:
            columns = [column for column in table.columns if isinstance(column.type, String | Text)]
            if not columns:
                continue
            for row in db.session.execute(select(*columns)):
                found += [
                    (table.name, value)
                    for value in row
                    if isinstance(value, str) and any(wrong in value for wrong, _right in SPELLINGS)
                ]
        assert found == []
        assert db.session.scalar(select(db.func.count()).select_from(db.metadata.tables["activities"])) > 0
