from datetime import UTC, date, datetime

from app.extensions import db
from checkin.models import Checkpoint
from events.models import Activity, Plan

EMPTY = "Chưa thiết lập điểm soát vé nào."


def test_volunteers_see_checkpoints_grouped_by_activity(app, client, make_user, login):
    with app.app_context():
        plan = Plan(title="Kế hoạch", status="published", period_start=date(2024, 9, 15), period_end=date(2024, 10, 31))
        festival = Activity(
            plan=plan,
            title="Ngày hội Chuyển đổi số",
            kind="festival",
            starts_at=datetime(2024, 10, 5, 0, 30, tzinfo=UTC),
            ends_at=datetime(2024, 10, 5, 14, tzinfo=UTC),
        )
        db.session.add_all(
            [
                plan,
                festival,
                Checkpoint(activity=festival, name="Không gian kinh tế số", kind="booth", position=2),
                Checkpoint(activity=festival, name="Cổng chính", kind="entrance", position=1),
            ]
        )
        db.session.commit()
    login(make_user("volunteer"))
    page = client.get("/checkin/").get_data(as_text=True)
    assert "Ngày hội Chuyển đổi số" in page and "05/10/2024 07:30" in page
    assert page.index("Cổng chính") < page.index("Không gian kinh tế số")
    assert EMPTY not in page and 'class="empty"' not in page


def test_checkin_is_empty_state_friendly(client, make_user, login):
    login(make_user("organizer"))
    response = client.get("/checkin/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="empty"' in page and EMPTY in page
