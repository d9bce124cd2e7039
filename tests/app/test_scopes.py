"""The one way to say who may touch a record (app/scopes.py): the query filter, the instance check and the fetch
that answers 404 agree, for check-in's checkpoints and for the unit rule the next features use."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import Unit, User, Visitor
from app.scopes import UnitScoped, get_in_scope
from checkin.models import Checkpoint, Scan


class UnitRecord(UnitScoped):
    """A stand-in for a unit-scoped model (a task, a report): its unit column is the unit's own id, so the rule
    can be read straight off the unit tree without a table of its own."""

    unit_id = Unit.id


def _user(session, user_id: int) -> User:
    return session.get(User, user_id)


def test_a_volunteer_reaches_only_their_checkpoints_and_scans(app, records):
    with app.app_context():
        session = db.session
        volunteer, other = _user(session, records.users["volunteer"]), _user(session, records.users["other_volunteer"])
        organizer, admin = _user(session, records.users["organizer"]), _user(session, records.users["admin"])
        mine = {records.checkpoint_id, records.booth_id, records.gate_now_id}  # the gate under way: issue 25
        every = set(session.scalars(select(Checkpoint.id)))
        for user, expected in ((volunteer, mine), (other, set()), (organizer, every), (admin, every)):
            assert set(session.scalars(select(Checkpoint.id).where(Checkpoint.scoped_to(user)))) == expected
            for checkpoint in session.scalars(select(Checkpoint)):
                assert checkpoint.in_scope(user) == (checkpoint.id in expected)
        assert set(session.scalars(select(Checkpoint.id).where(Checkpoint.scoped_to(Visitor())))) == set()

        assert get_in_scope(session, Checkpoint, records.booth_id, volunteer).id == records.booth_id
        assert get_in_scope(session, Scan, records.scan_id, volunteer).id == records.scan_id
        for model, ident, user in (
            (Checkpoint, records.booth_id, other),
            (Checkpoint, records.exit_id, volunteer),
            (Scan, records.scan_id, other),
            (Checkpoint, 999_999, admin),  # out of scope and missing answer alike
            (Checkpoint, records.booth_id, Visitor()),
        ):
            with pytest.raises(NotFound) as refused:
                get_in_scope(session, model, ident, user)
            assert refused.value.status == 404 and refused.value.code == "not_found"


def test_a_unit_user_writes_their_units_records_and_reads_those_below(app, records):
    """A ward's reporter: their ward only. A district's user reads its wards' (and writes only its own). An
    organizer reads and writes every unit's; a user without a unit none."""
    with app.app_context():
        session = db.session
        reporter = _user(session, records.users["unit_reporter"])
        other = _user(session, records.users["other_unit_reporter"])
        district = User(
            name="Cán bộ thành phố", email="tp@example.vn", password_hash="x", unit_id=records.city_id, active=True
        )
        district.set_roles(["unit_reporter"])
        nobody = User(name="Không đơn vị", email="kdv@example.vn", password_hash="x", active=True)
        nobody.set_roles(["unit_reporter"])
        organizer = _user(session, records.users["organizer"])
        every = set(session.scalars(select(Unit.id)))

        def reach(user, write: bool) -> set[int]:
            return set(session.scalars(select(Unit.id).where(UnitRecord.scoped_to(user, write=write))))

        city_subtree = {records.city_id, records.ward_id, records.other_ward_id, records.office_id}
        assert reach(reporter, False) == reach(reporter, True) == {records.ward_id}
        assert reach(other, False) == {records.other_ward_id}
        assert reach(district, False) == city_subtree
        assert reach(district, True) == {records.city_id}
        assert reach(organizer, False) == reach(organizer, True) == every
        assert reach(nobody, False) == set()
