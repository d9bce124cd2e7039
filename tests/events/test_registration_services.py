"""Registration rules: seats, the waitlist, promotion, cancelling, the window, duplicates, what check-in reads."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.errors import DomainError, NotFound
from app.models import AuditEntry
from events.models import Activity, Plan, Registration
from events.services import registration as services
from events.services.registration import signup

from .conftest import TZ, local

START = local("10/10/2024", 8)  # the activity: 10/10/2024 08:00, Vietnam time
NOW = local("01/10/2024", 9)


@pytest.fixture
def setup(registration_setup):
    return registration_setup


def sign_up(session, activity_id, phone, setup, name="Nguyễn Văn An", now=NOW, **kwargs):
    values = {"ward_id": setup.ward_id, "email": None, "consent": True, **kwargs}
    return services.register(
        session, activity_id, name=name, phone=phone, now=now, tz=TZ, secret="test-secret", **values
    )


def phones(n, start=0):
    return [f"09{12345600 + i:08d}" for i in range(start, start + n)]


def statuses(session, activity_id):
    rows = session.execute(
        select(Registration.phone, Registration.status)
        .where(Registration.activity_id == activity_id)
        .order_by(Registration.id)
    )
    return [status for _, status in rows]


def seats_taken(session, activity_id):
    return session.scalar(select(Activity.seats_taken).where(Activity.id == activity_id))


def test_seats_are_confirmed_up_to_capacity_then_people_join_the_waitlist_in_order(session, setup):
    activity_id = setup.make_activity(capacity=2, starts_at=START)
    results = [sign_up(session, activity_id, phone, setup) for phone in phones(4)]
    session.commit()
    assert [r.registration.status for r in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.position for r in results] == [None, None, 1, 2]
    assert all(r.created for r in results)
    assert seats_taken(session, activity_id) == 2


def test_without_a_capacity_everyone_gets_a_seat(session, setup):
    activity_id = setup.make_activity(capacity=None, starts_at=START)
    results = [sign_up(session, activity_id, phone, setup) for phone in phones(6)]
    session.commit()
    assert {r.registration.status for r in results} == {"confirmed"}
    assert seats_taken(session, activity_id) == 6


def test_the_phone_is_stored_normalised_and_the_token_is_long_and_unique(session, setup):
    activity_id = setup.make_activity(starts_at=START)
    first = sign_up(session, activity_id, "+84912345678", setup, email=" An@Example.VN ").registration
    second = sign_up(session, activity_id, "0987654321", setup).registration
    session.commit()
    assert first.phone == "0912345678"
    assert first.email == "an@example.vn"
    assert first.consent_at == NOW
    assert len(first.token) >= 32 and first.token != second.token


def test_cancelling_a_seat_promotes_the_oldest_waitlisted_person(session, setup):
    activity_id = setup.make_activity(capacity=1, starts_at=START)
    seated, first_waiting, second_waiting = (sign_up(session, activity_id, p, setup).registration for p in phones(3))
    session.commit()
    later = NOW + timedelta(hours=2)
    services.cancel(session, seated.token, later)
    session.commit()
    session.expire_all()
    assert statuses(session, activity_id) == ["cancelled", "confirmed", "waitlisted"]
    assert first_waiting.promoted_at == later
    assert services.waitlist_position(session, second_waiting) == 1
    assert seats_taken(session, activity_id) == 1
    transitions = session.scalars(
        select(AuditEntry.changes).where(AuditEntry.entity == "Registration", AuditEntry.action == "update")
    ).all()
    assert {"status": ["confirmed", "cancelled"]} in transitions
    assert {"status": ["waitlisted", "confirmed"]} in transitions
    trail = " ".join(str(changes) for changes in session.scalars(select(AuditEntry.changes)))
    assert "Registration" in str(session.scalars(select(AuditEntry.entity)).all())
    assert not any(phone in trail for phone in phones(3)) and seated.token not in trail


def test_cancelling_twice_changes_nothing_the_second_time(session, setup):
    activity_id = setup.make_activity(capacity=1, starts_at=START)
    seated, waiting = (sign_up(session, activity_id, p, setup).registration for p in phones(2))
    session.commit()
    services.cancel(session, seated.token, NOW)
    session.commit()
    again = services.cancel(session, seated.token, NOW + timedelta(days=1))
    session.commit()
    assert again.status == "cancelled" and again.cancelled_at == NOW
    assert statuses(session, activity_id) == ["cancelled", "confirmed"]
    assert seats_taken(session, activity_id) == 1


def test_cancelling_a_waitlist_place_keeps_the_seats_as_they_are(session, setup):
    activity_id = setup.make_activity(capacity=1, starts_at=START)
    _, first_waiting, second_waiting = (sign_up(session, activity_id, p, setup).registration for p in phones(3))
    session.commit()
    services.cancel(session, first_waiting.token, NOW)
    session.commit()
    assert statuses(session, activity_id) == ["confirmed", "cancelled", "waitlisted"]
    assert seats_taken(session, activity_id) == 1
    assert services.waitlist_position(session, second_waiting) == 1


def test_a_freed_seat_with_nobody_waiting_is_given_back(session, setup):
    activity_id = setup.make_activity(capacity=2, starts_at=START)
    first, _ = (sign_up(session, activity_id, p, setup).registration for p in phones(2))
    session.commit()
    services.cancel(session, first.token, NOW)
    session.commit()
    assert seats_taken(session, activity_id) == 1
    assert sign_up(session, activity_id, phones(1, 5)[0], setup).registration.status == "confirmed"


def test_cancelling_an_unknown_token_or_after_the_start_is_refused(session, setup):
    activity_id = setup.make_activity(starts_at=START)
    registration = sign_up(session, activity_id, phones(1)[0], setup).registration
    session.commit()
    with pytest.raises(NotFound):
        services.cancel(session, "khong-co-ma-nay", NOW)
    with pytest.raises(DomainError) as error:
        services.cancel(session, registration.token, START)
    assert error.value.code == "cancel_closed"


def test_raising_the_capacity_promotes_the_waitlist_in_order(session, setup):
    activity_id = setup.make_activity(capacity=1, starts_at=START)
    registrations = [sign_up(session, activity_id, p, setup).registration for p in phones(4)]
    session.commit()
    session.get(Activity, activity_id).capacity = 3
    session.flush()
    promoted = services.promote_waitlist(session, activity_id, NOW)
    session.commit()
    assert promoted == [registrations[1].id, registrations[2].id]
    assert statuses(session, activity_id) == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert services.promote_waitlist(session, activity_id, NOW) == []
    session.get(Activity, activity_id).capacity = None
    session.flush()
    assert services.promote_waitlist(session, activity_id, NOW) == [registrations[3].id]
    session.commit()
    assert seats_taken(session, activity_id) == 4


def test_the_same_phone_cannot_register_twice_and_gets_a_kind_answer(session, setup):
    activity_id = setup.make_activity(capacity=1, starts_at=START)
    first = sign_up(session, activity_id, "0912345678", setup).registration
    session.commit()
    with pytest.raises(services.AlreadyRegistered) as error:
        sign_up(session, activity_id, "+84 912 345 678", setup, name="Người khác")
    assert error.value.code == "already_registered" and error.value.field == "phone"
    assert error.value.registration.id == first.id
    session.rollback()
    count = select(func.count(Registration.id)).where(Registration.activity_id == activity_id)
    assert session.scalar(count) == 1
    assert seats_taken(session, activity_id) == 1


def test_a_duplicate_caught_by_the_unique_index_gives_its_seat_back(session, setup, app, monkeypatch):
    # The same phone sent twice at once: both submissions read "not registered yet"; the other one commits
    # between this one's read and its write, so here the seat is taken, the unique index refuses the insert (ON
    # CONFLICT DO NOTHING), and the seat must be given back, with no audit entry and no message for the refusal.
    from sqlalchemy.orm import Session

    from app.extensions import db
    from app.models import OutboxMessage
    from events.services.registration import seats

    activity_id = setup.make_activity(capacity=5, starts_at=START)
    real_read, given_back = signup._what_registering_reads, []

    def read_then_let_the_other_commit(*args, **kwargs):
        found = real_read(*args, **kwargs)
        monkeypatch.setattr(signup, "_what_registering_reads", real_read)  # the other submission reads as usual
        with Session(db.engine) as other:
            sign_up(other, activity_id, "0912345678", setup)
            other.commit()
        return found

    real_give_back = seats._give_back_seat
    monkeypatch.setattr(signup, "_what_registering_reads", read_then_let_the_other_commit)
    monkeypatch.setattr(seats, "_give_back_seat", lambda *args: given_back.append(args) or real_give_back(*args))
    audit_before = session.scalar(select(func.count(AuditEntry.id)))
    with pytest.raises(services.AlreadyRegistered):
        sign_up(session, activity_id, "0912345678", setup)
    session.commit()
    assert seats_taken(session, activity_id) == 1
    assert len(given_back) == 1  # the path was reached: the seat was taken, then given back
    assert statuses(session, activity_id) == ["confirmed"]
    # The other submission's entry and confirmation only.
    assert session.scalar(select(func.count(AuditEntry.id))) == audit_before + 1
    assert session.scalar(select(func.count(OutboxMessage.id))) == 1


def test_after_cancelling_the_same_phone_may_register_again(session, setup):
    activity_id = setup.make_activity(capacity=1, starts_at=START)
    first = sign_up(session, activity_id, "0912345678", setup).registration
    session.commit()
    services.cancel(session, first.token, NOW)
    session.commit()
    again = sign_up(session, activity_id, "0912345678", setup).registration
    session.commit()
    assert again.id != first.id and again.token != first.token
    assert again.status == "confirmed"


def test_replaying_the_same_submission_answers_the_first_registration(session, setup):
    activity_id = setup.make_activity(capacity=1, starts_at=START)
    key = "a" * 32
    first = sign_up(session, activity_id, "0912345678", setup, submission_key=key)
    session.commit()
    assert first.registration.token == services.ticket_token("test-secret", key) != key
    replay = sign_up(session, activity_id, "0912345678", setup, submission_key=key)
    assert replay.registration.id == first.registration.id and not replay.created
    other_person = sign_up(session, activity_id, "0987654321", setup, submission_key=key)
    session.commit()
    assert other_person.created and other_person.registration.token != first.registration.token
    assert statuses(session, activity_id) == ["confirmed", "waitlisted"]


def test_a_retry_just_after_registration_closes_answers_the_registration_it_made(session, setup):
    """The submission went through at 09:59:59; its answer was lost and the phone retries at 10:00:01, after the
    window closed at 10:00: the person gets their registration, not "registration closed". Someone new is refused."""
    closes = local("05/10/2024", 10)
    activity_id = setup.make_activity(capacity=5, starts_at=START, registration_closes_at=closes)
    key = "r" * 32
    first = sign_up(session, activity_id, "0912345678", setup, now=closes - timedelta(seconds=1), submission_key=key)
    session.commit()
    retry = sign_up(session, activity_id, "0912345678", setup, now=closes + timedelta(seconds=1), submission_key=key)
    assert (retry.registration.id, retry.created) == (first.registration.id, False)
    with pytest.raises(DomainError) as closed:
        sign_up(session, activity_id, "0987654321", setup, now=closes + timedelta(seconds=1), submission_key="s" * 32)
    assert closed.value.code == "registration_closed"
    # The same page sent again after cancelling is a new sign-up, and the window is closed for it.
    services.cancel(session, first.registration.token, closes + timedelta(minutes=1))
    session.commit()
    with pytest.raises(DomainError) as after_cancel:
        sign_up(session, activity_id, "0912345678", setup, now=closes + timedelta(minutes=2), submission_key=key)
    assert after_cancel.value.code == "registration_closed"


@pytest.mark.parametrize(
    ("change", "now", "expected"),
    [
        ({"registration_open": False}, NOW, "registration_closed"),
        ({"cancelled": True}, NOW, "registration_closed"),
        ({"is_public": False}, NOW, "not_found"),
        ({"registration_opens_at": local("02/10/2024", 0)}, NOW, "registration_closed"),
        ({"registration_closes_at": NOW}, NOW, "registration_closed"),
        ({}, START, "registration_closed"),
        ({"registration_opens_at": NOW, "registration_closes_at": NOW + timedelta(minutes=1)}, NOW, None),
    ],
)
def test_the_registration_window(session, setup, change, now, expected):
    activity_id = setup.make_activity(starts_at=START, **change)
    if expected is None:
        assert sign_up(session, activity_id, "0912345678", setup, now=now).registration.status == "confirmed"
        return
    with pytest.raises(DomainError) as error:
        sign_up(session, activity_id, "0912345678", setup, now=now)
    assert error.value.code == expected


def test_a_window_not_yet_open_says_when_it_opens(session, setup):
    activity_id = setup.make_activity(starts_at=START, registration_opens_at=local("05/10/2024", 7, 30))
    activity = session.get(Activity, activity_id)
    assert services.registration_state(activity, NOW) == "not_yet"
    with pytest.raises(DomainError) as error:
        services.check_registration_open(activity, NOW, tz=TZ)
    assert "05/10/2024 07:30" in str(error.value.message)


def test_a_draft_plan_takes_no_registrations(session, setup):
    activity_id = setup.make_activity(starts_at=START)
    session.get(Plan, setup.plan_id).status = "draft"
    session.flush()
    with pytest.raises(DomainError) as error:
        sign_up(session, activity_id, "0912345678", setup)
    assert error.value.code == "not_found"  # a draft's activities are not revealed to citizens
    with pytest.raises(NotFound):
        services.public_activity(session, activity_id)


def test_consent_a_real_ward_a_name_and_a_phone_are_required(session, setup):
    activity_id = setup.make_activity(starts_at=START)
    cases = [
        ({"consent": False}, "consent_required", "consent"),
        ({"ward_id": None}, "unknown_ward", "ward_id"),
        ({"ward_id": setup.plan_id + 10_000}, "unknown_ward", "ward_id"),
        ({"name": "   "}, "name_required", "name"),
        ({"phone": "12345"}, "invalid_phone", "phone"),
    ]
    for change, code, field in cases:
        values = {"phone": "0912345678", **change}
        with pytest.raises(DomainError) as error:
            sign_up(session, activity_id, setup=setup, **values)
        assert (error.value.code, error.value.field) == (code, field)


def test_nothing_is_kept_unless_the_caller_commits(session, setup):
    activity_id = setup.make_activity(capacity=3, starts_at=START)
    sign_up(session, activity_id, "0912345678", setup)
    session.rollback()
    assert statuses(session, activity_id) == []
    assert seats_taken(session, activity_id) == 0


def test_summary_and_list_give_the_figures_the_plan_page_and_organizers_see(session, setup):
    activity_id = setup.make_activity(capacity=2, starts_at=START)
    empty_id = setup.make_activity(capacity=None, starts_at=START)
    registrations = [sign_up(session, activity_id, p, setup).registration for p in phones(4)]
    services.cancel(session, registrations[3].token, NOW)
    session.commit()
    assert services.registration_summary(session, activity_id) == {
        "confirmed": 2,
        "waitlisted": 1,
        "cancelled": 1,
        "capacity": 2,
        "seats_left": 0,
    }
    both = services.registration_summaries(session, [activity_id, empty_id])
    assert both[empty_id] == {"confirmed": 0, "waitlisted": 0, "cancelled": 0, "capacity": None, "seats_left": None}
    listed = services.list_registrations(session, activity_id)
    assert [(r.id, position) for r, position in listed] == [
        (registrations[0].id, None),
        (registrations[1].id, None),
        (registrations[2].id, 1),
        (registrations[3].id, None),
    ]
    with pytest.raises(NotFound):
        services.registration_summary(session, 999_999)


def test_ticket_for_gives_check_in_the_registration_with_its_activity(session, setup):
    activity_id = setup.make_activity(starts_at=START)
    token = sign_up(session, activity_id, "0912345678", setup).registration.token
    session.commit()
    session.expunge_all()
    ticket = services.ticket_for(session, token)
    assert ticket.activity.id == activity_id and ticket.activity.venue.name == "Hội trường UBND thành phố"
    assert ticket.status == "confirmed"
    assert services.ticket_for(session, "khong-co") is None
    assert services.ticket_for(session, "") is None


def test_names_sort_as_a_vietnamese_reader_expects():
    names = ["Xã Bạch Đằng", "Phường Đông Hòa", "Phường Dĩ An", "Phường An Bình", "Phường Ánh Sáng"]
    assert sorted(names, key=services.vietnamese_sort_key) == [
        "Phường An Bình",
        "Phường Ánh Sáng",
        "Phường Dĩ An",
        "Phường Đông Hòa",
        "Xã Bạch Đằng",
    ]


def test_phones_are_masked_for_display():
    assert services.mask_phone("0912345678") == "09******78"
    assert services.mask_phone("") == ""
    assert services.mask_phone("123") == "***"


def test_wards_are_grouped_by_their_district_in_vietnamese_order(session, setup):
    listed = services.wards_by_district(session)
    assert [district for district, _ in listed] == ["Thành phố Tân Uyên", "Thành phố Thủ Dầu Một"]
    groups = dict(listed)
    assert [name for _, name in groups["Thành phố Tân Uyên"]] == ["Phường Uyên Hưng"]
    assert [name for _, name in groups["Thành phố Thủ Dầu Một"]] == ["Phường Phú Cường"]


def test_personal_data_is_deleted_30_days_after_the_report_deadline(session, setup):
    activity_id = setup.make_activity(starts_at=START)
    sign_up(session, activity_id, "0912345678", setup)
    session.commit()
    plan = session.get(Plan, setup.plan_id)
    assert services.retention_until(plan) == date(2024, 12, 1)
    assert services.purge_expired_registrations(session, local("01/12/2024", 23), tz=TZ).changed == 0
    assert services.purge_expired_registrations(session, local("02/12/2024", 0, 5), tz=TZ).changed == 1
    session.commit()
    assert statuses(session, activity_id) == []
    assert services.purge_expired_registrations(session, local("02/12/2024", 1), tz=TZ).changed == 0
