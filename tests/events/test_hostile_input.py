"""Typos and forged input that once cost a page, a job or a worker: each gets a clear answer, nothing else."""

import io
import threading
import time
import unicodedata
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from app import scheduler
from app.errors import DomainError
from app.extensions import db
from events.models import Activity, Plan, Registration, Venue
from events.services import transfer
from tests.factories import make_activity

from .conftest import local
from .test_transfer_services import campaign_row, upload


@pytest.fixture
def app(make_app):
    return make_app(REGISTRATION_RATE_LIMIT="1000 per minute")


def test_the_calendar_refuses_dates_beyond_its_range(client):
    for day in ("0001-01-01", "9999-12-31", "1900-06-01"):
        assert client.get(f"/events/calendar?date={day}").status_code == 400
    for view in ("month", "week", "list"):
        assert client.get(f"/events/calendar?view={view}&date=2024-10-01").status_code == 200


def test_a_plan_period_must_be_plausible(client, organizer, app):
    base = {"title": "Kế hoạch", "period_start": "15/09/2090", "period_end": "31/10/2090"}
    page = client.post("/events/plans/new", data=base).get_data(as_text=True)
    assert "Thời gian thực hiện phải bắt đầu trong vòng 10 năm kể từ hôm nay." in page
    page = client.post(
        "/events/plans/new", data={**base, "period_start": "15/09/2025", "period_end": "31/10/2035"}
    ).get_data(as_text=True)
    assert "Một kế hoạch kéo dài tối đa 6 năm." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Plan.id))) == 0


def test_an_activity_dated_centuries_away_is_refused_not_drawn(client, organizer, app, campaign):
    data = {
        "title": "Ngày hội",
        "kind": "festival",
        "starts_at": "10/03/2090 07:30",
        "ends_at": "10/03/2090 21:00",
        "venue_id": 0,
        "area_unit_id": 0,
        "lead_unit_id": 0,
        "is_public": "y",
    }
    page = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=data).get_data(as_text=True)
    assert "ngoài xa thời gian của kế hoạch" in page  # a year the date field takes, decades from the plan
    data.update(starts_at="10/03/9990 07:30", ends_at="10/03/9990 21:00")
    page = client.post(f"/events/plans/{campaign.plan_id}/activities/new", data=data).get_data(as_text=True)
    assert "Hãy nhập năm trong khoảng từ 2000 đến 2100." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_a_plan_dated_at_the_end_of_the_calendar_breaks_neither_its_page_nor_the_purge(app, client, campaign):
    with app.app_context():
        broken = Plan(
            title="Lỗi gõ năm", status="published", period_start=date(2024, 9, 1), period_end=date(9999, 12, 31)
        )
        db.session.add(broken)
        db.session.flush()
        db.session.add(
            make_activity(
                broken.id,
                title="Lớp học",
                kind="training",
                starts_at=local("01/10/2024", 8),
                ends_at=datetime(9999, 12, 31, 10, tzinfo=UTC),
            )
        )
        # An ordinary plan, long over: its registrations are due for deletion.
        activity = make_activity(
            campaign.plan_id,
            title="Ngày hội",
            kind="festival",
            starts_at=local("05/10/2024", 8),
            ends_at=local("05/10/2024", 17),
        )
        db.session.add(activity)
        db.session.flush()
        db.session.add(
            Registration(
                activity_id=activity.id,
                name="An",
                phone="0912345678",
                consent_at=local("01/10/2024"),
                status="confirmed",
                token="t" * 32,
            )
        )
        db.session.commit()
        broken_id = broken.id
    page = client.get(f"/events/plans/{broken_id}")
    assert page.status_code == 200 and len(page.data) < 200_000
    with app.app_context():
        typo_activity = db.session.scalar(select(Activity.id).where(Activity.plan_id == broken_id))
    assert client.get(f"/events/activities/{typo_activity}/register").status_code == 200  # states its retention
    with app.app_context():
        result = scheduler.run_job_now("events.purge_expired_registrations", datetime(2025, 3, 1, tzinfo=UTC))
        db.session.commit()
        assert result.ok and result.changed == 1
        assert db.session.scalar(select(func.count(Registration.id))) == 0


@pytest.mark.parametrize("consent", [0, 1, "no", "off", "False", "true", "y", None, [], {}])
def test_only_json_true_is_consent(client, registration_setup, consent, app):
    activity_id = registration_setup.make_activity()
    body = {"name": "Nguyễn Thị Bích", "phone": "0912345678", "ward_id": registration_setup.ward_id, "consent": consent}
    response = client.post(f"/events/api/activities/{activity_id}/registrations", json=body)
    assert response.status_code == 422
    assert "consent" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 0
    body["consent"] = True
    assert client.post(f"/events/api/activities/{activity_id}/registrations", json=body).status_code == 201


def test_an_import_row_outside_the_plan_period_is_an_error(client, organizer, app, campaign):
    rows = [
        campaign_row(),
        campaign_row(title="Lớp tập huấn", starts_at="05/12/2024 08:00", ends_at="05/12/2024 11:00"),
    ]
    page = client.post(
        f"/events/plans/{campaign.plan_id}/import",
        data={"file": (upload(rows), "lich.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Hoạt động này nằm ngoài thời gian của kế hoạch (15/09/2024 – 31/10/2024)." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Activity.id))) == 0


