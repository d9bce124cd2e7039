import pytest

from app.extensions import db
from app.models import User

WRONG = "Thông tin đăng nhập không đúng."


def test_sign_in_with_email_or_phone_then_sign_out(client, make_user, login):
    user = make_user("organizer", email="ha@example.vn", phone="0912345678")
    response = login(user, follow_redirects=True)
    assert response.status_code == 200
    assert "Đăng xuất" in response.get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    assert "Đăng nhập" in client.get("/").get_data(as_text=True)
    response = client.post("/login", data={"login": "+84912345678", "password": user["password"]})
    assert response.status_code == 302


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(client, make_user):
    user = make_user("organizer")
    wrong_password = client.post("/login", data={"login": user["email"], "password": "sai-mat-khau"})
    unknown_user = client.post("/login", data={"login": "khong-co@example.vn", "password": "sai-mat-khau"})
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert WRONG in wrong_password.get_data(as_text=True)
    assert WRONG in unknown_user.get_data(as_text=True)


def test_a_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user("volunteer", active=False)
    response = client.post("/login", data={"login": user["email"], "password": user["password"]})
    assert WRONG in response.get_data(as_text=True)


def test_empty_sign_in_form_shows_vietnamese_field_errors(client):
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Nhập email hoặc số điện thoại." in page
    assert "Nhập mật khẩu." in page


def test_passwords_are_stored_hashed(app, make_user):
    user = make_user("juror", password="mot-mat-khau-rat-dai")
    with app.app_context():
        stored = db.session.get(User, user["id"]).password_hash
    assert "mot-mat-khau-rat-dai" not in stored
    assert stored.startswith("scrypt:")


def test_sign_in_does_not_redirect_to_another_site(client, make_user):
    user = make_user("organizer")
    response = client.post(
        "/login?next=https://evil.example/", data={"login": user["email"], "password": user["password"]}
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/events/", data={"login": user["email"], "password": user["password"]})
    assert response.headers["Location"] == "/events/"


@pytest.mark.parametrize("target", ["/\\evil.example/", "//evil.example/", "/\tevil", "https://evil.example/"])
def test_sign_in_refuses_what_a_browser_would_read_as_another_site(client, make_user, target):
    user = make_user("organizer")
    response = client.post("/login", query_string={"next": target},
                           data={"login": user["email"], "password": user["password"]})  # fmt: skip
    assert response.headers["Location"] == "/"


def test_change_password(client, make_user, login):
    user = make_user("organizer")
    login(user)
    page = client.post(
        "/account/password", data={"current_password": "khong-dung", "new_password": "ngan", "confirm": "khac"}
    ).get_data(as_text=True)
    assert "Mật khẩu hiện tại không đúng." not in page  # shape errors come first
    assert "Mật khẩu phải có ít nhất 10 ký tự." in page
    assert "Hai mật khẩu không khớp." in page
    page = client.post(
        "/account/password",
        data={"current_password": "khong-dung", "new_password": "mat-khau-moi-123", "confirm": "mat-khau-moi-123"},
    ).get_data(as_text=True)
    assert "Mật khẩu hiện tại không đúng." in page
    response = client.post(
        "/account/password",
        data={"current_password": user["password"], "new_password": "mat-khau-moi-123", "confirm": "mat-khau-moi-123"},
    )
    assert response.status_code == 302
    client.post("/logout")
    assert login(user).status_code == 200  # the old password no longer works
    assert login(user, password="mat-khau-moi-123").status_code == 302


def test_login_is_rate_limited_per_address_and_per_account(make_app, make_user):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"login": "a@example.vn", "password": "x"}).status_code == 200
    blocked = client.post("/login", data={"login": "a@example.vn", "password": "x"})
    assert blocked.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers
    # A JSON client gets a JSON error with a stable code.
    blocked = client.post(
        "/login", data={"login": "a@example.vn", "password": "x"}, headers={"Accept": "application/json"}
    )
    assert blocked.get_json()["error"]["code"] == "rate_limited"


def test_csrf_token_is_required(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make_user("organizer")
    response = client.post("/login", data={"login": user["email"], "password": user["password"]})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"login": user["email"], "password": user["password"], "csrf_token": token})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/logout", "/language"])
def test_state_changing_links_refuse_get(client, path):
    assert client.get(path).status_code == 405
