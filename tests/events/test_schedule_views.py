"""The organizer's planning pages: plan page, plan and activity forms, tour stops, programme, venues."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from events.models import Activity, Plan, ProgrammeItem, TourStop, Venue

from .conftest import local


def _activity_data(campaign, **overrides):
    data = {
        "title": "Ngày hội Chuyển đổi số",
        "kind": "festival",
        "starts_at": "05/10/2024 07:30",
        "ends_at": "05/10/2024 21:00",
        "venue_id": campaign.square_id,
        "area_unit_id": 0,
        "lead_unit_id": campaign.office_id,
        "coordinator_ids": [campaign.youth_id, campaign.police_id],
        "audience": "Người dân",
        "audience_groups": ["citizens", "students"],
        "capacity": "2000",
        "is_public": "y",
        "registration_open": "y",
        "registration_opens_at": "20/09/2024 08:00",
        "registration_closes_at": "04/10/2024 17:00",
        "what_to_bring": "Căn cước công dân",
    }
    data.update(overrides)
    return data


def test_organizer_creates_a_plan_and_sees_vietnamese_errors_first(client, organizer, app, snapshot):
    before = snapshot(app)
    response = client.post(
        "/events/plans/new", data={"title": "", "period_start": "31/02/2024", "period_end": "2024/10/31"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nhập tên kế hoạch." in page
    assert "Ghi ngày theo dạng ngày/tháng/năm" in page
    response = client.post(
        "/events/plans/new", data={"title": "Kế hoạch 2025", "period_start": "15/09/2025", "period_end": "01/09/2025"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Thời gian thực hiện phải kết thúc vào hoặc sau ngày bắt đầu." in page
    assert 'value="Kế hoạch 2025"' in page  # nothing typed is lost
    assert snapshot(app) == before  # neither refused form wrote anything
    response = client.post(
        "/events/plans/new",
        data={
            "number": "123/KH-UBND",
            "issued_on": "01/08/2025",
            "title": "Kế hoạch 2025",
            "period_start": "15/09/2025",
            "period_end": "31/10/2025",
            "peak_start": "01/10/2025",
            "peak_end": "10/10/2025",
            "issuing_unit_id": 0,
            "lead_unit_id": 0,
            "themes": "Dữ liệu số\nKinh tế số",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "123/KH-UBND" in page and "15/09/2025 – 31/10/2025" in page and "Bản nháp" in page
    with app.app_context():
        plan_id = db.session.scalar(select(Plan.id).where(Plan.number == "123/KH-UBND"))
    client.post(f"/events/plans/{plan_id}/status", data={"status": "published"})
    with app.app_context():
        assert db.session.get(Plan, plan_id).status == "published"


def test_a_draft_plan_is_hidden_from_citizens(app, client, campaign):
    with app.app_context():
        db.session.get(Plan, campaign.plan_id).status = "draft"
        db.session.commit()
    assert client.get(f"/events/plans/{campaign.plan_id}").status_code == 404
    assert "Hưởng ứng Ngày Chuyển đổi số 2024" not in client.get("/events/").get_data(as_text=True)


def test_activity_form_bad_input_in_vietnamese(app, client, organizer, campaign, snapshot):
    before = snapshot(app)
    page = client.post(
        f"/events/plans/{campaign.plan_id}/activities/new",
        data=_activity_data(campaign, title="", starts_at="05/10/2024 7h30x", ends_at="", capacity="-5"),
    ).get_data(as_text=True)
    assert "Nhập tên hoạt động." in page
    assert "Ghi ngày giờ theo dạng ngày/tháng/năm giờ:phút" in page
    assert "Nhập thời điểm kết thúc." in page
    assert "Nhập một số từ 0 trở lên." in page
    page = client.post(
        f"/events/plans/{campaign.plan_id}/activities/new", data=_activity_data(campaign, ends_at="05/10/2024 06:00")
    ).get_data(as_text=True)
    assert "Thời điểm kết thúc phải sau thời điểm bắt đầu." in page
    assert snapshot(app) == before


def test_activity_is_saved_with_its_units_and_audience_and_shown_on_the_plan_page(app, client, organizer, campaign):
    response = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=_activity_data(campaign))
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.scalar(select(Activity))
        assert activity.starts_at == local("05/10/2024", 7, 30)
        assert {u.id for u in activity.coordinating_units} == {campaign.youth_id, campaign.police_id}
        assert activity.audience_group_list == ["citizens", "students"] and activity.area_unit_id == campaign.ward_id
    page = client.get(f"/events/plans/{campaign.plan_id}").get_data(as_text=True)
    assert "Ngày hội Chuyển đổi số" in page and "05/10/2024 07:30" in page
    assert "Hoạt động theo loại" in page and 'class="timeline"' in page
    assert "Không có xung đột" in page


def test_a_double_booking_is_shown_as_a_warning_and_saved_only_when_accepted(app, client, organizer, campaign):
    client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=_activity_data(campaign))
    clash = _activity_data(
        campaign,
        title="Diễu hành tuyên truyền",
        starts_at="05/10/2024 15:00",
        ends_at="05/10/2024 17:00",
        lead_unit_id=campaign.youth_id,
        coordinator_ids=[],
    )
    page = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=clash).get_data(as_text=True)
    assert "Quảng trường thành phố" in page and "Chưa có gì được lưu" in page
    assert 'value="Diễu hành tuyên truyền"' in page
    with app.app_context():
        assert db.session.scalar(select(Activity.id).where(Activity.title == "Diễu hành tuyên truyền")) is None
    response = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data={**clash, "accept_warnings": "y"})
    assert response.status_code == 302
    page = client.get(f"/events/plans/{campaign.plan_id}").get_data(as_text=True)
    assert "đã chấp nhận" in page


def test_organizer_builds_a_cluster_tour_with_two_stops_and_a_programme(app, client, organizer, campaign):
    tour = _activity_data(
        campaign,
        title="Hành trình theo cụm",
        kind="cluster_tour",
        starts_at="24/09/2024 07:30",
        ends_at="28/09/2024 17:00",
        venue_id=0,
        capacity="",
        registration_open="",
    )
    response = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=tour)
    tour_url = response.headers["Location"]
    tour_id = int(tour_url.split("/")[-2])
    assert "Chưa có điểm dừng" in client.get(tour_url).get_data(as_text=True)
    stop = {
        "name": "Cụm 1",
        "host_unit_id": campaign.police_id,
        "participant_ids": [campaign.ward_id],
        "starts_at": "24/09/2024 07:30",
        "ends_at": "25/09/2024 17:00",
        "venue_id": campaign.hall_id,
    }
    assert client.post(f"/events/activities/{tour_id}/stops/new", data=stop).status_code == 302
    late = {
        **stop,
        "name": "Cụm 2",
        "host_unit_id": campaign.youth_id,
        "starts_at": "28/09/2024 07:30",
        "ends_at": "29/09/2024 17:00",
    }
    page = client.post(f"/events/activities/{tour_id}/stops/new", data=late).get_data(as_text=True)
    assert "nằm ngoài thời gian của hành trình" in page
    assert (
        client.post(f"/events/activities/{tour_id}/stops/new", data={**late, "accept_warnings": "y"}).status_code == 302
    )
    with app.app_context():
        stops = db.session.scalars(select(TourStop).order_by(TourStop.position)).all()
        assert [(s.name, s.position) for s in stops] == [("Cụm 1", 1), ("Cụm 2", 2)]
        second = stops[1].id
    client.post(f"/events/stops/{second}/move", data={"direction": "up"})
    page = client.get(tour_url).get_data(as_text=True)
    assert page.index("Cụm 2") < page.index("Cụm 1")
    response = client.post(
        f"/events/activities/{tour_id}/programme",
        data={
            "item-title": "Khai mạc",
            "item-starts_at": "24/09/2024 08:00",
            "item-ends_at": "24/09/2024 09:00",
            "item-stop_id": 0,
            "item-responsible_unit_id": campaign.office_id,
        },
    )
    assert response.status_code == 302
    page = client.post(
        f"/events/activities/{tour_id}/programme",
        data={
            "item-title": "Ngoài giờ",
            "item-starts_at": "30/09/2024 08:00",
            "item-stop_id": 0,
            "item-responsible_unit_id": 0,
        },
    )
    assert page.status_code == 422 and "phải nằm trong thời gian của hoạt động" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ProgrammeItem.title)) == "Khai mạc"


def test_cancelling_keeps_the_activity_visible_as_cancelled(app, client, organizer, campaign):
    client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=_activity_data(campaign))
    with app.app_context():
        activity_id = db.session.scalar(select(Activity.id))
    client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1"})
    client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1"})  # a second click changes nothing
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        assert activity.cancelled and activity.sequence == 1
    assert "Đã hủy" in client.get(f"/events/plans/{campaign.plan_id}").get_data(as_text=True)


def test_venues(app, client, organizer, campaign, snapshot):
    before = snapshot(app)
    response = client.post(
        "/events/venues/new", data={"name": "Quảng trường thành phố", "capacity": "10", "unit_id": 0}
    )
    assert response.status_code == 200 and "Đã có địa điểm cùng tên." in response.get_data(as_text=True)
    assert snapshot(app) == before
    assert (
        client.post(
            "/events/venues/new",
            data={
                "name": "Nhà văn hóa khu phố 1",
                "capacity": "120",
                "unit_id": campaign.ward_id,
                "directions": "Cạnh chợ",
            },
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.scalar(select(Venue.capacity).where(Venue.name == "Nhà văn hóa khu phố 1")) == 120
    assert "Nhà văn hóa khu phố 1" in client.get("/events/venues").get_data(as_text=True)


ORGANIZER_PAGES = ["/events/plans/new", "/events/venues", "/events/venues/new"]


@pytest.mark.parametrize("role", ["anonymous", "volunteer", "unit_reporter", "juror", "organizer", "admin"])
def test_planning_pages_are_for_organizers(client, make_user, login, campaign, role):
    if role != "anonymous":
        login(make_user(role))
    expected = {"anonymous": 302, "organizer": 200, "admin": 200}.get(role, 403)
    for path in [
        *ORGANIZER_PAGES,
        f"/events/plans/{campaign.plan_id}/edit",
        f"/events/plans/{campaign.plan_id}/activities/new",
    ]:
        assert client.get(path).status_code == expected, path
    assert client.get(f"/events/plans/{campaign.plan_id}").status_code == 200  # the plan page itself is public


def test_a_double_submitted_plan_or_activity_is_created_once(app, client, organizer, campaign):
    page = client.get("/events/plans/new").get_data(as_text=True)
    key = page.split('name="submission" type="hidden" value="')[1].split('"')[0]
    data = {
        "title": "Kế hoạch 2025",
        "period_start": "15/09/2025",
        "period_end": "31/10/2025",
        "issuing_unit_id": 0,
        "lead_unit_id": 0,
        "submission": key,
    }
    first, second = client.post("/events/plans/new", data=data), client.post("/events/plans/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    activity = {**_activity_data(campaign), "submission": "k" * 32}
    client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=activity)
    client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=activity)
    with app.app_context():
        assert db.session.scalar(select(func.count(Plan.id)).where(Plan.title == "Kế hoạch 2025")) == 1
        assert db.session.scalar(select(func.count(Activity.id))) == 1


def test_a_rejected_programme_item_leaves_the_activity_form_as_stored(app, client, organizer, campaign, snapshot):
    client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=_activity_data(campaign))
    with app.app_context():
        activity_id = db.session.scalar(select(Activity.id))
    before = snapshot(app)
    response = client.post(
        f"/events/activities/{activity_id}/programme",
        data={
            "item-title": "Diễu hành",
            "item-starts_at": "06/10/2024 08:00",
            "item-stop_id": 0,
            "item-responsible_unit_id": 0,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "phải nằm trong thời gian của hoạt động" in page
    assert snapshot(app) == before
    assert re.search(r'<input[^>]*name="title"[^>]*value="Ngày hội Chuyển đổi số"', page), "activity title kept"
    assert re.search(r'<input[^>]*name="ends_at"[^>]*value="05/10/2024 21:00"', page)
    assert 'id="item-title"' in page and 'value="Diễu hành"' in page


def test_overlong_input_is_a_field_error_not_a_crash(app, client, organizer, campaign, snapshot):
    before = snapshot(app)
    response = client.post(
        "/events/plans/new",
        data={"title": "x" * 400, "number": "9" * 50, "period_start": "15/09/2025", "period_end": "31/10/2025"},
    )
    assert response.status_code == 200
    assert "Không được dài quá 300 ký tự." in response.get_data(as_text=True)
    response = client.post(
        f"/events/plans/{campaign.plan_id}/activities/new", data=_activity_data(campaign, audience_groups=["robots"])
    )
    assert response.status_code == 200 and "không phải là lựa chọn hợp lệ" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_the_plans_page_loads_the_whole_demo_in_a_few_queries(app, client, count_queries):
    from app.demo import load_demo

    with app.app_context():
        load_demo(db.session, password="mat-khau-demo-1010")
        db.session.commit()
    with count_queries() as counted:
        page = client.get("/events/").get_data(as_text=True)
    assert "Cụm 2" in page and "UBND huyện Trảng Bom" in page
    assert len(counted) <= 10, counted
