"""The public calendar pages and the activity page, as a citizen (in Vietnamese, by default) sees them."""

import re

import pytest

from app.extensions import db
from events.models import Activity

OCTOBER = "/events/calendar?view=month&date=2024-10-01"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def cell(html: str, iso_day: str) -> str:
    """The HTML of one day in a month or week view."""
    next_day = r'(?=<li class="cal-day|<li class="cal-weekday|</ol>)'
    match = re.search(rf'<time datetime="{iso_day}">.*?</li>\s*{next_day}', html, re.S)
    assert match, iso_day
    return match.group(0)


# --- who may open the pages -----------------------------------------------------------------------------------

PUBLIC_PAGES = ["/events/calendar", "/events/calendar?view=week", "/events/calendar?view=list"]


@pytest.mark.parametrize("role", ["anonymous", "admin", "organizer", "unit_reporter", "volunteer", "juror"])
def test_the_calendar_and_activity_pages_are_open_to_everyone(client, make_user, login, calendar_setup, role):
    if role != "anonymous":
        login(make_user(role))
    for url in [*PUBLIC_PAGES, f"/events/activities/{calendar_setup.festival_id}"]:
        assert client.get(url).status_code == 200, url


def test_internal_and_draft_activities_are_not_found_for_the_public(client, make_user, login, calendar_setup):
    for activity_id in (calendar_setup.internal_id, calendar_setup.draft_activity_id, 999999):
        response = client.get(f"/events/activities/{activity_id}")
        assert response.status_code == 404
        assert "Chương trình chào mừng nội bộ" not in response.get_data(as_text=True)
    login(make_user("unit_reporter"))
    assert client.get(f"/events/activities/{calendar_setup.internal_id}").status_code == 404


def test_an_organizer_sees_an_internal_activity_marked_as_such(client, make_user, login, calendar_setup):
    login(make_user("organizer"))
    html = page(client, f"/events/activities/{calendar_setup.internal_id}")
    assert "Chương trình chào mừng nội bộ" in html and "Nội bộ" in html
    assert "webcal://" not in html  # nothing to subscribe to: it is not public


# --- month, week and list -------------------------------------------------------------------------------------


def test_the_month_view_opens_on_the_current_month_in_vietnamese(client):
    html = page(client, "/events/calendar?view=month")
    assert "Lịch hoạt động" in html and re.search(r"Tháng \d\d/\d{4}", html)
    assert "Tháng trước" in html and "Tháng sau" in html and "Hôm nay" in html
    assert ">T2<" in html and ">CN<" in html  # the week starts on Monday (Thứ Hai)


def test_the_month_shows_public_activities_on_their_local_days(client, calendar_setup):
    html = page(client, OCTOBER)
    assert "Tháng 10/2024" in html
    assert "Thứ Hai, 30/09/2024" in html  # the first row starts on Monday 30/09
    festival = cell(html, "2024-10-05")
    assert "Ngày hội Chuyển đổi số thành phố Tân Uyên" in festival and "07:30–21:00" in festival
    # 18:00–23:00 UTC on 09/10 is 01:00–06:00 on 10/10 in Vietnam.
    assert "Cuộc thi trực tuyến" in cell(html, "2024-10-10")
    assert "Cuộc thi trực tuyến" not in cell(html, "2024-10-09")
    # The ten-day campaign shows once, on its first day, with its span, not on each of its days.
    campaign = "Chiến dịch “đi từng ngõ"
    assert html.count(campaign) == 1
    assert campaign in cell(html, "2024-10-01") and "01/10 – 10/10, mỗi ngày" in cell(html, "2024-10-01")
    assert not any(campaign in cell(html, f"2024-10-{day:02d}") for day in range(2, 12))


def test_cancelled_activities_are_shown_struck_through_and_labelled(client, calendar_setup):
    day = cell(page(client, OCTOBER), "2024-10-06")
    assert "<s>Phiên chợ không dùng tiền mặt</s>" in day and "Đã hủy" in day


def test_internal_and_draft_activities_never_reach_the_calendar(client, make_user, login, calendar_setup):
    for html in (page(client, OCTOBER), page(client, "/events/calendar?view=list&date=2024-10-01")):
        assert "Chương trình chào mừng nội bộ" not in html and "Hoạt động của kế hoạch dự thảo" not in html


