"""Organizers' tools through the pages: the new-plan button, the registrations list (search, counts by ward, the
audited XLSX export), editing a programme item, the confirmation step of destructive actions, warnings that link
to what they name, Vietnamese order in every list of units, and the words on the forms."""

import io
import re
import secrets
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Unit
from events.models import Activity, ProgrammeItem, Registration, TourStop
from tests.factories import make_activity

from .conftest import local


def _people(app, activity_id, ward_ids, people):
    """Registrations straight into the database: (name, phone, ward index or None, status)."""
    with app.app_context():
        for name, phone, ward, status in people:
            db.session.add(
                Registration(
                    activity_id=activity_id,
                    name=name,
                    phone=phone,
                    ward_unit_id=None if ward is None else ward_ids[ward],
                    email=f"{phone}@example.vn",
                    consent_at=datetime.now(UTC),
                    status=status,
                    token=secrets.token_urlsafe(32),
                )
            )
        activity = db.session.get(Activity, activity_id)
        activity.seats_taken = sum(1 for person in people if person[3] == "confirmed")
        db.session.commit()


PEOPLE = [
    ("Nguyễn Thị Hương", "0903112233", 0, "confirmed"),
    ("Đỗ Quang Vinh", "0355667788", 1, "confirmed"),
    ("Bùi Minh Khoa", "0977889900", 1, "waitlisted"),
    ('=HYPERLINK("http://x")', "0912000111", 0, "cancelled"),
]


# --- 1. the new-plan button ----------------------------------------------------------------------------------


def test_organizers_find_a_new_plan_button_on_the_plans_page_and_citizens_do_not(client, make_user, login, campaign):
    assert "Kế hoạch mới" not in client.get("/events/").get_data(as_text=True)
    login(make_user("organizer"))
    page = client.get("/events/").get_data(as_text=True)
    assert re.search(r'<a class="button" href="/events/plans/new">Kế hoạch mới</a>', page)


# --- 2. registrations: search, counts by ward, export -------------------------------------------------------


def test_the_list_searches_names_without_accents_and_phones_by_part(app, client, organizer, registration_setup):
    setup = registration_setup
    activity_id = setup.make_activity(capacity=2)
    _people(app, activity_id, (setup.ward_id, setup.other_ward_id), PEOPLE)
    url = f"/events/activities/{activity_id}/registrations"

    page = client.get(url).get_data(as_text=True)
    # Vietnamese order of people: by given name (Hương, Khoa, Vinh), the formula-looking name (H…) among them.
    order = [page.index(name) for name in ("Nguyễn Thị Hương", "Bùi Minh Khoa", "Đỗ Quang Vinh")]
    assert order == sorted(order)
    assert "0903112233" not in page and "09******33" in page  # masked, even for the organizer

    page = client.get(url, query_string={"q": "do quang"}).get_data(as_text=True)
    assert "Đỗ Quang Vinh" in page and "Nguyễn Thị Hương" not in page and "Bùi Minh Khoa" not in page
    assert "1 trên 4 lượt đăng ký khớp với “do quang”." in page
    page = client.get(url, query_string={"q": "HUONG"}).get_data(as_text=True)
    assert "Nguyễn Thị Hương" in page and "Đỗ Quang Vinh" not in page
    page = client.get(url, query_string={"q": "889 900"}).get_data(as_text=True)
    assert "Bùi Minh Khoa" in page and "Đỗ Quang Vinh" not in page
    assert "0977889900" not in page  # the search does not unmask the phone
    page = client.get(url, query_string={"q": "Trần"}).get_data(as_text=True)
    assert "Không có ai trong danh sách khớp với nội dung tìm." in page


