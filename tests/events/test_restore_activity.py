"""Restoring a cancelled activity: an organizer takes the cancellation back, everyone still registered is told
once per restore (e-mail through a real SMTP server), and an activity that is over stays cancelled. Its SMS is
checked with every other in test_sms_forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.errors import DomainError
from app.extensions import db
from events.models import Activity
from events.services import activities

from . import test_registration_messages as messages
from .test_registration_messages import register, send_job

# The messages' fixtures: an app whose mail goes to a real SMTP server, and that server.
app, smtp = messages.app, messages.smtp


def test_an_organizer_restores_a_cancelled_activity_and_everyone_registered_hears_it_once(
    app,
    client,
    registration_setup,
    smtp,
    make_user,
    login,  # noqa: F811
):
    inbox, _port = smtp
    activity_id = registration_setup.make_activity(capacity=5)
    register(client, registration_setup, activity_id, email_address="mot@example.vn")
    login(make_user("organizer"))
    assert client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1"}).status_code == 302
    send_job(app)
    inbox.messages.clear()

    edit = client.get(f"/events/activities/{activity_id}/edit").get_data(as_text=True)
    assert f"/events/activities/{activity_id}/restore" in edit  # the way back is on the cancelled activity's page
    asked = client.get(f"/events/activities/{activity_id}/restore").get_data(as_text=True)
    assert "1 người đã đăng ký sẽ được báo rằng hoạt động diễn ra trở lại." in asked
    for _ in range(2):  # a double click restores once and tells once
        assert client.post(f"/events/activities/{activity_id}/restore", data={"confirm": "1"}).status_code == 302
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        assert not activity.cancelled and not activity.registration_open  # registration stays closed
    send_job(app)
    assert [m["To"] for m in inbox.messages] == ["mot@example.vn"]
    assert "Lớp tập huấn kỹ năng số cho người dân" in inbox.subjects()[0]

    # Cancelled again after the restore: told again (each cancellation is news).
    inbox.messages.clear()
    assert client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1"}).status_code == 302
    send_job(app)
    assert [m["To"] for m in inbox.messages] == ["mot@example.vn"]


def test_a_restore_without_its_confirmation_changes_nothing(app, client, registration_setup, make_user, login):
    activity_id = registration_setup.make_activity(capacity=5)
    login(make_user("organizer"))
    client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1"})
    client.post(f"/events/activities/{activity_id}/restore")
    with app.app_context():
        assert db.session.get(Activity, activity_id).cancelled


def test_an_activity_that_is_over_cannot_be_restored(app, registration_setup):
    activity_id = registration_setup.make_activity(capacity=5)
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        assert activities.cancel_activity(db.session, activity, datetime.now(UTC))
        later = activity.ends_at + timedelta(minutes=1)
        with pytest.raises(DomainError) as refused:
            activities.restore_activity(db.session, activity, later)
        assert refused.value.code == "activity_over" and activity.cancelled
        before_end = activity.ends_at - timedelta(minutes=1)
        assert activities.restore_activity(db.session, activity, before_end) is True
        assert activities.restore_activity(db.session, activity, before_end) is False  # idempotent