def test_the_month_links_to_the_previous_and_next_months_keeping_filters(client, calendar_setup):
    html = page(client, f"{OCTOBER}&kind=festival")
    assert 'href="/events/calendar?view=month&amp;date=2024-09-01&amp;kind=festival" rel="prev"' in html
    assert 'href="/events/calendar?view=month&amp;date=2024-11-01&amp;kind=festival" rel="next"' in html


def test_a_cluster_tour_shows_on_each_stops_days(client, calendar_setup):
    html = page(client, "/events/calendar?view=month&date=2024-09-15")
    assert "– Cụm 1" in cell(html, "2024-09-24") and "– Cụm 1" in cell(html, "2024-09-25")
    assert "Chuỗi hành trình" not in cell(html, "2024-09-26")
    assert "– Cụm 2" in cell(html, "2024-09-28")


def test_the_week_view_lists_seven_days_from_monday(client, calendar_setup):
    html = page(client, "/events/calendar?view=week&date=2024-10-05")
    assert "Tuần 30/09/2024 – 06/10/2024" in html
    days = re.findall(r'<h3 class="cal-date"><time datetime="([\d-]+)">', html)
    assert days == [f"2024-{d}" for d in ("09-30", "10-01", "10-02", "10-03", "10-04", "10-05", "10-06")]
    assert "Thứ Bảy, 05/10/2024" in html and "Quảng trường thành phố" in html
    assert "Tuần trước" in html and 'href="/events/calendar?view=week&amp;date=2024-10-07" rel="next"' in html


def test_the_list_view_groups_activities_by_day(client, calendar_setup):
    html = page(client, "/events/calendar?view=list&date=2024-10-05")
    assert "Từ 05/10/2024" in html
    headings = re.findall(r'<h3 class="cal-date"><time datetime="([\d-]+)">', html)
    # The campaign, under way since 01/10, is listed on the first day shown.
    assert headings == ["2024-10-05", "2024-10-06", "2024-10-10"]
    assert "01/10/2024 07:00 – 10/10/2024 17:00" in html
    assert "Hôm nay</span>" not in html  # 05/10/2024 is long past: no day is marked as today


def test_filter_by_kind(client, calendar_setup):
    html = page(client, f"{OCTOBER}&kind=festival")
    assert "Ngày hội Chuyển đổi số thành phố Tân Uyên" in html and "Phiên chợ" not in html
    assert '<option selected value="festival">Ngày hội / lễ hội</option>' in html


def test_filter_by_district_includes_its_wards(client, calendar_setup):
    html = page(client, f"{OCTOBER}&area={calendar_setup.city_id}")
    assert "Ngày hội Chuyển đổi số" in html and "Chiến dịch “đi từng ngõ" in html  # in its wards
    assert "Cuộc thi trực tuyến" not in html  # in Bến Cát
    html = page(client, f"{OCTOBER}&area={calendar_setup.ben_cat_id}")
    assert "Cuộc thi trực tuyến" in html and "Ngày hội Chuyển đổi số" not in html


def test_filter_by_audience(client, calendar_setup):
    html = page(client, "/events/calendar?view=list&date=2024-10-01&audience=elderly")
    assert "Chiến dịch “đi từng ngõ" in html and "Ngày hội Chuyển đổi số" not in html


def test_a_bad_filter_is_pointed_out_and_ignored(client, calendar_setup):
    html = page(client, f"{OCTOBER}&kind=bogus&area=abc")
    assert "Ngày hội Chuyển đổi số thành phố Tân Uyên" in html
    assert html.count('class="error"') == 2
    html = page(client, "/events/calendar?date=31/02/2024")
    assert "Write the date" not in html and 'class="error"' in html


def test_the_filter_form_works_without_javascript(client):
    html = page(client, "/events/calendar?view=week")
    form = re.search(r'<form class="cal-filters" method="get" action="/events/calendar".*?</form>', html, re.S).group(0)
    assert '<input id="view" name="view" type="hidden" value="week">' in form
    assert 'name="csrf_token"' not in form  # a GET form: nothing secret in the URL
    for label in ("Loại hoạt động", "Quận, huyện / phường, xã", "Dành cho", "Xem ngày"):
        assert label in form