def test_counts_by_ward_in_vietnamese_order_leave_out_cancellations(app, client, organizer, registration_setup):
    setup = registration_setup
    with app.app_context():
        province = db.session.get(Unit, setup.ward_id).parent.parent
        dinh_quan = Unit(name="Xã Định Quán", kind="ward", parent=province)
        xuan_loc = Unit(name="Xã Xuân Lộc", kind="ward", parent=province)
        db.session.add_all([dinh_quan, xuan_loc])
        db.session.commit()
        wards = (xuan_loc.id, dinh_quan.id)
    activity_id = setup.make_activity(capacity=None)
    _people(app, activity_id, wards, PEOPLE)
    page = client.get(f"/events/activities/{activity_id}/registrations").get_data(as_text=True)
    table = page[page.index('id="wards"') : page.index("</table>", page.index('id="wards"'))]
    assert "Số người đăng ký theo phường, xã" in table
    assert table.index("Xã Định Quán") < table.index("Xã Xuân Lộc")
    rows = re.findall(r"<th scope=\"row\">(.*?)</th>.*?<span>(\d+)</span>", table, re.S)
    assert [(re.sub(r"<.*", "", name).strip(), int(n)) for name, n in rows] == [("Xã Định Quán", 2), ("Xã Xuân Lộc", 1)]
    assert 'width="100"' in table and 'width="50"' in table


