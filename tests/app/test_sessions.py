"""Sessions can be ended: a copied session or remember-me cookie stops working after signing out, "sign out
everywhere" and a password change."""

from app.extensions import db
from app.models import User

NEW_PASSWORD = "mat-khau-moi-2024"


def _signed_in(client) -> bool:
    return client.get("/account/password").status_code == 200


def _copy_cookie(source, target, name: str) -> None:
    cookie = source.get_cookie(name)
    assert cookie is not None, name
    target.set_cookie(name, cookie.value)


def test_a_session_cookie_copied_before_signing_out_everywhere_no_longer_works(app, client, make_user, login):
    user = make_user("organizer")
    assert login(user).status_code == 302
    thief = app.test_client()
    _copy_cookie(client, thief, "session")
    assert _signed_in(thief)  # the copy works, like a second device

    page = client.get("/account/password").get_data(as_text=True)
    assert "Đăng xuất trên mọi thiết bị" in page
    response = client.post("/account/sign-out-everywhere", follow_redirects=True)
    assert "Bạn đã đăng xuất trên mọi thiết bị." in response.get_data(as_text=True)

    assert not _signed_in(client)
    assert not _signed_in(thief)
    assert login(user).status_code == 302 and _signed_in(client)  # signing in again works


def test_a_remember_me_cookie_is_refused_after_a_password_change(app, client, make_user):
    user = make_user("volunteer")
    response = client.post("/login", data={"login": user["email"], "password": user["password"], "remember": "y"})
    assert response.status_code == 302
    old_device = app.test_client()
    _copy_cookie(client, old_device, "remember_token")
    assert _signed_in(old_device)  # the remember-me cookie alone signs in

    other_session = app.test_client()
    _copy_cookie(client, other_session, "session")
    response = client.post(
        "/account/password",
        data={"current_password": user["password"], "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        follow_redirects=True,
    )
    assert "Bạn đã được đăng xuất trên mọi thiết bị khác." in response.get_data(as_text=True)

    assert _signed_in(client)  # the device that changed the password stays signed in
    stale = app.test_client()
    _copy_cookie(old_device, stale, "remember_token")
    stale_session = app.test_client()
    _copy_cookie(other_session, stale_session, "session")
    assert not _signed_in(stale) and not _signed_in(stale_session)
    # The device that changed the password keeps a fresh remember-me cookie that works.
    fresh = app.test_client()
    _copy_cookie(client, fresh, "remember_token")
    assert _signed_in(fresh)


def test_signing_out_everywhere_needs_a_signed_in_user(client):
    assert client.post("/account/sign-out-everywhere").headers["Location"].startswith("/login")


def test_signing_out_everywhere_needs_a_csrf_token(make_app, make_user):
    user = make_user("juror")
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"login": user["email"], "password": user["password"], "csrf_token": token})
    assert _signed_in(client)
    assert client.post("/account/sign-out-everywhere").status_code == 400  # no token: nothing happens
    assert _signed_in(client)
    with app.app_context():
        assert db.session.get(User, user["id"]).session_version == 0


def test_cookies_from_before_session_versions_sign_nobody_in(app, make_user):
    user = make_user("admin")
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user["id"])  # what the app stored before session versions
        session["_fresh"] = True
    assert not _signed_in(client)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user['id']}:0"
    assert _signed_in(client)


def test_an_administrator_resetting_a_password_or_deactivating_signs_the_account_out(app, client, make_user, login):
    reporter = make_user("unit_reporter", name="Người báo cáo")
    device = app.test_client()
    assert device.post("/login", data={"login": reporter["email"], "password": reporter["password"]}).status_code == 302
    assert _signed_in(device)
    login(make_user("admin"))
    form = {"name": "Người báo cáo", "email": reporter["email"], "roles": ["unit_reporter"], "unit_id": 0}
    assert client.post(f"/admin/users/{reporter['id']}", data={**form, "active": "y"}).status_code == 302
    assert _signed_in(device)  # an edit that changes neither keeps the session
    response = client.post(f"/admin/users/{reporter['id']}", data={**form, "active": "y", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert not _signed_in(device)
    assert device.post("/login", data={"login": reporter["email"], "password": NEW_PASSWORD}).status_code == 302
    assert client.post(f"/admin/users/{reporter['id']}", data=form).status_code == 302  # deactivated
    assert not _signed_in(device)


def test_a_cookie_copied_before_signing_out_no_longer_works_after_it(app, client, make_user):
    user = make_user("organizer")
    response = client.post("/login", data={"login": user["email"], "password": user["password"], "remember": "y"})
    assert response.status_code == 302
    copies = {name: app.test_client() for name in ("session", "remember_token")}
    for name, copy in copies.items():
        _copy_cookie(client, copy, name)
        assert _signed_in(copy)
    assert client.post("/logout").status_code == 302
    assert not _signed_in(client)
    assert not any(_signed_in(copy) for copy in copies.values())  # neither the session nor remember-me copy