def test_an_empty_period_says_so(client, calendar_setup):
    assert "Không có hoạt động công khai nào" in page(client, "/events/calendar?view=month&date=2030-01-01")


# --- subscribe ------------------------------------------------------------------------------------------------


def test_the_subscribe_block_offers_webcal_links_for_plans_kinds_and_the_area(client, calendar_setup):
    html = page(client, f"{OCTOBER}&area={calendar_setup.ben_cat_id}")
    assert "Theo dõi lịch trên điện thoại" in html
    assert f'href="webcal://localhost/events/plans/{calendar_setup.plan_id}/calendar.ics"' in html
    assert f'href="http://localhost/events/plans/{calendar_setup.plan_id}/calendar.ics"' in html
    assert f"/events/plans/{calendar_setup.draft_plan_id}/calendar.ics" not in html
    assert 'href="webcal://localhost/events/kinds/festival/calendar.ics"' in html
    assert f'href="webcal://localhost/events/units/{calendar_setup.ben_cat_id}/calendar.ics"' in html
    assert "Thị xã Bến Cát" in html


# --- the activity page ----------------------------------------------------------------------------------------


def test_the_activity_page_tells_when_where_what_to_bring_and_the_programme(client, calendar_setup):
    html = page(client, f"/events/activities/{calendar_setup.festival_id}")
    assert "<h1" in html and "Ngày hội Chuyển đổi số thành phố Tân Uyên" in html
    assert "05/10/2024 07:30" in html and "21:00" in html
    assert "Quảng trường thành phố" in html and "Phường Uyên Hưng" in html
    assert "Cách đến" in html and "Cổng chính đường ĐT746" in html
    assert "Cần mang theo" in html and "Căn cước công dân gắn chip" in html
    assert "Người dân, doanh nghiệp, học sinh" in html
    assert "Chương trình" in html and "07:30–08:00" in html and "Lễ ra mắt Kênh giao tiếp số" in html
    assert "Phòng Văn hóa và Thông tin" in html  # lead unit, and responsible for the launch
    assert "Đơn vị phối hợp" in html and "Thành Đoàn Tân Uyên" in html


def test_the_activity_page_offers_the_calendar_file_and_subscription(client, calendar_setup):
    html = page(client, f"/events/activities/{calendar_setup.festival_id}")
    assert f'href="/events/activities/{calendar_setup.festival_id}.ics"' in html
    assert f'href="webcal://localhost/events/activities/{calendar_setup.festival_id}.ics"' in html
    assert "Thêm vào lịch của bạn" in html


def test_registration_button_only_while_registration_is_open(app, client, calendar_setup):
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    with app.app_context():
        activity = db.session.get(Activity, calendar_setup.festival_id)
        activity.starts_at, activity.ends_at = start, start + timedelta(hours=8)
        db.session.commit()
    html = page(client, f"/events/activities/{calendar_setup.festival_id}")
    assert "Đăng ký tham gia" in html
    assert f'href="/events/activities/{calendar_setup.festival_id}/register"' in html
    assert "2000 chỗ" in html
    with app.app_context():
        db.session.get(Activity, calendar_setup.festival_id).registration_open = False
        db.session.commit()
    html = page(client, f"/events/activities/{calendar_setup.festival_id}")
    assert "Đăng ký tham gia" not in html and "Không cần đăng ký" in html


def test_a_past_activity_says_it_has_ended(client, calendar_setup):
    html = page(client, f"/events/activities/{calendar_setup.festival_id}")
    assert "Hoạt động đã kết thúc." in html and "Đăng ký tham gia" not in html


def test_a_cancelled_activity_page_says_so(client, calendar_setup):
    html = page(client, f"/events/activities/{calendar_setup.cancelled_id}")
    assert "<s>Phiên chợ không dùng tiền mặt</s>" in html and "Hoạt động này đã bị hủy" in html


def test_a_cluster_tour_page_shows_its_itinerary(client, calendar_setup):
    html = page(client, f"/events/activities/{calendar_setup.tour_id}")
    assert "Lộ trình" in html
    assert "Cụm 1" in html and "Cụm 2" in html and "24/09/2024 07:30" in html and "28/09/2024 17:00" in html
    assert "Thị xã Bến Cát" in html and "Phường Mỹ Phước" in html


