"""Typos and forged input that once cost a page, a job or a worker: each gets a clear answer, nothing else."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app import scheduler
from app.extensions import db
from events.models import Activity, Plan, Registration

from .conftest import local
from .test_transfer_services import campaign_row, upload


@pytest.fixture
def app(make_app):
    return make_app(REGISTRATION_RATE_LIMIT="1000 per minute")


@pytest.fixture
def organizer(make_user, login):
    login(make_user("organizer"))


def test_the_calendar_refuses_dates_beyond_its_range(client):
    for day in ("0001-01-01", "9999-12-31", "1900-06-01"):
        assert client.get(f"/events/calendar?date={day}").status_code == 400
    for view in ("month", "week", "list"):
        assert client.get(f"/events/calendar?view={view}&date=2024-10-01").status_code == 200


def test_a_plan_period_must_be_plausible(client, organizer, app):
    base = {"title": "Kế hoạch", "period_start": "15/09/9990", "period_end": "31/10/9990"}
    page = client.post("/events/plans/new", data=base).get_data(as_text=True)
    assert "Thời gian thực hiện phải bắt đầu trong vòng 10 năm kể từ hôm nay." in page
    page = client.post(
        "/events/plans/new", data={**base, "period_start": "15/09/2025", "period_end": "31/10/2035"}
    ).get_data(as_text=True)
    assert "Một kế hoạch kéo dài tối đa 6 năm." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Plan.id))) == 0


def test_an_activity_dated_centuries_away_is_refused_not_drawn(client, organizer, app, campaign):
    data = {
        "title": "Ngày hội",
        "kind": "festival",
        "starts_at": "10/03/9990 07:30",
        "ends_at": "10/03/9990 21:00",
        "venue_id": 0,
        "area_unit_id": 0,
        "lead_unit_id": 0,
        "is_public": "y",
    }
    page = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=data).get_data(as_text=True)
    assert "ngoài xa thời gian của kế hoạch" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_a_plan_dated_at_the_end_of_the_calendar_breaks_neither_its_page_nor_the_purge(app, client, campaign):
    with app.app_context():
        broken = Plan(
            title="Lỗi gõ năm", status="published", period_start=date(2024, 9, 1), period_end=date(9999, 12, 31)
        )
        db.session.add(broken)
        db.session.flush()
        db.session.add(
            Activity(
                plan_id=broken.id,
                title="Lớp học",
                kind="training",
                starts_at=local("01/10/2024", 8),
                ends_at=datetime(9999, 12, 31, 10, tzinfo=UTC),
            )
        )
        # An ordinary plan, long over: its registrations are due for deletion.
        activity = Activity(
            plan_id=campaign.plan_id,
            title="Ngày hội",
            kind="festival",
            starts_at=local("05/10/2024", 8),
            ends_at=local("05/10/2024", 17),
        )
        db.session.add(activity)
        db.session.flush()
        db.session.add(
            Registration(
                activity_id=activity.id,
                name="An",
                phone="0912345678",
                consent_at=local("01/10/2024"),
                status="confirmed",
                token="t" * 32,
            )
        )
        db.session.commit()
        broken_id = broken.id
    page = client.get(f"/events/plans/{broken_id}")
    assert page.status_code == 200 and len(page.data) < 200_000
    with app.app_context():
        result = scheduler.run_job_now("events.purge_expired_registrations", datetime(2025, 3, 1, tzinfo=UTC))
        db.session.commit()
        assert result.ok and result.changed == 1
        assert db.session.scalar(select(func.count(Registration.id))) == 0


@pytest.mark.parametrize("consent", [0, 1, "no", "off", "False", "true", "y", None, [], {}])
def test_only_json_true_is_consent(client, registration_setup, consent, app):
    activity_id = registration_setup.make_activity()
    body = {"name": "Nguyễn Thị Bích", "phone": "0912345678", "ward_id": registration_setup.ward_id, "consent": consent}
    response = client.post(f"/events/api/activities/{activity_id}/registrations", json=body)
    assert response.status_code == 422
    assert "consent" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 0
    body["consent"] = True
    assert client.post(f"/events/api/activities/{activity_id}/registrations", json=body).status_code == 201


def test_an_import_row_outside_the_plan_period_is_an_error(client, organizer, app, campaign):
    rows = [
        campaign_row(),
        campaign_row(title="Lớp tập huấn", starts_at="05/12/2024 08:00", ends_at="05/12/2024 11:00"),
    ]
    page = client.post(
        f"/events/plans/{campaign.plan_id}/import",
        data={"file": (upload(rows), "lich.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Hoạt động này nằm ngoài thời gian của kế hoạch (15/09/2024 – 31/10/2024)." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Activity.id))) == 0
