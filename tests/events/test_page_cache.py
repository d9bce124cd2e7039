"""The calendar and activity pages are kept as rendered bytes for anonymous visitors (per URL, language and
events data version, and the minute, day or free seats they depend on): a change shows at once, a signed-in
organizer or a visitor with a message never gets the shared page, each visitor's page carries their own CSRF
token, and a phone that has the page is answered 304."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app import cache
from app.extensions import db
from events.models import Activity
from events.services import registration
from events.views import activities as activity_views

from .conftest import TZ

MONTH = "/events/calendar?view=month&date=2024-10-01"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LANGUAGE_FORM = re.compile(r'<form class="lang" method="post" action="([^"]+)"')
NEXT = re.compile(r'<input id="next" name="next" type="hidden" value="([^"]*)"')


def activity_url(activity_id: int) -> str:
    return f"/events/activities/{activity_id}"


def rename(app, activity_id: int, title: str) -> None:
    with app.app_context():
        db.session.get(Activity, activity_id).title = title
        db.session.commit()


@pytest.mark.parametrize("page", ["month", "activity", "upcoming"])
def test_a_change_shows_at_once(app, client, calendar_setup, page):
    url = {"month": MONTH, "activity": activity_url(calendar_setup.festival_id), "upcoming": "/events/calendar"}[page]
    if page == "upcoming":  # the upcoming view shows what is still to come: move the festival there
        with app.app_context():
            festival = db.session.get(Activity, calendar_setup.festival_id)
            festival.starts_at = datetime.now(UTC) + timedelta(days=3)
            festival.ends_at = festival.starts_at + timedelta(hours=3)
            db.session.commit()
    first = client.get(url)
    assert first.status_code == 200 and "Ngày hội Chuyển đổi số thành phố Tân Uyên" in first.get_data(as_text=True)
    assert client.get(url).data == first.data  # from the cache: the same page
    rename(app, calendar_setup.festival_id, "Ngày hội Chuyển đổi số – dời sang quảng trường mới")
    after = client.get(url).get_data(as_text=True)
    assert "dời sang quảng trường mới" in after and "thành phố Tân Uyên</" not in after


def test_a_cached_page_costs_the_version_query_and_no_rendering(app, client, calendar_setup, count_queries):
    client.get(MONTH)
    client.get(activity_url(calendar_setup.festival_id))
    with count_queries() as counted:
        month = client.get(MONTH)
        page = client.get(activity_url(calendar_setup.festival_id))
    assert month.status_code == page.status_code == 200
    assert len(counted) == 2  # the version; for the activity, with its free seats in the same statement


def test_a_signed_in_organizer_never_gets_the_anonymous_page(app, client, calendar_setup, make_user, sign_in):
    organizer = make_user("organizer", name="Trần Tổ Chức")
    anonymous = client.get(activity_url(calendar_setup.festival_id))
    month = client.get(MONTH)
    assert "Trần Tổ Chức" not in anonymous.get_data(as_text=True)
    sign_in(client, organizer["id"])
    for url in (activity_url(calendar_setup.festival_id), MONTH):
        page = client.get(url)
        text = page.get_data(as_text=True)
        assert "Trần Tổ Chức" in text and "Đăng xuất" in text
        assert page.headers["Cache-Control"] == "no-store" and "ETag" not in page.headers
    # The organizer's pages (with the internal activity they may see) never reach the anonymous cache either.
    internal = client.get(activity_url(calendar_setup.internal_id))
    assert internal.status_code == 200
    sign_in(client, None)
    assert client.get(activity_url(calendar_setup.internal_id)).status_code == 404
    assert client.get(MONTH).data == month.data


def test_two_languages_never_mix(client, calendar_setup):
    url = activity_url(calendar_setup.festival_id)
    vietnamese = client.get(url).get_data(as_text=True)
    client.set_cookie("dxday_lang", "en")
    english = client.get(url).get_data(as_text=True)
    client.delete_cookie("dxday_lang")
    again = client.get(url).get_data(as_text=True)
    assert '<html lang="vi">' in vietnamese and "Thời gian" in vietnamese
    assert '<html lang="en">' in english and "Registration status" in english and "Thời gian" not in english
    assert '<html lang="vi">' in again and "Registration status" not in again


@pytest.fixture
def csrf_app(make_app, calendar_setup):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.mark.parametrize("url", [MONTH, "/events/calendar"])
def test_each_visitor_gets_their_own_csrf_token_and_the_language_switch_works(csrf_app, calendar_setup, url):
    visitors = [csrf_app.test_client() for _ in range(3)]
    pages = [visitor.get(url).get_data(as_text=True) for visitor in visitors]
    tokens = [TOKEN.search(page).group(1) for page in pages]
    assert len(set(tokens)) == 3  # three visitors, three tokens, in the same cached page
    assert all("csrf-placeholder-" not in page for page in pages)
    # The page's language switch works with the visitor's own token (and not with someone else's).
    action = LANGUAGE_FORM.search(pages[0]).group(1)
    back = NEXT.search(pages[0]).group(1).replace("&amp;", "&")
    assert back == url
    stolen = visitors[0].post(action, data={"csrf_token": tokens[1], "lang": "en", "next": back})
    assert "dxday_lang" not in stolen.headers.get("Set-Cookie", "")
    switched = visitors[0].post(action, data={"csrf_token": tokens[0], "lang": "en", "next": back})
    assert "dxday_lang=en" in switched.headers["Set-Cookie"] and switched.location.endswith(url)
    english = visitors[0].get(url).get_data(as_text=True)
    assert '<html lang="en">' in english and TOKEN.search(english).group(1)


def test_a_phone_that_has_the_page_gets_304_until_it_changes(app, client, calendar_setup):
    url = activity_url(calendar_setup.festival_id)
    first = client.get(url)
    assert first.headers["ETag"].startswith('W/"') and "Last-Modified" in first.headers
    assert set(first.headers["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "Cookie" in first.headers["Vary"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    # Another visitor's copy (another session, so another token) is not theirs to keep.
    stranger = app.test_client().get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert stranger.status_code == 200
    rename(app, calendar_setup.festival_id, "Ngày hội (đổi tên)")
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Ngày hội (đổi tên)" in changed.get_data(as_text=True)


def test_a_visitor_with_a_flashed_message_sees_it(client, calendar_setup):
    url = activity_url(calendar_setup.festival_id)
    client.get(url)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Bạn đã hủy đăng ký.")]
    assert "Bạn đã hủy đăng ký." in client.get(url).get_data(as_text=True)
    assert "Bạn đã hủy đăng ký." not in client.get(url).get_data(as_text=True)  # shown once


def test_free_seats_show_at_once_after_a_registration(app, client, registration_setup):
    activity_id = registration_setup.make_activity(capacity=5)
    assert "Còn 5/5 chỗ trống." in client.get(activity_url(activity_id)).get_data(as_text=True)
    with app.app_context():
        registration.register(db.session, activity_id, name="Lê Văn An", phone="0912345678",
                              ward_id=registration_setup.ward_id, email=None, consent=True,
                              now=datetime.now(UTC), tz=TZ, secret="s")  # fmt: skip
        db.session.commit()
    # Seats change by SQL without a new data version: the page is kept per number of seats taken.
    assert "Còn 4/5 chỗ trống." in client.get(activity_url(activity_id)).get_data(as_text=True)


def test_the_page_moves_on_when_registration_opens_without_a_change(app, client, registration_setup, monkeypatch):
    now = datetime.now(UTC)
    activity_id = registration_setup.make_activity(capacity=5, starts_at=now + timedelta(days=3))
    with app.app_context():
        db.session.get(Activity, activity_id).registration_opens_at = now + timedelta(hours=1)
        db.session.commit()
    client.set_cookie("dxday_lang", "en")
    assert "Registration opens at" in client.get(activity_url(activity_id)).get_data(as_text=True)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(hours=2)

    monkeypatch.setattr(activity_views, "datetime", Later)  # the clock moves past the opening; no data changes
    assert "Registration is open." in client.get(activity_url(activity_id)).get_data(as_text=True)
    with app.app_context():
        assert cache.version(db.session, "events") > 0


def test_the_area_filter_is_listed_once_per_data_version_and_a_new_ward_shows_at_once(
    app, client, calendar_setup, count_queries
):
    client.get(MONTH)
    with count_queries() as warm:  # another URL, so the page is rendered, but the units are already listed
        assert client.get(MONTH + "&kind=festival&visit=1").status_code == 200
    cache.forget_local()
    with count_queries() as cold:
        page = client.get(MONTH + "&kind=festival&visit=2").get_data(as_text=True)
    assert len(cold) == len(warm) + 1  # the unit tree's query, once per data version
    assert page.count("<option") == client.get(MONTH).get_data(as_text=True).count("<option")
    with app.app_context():
        from app.models import Unit

        db.session.add(Unit(name="Phường Tân Phước Khánh", kind="ward", parent_id=calendar_setup.city_id))
        db.session.commit()
    assert "Phường Tân Phước Khánh</option>" in client.get(MONTH + "&kind=festival").get_data(as_text=True)
    chosen = client.get(MONTH + f"&area={calendar_setup.ward_id}").get_data(as_text=True)
    assert f'<option selected value="{calendar_setup.ward_id}">' in chosen
