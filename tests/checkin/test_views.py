from datetime import UTC, date, datetime

from app.extensions import db
from checkin.models import Checkpoint, CheckpointAssignment
from tests.factories import make_activity, make_plan

EMPTY = "Chưa thiết lập điểm soát vé nào."


def test_volunteers_see_the_checkpoints_they_scan_at_grouped_by_activity(app, client, make_user, login):
    volunteer = make_user("volunteer")
    with app.app_context():
        plan = make_plan(period_start=date(2024, 9, 15), period_end=date(2024, 10, 31))
        festival = make_activity(
            plan, starts_at=datetime(2024, 10, 5, 0, 30, tzinfo=UTC), ends_at=datetime(2024, 10, 5, 14, tzinfo=UTC)
        )
        booth = Checkpoint(activity=festival, name="Không gian kinh tế số", kind="booth", position=2)
        entrance = Checkpoint(activity=festival, name="Cổng chính", kind="entrance", position=1)
        elsewhere = Checkpoint(activity=festival, name="Không gian xã hội số", kind="booth", position=3)
        db.session.add_all([plan, festival, booth, entrance, elsewhere])
        db.session.flush()
        db.session.add_all(
            [
                CheckpointAssignment(checkpoint_id=booth.id, user_id=volunteer["id"]),
                CheckpointAssignment(checkpoint_id=entrance.id, user_id=volunteer["id"]),
            ]
        )
        db.session.commit()
        ids = entrance.id, booth.id, elsewhere.id
    login(volunteer)
    page = client.get("/checkin/").get_data(as_text=True)
    assert "Ngày hội Chuyển đổi số" in page and "05/10/2024 07:30" in page
    assert page.index("Cổng chính") < page.index("Không gian kinh tế số")
    assert "Không gian xã hội số" not in page  # not theirs
    assert f'href="/checkin/checkpoints/{ids[0]}/scan"' in page and f'href="/checkin/checkpoints/{ids[1]}/scan"' in page
    assert f"/checkin/checkpoints/{ids[2]}/scan" not in page
    assert EMPTY not in page and 'class="empty"' not in page
    assert "/review" not in page  # the double-admission review is the organizers'


def test_a_volunteer_assigned_nowhere_is_told_so(client, make_user, login):
    login(make_user("volunteer"))
    page = client.get("/checkin/").get_data(as_text=True)
    assert "Bạn chưa được phân công quét vé ở điểm soát vé nào." in page


def test_organizers_see_every_checkpoint_with_a_scan_link(app, client, make_user, login, records):
    login(make_user("organizer"))
    page = client.get("/checkin/").get_data(as_text=True)
    assert f'href="/checkin/checkpoints/{records.checkpoint_id}/scan"' in page
    assert f'href="/checkin/checkpoints/{records.unassigned_checkpoint_id}/scan"' in page
    assert f'href="/checkin/activities/{records.activity_id}/review"' in page


def test_checkin_is_empty_state_friendly(client, make_user, login):
    login(make_user("organizer"))
    response = client.get("/checkin/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="empty"' in page and EMPTY in page
