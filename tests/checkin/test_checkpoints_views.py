"""The organizer sets up an activity's checkpoints and assigns volunteers; errors show on the fields, in
Vietnamese; the audit trail records it; a checkpoint that scanned tickets cannot be removed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Unit
from checkin.models import Checkpoint, CheckpointAssignment, Scan
from tests.factories import make_activity, make_plan

START = datetime(2030, 10, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
def festival(app):
    with app.app_context():
        plan = make_plan(period_start=date(2030, 9, 15), period_end=date(2030, 10, 31))
        youth = Unit(name="Thành Đoàn Tân Uyên", kind="organisation")
        activity = make_activity(plan, starts_at=START, hours=8)
        db.session.add_all([plan, youth, activity])
        db.session.commit()
        return {"activity": activity.id, "youth": youth.id}


def body(**fields):
    return {
        "name": "Cổng chính",
        "kind": "entrance",
        "rule": "once_per_day",
        "host_unit_id": "0",
        "position": "1",
    } | fields


def test_an_organizer_adds_edits_and_removes_a_checkpoint(app, client, festival, make_user, login):
    login(make_user("organizer"))
    aid = festival["activity"]
    form = client.get(f"/checkin/activities/{aid}/checkpoints/new")
    assert form.status_code == 200 and "Loại điểm soát vé" in form.get_data(as_text=True)
    response = client.post(f"/checkin/activities/{aid}/checkpoints/new", data=body(host_unit_id=str(festival["youth"])))
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu điểm soát vé." in page and "Cổng chính" in page and "Mỗi ngày một lần" in page
    assert "Đơn vị phụ trách: Thành Đoàn Tân Uyên" in page
    with app.app_context():
        point = db.session.scalar(select(Checkpoint))
        assert (point.kind, point.rule, point.host_unit_id) == ("entrance", "once_per_day", festival["youth"])
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "Checkpoint")).action == "create"
        point_id = point.id

    response = client.post(f"/checkin/checkpoints/{point_id}/edit", data=body(name="Cổng số 1", rule="once"))
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Checkpoint, point_id).name == "Cổng số 1"

    confirm = client.get(f"/checkin/checkpoints/{point_id}/delete").get_data(as_text=True)
    assert "Bỏ điểm soát vé “Cổng số 1”?" in confirm
    assert client.post(f"/checkin/checkpoints/{point_id}/delete", data={"confirm": "1"}).status_code == 303
    with app.app_context():
        assert db.session.get(Checkpoint, point_id) is None


def test_field_errors_are_in_vietnamese_and_nothing_is_saved(app, client, festival, make_user, login):
    login(make_user("organizer"))
    aid = festival["activity"]
    client.post(f"/checkin/activities/{aid}/checkpoints/new", data=body())
    page = client.post(f"/checkin/activities/{aid}/checkpoints/new", data=body(name="  cổng CHÍNH "))
    assert page.status_code == 200
    assert "Hoạt động này đã có điểm soát vé trùng tên." in page.get_data(as_text=True)
    page = client.post(f"/checkin/activities/{aid}/checkpoints/new", data=body(name="", position="5000"))
    text = page.get_data(as_text=True)
    assert "Hãy nhập tên điểm soát vé." in text and "Hãy nhập một số từ 0 đến 999." in text
    page = client.post(f"/checkin/activities/{aid}/checkpoints/new", data=body(name="Gian hàng", kind="stage"))
    assert page.status_code == 200 and 'aria-invalid="true"' in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Checkpoint.id))) == 1


def test_volunteers_are_assigned_and_removed_and_only_volunteers(app, client, festival, make_user, login):
    organizer = make_user("organizer")
    volunteer = make_user("volunteer", name="Lê Thị Hoa")
    juror = make_user("juror", name="Giám khảo")
    login(organizer)
    client.post(f"/checkin/activities/{festival['activity']}/checkpoints/new", data=body())
    with app.app_context():
        point_id = db.session.scalar(select(Checkpoint.id))
    page = client.get(f"/checkin/activities/{festival['activity']}/checkpoints").get_data(as_text=True)
    assert "Lê Thị Hoa" in page and "Giám khảo" not in page  # only volunteers are offered
    for _ in range(2):  # assigning twice keeps one assignment
        response = client.post(f"/checkin/checkpoints/{point_id}/volunteers", data={"user_id": str(volunteer["id"])})
        assert response.status_code == 303
    refused = client.post(f"/checkin/checkpoints/{point_id}/volunteers", data={"user_id": str(juror["id"])})
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Hãy chọn một tình nguyện viên trong danh sách." in page
    with app.app_context():
        assert [a.user_id for a in db.session.scalars(select(CheckpointAssignment))] == [volunteer["id"]]
    client.post(f"/checkin/checkpoints/{point_id}/volunteers/{volunteer['id']}/remove")
    with app.app_context():
        assert db.session.scalar(select(db.func.count(CheckpointAssignment.id))) == 0


def test_a_checkpoint_that_scanned_tickets_is_kept(app, client, festival, make_user, login):
    login(make_user("organizer"))
    client.post(f"/checkin/activities/{festival['activity']}/checkpoints/new", data=body())
    with app.app_context():
        point_id = db.session.scalar(select(Checkpoint.id))
        db.session.add(
            Scan(
                checkpoint_id=point_id,
                device_id="d",
                nonce="n",
                scanned_at=START,
                received_at=START,
                verdict="unknown",
                admitted=False,
            )
        )
        db.session.commit()
    response = client.post(f"/checkin/checkpoints/{point_id}/delete", data={"confirm": "1"})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "được giữ lại làm hồ sơ người đến tham dự" in page
    with app.app_context():
        assert db.session.get(Checkpoint, point_id) is not None


def test_the_checkin_home_offers_activities_to_set_up(client, festival, make_user, login):
    login(make_user("organizer"))
    page = client.get("/checkin/").get_data(as_text=True)
    assert "Thiết lập soát vé cho hoạt động khác" in page and "Ngày hội Chuyển đổi số" in page