def test_the_export_has_full_phones_as_text_and_is_audited_without_personal_data(
    app, client, organizer, registration_setup
):
    setup = registration_setup
    activity_id = setup.make_activity(capacity=2)
    _people(app, activity_id, (setup.ward_id, setup.other_ward_id), PEOPLE)
    page = client.get(f"/events/activities/{activity_id}/registrations").get_data(as_text=True)
    assert f'href="/events/activities/{activity_id}/registrations.xlsx"' in page

    response = client.get(f"/events/activities/{activity_id}/registrations.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[3]][:4] == ["STT", "Họ và tên", "Số điện thoại", "Phường, xã"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Đỗ Quang Vinh"][2] == "0355667788"  # the full number, leading zero kept
    assert rows["Bùi Minh Khoa"][6] == "Trong danh sách chờ" and rows["Bùi Minh Khoa"][7] == 1
    formula = next(row for row in sheet.iter_rows(min_row=4) if row[1].value.startswith("="))
    assert formula[1].data_type == "s"  # typed text stays text, never a formula
    assert all(row[2].data_type == "s" for row in sheet.iter_rows(min_row=4))

    with app.app_context():
        (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert entry.entity == "Registration" and entry.actor_id == organizer["id"]
        assert entry.changes == {"activity_id": activity_id, "count": 4}
        trail = repr((entry.entity_id, entry.changes))
    for name, phone, _ward, _status in PEOPLE:
        assert phone not in trail and name not in trail


def test_other_roles_get_neither_the_list_nor_the_export(client, make_user, login, registration_setup):
    activity_id = registration_setup.make_activity()
    assert client.get(f"/events/activities/{activity_id}/registrations.xlsx").status_code == 302  # sign in first
    login(make_user("volunteer"))
    assert client.get(f"/events/activities/{activity_id}/registrations.xlsx").status_code == 403


# --- 3. programme items are edited ----------------------------------------------------------------------------


def _festival(app, campaign):
    with app.app_context():
        festival = make_activity(
            campaign.plan_id,
            title="Ngày hội Chuyển đổi số",
            kind="festival",
            starts_at=local("05/10/2024", 7, 30),
            ends_at=local("05/10/2024", 21),
            lead_unit_id=campaign.office_id,
            venue_id=campaign.square_id,
        )
        item = ProgrammeItem(activity=festival, title="Khai mạc", starts_at=local("05/10/2024", 8))
        db.session.add_all([festival, item])
        db.session.commit()
        return festival.id, item.id


def test_a_programme_item_is_edited_with_the_same_rules_as_when_added(app, client, organizer, campaign, snapshot):
    festival_id, item_id = _festival(app, campaign)
    edit_page = client.get(f"/events/activities/{festival_id}/edit").get_data(as_text=True)
    assert f'href="/events/programme/{item_id}/edit"' in edit_page
    page = client.get(f"/events/programme/{item_id}/edit").get_data(as_text=True)
    assert "Sửa mục chương trình" in page and 'value="Khai mạc"' in page and 'value="05/10/2024 08:00"' in page

    before = snapshot(app)
    response = client.post(
        f"/events/programme/{item_id}/edit",
        data={"title": "Khai mạc", "starts_at": "06/10/2024 08:00", "stop_id": 0, "responsible_unit_id": 0},
    )
    assert response.status_code == 422
    assert "phải nằm trong thời gian của hoạt động" in response.get_data(as_text=True)
    assert snapshot(app) == before

    response = client.post(
        f"/events/programme/{item_id}/edit",
        data={
            "title": "Lễ khai mạc Ngày hội",
            "starts_at": "05/10/2024 08:30",
            "ends_at": "05/10/2024 09:00",
            "stop_id": 0,
            "responsible_unit_id": campaign.office_id,
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{festival_id}/edit#programme")
    with app.app_context():
        item = db.session.get(ProgrammeItem, item_id)
        assert (item.title, item.responsible_unit_id) == ("Lễ khai mạc Ngày hội", campaign.office_id)
        assert item.starts_at == local("05/10/2024", 8, 30) and item.ends_at == local("05/10/2024", 9)
        assert db.session.scalar(select(func.count(ProgrammeItem.id))) == 1
    assert "Lễ khai mạc Ngày hội" in client.get(f"/events/activities/{festival_id}").get_data(as_text=True)


# --- 4. destructive actions ask first -------------------------------------------------------------------------


def test_cancelling_an_activity_asks_first_and_says_who_will_be_told(app, client, organizer, registration_setup):
    setup = registration_setup
    activity_id = setup.make_activity(capacity=2)
    _people(app, activity_id, (setup.ward_id, setup.other_ward_id), PEOPLE)
    url = f"/events/activities/{activity_id}/cancel"
    edit = client.get(f"/events/activities/{activity_id}/edit").get_data(as_text=True)
    assert f'href="{url}"' in edit  # the button leads to the confirmation page

    page = client.get(url).get_data(as_text=True)
    assert "3 người đã đăng ký sẽ được báo tin hủy." in page  # two confirmed, one waiting; not the cancelled one
    assert 'name="confirm" value="1"' in page and 'name="csrf_token"' in page

    response = client.post(url)  # the bare button post of an old page: sent to the question, nothing done
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    with app.app_context():
        assert not db.session.get(Activity, activity_id).cancelled

    response = client.post(url, data={"confirm": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Activity, activity_id).cancelled
    assert client.get(url).status_code == 302  # already cancelled: nothing to ask


def test_removing_a_stop_asks_first_and_names_the_programme_that_goes_with_it(app, client, organizer, campaign):
    with app.app_context():
        tour = make_activity(
            campaign.plan_id,
            title="Hành trình theo cụm",
            kind="cluster_tour",
            starts_at=local("24/09/2024", 7),
            ends_at=local("28/09/2024", 17),
        )
        stop = TourStop(
            activity=tour,
            position=1,
            name="Cụm 1",
            host_unit_id=campaign.police_id,
            starts_at=local("24/09/2024", 7),
            ends_at=local("25/09/2024", 17),
        )
        item = ProgrammeItem(activity=tour, stop=stop, title="Khai mạc Cụm 1", starts_at=local("24/09/2024", 8))
        db.session.add_all([tour, stop, item])
        db.session.commit()
        stop_id, tour_id = stop.id, tour.id
    url = f"/events/stops/{stop_id}/delete"
    assert f'href="{url}"' in client.get(f"/events/activities/{tour_id}/edit").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "Bỏ điểm dừng “Cụm 1”?" in page
    assert "do Công an thành phố Tân Uyên đăng cai" in page
    assert "1 mục chương trình của điểm này cũng bị bỏ: Khai mạc Cụm 1." in page
    assert client.post(url).headers["Location"].endswith(url)
    with app.app_context():
        assert db.session.get(TourStop, stop_id) is not None
    client.post(url, data={"confirm": "1"})
    with app.app_context():
        assert db.session.get(TourStop, stop_id) is None
        assert db.session.scalar(select(func.count(ProgrammeItem.id))) == 0  # its programme went with it


def test_removing_a_programme_item_asks_first(app, client, organizer, campaign):
    festival_id, item_id = _festival(app, campaign)
    url = f"/events/programme/{item_id}/delete"
    assert f'href="{url}"' in client.get(f"/events/activities/{festival_id}/edit").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "Bỏ “Khai mạc” khỏi chương trình?" in page and "05/10/2024 08:00" in page
    assert client.post(url).status_code == 303
    with app.app_context():
        assert db.session.get(ProgrammeItem, item_id) is not None
    response = client.post(url, data={"confirm": "1"})
    assert response.headers["Location"].endswith(f"/events/activities/{festival_id}/edit#programme")
    with app.app_context():
        assert db.session.get(ProgrammeItem, item_id) is None


def test_the_confirmation_step_keeps_csrf(make_app, make_user, login, registration_setup):
    """With CSRF on, even the confirmed post needs its token (the confirmation page carries it)."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    activity_id = registration_setup.make_activity()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    assert token
    user = make_user("organizer")
    client.post("/login", data={"login": user["email"], "password": user["password"], "csrf_token": token.group(1)})
    assert client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1"}).status_code == 400
    page = client.get(f"/events/activities/{activity_id}/cancel").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1", "csrf_token": form_token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Activity, activity_id).cancelled


# --- 5. warnings link to what they name -----------------------------------------------------------------------


def test_a_warning_links_to_the_activities_it_names(app, client, organizer, campaign):
    festival_id, _item = _festival(app, campaign)
    with app.app_context():
        fair = make_activity(
            campaign.plan_id,
            title="Hội chợ không dùng tiền mặt",
            kind="cashless_drive",
            starts_at=local("05/10/2024", 8),
            ends_at=local("05/10/2024", 12),
            lead_unit_id=campaign.office_id,
        )
        contest = make_activity(
            campaign.plan_id,
            title="Cuộc thi trực tuyến",
            kind="contest",
            starts_at=local("15/09/2024", 8),
            ends_at=local("31/10/2024", 17),
            lead_unit_id=campaign.office_id,
        )
        db.session.add_all([fair, contest])
        db.session.commit()
        fair_id, contest_id = fair.id, contest.id
    page = client.get(f"/events/plans/{campaign.plan_id}").get_data(as_text=True)
    warnings = page[page.index('id="conflicts-title"') :]
    assert "Phòng Văn hóa và Thông tin" in warnings
    assert f'<a href="/events/activities/{festival_id}/edit">Ngày hội Chuyển đổi số</a>' in warnings
    assert f'<a href="/events/activities/{fair_id}/edit">Hội chợ không dùng tiền mặt</a>' in warnings
    assert f"/events/activities/{contest_id}/edit" not in warnings  # a weeks-long online contest ties nobody up

    # The same links on the form that asks to confirm the warning.
    response = client.post(
        f"/events/activities/{fair_id}/edit",
        data={
            "title": "Hội chợ không dùng tiền mặt",
            "kind": "cashless_drive",
            "starts_at": "05/10/2024 08:00",
            "ends_at": "05/10/2024 13:00",
            "venue_id": 0,
            "area_unit_id": 0,
            "lead_unit_id": campaign.office_id,
        },
    )
    page = response.get_data(as_text=True)
    assert "Kiểm tra các cảnh báo" in page or "cảnh báo" in page
    assert f'<a href="/events/activities/{festival_id}/edit">Ngày hội Chuyển đổi số</a>' in page


# --- 7. Vietnamese order --------------------------------------------------------------------------------------


def test_unit_choices_and_participants_are_in_vietnamese_order(app, client, organizer, campaign):
    with app.app_context():
        province = db.session.get(Unit, campaign.city_id).parent
        xuan_loc = Unit(name="UBND huyện Xuân Lộc", kind="district", parent=province)
        dinh_quan = Unit(name="UBND huyện Định Quán", kind="district", parent=province)
        tour = make_activity(
            campaign.plan_id,
            title="Hành trình theo cụm",
            kind="cluster_tour",
            starts_at=local("24/09/2024", 7),
            ends_at=local("28/09/2024", 17),
            is_public=True,
        )
        stop = TourStop(
            activity=tour,
            position=1,
            name="Cụm 1",
            host_unit_id=campaign.police_id,
            starts_at=local("24/09/2024", 7),
            ends_at=local("25/09/2024", 17),
            participating_units=[xuan_loc, dinh_quan],
        )
        tour.coordinating_units = [xuan_loc, dinh_quan]
        db.session.add_all([xuan_loc, dinh_quan, tour, stop])
        db.session.commit()
        tour_id, stop_id = tour.id, stop.id
    for url in (
        f"/events/plans/{campaign.plan_id}/activities/new",
        f"/events/activities/{tour_id}/edit",
        f"/events/stops/{stop_id}/edit",
        f"/events/plans/{campaign.plan_id}/edit",
        f"/events/activities/{tour_id}",
        "/events/",
    ):
        page = client.get(url).get_data(as_text=True)
        assert page.index("Định Quán") < page.index("Xuân Lộc"), url
