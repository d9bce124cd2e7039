"""Words (issue 14): the activity form speaks of activities, dates are written the Vietnamese way, no English in
the menu or the tab titles, and the consent's error sits under its label."""


# --- 8. words -------------------------------------------------------------------------------------------------


def test_the_activity_form_speaks_of_activities_and_vietnamese_dates(app, client, organizer, campaign):
    page = client.get(f"/events/plans/{campaign.plan_id}/activities/new").get_data(as_text=True)
    assert '<label for="kind">Loại hoạt động' in page and "Loại đơn vị" not in page
    assert '<label for="title">Tên hoạt động' in page
    response = client.post(
        f"/events/plans/{campaign.plan_id}/activities/new", data={"title": "", "starts_at": "5/13/2024 7h"}
    )
    page = response.get_data(as_text=True)
    assert "Nhập tên hoạt động." in page and "Nhập tiêu đề" not in page
    assert "ngày/tháng/năm giờ:phút" in page and "dd/mm/yyyy hh:mm (24 giờ)" not in page
    assert "· Ngày Chuyển đổi số 10/10</title>" in page and "dxday</title>" not in page


def test_the_menu_has_no_english_words(client, make_user, login):
    login(make_user("organizer"))
    page = client.get("/events/").get_data(as_text=True)
    menu = page[page.index('<details class="menu">') : page.index("</details>", page.index('<details class="menu">'))]
    assert "Trình đơn" in menu and "Danh mục" not in menu
    assert "Soát vé" in menu and "Check-in" not in menu


def test_the_consent_error_sits_under_its_label(client, registration_setup):
    activity_id = registration_setup.make_activity()
    page = client.post(
        f"/events/activities/{activity_id}/register",
        data={"name": "Nguyễn Văn An", "phone": "0912345678", "ward_id": str(registration_setup.ward_id)},
    ).get_data(as_text=True)
    start = page.rindex('<div class="field', 0, page.index('id="consent"'))
    field = page[start : page.index("</div>", start)]
    assert field.startswith('<div class="field field--error field--check"')
    assert field.index("<label") < field.index('class="error"')  # the error follows the label, on its own line
    css = client.get("/static/css/app.css").get_data(as_text=True)
    assert ".field--check > .hint, .field--check > .error { flex: 1 0 100%;" in css
