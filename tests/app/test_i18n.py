from datetime import UTC, date, datetime

from babel.messages.pofile import read_po

from app import ROOT_DIR


def test_vietnamese_is_the_default_and_english_is_one_click_away(client):
    page = client.get("/events/").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Kế hoạch và hoạt động" in page
    response = client.post("/language", data={"lang": "en", "next": "/events/"})
    assert response.status_code == 302 and response.headers["Location"] == "/events/"
    assert "dxday_lang=en" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = client.get("/events/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Plans and activities" in page
    client.post("/language", data={"lang": "vi", "next": "/"})
    assert "Kế hoạch và hoạt động" in client.get("/events/").get_data(as_text=True)


def test_an_unknown_language_or_a_foreign_next_is_ignored(client):
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_a_signed_in_user_keeps_their_language_on_another_device(app, make_user, login, client):
    user = make_user("organizer")
    login(user)
    client.post("/language", data={"lang": "en", "next": "/"})
    other_device = app.test_client()
    other_device.post("/login", data={"login": user["email"], "password": user["password"]})
    assert '<html lang="en">' in other_device.get("/").get_data(as_text=True)


def test_dates_are_dd_mm_yyyy_and_times_24_hour_in_vietnam_time(app):
    with app.test_request_context():
        env = app.jinja_env
        evening_utc = datetime(2024, 10, 4, 14, 30, tzinfo=UTC)  # 21:30 in Hồ Chí Minh City
        assert env.from_string("{{ v|datetime }}").render(v=evening_utc) == "04/10/2024 21:30"
        late_utc = datetime(2024, 10, 9, 18, 0, tzinfo=UTC)  # already 10/10 locally
        assert env.from_string("{{ v|date }}").render(v=late_utc) == "10/10/2024"
        assert env.from_string("{{ v|date }}").render(v=date(2024, 11, 1)) == "01/11/2024"
        assert env.from_string("{{ v|time }}").render(v=evening_utc) == "21:30"


def test_the_vietnamese_catalogue_is_complete():
    with open(f"{ROOT_DIR}/translations/vi/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    missing = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert missing == []
    # What `pybabel compile` refuses (a placeholder the translation lacks, "% of" read as a format): the .mo file
    # would not be written and every page would silently keep the last good catalogue.
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalogue.check()]
    assert problems == []
    with open(f"{ROOT_DIR}/translations/messages.pot", "rb") as handle:
        template_ids = {m.id for m in read_po(handle) if m.id}
    assert template_ids <= {m.id for m in catalogue if m.id}, "run `make extract` and translate the new strings"