def test_the_activity_page_in_english(client, calendar_setup):
    client.post("/language", data={"lang": "en", "next": "/"})
    html = page(client, f"/events/activities/{calendar_setup.festival_id}")
    assert "How to get there" in html and "What to bring" in html and "Programme" in html


# --- upcoming (the default), the search, spans ----------------------------------------------------------------


def test_the_first_page_shows_the_demo_festival_open_for_registration(app, client):
    """As a newcomer after `make run`: views read the real clock, so the demo is seeded for the season the real
    clock is in (the next year's once the festival's week has come, so that it is still ahead)."""
    from datetime import UTC, date, datetime

    today = datetime.now(UTC).date()
    year = today.year + 1 if today >= date(today.year, 9, 28) else today.year
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", "mat-khau-demo-2024", "--year", str(year)])
    assert result.exit_code == 0, result.output
    html = page(client, "/events/calendar")
    assert "Các hoạt động sắp diễn ra" in html and 'aria-current="page">Sắp diễn ra<' in html
    festival = re.search(r'<a href="(/events/activities/\d+)">Ngày hội Chuyển đổi số thành phố Tân Uyên</a>', html)
    assert festival, "the festival is on the first page"
    groups = re.split(r'<h3 class="cal-date">', html)
    (festival_day,) = [g for g in groups if "Ngày hội Chuyển đổi số thành phố Tân Uyên</a>" in g]
    assert re.match(r'<time datetime="[\d-]+">Thứ Bảy, \d\d/10/\d{4}</time>', festival_day)  # a Saturday, in October
    assert "Đăng ký tham gia" in page(client, festival.group(1))


def _daily(registration_setup, count: int, first_in_days: int, title: str) -> None:
    from datetime import UTC, datetime, timedelta

    base = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=first_in_days)
    for n in range(count):
        registration_setup.make_activity(starts_at=base + timedelta(days=n), title=f"{title} {n + 1:02d}")


def test_upcoming_shows_what_is_far_away_thirty_at_a_time_with_later(client, registration_setup):
    _daily(registration_setup, 31, 2, "Lớp học số")
    _daily(registration_setup, 1, 400, "Ngày hội năm sau")
    html = page(client, "/events/calendar")
    assert html.count("Lớp học số") == 30 and "Ngày hội năm sau" not in html
    later = re.search(r'<a class="button" href="(/events/calendar\?after=[\d-]+)" rel="next">Tiếp theo', html)
    assert later, "a Later link after the last date shown"
    html = page(client, later.group(1).replace("&amp;", "&"))
    assert "Lớp học số 31" in html and "Ngày hội năm sau" in html and "Lớp học số 30" not in html
    assert 'rel="next"' not in html  # the end
    # the list view is not limited to 30 days either
    assert "Ngày hội năm sau" in page(client, later.group(1).replace("after", "view=list&after"))


def test_the_search_box_finds_activities_whatever_the_case_and_marks(client, calendar_setup):
    url = "/events/calendar?view=list&date=2024-09-01"
    html = page(client, url)
    assert '<label for="q">Tìm hoạt động</label>' in html and 'role="search"' in html
    found = page(client, f"{url}&q=NGAY+HOI")
    assert "Ngày hội Chuyển đổi số thành phố Tân Uyên" in found and "Phiên chợ" not in found
    assert "Kết quả cho “NGAY HOI”." in found
    assert "Cuộc thi trực tuyến" in page(client, f"{url}&q=nha+van+hoa+my+phuoc")  # by its venue's name
    assert "Cuộc thi trực tuyến" not in page(client, f"{url}&q=my+phuoc&kind=festival")  # filters still apply


def test_the_week_shows_a_multi_day_campaign_once_with_its_span(client, calendar_setup):
    html = page(client, "/events/calendar?view=week&date=2024-10-09")
    assert html.count("Chiến dịch “đi từng ngõ") == 1
    monday = cell(html, "2024-10-07")
    assert "Chiến dịch “đi từng ngõ" in monday and "01/10 – 10/10, mỗi ngày" in monday


def test_a_later_link_beyond_the_calendars_range_is_refused(client):
    assert client.get("/events/calendar?after=9999-12-31").status_code == 400
    html = page(client, "/events/calendar?q=" + "x" * 101)  # too long a search: pointed out, ignored
    assert 'class="error"' in html and "Các hoạt động sắp diễn ra" in html
