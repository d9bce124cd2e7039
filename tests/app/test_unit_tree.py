"""The unit tree never gets a cycle, even when two organizers move units at the same moment, and every walk
over it is bounded."""

import threading
import time

from sqlalchemy import select, update

from app.errors import DomainError
from app.extensions import db
from app.models import Unit
from app.services import MAX_UNIT_DEPTH, reaches_the_top, save_unit, subtree_cte


def _units(app, *names):
    with app.app_context():
        units = [Unit(name=name, kind="department") for name in names]
        db.session.add_all(units)
        db.session.commit()
        return [unit.id for unit in units]


def _move(app, unit_id, parent_id, before_commit=None, loaded=None, go=None):
    """Move a unit in its own app context (its own session and connection); returns "saved" or the error code."""
    with app.app_context():
        unit = db.session.get(Unit, unit_id)  # loaded before the other move is committed
        if loaded:
            loaded.set()
        if go:
            go.wait(5)
        try:
            save_unit(db.session, name=unit.name, kind=unit.kind, parent_id=parent_id, unit=unit)
            if before_commit:
                before_commit()
            db.session.commit()
            return "saved"
        except DomainError as error:
            db.session.rollback()
            return error.code


def test_two_organizers_crossing_moves_cannot_make_a_cycle(app):
    """X has a sub-unit C, Y a sub-unit D. One organizer moves X under D while another moves Y under C: each move
    is fine alone, together they make the cycle X > D > Y > C > X. No row lock orders them: the two moves write
    different rows and point at different parents."""
    x, y = _units(app, "Phòng Văn hoá - Thông tin", "Trung tâm Văn hoá - Thể thao")
    with app.app_context():
        c = Unit(name="Đội thông tin lưu động", kind="department", parent_id=x)
        d = Unit(name="Nhà văn hoá", kind="department", parent_id=y)
        db.session.add_all([c, d])
        db.session.commit()
        c, d = c.id, d.id
    results = {}
    a_wrote = threading.Event()
    b_loaded = threading.Event()

    def first():  # X under D; waits before committing so that the second move runs meanwhile
        b_loaded.wait(5)

        def hold():
            a_wrote.set()
            time.sleep(0.6)

        results["first"] = _move(app, x, d, before_commit=hold)

    def second():  # Y under C, decided while the first move is written but not yet committed
        results["second"] = _move(app, y, c, loaded=b_loaded, go=a_wrote)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {"first": "saved", "second": "unit_cycle"}
    with app.app_context():
        parents = dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())
        assert parents == {x: d, y: None, c: x, d: y}
        assert all(reaches_the_top(db.session, unit) for unit in (x, y, c, d))


def test_moving_a_unit_under_its_own_sub_unit_is_refused(app, client, make_user, login):
    x, y = _units(app, "Khối A", "Khối B")
    with app.app_context():
        db.session.execute(update(Unit).where(Unit.id == y).values(parent_id=x))
        db.session.commit()
    login(make_user("organizer"))
    page = client.get(f"/admin/units/{x}").get_data(as_text=True)
    assert f'value="{y}"' not in page  # the form does not offer its own sub-units
    response = client.post(f"/admin/units/{x}", data={"name": "Khối A", "kind": "department", "parent_id": y})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Unit, x).parent_id is None
        unit = db.session.get(Unit, x)
        try:
            save_unit(db.session, name=unit.name, kind=unit.kind, parent_id=y, unit=unit)
        except DomainError as error:
            assert error.code == "unit_cycle" and error.field == "parent_id"
        else:
            raise AssertionError("the service moved a unit under its own sub-unit")


def test_walks_over_a_corrupted_tree_end(app):
    """Should a cycle ever reach the database, the bounded queries still answer at once."""
    x, y = _units(app, "Vòng 1", "Vòng 2")
    with app.app_context():
        db.session.execute(update(Unit).where(Unit.id == x).values(parent_id=y))
        db.session.execute(update(Unit).where(Unit.id == y).values(parent_id=x))
        db.session.flush()
        tree = subtree_cte(x)
        rows = db.session.execute(select(tree.c.id, tree.c.depth)).all()
        assert len(rows) == MAX_UNIT_DEPTH + 1 and {row.id for row in rows} == {x, y}
        assert not reaches_the_top(db.session, x)
        db.session.rollback()


def test_the_subtree_of_a_district_holds_its_wards_and_hamlets(app):
    with app.app_context():
        district = Unit(name="Thành phố Tân Uyên", kind="district")
        ward = Unit(name="Phường Uyên Hưng", kind="ward", parent=district)
        hamlet = Unit(name="Khu phố 1", kind="hamlet", parent=ward)
        other = Unit(name="Phường Tân Phước Khánh", kind="ward")
        db.session.add_all([district, ward, hamlet, other])
        db.session.commit()
        tree = subtree_cte(district.id)
        assert set(db.session.scalars(select(tree.c.id))) == {district.id, ward.id, hamlet.id}
