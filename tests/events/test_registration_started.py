"""When an activity has started, online registration is over: the citizen is told so and pointed to the venue's
welcome desk (walk-in registration runs until the end); an organizer who sets a closing time after the start is
told what it means."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from events.models import Activity

from .conftest import TZ
from .test_schedule_views import _activity_data


def test_registration_closed_by_the_start_says_so_and_points_to_the_venue(app, client, registration_setup):
    now = datetime.now(UTC)
    activity_id = registration_setup.make_activity(starts_at=now - timedelta(hours=1))
    with app.app_context():
        ends = db.session.get(Activity, activity_id).ends_at.astimezone(TZ).strftime("%H:%M")
    client.post("/language", data={"lang": "en"})
    form = client.get(f"/events/activities/{activity_id}/register").get_data(as_text=True)
    assert "The activity has started, so online registration has closed." in form
    assert f"welcome desk until it ends at {ends}" in form
    page = client.get(f"/events/activities/{activity_id}").get_data(as_text=True)
    assert "The activity has started, so online registration has closed." in page


def test_an_organizer_who_closes_registration_after_the_start_is_told_what_it_means(
    app, client, make_user, login, campaign
):
    login(make_user("organizer"))
    client.post("/language", data={"lang": "en"})
    form = client.get(f"/events/plans/{campaign.plan_id}/activities/new").get_data(as_text=True)
    assert "Online registration always closes when the activity starts" in form
    late = _activity_data(campaign, registration_closes_at="05/10/2024 12:00")  # the festival starts at 07:30
    page = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=late, follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "Registration closes after the activity starts" in text
    on_time = _activity_data(campaign, title="Lớp tập huấn", kind="training", venue_id=campaign.hall_id)
    text = client.post(
        f"/events/plans/{campaign.plan_id}/activities/new", data=on_time, follow_redirects=True
    ).get_data(as_text=True)
    assert "Registration closes after the activity starts" not in text
