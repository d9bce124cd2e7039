"""The audit trail, through the pages: deletions are recorded, and citizens' personal data never is."""

from __future__ import annotations

import json

from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEntry
from events.models import Activity, Registration


def entries(app, **filters) -> list[AuditEntry]:
    with app.app_context():
        stmt = select(AuditEntry).filter_by(**filters).order_by(AuditEntry.id)
        rows = db.session.scalars(stmt).all()
        db.session.expunge_all()
        return rows


def test_deleting_a_stop_and_a_programme_item_is_recorded(app, client, records, sign_in):
    sign_in(client, records.users["organizer"])
    stop_id, item_id = records.stop_ids[1], records.item_id

    assert client.post(f"/events/stops/{stop_id}/delete", data={"confirm": "1"}).status_code == 302
    assert client.post(f"/events/programme/{item_id}/delete", data={"confirm": "1"}).status_code == 302

    (stop_entry,) = entries(app, entity="TourStop", action="delete")
    assert stop_entry.entity_id == str(stop_id) and stop_entry.actor_id == records.users["organizer"]
    assert stop_entry.changes["name"] == "Cụm 2" and stop_entry.changes["activity_id"] == records.tour_id
    (item_entry,) = entries(app, entity="ProgrammeItem", action="delete")
    assert item_entry.entity_id == str(item_id) and item_entry.actor_id == records.users["organizer"]
    assert item_entry.changes["title"] == "Lễ ra mắt Kênh giao tiếp số"


def test_registrants_personal_data_never_reaches_the_audit_trail(app, client, records, sign_in):
    """Register through the page and the API, fill the seats so one waits, cancel, get promoted: then no name,
    phone, email or ticket token appears anywhere in the trail or on its admin page."""
    with app.app_context():  # one seat left: the second sign-up waits
        db.session.execute(update(Activity).where(Activity.id == records.activity_id).values(capacity=2))
        db.session.commit()
    people = [
        {"name": "Phạm Thị Thu Hương", "phone": "0903 112 233", "email": "huong.pham@example.vn"},
        {"name": "Đỗ Quang Vinh", "phone": "0355.667.788", "email": "vinh.do@example.vn"},
    ]
    tokens = []
    for person in people:
        response = client.post(
            f"/events/activities/{records.activity_id}/register",
            data={**person, "ward_id": str(records.ward_id), "consent": "y"},
        )
        assert response.status_code == 303
        tokens.append(response.headers["Location"].rsplit("/", 1)[-1])
    api_person = {"name": "Bùi Minh Khoa", "phone": "+84977889900", "email": "khoa.bui@example.vn"}
    response = client.post(
        f"/events/api/activities/{records.activity_id}/registrations",
        json={**api_person, "ward_id": records.ward_id, "consent": True},
    )
    assert response.status_code == 201 and response.get_json()["status"] == "waitlisted"
    tokens.append(response.get_json()["token"])

    # The first cancels: the second is promoted from the waiting list.
    assert client.post(f"/events/registrations/{tokens[0]}/cancel").status_code == 303
    with app.app_context():
        statuses = dict(db.session.execute(select(Registration.token, Registration.status)).all())
        secrets = [
            value
            for registration in db.session.scalars(select(Registration))
            for value in (registration.name, registration.phone, registration.email, registration.token)
        ]
    assert [statuses[token] for token in tokens] == ["cancelled", "confirmed", "waitlisted"]

    personal = {s for s in secrets if s} | {p["phone"] for p in people} | {"0977889900", "977889900"}
    assert len(personal) >= 16  # four registrations (with the fixture's), each with name, phone, email, token
    trail = entries(app)
    assert any(entry.entity == "Registration" for entry in trail)
    leaks = []
    for entry in trail:
        text = json.dumps([entry.entity, entry.entity_id, entry.changes], ensure_ascii=False)
        leaks += [f"{entry.action} {entry.entity} {entry.entity_id}: {value}" for value in personal if value in text]
    assert leaks == []

    sign_in(client, records.users["admin"])
    page = client.get("/admin/audit?entity=Registration").get_data(as_text=True)
    assert "Registration" in page
    assert [value for value in personal if value in page] == []


def test_every_kind_of_entry_is_named_on_the_trail_page(app, client, records, sign_in):
    # An export, an erasure and a page showing phones in full are what a data-protection officer looks for.
    with app.app_context():
        for action in ("export", "erase", "disclose"):
            db.session.add(AuditEntry(action=action, entity="QuizRound", entity_id="1", changes={}))
        db.session.commit()
    sign_in(client, records.users["admin"])
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "đã xuất" in page and "đã xóa dữ liệu cá nhân" in page and "đã hiển thị đầy đủ" in page
