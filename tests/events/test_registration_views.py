"""What a citizen and an organizer see of registration: the form, its errors, the confirmation, cancelling,
the organizer's list, the JSON API, CSRF and rate limits."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.legal import law_in_force
from events.models import Activity, Registration

PHONE = "0912345678"
MASKED = "09******78"


@pytest.fixture
def app(make_app):
    # A generous limit, so tests that submit many times are not stopped; the rate-limit test builds its own app.
    return make_app(REGISTRATION_RATE_LIMIT="1000 per minute")


@pytest.fixture
def setup(registration_setup):
    return registration_setup


def form_data(setup, **changes):
    data = {"name": "Nguyễn Thị Bích", "phone": PHONE, "ward_id": str(setup.ward_id), "email": "", "consent": "y"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def register_url(activity_id):
    return f"/events/activities/{activity_id}/register"


def count_registrations(app, activity_id, status=None):
    with app.app_context():
        query = select(func.count(Registration.id)).where(Registration.activity_id == activity_id)
        if status:
            query = query.where(Registration.status == status)
        return db.session.scalar(query)


def token_of(response):
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_the_form_explains_the_use_of_data_and_lists_wards_by_district(client, setup):
    activity_id = setup.make_activity(capacity=5)
    page = client.get(register_url(activity_id)).get_data(as_text=True)
    assert "Lớp tập huấn kỹ năng số cho người dân" in page
    assert "Còn 5/5 chỗ trống." in page
    assert law_in_force(datetime.now(UTC).year) in page  # the law in force when the consent is given
    assert "Cách chúng tôi sử dụng dữ liệu của bạn" in page
    assert "Đến hết ngày 01/12/2024" in page  # report deadline 01/11/2024 + 30 days
    assert "Phòng Văn hóa và Thông tin, đơn vị tổ chức kế hoạch này." in page
    assert page.index('<optgroup label="Thành phố Tân Uyên">') < page.index('<optgroup label="Thành phố Thủ Dầu Một">')
    assert "Chọn phường, xã" in page
    assert re.search(r'name="submission" type="hidden" value="[A-Za-z0-9_-]{32}"', page)


def test_an_empty_form_shows_a_vietnamese_error_on_every_required_field(client, setup, app):
    activity_id = setup.make_activity()
    response = client.post(register_url(activity_id), data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vui lòng sửa các mục được đánh dấu bên dưới." in page
    assert "Nhập họ và tên của bạn." in page
    assert "Nhập số điện thoại của bạn." in page
    assert "Chọn phường, xã nơi bạn cư trú." in page
    assert "Vui lòng đồng ý cho phép sử dụng dữ liệu cá nhân của bạn để đăng ký." in page
    assert count_registrations(app, activity_id) == 0


def test_bad_values_get_field_errors_and_the_typed_values_stay(client, setup, app):
    activity_id = setup.make_activity()
    page = client.post(
        register_url(activity_id), data=form_data(setup, phone="12 345", email="an@", consent=None)
    ).get_data(as_text=True)
    assert "Số điện thoại gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09, hoặc bắt đầu bằng +84." in page
    assert "Địa chỉ email không hợp lệ." in page
    assert "Vui lòng đồng ý cho phép sử dụng dữ liệu cá nhân của bạn để đăng ký." in page
    assert 'value="Nguyễn Thị Bích"' in page
    assert 'value="12345"' in page  # spaces people type are dropped, the digits stay
    assert 'value="an@"' in page
    assert f'<option selected value="{setup.ward_id}">' in page
    assert re.search(r'name="submission" type="hidden" value="[A-Za-z0-9_-]{32}"', page)  # a key for the retry
    assert count_registrations(app, activity_id) == 0


def test_an_unknown_ward_is_refused(client, setup, app):
    activity_id = setup.make_activity()
    response = client.post(register_url(activity_id), data=form_data(setup, ward_id="999999"))
    assert response.status_code == 200  # the service checks the ward (a POST does not load every ward to do it)
    assert "Chọn phường, xã nơi bạn cư trú trong danh sách." in response.get_data(as_text=True)
    assert count_registrations(app, activity_id) == 0


def test_a_citizen_registers_and_sees_the_confirmation_with_a_masked_phone(client, setup, app):
    activity_id = setup.make_activity(capacity=5)
    response = client.post(register_url(activity_id), data=form_data(setup, phone="+84 912 345 678"))
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/events/registrations/")
    page_response = client.get(response.headers["Location"])
    page = page_response.get_data(as_text=True)
    assert "Bạn đã đăng ký thành công" in page
    assert "Chỗ của bạn đã được xác nhận." in page
    assert MASKED in page and PHONE not in page
    assert "Phường Uyên Hưng" in page
    assert "Hội trường UBND thành phố" in page
    assert "Mã QR vé của bạn" in page and "Mã vé" in page  # the check-in feature's ticket (templates/checkin)
    assert "Hủy đăng ký của tôi" in page
    assert page_response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert count_registrations(app, activity_id, "confirmed") == 1


def test_when_the_seats_are_taken_the_page_gives_the_waitlist_position(client, setup):
    activity_id = setup.make_activity(capacity=1)
    client.post(register_url(activity_id), data=form_data(setup))
    assert "Đã hết chỗ." in client.get(register_url(activity_id)).get_data(as_text=True)
    client.post(register_url(activity_id), data=form_data(setup, phone="0987654321", name="Trần Văn Cường"))
    third = client.post(register_url(activity_id), data=form_data(setup, phone="0355555555", name="Lê Thị Dung"))
    page = client.get(third.headers["Location"]).get_data(as_text=True)
    assert "Bạn đang trong danh sách chờ" in page
    assert "Bạn đang ở vị trí số 2 trong danh sách chờ." in page


def test_the_same_phone_is_refused_kindly_without_revealing_the_other_ticket(client, setup, app):
    activity_id = setup.make_activity()
    first = client.post(register_url(activity_id), data=form_data(setup))
    first_token = token_of(first)
    response = client.post(register_url(activity_id), data=form_data(setup, name="Người khác", phone="0912.345.678"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Số điện thoại này đã được dùng để đăng ký hoạt động này." in page
    assert first_token not in page
    assert 'value="Người khác"' in page
    assert count_registrations(app, activity_id) == 1


def test_submitting_the_same_page_twice_makes_one_registration(client, setup, app):
    activity_id = setup.make_activity()
    page = client.get(register_url(activity_id)).get_data(as_text=True)
    key = re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)
    first = client.post(register_url(activity_id), data=form_data(setup, submission=key))
    second = client.post(register_url(activity_id), data=form_data(setup, submission=key))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count_registrations(app, activity_id) == 1
    # The same page used again for another person (back button, new phone) registers that person.
    third = client.post(register_url(activity_id), data=form_data(setup, submission=key, phone="0987654321"))
    assert third.status_code == 303 and third.headers["Location"] != first.headers["Location"]
    assert count_registrations(app, activity_id) == 2


def test_cancelling_frees_the_seat_for_the_waitlist_and_can_be_repeated(client, setup, app):
    activity_id = setup.make_activity(capacity=1)
    seated = token_of(client.post(register_url(activity_id), data=form_data(setup)))
    waiting = token_of(client.post(register_url(activity_id), data=form_data(setup, phone="0987654321")))
    response = client.post(f"/events/registrations/{seated}/cancel")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đăng ký của bạn đã được hủy. Cảm ơn bạn đã báo cho Ban Tổ chức." in page
    assert "Đăng ký này đã bị hủy." in page
    assert "Hủy đăng ký của tôi" not in page
    assert "Đăng ký lại" in page
    assert client.post(f"/events/registrations/{seated}/cancel").status_code == 303  # idempotent
    promoted = client.get(f"/events/registrations/{waiting}").get_data(as_text=True)
    assert "Chỗ của bạn đã được xác nhận." in promoted
    assert "Bạn đã được chuyển từ danh sách chờ sang danh sách chính thức" in promoted
    with app.app_context():
        assert db.session.get(Activity, activity_id).seats_taken == 1


def test_too_late_to_cancel_is_said_in_the_visitors_language(client, setup, app):
    """The refusal comes from the service; it must be marked for translation there (an unmarked message shows in
    English on the Vietnamese page): the same refusal, rendered in both languages, differs as the catalogue says."""
    activity_id = setup.make_activity()
    seated = token_of(client.post(register_url(activity_id), data=form_data(setup)))
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        activity.starts_at, activity.ends_at = (
            activity.starts_at - timedelta(days=31),
            activity.ends_at - timedelta(days=31),
        )
        db.session.commit()
    pages = {}
    for lang in ("vi", "en"):
        client.post("/language", data={"lang": lang, "next": "/"})
        refused = client.post(f"/events/registrations/{seated}/cancel")
        assert refused.status_code == 303
        pages[lang] = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Hoạt động đã bắt đầu nên không thể hủy đăng ký nữa." in pages["vi"]
    assert "This activity has already started, so the registration can no longer be cancelled." in pages["en"]
    assert "already started" not in pages["vi"]
    assert count_registrations(app, activity_id, status="confirmed") == 1


def test_unknown_tickets_and_internal_activities_are_not_found(client, setup):
    internal = setup.make_activity(is_public=False)
    assert client.get(register_url(internal)).status_code == 404
    assert client.get(register_url(999_999)).status_code == 404
    assert client.get("/events/registrations/" + "x" * 32).status_code == 404
    assert client.get("/events/registrations/short").status_code == 404
    assert client.post("/events/registrations/" + "x" * 32 + "/cancel").status_code == 404


def test_a_closed_registration_says_so_instead_of_showing_the_form(client, setup, app):
    activity_id = setup.make_activity(registration_open=False)
    page = client.get(register_url(activity_id)).get_data(as_text=True)
    assert "Hoạt động này không nhận đăng ký trực tuyến." in page
    assert 'name="phone"' not in page
    response = client.post(register_url(activity_id), data=form_data(setup))
    assert response.status_code == 200
    assert "Hoạt động này không nhận đăng ký trực tuyến." in response.get_data(as_text=True)
    assert count_registrations(app, activity_id) == 0


def test_the_organizer_list_shows_names_masked_phones_wards_and_figures(client, setup, make_user, login):
    activity_id = setup.make_activity(capacity=1)
    client.post(register_url(activity_id), data=form_data(setup))
    client.post(
        register_url(activity_id),
        data=form_data(setup, name="Trần Văn Cường", phone="0987654321", ward_id=str(setup.other_ward_id)),
    )
    url = f"/events/activities/{activity_id}/registrations"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(make_user("volunteer"))
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(make_user("organizer"))
    page = client.get(url).get_data(as_text=True)
    assert "Nguyễn Thị Bích" in page and "Trần Văn Cường" in page
    assert MASKED in page and "09******21" in page
    assert PHONE not in page and "0987654321" not in page
    assert "Phường Phú Cường" in page and "Thành phố Thủ Dầu Một" in page
    assert "Chờ số 1" in page
    assert "Trong danh sách chờ" in page
    assert client.get("/events/activities/999999/registrations").status_code == 404


def test_too_many_submissions_get_a_vietnamese_429(make_app, setup):
    app = make_app(REGISTRATION_RATE_LIMIT="2 per minute")
    client = app.test_client()
    activity_id = setup.make_activity()
    for phone in ("0912345671", "0912345672"):
        assert client.post(register_url(activity_id), data=form_data(setup, phone=phone)).status_code == 303
    response = client.post(register_url(activity_id), data=form_data(setup, phone="0912345673"))
    assert response.status_code == 429
    assert "Bạn đã thử quá nhiều lần. Vui lòng chờ một lát rồi thử lại." in response.get_data(as_text=True)
    assert client.get(register_url(activity_id)).status_code == 200  # reading the form is never limited
    api = client.post(
        f"/events/api/activities/{activity_id}/registrations",
        json={"name": "A", "phone": "0912345674", "ward_id": setup.ward_id, "consent": True},
    )
    assert api.status_code == 201  # the API has its own allowance: two calls, the third is over it
    assert client.post(f"/events/api/activities/{activity_id}/registrations", json={}).status_code == 422
    over = client.post(f"/events/api/activities/{activity_id}/registrations", json={})
    assert over.status_code == 429
    assert over.get_json()["error"]["code"] == "rate_limited"


def api_url(activity_id):
    return f"/events/api/activities/{activity_id}/registrations"


def test_the_json_api_registers_and_answers_errors_as_json(client, setup, app):
    activity_id = setup.make_activity(capacity=1)
    body = {"name": "Nguyễn Thị Bích", "phone": PHONE, "ward_id": setup.ward_id, "email": None, "consent": True}
    created = client.post(api_url(activity_id), json=body)
    assert created.status_code == 201
    answer = created.get_json()
    assert answer["status"] == "confirmed" and answer["position"] is None and len(answer["token"]) >= 32
    assert answer["url"].endswith("/events/registrations/" + answer["token"])

    duplicate = client.post(api_url(activity_id), json=body)
    assert duplicate.status_code == 409
    error = duplicate.get_json()["error"]
    assert error["code"] == "already_registered" and "phone" in error["fields"]
    assert answer["token"] not in duplicate.get_data(as_text=True)

    waitlisted = client.post(api_url(activity_id), json={**body, "phone": "0987654321"})
    assert waitlisted.status_code == 201
    assert waitlisted.get_json()["status"] == "waitlisted" and waitlisted.get_json()["position"] == 1

    invalid = client.post(api_url(activity_id), json={"name": "", "phone": "123", "consent": False})
    assert invalid.status_code == 422
    fields = invalid.get_json()["error"]["fields"]
    assert set(fields) >= {"name", "phone", "ward_id", "consent"}
    assert "Nhập họ và tên của bạn." in fields["name"]

    assert client.post(api_url(activity_id), data="not json", content_type="application/json").status_code == 400
    assert client.post(api_url(activity_id), json=[1, 2]).status_code == 400
    assert client.post(api_url(999_999), json={**body, "phone": "0355555555"}).status_code == 404
    assert count_registrations(app, activity_id) == 2


def test_the_json_api_refuses_a_closed_activity(client, setup, app):
    activity_id = setup.make_activity(cancelled=True)
    response = client.post(
        api_url(activity_id), json={"name": "An", "phone": PHONE, "ward_id": setup.ward_id, "consent": True}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "registration_closed"
    assert "Hoạt động này đã bị hủy nên không còn nhận đăng ký." in response.get_json()["error"]["message"]
    assert count_registrations(app, activity_id) == 0


def test_an_idempotency_key_makes_api_retries_answer_the_same_registration(client, setup, app):
    activity_id = setup.make_activity()
    body = {"name": "Nguyễn Thị Bích", "phone": PHONE, "ward_id": setup.ward_id, "consent": True}
    headers = {"Idempotency-Key": "k" * 40}
    first = client.post(api_url(activity_id), json=body, headers=headers)
    retry = client.post(api_url(activity_id), json=body, headers=headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.get_json()["token"] == retry.get_json()["token"]
    assert count_registrations(app, activity_id) == 1


def test_the_json_api_needs_the_csrf_token_from_the_status_endpoint(make_app, setup):
    app = make_app(WTF_CSRF_ENABLED=True, REGISTRATION_RATE_LIMIT="1000 per minute")
    client = app.test_client()
    activity_id = setup.make_activity(capacity=3)
    body = {"name": "Nguyễn Thị Bích", "phone": PHONE, "ward_id": setup.ward_id, "consent": True}
    refused = client.post(api_url(activity_id), json=body)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    assert count_registrations(app, activity_id) == 0
    status = client.get(f"/events/api/activities/{activity_id}/registration").get_json()
    assert status["open"] is True and status["capacity"] == 3 and status["seats_left"] == 3
    accepted = client.post(api_url(activity_id), json=body, headers={"X-CSRFToken": status["csrf_token"]})
    assert accepted.status_code == 201
    # The HTML form is protected the same way.
    assert client.post(register_url(activity_id), data=form_data(setup, phone="0987654321")).status_code == 400
    assert count_registrations(app, activity_id) == 1


def test_the_status_endpoint_tells_why_registration_is_closed(client, setup, app):
    activity_id = setup.make_activity(registration_open=False)
    status = client.get(f"/events/api/activities/{activity_id}/registration").get_json()
    assert status["open"] is False and status["message"] == "Hoạt động này không nhận đăng ký trực tuyến."
    assert client.get("/events/api/activities/999999/registration").status_code == 404
    internal = setup.make_activity(is_public=False)
    assert client.get(f"/events/api/activities/{internal}/registration").status_code == 404
    body = {"name": "An", "phone": PHONE, "ward_id": setup.ward_id, "consent": True}
    assert client.post(api_url(internal), json=body).get_json()["error"]["code"] == "not_found"
    assert count_registrations(app, internal) == 0