def _xlsx(fill) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([column.header for column in transfer.COLUMNS])
    fill(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _read(data: bytes, name="lich.xlsx"):
    return transfer.read_upload(name, io.BytesIO(data))


def test_a_sheet_longer_than_the_line_limit_is_refused_not_read_to_the_end():
    data = _xlsx(lambda sheet: sheet.cell(row=transfer.MAX_LINES + 5, column=1, value="Lạc cuối trang"))
    with pytest.raises(DomainError) as error:
        _read(data)
    assert error.value.code == "too_many_lines" and error.value.field == "file"


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_inflated():
    data = io.BytesIO(_xlsx(lambda sheet: None))
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"\0" * (transfer.MAX_UNPACKED_BYTES + 1))
    assert len(data.getvalue()) < transfer.MAX_BYTES  # small on the wire
    with pytest.raises(DomainError) as error:
        _read(data.getvalue())
    assert error.value.code == "too_large_unpacked"


def test_a_workbook_with_broken_sheet_xml_is_a_form_error():
    source = zipfile.ZipFile(
        io.BytesIO(_xlsx(lambda sheet: sheet.append(["Ngày hội", "Ngày hội", "05/10/2024 07:30"])))
    )
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for member in source.infolist():
            body = source.read(member)
            archive.writestr(
                member, b"<worksheet><sheetData><row><c" if "worksheets/sheet" in member.filename else body
            )
    with pytest.raises(DomainError) as error:
        _read(broken.getvalue())
    assert error.value.code == "unreadable"


def test_a_csv_cell_beyond_the_csv_module_limit_is_a_form_error():
    data = (
        "Tiêu đề;Loại;Bắt đầu;Kết thúc\n" + "x" * 200_000 + ";Ngày hội;05/10/2024 07:30;05/10/2024 09:00\n"
    ).encode()
    with pytest.raises(DomainError) as error:
        _read(data, "lich.csv")
    assert error.value.code == "bad_csv"


def test_exported_text_is_text_whatever_it_starts_with(client, organizer, app, campaign):
    from openpyxl import load_workbook

    with app.app_context():
        plan = db.session.get(Plan, campaign.plan_id)
        plan.title = '=HYPERLINK("http://evil.example","Bấm vào đây")'
        db.session.add(
            make_activity(
                plan.id,
                title="+cmd|' /C calc'!A0\x07",
                kind="festival",
                starts_at=local("05/10/2024", 8),
                ends_at=local("05/10/2024", 17),
            )
        )
        db.session.commit()
    response = client.get(f"/events/plans/{campaign.plan_id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["Hoạt động"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].value.startswith("=HYPERLINK")
    assert sheet["A6"].data_type == "s" and sheet["A6"].value == "+cmd|' /C calc'!A0"


def test_line_breaks_and_control_characters_cannot_forge_calendar_lines(client, app, campaign):
    from icalendar import Calendar

    with app.app_context():
        plan = db.session.get(Plan, campaign.plan_id)
        plan.title = "Kế hoạch\r\nX-INJECTED:1"
        db.session.add(
            make_activity(
                plan.id,
                title="Ngày hội\nBEGIN:VEVENT\x01",
                kind="festival",
                starts_at=local("05/10/2024", 8),
                ends_at=local("05/10/2024", 17),
                description="Dòng 1\r\nDòng 2\x1b",
            )
        )
        db.session.commit()
    response = client.get(f"/events/plans/{campaign.plan_id}/calendar.ics")
    assert response.status_code == 200
    assert b"\r\nX-INJECTED" not in response.data and b"\x01" not in response.data and b"\x1b" not in response.data
    feed = Calendar.from_ical(response.data)
    assert str(feed["X-WR-CALNAME"]) == "Kế hoạch X-INJECTED:1"
    (event,) = feed.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Ngày hội BEGIN:VEVENT" and str(event["DESCRIPTION"]).startswith("Dòng 1\nDòng 2")


def test_two_organizers_adding_the_same_venue_at_once_get_one_venue_and_a_clear_error(app):
    """The second insert passed the name check before the first committed: the unique index answers, and the
    service turns its IntegrityError into the same field error as the check."""
    from sqlalchemy.orm import Session

    from events.services import venues

    fields = dict(name="Nhà văn hóa phường", address="", capacity=None, unit_id=None, directions="")
    outcome = {}
    with app.app_context():
        engine = db.engine
    first = Session(engine)
    venues.save_venue(first, None, **fields)  # flushed, holding the row (and, on SQLite, the write lock)

    def second_organizer():
        with Session(engine) as session:
            try:
                venues.save_venue(session, None, **fields)
                session.commit()
                outcome["result"] = "saved"
            except DomainError as error:
                session.rollback()
                outcome["result"] = error.code

    thread = threading.Thread(target=second_organizer)
    thread.start()
    time.sleep(1)  # the second organizer has passed the name check and waits on the first one's insert
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert outcome == {"result": "venue_name_taken"}
    with app.app_context():
        assert db.session.scalar(select(func.count(Venue.id))) == 1


def test_look_alike_venue_names_in_nfc_and_nfd_are_one_venue(session):
    from events.services import venues

    fields = dict(address="", capacity=None, unit_id=None, directions="")
    venues.save_venue(session, None, name=unicodedata.normalize("NFC", "Hội trường Ủy ban"), **fields)
    with pytest.raises(DomainError) as error:
        venues.save_venue(session, None, name=unicodedata.normalize("NFD", "Hội trường Ủy ban"), **fields)
    assert error.value.code == "venue_name_taken"
