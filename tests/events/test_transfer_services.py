"""Import template, upload reading, row checking, all-or-nothing import and the XLSX export."""

import io
from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app import create_app
from app.config import TestConfig
from app.errors import DomainError
from app.models import Unit
from events.models import Activity, Plan, Venue
from events.services import transfer
from tests.factories import make_activity

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HEADERS = [column.header for column in transfer.COLUMNS]

UNITS = [
    SimpleNamespace(id=1, name="Phòng Văn hóa và Thông tin", short_name="Phòng VH&TT", kind="department"),
    SimpleNamespace(id=2, name="Thành Đoàn Tân Uyên", short_name="Thành Đoàn"),
    SimpleNamespace(id=3, name="Công an thành phố Tân Uyên", short_name=None),
    SimpleNamespace(id=4, name="Điện lực Tân Uyên", short_name=None),
    SimpleNamespace(id=5, name="Phường 1", short_name=None),
    SimpleNamespace(id=6, name="Phường 1", short_name=None),  # same name under another district
    SimpleNamespace(id=8, name="Phường Uyên Hưng", short_name=None, kind="ward"),
    SimpleNamespace(id=9, name="Thành phố Tân Uyên", short_name="TP Tân Uyên", kind="district"),
]
VENUES = [SimpleNamespace(id=7, name="Quảng trường thành phố Tân Uyên")]


@pytest.fixture(scope="module")
def vietnamese():
    """A request in the default language, so lazy messages read as users see them (no database needed)."""
    app = create_app({key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()})
    with app.test_request_context():
        yield


def row(**cells):
    values = {
        "title": "Ngày hội Chuyển đổi số thành phố Tân Uyên",
        "kind": "Ngày hội / lễ hội",
        "starts_at": "05/10/2024 07:30",
        "ends_at": "05/10/2024 21:00",
        "venue": "Quảng trường thành phố Tân Uyên",
        "lead_unit": "Phòng Văn hóa và Thông tin",
        "coordinators": "Thành Đoàn Tân Uyên; Công an thành phố Tân Uyên",
        "audience": "Người dân, doanh nghiệp",
        "expected_headcount": "3.000",
        "capacity": "2000",
        "is_public": "Có",
        "description": "Không gian trải nghiệm ứng dụng số",
        "registration_open": "",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "audience_groups": "",
        "area": "",
        "what_to_bring": "",
    }
    values.update(cells)
    return [values[column.key] for column in transfer.COLUMNS]


def errors_of(rows):
    drafts, errors = transfer.parse_rows(rows, UNITS, VENUES, tz=TZ)
    return drafts, {(error.row_number, error.column): str(error.message) for error in errors}


# --- parse_rows ----------------------------------------------------------------------------------------------


def test_good_rows_become_drafts_in_vietnam_time():
    drafts, errors = transfer.parse_rows(
        [row(), row(title="Lớp tập huấn", kind="training", venue="")], UNITS, VENUES, tz=TZ
    )
    assert errors == []
    festival, training = drafts
    assert festival.row_number == 2 and training.row_number == 3
    assert festival.kind == "festival" and training.kind == "training"
    assert festival.starts_at == datetime(2024, 10, 5, 7, 30, tzinfo=TZ)
    assert festival.ends_at.astimezone(TZ).strftime("%d/%m/%Y %H:%M") == "05/10/2024 21:00"
    assert (festival.venue_id, festival.lead_unit_id, festival.coordinator_ids) == (7, 1, [2, 3])
    assert (festival.expected_headcount, festival.capacity, festival.is_public) == (3000, 2000, True)
    assert training.venue_id is None


def test_kind_by_vietnamese_label_or_code_ignoring_case_and_diacritics():
    kinds = ["NGAY HOI / LE HOI", "ngày hội", "Đi từng ngõ, gõ từng nhà", "cyber_drill", "Lớp tập huấn", "Buổi lễ"]
    drafts, errors = transfer.parse_rows([row(kind=kind) for kind in kinds], UNITS, VENUES, tz=TZ)
    assert errors == []
    assert [d.kind for d in drafts] == ["festival", "festival", "door_to_door", "cyber_drill", "training", "ceremony"]


def test_units_by_short_name_and_without_diacritics():
    drafts, errors = transfer.parse_rows(
        [row(lead_unit="phong vh&tt", coordinators="Thành Đoàn;\nDien luc Tan Uyen; Thành Đoàn")], UNITS, VENUES, tz=TZ
    )
    assert errors == []
    assert drafts[0].lead_unit_id == 1 and drafts[0].coordinator_ids == [2, 4]


def test_dates_as_strings_and_as_datetime_cells():
    rows = [
        row(starts_at=datetime(2024, 10, 5, 7, 30), ends_at=datetime(2024, 10, 5, 20, 59, 59, 999000)),
        row(starts_at="5/10/2024 7h30", ends_at="2024-10-05 21:00"),
        row(starts_at=datetime(2024, 10, 5, 0, 30, tzinfo=ZoneInfo("UTC")), ends_at="05.10.2024 21:00"),
    ]
    drafts, errors = transfer.parse_rows(rows, UNITS, VENUES, tz=TZ)
    assert errors == []
    assert [d.starts_at.astimezone(TZ).strftime("%d/%m/%Y %H:%M") for d in drafts] == ["05/10/2024 07:30"] * 3
    assert [d.ends_at.astimezone(TZ).strftime("%H:%M") for d in drafts] == ["21:00"] * 3


def test_every_bad_cell_is_reported_with_its_spreadsheet_row(vietnamese):
    rows = [
        row(),  # row 2 is fine
        row(title="", kind="hội chợ"),  # row 3
        row(starts_at="5/10/2024", ends_at="31/02/2024 10:00"),  # row 4
        row(starts_at="hôm nay", ends_at=""),  # row 5
        row(ends_at="05/10/2024 07:00"),  # row 6: ends before it starts
        row(venue="Nhà văn hóa", lead_unit="Sở Du lịch", coordinators="Thành Đoàn; Hội Nông dân"),  # row 7
        row(expected_headcount="-5", capacity="nhiều", is_public="Chưa biết"),  # row 8
        row(lead_unit="Phường 1"),  # row 9: two units have that name
        row(lead_unit=""),  # row 10
    ]
    drafts, errors = errors_of(rows)
    assert [d.row_number for d in drafts] == [2]
    assert errors == {
        (3, "Tiêu đề"): "Nhập tiêu đề hoạt động.",
        (3, "Loại"): "Loại hoạt động “hội chợ” không hợp lệ: chọn một loại trong trang “Hướng dẫn”.",
        (4, "Bắt đầu"): "Thiếu giờ: ghi theo dạng dd/mm/yyyy hh:mm, ví dụ 05/10/2024 07:30.",
        (4, "Kết thúc"): "Ngày giờ không có thật: 31/02/2024 10:00.",
        (5, "Bắt đầu"): "Ghi ngày giờ theo dạng dd/mm/yyyy hh:mm, ví dụ 05/10/2024 07:30.",
        (5, "Kết thúc"): "Nhập thời gian kết thúc (dd/mm/yyyy hh:mm).",
        (6, "Kết thúc"): "Thời gian kết thúc phải sau thời gian bắt đầu.",
        (7, "Địa điểm"): "Không có địa điểm nào tên “Nhà văn hóa”. Thêm địa điểm trước, hoặc để trống ô này.",
        (7, "Đơn vị chủ trì"): "Không có đơn vị nào tên “Sở Du lịch”. Ghi tên hoặc tên viết tắt đúng như trên "
        "trang Đơn vị.",
        (7, "Đơn vị phối hợp"): "Không có đơn vị nào tên “Hội Nông dân”. Ghi tên hoặc tên viết tắt đúng như trên "
        "trang Đơn vị.",
        (8, "Số người dự kiến"): "Ghi một số từ 0 trở lên.",
        (8, "Sức chứa"): "Ghi một số nguyên.",
        (8, "Công khai"): "Ghi “Có” hoặc “Không”.",
        (9, "Đơn vị chủ trì"): "Có nhiều đơn vị cùng tên “Phường 1”. Ghi tên đầy đủ của đơn vị cần chọn.",
        (10, "Đơn vị chủ trì"): "Nhập đơn vị chủ trì.",
    }


def test_dict_rows_keyed_by_header_keep_their_row_numbers_and_blank_rows_are_skipped():
    rows = [
        dict(zip(HEADERS, row(), strict=True)) | {"_row": 6},
        {"Tiêu đề": " ", "Loại": None},
        dict(zip(HEADERS, row(starts_at="x"), strict=True)) | {"_row": 9},
    ]
    drafts, errors = transfer.parse_rows(rows, UNITS, VENUES, tz=TZ)
    assert [d.row_number for d in drafts] == [6]
    assert [(e.row_number, e.column) for e in errors] == [(9, "Bắt đầu")]


def test_public_flag_accepts_co_khong_and_defaults_to_public():
    drafts, errors = transfer.parse_rows(
        [row(is_public="Không"), row(is_public="khong"), row(is_public=""), row(is_public="co")], UNITS, VENUES, tz=TZ
    )
    assert errors == []
    assert [d.is_public for d in drafts] == [False, False, True, True]


# --- files ---------------------------------------------------------------------------------------------------


def csv_bytes(lines, delimiter=";", bom=True):
    text = "\n".join(
        delimiter.join(f'"{cell}"' if delimiter in str(cell) else str(cell) for cell in line) for line in lines
    )
    return (("\ufeff" if bom else "") + text + "\n").encode("utf-8")


def test_semicolon_csv_with_bom_as_vietnamese_excel_saves_it():
    data = csv_bytes([HEADERS, row(), ["", "", ""], row(title="Hội thi tìm hiểu an toàn thông tin")])
    rows = transfer.read_upload("lich.csv", io.BytesIO(data))
    drafts, errors = transfer.parse_rows(rows, UNITS, VENUES, tz=TZ)
    assert errors == []
    assert [(d.row_number, d.title) for d in drafts] == [
        (2, "Ngày hội Chuyển đổi số thành phố Tân Uyên"),
        (4, "Hội thi tìm hiểu an toàn thông tin"),
    ]
    assert drafts[0].coordinator_ids == [2, 3]


def test_comma_csv_without_bom():
    data = csv_bytes([HEADERS, row()], delimiter=",", bom=False)
    drafts, errors = transfer.parse_rows(transfer.read_upload("LICH.CSV", io.BytesIO(data)), UNITS, VENUES, tz=TZ)
    assert errors == [] and drafts[0].audience == "Người dân, doanh nghiệp"


def test_columns_may_come_in_any_order_and_optional_ones_may_be_missing():
    data = csv_bytes(
        [
            ["Đơn vị chủ trì", "Kết thúc", "Bắt đầu", "Loại", "Tiêu đề"],
            ["Phòng VH&TT", "05/10/2024 11:00", "05/10/2024 08:00", "Buổi lễ", "Lễ phát động"],
        ]
    )
    drafts, errors = transfer.parse_rows(transfer.read_upload("a.csv", io.BytesIO(data)), UNITS, VENUES, tz=TZ)
    assert errors == []
    assert (drafts[0].title, drafts[0].kind, drafts[0].lead_unit_id, drafts[0].is_public) == (
        "Lễ phát động",
        "ceremony",
        1,
        True,
    )


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("lich.xls", b"x", "Chọn tệp .xlsx hoặc .csv (tệp mẫu nhập là tệp .xlsx)."),
        ("lich", b"x", "Chọn tệp .xlsx hoặc .csv (tệp mẫu nhập là tệp .xlsx)."),
        ("lich.csv", b"a" * (2 * 1024 * 1024 + 1), "Tệp lớn hơn 2 MB. Vui lòng chia thành các tệp nhỏ hơn."),
        ("lich.csv", b"", "Tệp không có dữ liệu."),
        ("lich.csv", b"Ti\xeau \xf0\xd2\xea;B\xe9t \xf0\xd2u\n", "Tệp CSV không dùng bảng mã UTF-8"),
        ("lich.xlsx", b"PK not really a workbook", "Không đọc được tệp này dưới dạng bảng tính Excel"),
        ("lich.csv", "Tên;Ngày\nA;B\n".encode(), "Không tìm thấy dòng tiêu đề cột"),
        ("lich.csv", "Tiêu đề;Bắt đầu\nA;B\n".encode(), "Tệp thiếu cột “Loại”, “Kết thúc”, “Đơn vị chủ trì”."),
        ("lich.csv", "Tiêu đề;Loại;Bắt đầu;Kết thúc;Đơn vị chủ trì\n;;;;\n".encode(), "Tệp không có dòng hoạt động"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(vietnamese, filename, data, message):
    with pytest.raises(DomainError) as caught:
        transfer.read_upload(filename, io.BytesIO(data))
    assert caught.value.field == "file"
    assert message in str(caught.value.message)


def test_more_than_2000_rows_is_refused(vietnamese):
    data = csv_bytes([HEADERS] + [row(title=f"Hoạt động {n}") for n in range(2001)])
    assert len(data) < transfer.MAX_BYTES
    with pytest.raises(DomainError) as caught:
        transfer.read_upload("lich.csv", io.BytesIO(data))
    assert str(caught.value.message) == "Tệp có hơn 2000 hoạt động. Vui lòng chia thành các tệp nhỏ hơn."
    exactly = csv_bytes([HEADERS] + [row(title=f"Hoạt động {n}") for n in range(2000)])
    assert len(transfer.read_upload("lich.csv", io.BytesIO(exactly))) == 2000


def test_template_round_trip_gives_the_example_row():
    data = transfer.build_template()
    drafts, errors = transfer.parse_rows(transfer.read_upload("mau.xlsx", io.BytesIO(data)), UNITS, VENUES, tz=TZ)
    assert errors == []
    (example,) = drafts
    assert example.row_number == 2
    assert example.title == "Ngày hội Chuyển đổi số thành phố Tân Uyên"
    assert example.kind == "festival"
    assert example.starts_at == datetime(2024, 10, 5, 7, 30, tzinfo=TZ)
    assert (example.venue_id, example.lead_unit_id, example.coordinator_ids) == (7, 1, [2, 3, 4])
    assert (example.expected_headcount, example.capacity, example.is_public) == (3000, 2000, True)
    assert (example.registration_open, example.audience_groups, example.area_unit_id) == (
        True,
        ["citizens", "students", "youth"],
        8,
    )
    assert (example.registration_opens_at, example.registration_closes_at) == (
        datetime(2024, 9, 20, 8, tzinfo=TZ),
        datetime(2024, 10, 4, 17, tzinfo=TZ),
    )
    assert example.what_to_bring.startswith("Căn cước công dân")


def test_template_has_vietnamese_headers_a_guide_sheet_and_drop_down_lists(vietnamese):
    workbook = load_workbook(io.BytesIO(transfer.build_template()))
    assert workbook.sheetnames == ["Hoạt động", "Hướng dẫn"]
    sheet = workbook["Hoạt động"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].number_format == "dd/mm/yyyy hh:mm"
    guide = [cell for line in workbook["Hướng dẫn"].iter_rows(values_only=True) for cell in line if cell]
    assert "Hướng dẫn điền tệp nhập hoạt động" in guide
    assert {"Ngày hội / lễ hội", "festival", "Đi từng ngõ, gõ từng nhà", "door_to_door"} <= set(guide)
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"}
    assert lists["K2:K2001 M2:M2001"] == '"Có,Không"'
    assert lists["B2:B2001"].startswith("'Hướng dẫn'!$A$")


# --- import and export against the database -----------------------------------------------------------------


def upload(rows):
    return io.BytesIO(csv_bytes([HEADERS, *rows]))


def campaign_row(**cells):
    defaults = {"venue": "Quảng trường thành phố", "coordinators": "Thành Đoàn Tân Uyên; Công an thành phố Tân Uyên"}
    return row(**(defaults | cells))


def activity_count(session, plan_id):
    return session.scalar(select(func.count(Activity.id)).where(Activity.plan_id == plan_id))


def test_one_bad_row_means_nothing_is_imported(session, campaign, vietnamese):
    plan = session.get(Plan, campaign.plan_id)
    rows = [campaign_row(), campaign_row(title="Lớp tập huấn"), campaign_row(ends_at="01/10/2024 07:00")]
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.import_file(session, plan, "lich.csv", upload(rows), tz=TZ)
    assert [(e.row_number, e.column) for e in caught.value.errors] == [(4, "Kết thúc")]
    assert str(caught.value.message).startswith("Chưa nhập hoạt động nào: 1 dòng có lỗi.")
    session.flush()
    assert activity_count(session, plan.id) == 0


def test_a_valid_file_imports_every_row_with_its_units_and_venue(session, campaign):
    plan = session.get(Plan, campaign.plan_id)
    created = transfer.import_file(
        session,
        plan,
        "lich.csv",
        upload([campaign_row(), campaign_row(title="Lớp tập huấn", kind="Lớp tập huấn")]),
        tz=TZ,
    )
    assert len(created) == 2
    session.commit()
    festival = session.scalar(select(Activity).where(Activity.title.startswith("Ngày hội")))
    assert festival.plan_id == plan.id and festival.kind == "festival"
    assert festival.starts_at.astimezone(TZ).strftime("%d/%m/%Y %H:%M") == "05/10/2024 07:30"
    assert festival.venue.name == "Quảng trường thành phố"
    assert festival.area_unit_id == campaign.ward_id  # the venue's ward, for the calendar's area filter
    assert festival.lead_unit_id == campaign.office_id
    assert {u.name for u in festival.coordinating_units} == {"Thành Đoàn Tân Uyên", "Công an thành phố Tân Uyên"}
    assert (festival.expected_headcount, festival.capacity, festival.seats_taken) == (3000, 2000, 0)
    assert festival.registration_open is False


def test_uploading_the_same_file_twice_does_not_double_the_plan(session, campaign, vietnamese):
    plan = session.get(Plan, campaign.plan_id)
    rows = [campaign_row(), campaign_row(title="Lớp tập huấn")]
    transfer.import_file(session, plan, "lich.csv", upload(rows), tz=TZ)
    session.commit()
    with pytest.raises(transfer.ImportRejected) as caught:
        transfer.import_file(session, plan, "lich.csv", upload([campaign_row(title="Hội thi mới"), *rows]), tz=TZ)
    assert [(e.row_number, e.column) for e in caught.value.errors] == [(3, "Tiêu đề"), (4, "Tiêu đề")]
    assert str(caught.value.errors[0].message) == (
        "Hoạt động này (cùng tiêu đề, cùng thời gian bắt đầu) đã có trong kế hoạch hoặc ở dòng trước trong tệp."
    )
    session.rollback()
    assert activity_count(session, plan.id) == 2
    with pytest.raises(transfer.ImportRejected) as twice_in_file:
        twice = [campaign_row(title="Hội thi"), campaign_row(title="Hội thi")]
        transfer.import_file(session, plan, "lich.csv", upload(twice), tz=TZ)
    assert [e.row_number for e in twice_in_file.value.errors] == [3]


def test_a_closed_plan_takes_no_import(session, campaign, vietnamese):
    plan = session.get(Plan, campaign.plan_id)
    plan.status = "closed"
    with pytest.raises(DomainError) as caught:
        transfer.import_file(session, plan, "lich.csv", upload([campaign_row()]), tz=TZ)
    assert caught.value.code == "plan_closed"
    assert activity_count(session, plan.id) == 0


def add_activity(session, plan, title, start, end, **fields):
    activity = make_activity(plan, title=title, starts_at=start, ends_at=end, **fields)  # a festival by default
    session.add(activity)
    return activity


def test_export_can_be_imported_again_with_the_same_titles_and_times(session, campaign, vietnamese):
    plan = session.get(Plan, campaign.plan_id)
    office, youth = session.get(Unit, campaign.office_id), session.get(Unit, campaign.youth_id)
    square = session.get(Venue, campaign.square_id)
    add_activity(
        session,
        plan,
        "Chiến dịch “đi từng ngõ, gõ từng nhà”",
        datetime(2024, 10, 1, 7, tzinfo=TZ),
        datetime(2024, 10, 10, 17, tzinfo=TZ),
        kind="door_to_door",
        lead_unit=office,
        coordinating_units=[youth],
        is_public=False,
    )
    add_activity(
        session,
        plan,
        "Ngày hội Chuyển đổi số",
        datetime(2024, 10, 5, 7, 30, tzinfo=TZ),
        datetime(2024, 10, 5, 21, tzinfo=TZ),
        venue=square,
        lead_unit=office,
        capacity=2000,
        expected_headcount=3000,
        description="Không gian trải nghiệm",
    )
    add_activity(
        session,
        plan,
        "Buổi lễ đã hủy",
        datetime(2024, 10, 6, 8, tzinfo=TZ),
        datetime(2024, 10, 6, 9, tzinfo=TZ),
        lead_unit=office,
        cancelled=True,
    )
    # 06:00 in Vietnam is still the day before in UTC: the file must show local time.
    add_activity(
        session,
        plan,
        "Diễn tập an toàn thông tin",
        datetime(2024, 10, 10, 6, tzinfo=TZ),
        datetime(2024, 10, 10, 11, tzinfo=TZ),
        kind="cyber_drill",
        lead_unit=office,
    )
    session.commit()

    data = transfer.export_schedule(plan, tz=TZ)
    sheet = load_workbook(io.BytesIO(data))["Hoạt động"]
    assert sheet["A1"].value == "Kế hoạch số 4568/KH-UBND"
    assert sheet["A2"].value == "Hưởng ứng Ngày Chuyển đổi số 2024"
    assert sheet["A3"].value == "Thời gian: 15/09/2024 – 31/10/2024"
    assert [cell.value for cell in sheet[5]] == HEADERS
    assert sheet.freeze_panes == "A6"
    assert sheet["C6"].value == datetime(2024, 10, 1, 7, 0) and sheet["C6"].number_format == "dd/mm/yyyy hh:mm"
    assert sheet["C8"].value == datetime(2024, 10, 10, 6, 0)
    assert sheet.column_dimensions["A"].width == 48

    units, venues = transfer.load_lookups(session)
    drafts, errors = transfer.parse_rows(transfer.read_upload("xuat.xlsx", io.BytesIO(data)), units, venues, tz=TZ)
    assert errors == []
    exported = [(d.title, d.starts_at, d.ends_at, d.is_public) for d in drafts]
    kept = [a for a in plan.activities if not a.cancelled]
    assert exported == [(a.title, a.starts_at, a.ends_at, a.is_public) for a in kept]
    assert [d.row_number for d in drafts] == [6, 7, 8]
    assert drafts[0].coordinator_ids == [campaign.youth_id] and drafts[1].venue_id == campaign.square_id


def test_export_filename_comes_from_the_plan_number(session, campaign):
    plan = session.get(Plan, campaign.plan_id)
    assert transfer.export_filename(plan) == "Lịch hoạt động 4568-KH-UBND.xlsx"
    draft = Plan(title="Dự thảo", period_start=date(2025, 9, 15), period_end=date(2025, 10, 31))
    session.add(draft)
    session.flush()
    assert transfer.export_filename(draft) == f"Lịch hoạt động ke-hoach-{draft.id}.xlsx"


def test_an_empty_workbook_sheet_without_header_is_refused(vietnamese):
    workbook = Workbook()
    workbook.active["A1"] = "Danh sách"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(DomainError, match="Không tìm thấy dòng tiêu đề cột"):
        transfer.read_upload("a.xlsx", io.BytesIO(buffer.getvalue()))


def test_an_exported_title_that_looks_like_a_formula_stays_text():
    from io import BytesIO

    from openpyxl import Workbook, load_workbook

    from events.services.transfer.writing import _write_row

    workbook = Workbook()
    _write_row(workbook.active, 1, {"title": '=HYPERLINK("http://evil.example","Bấm vào đây")'})
    stream = BytesIO()
    workbook.save(stream)
    cell = load_workbook(BytesIO(stream.getvalue())).active.cell(row=1, column=1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


# --- issue 14: registration, audience groups, area and what to bring; programme and stops in the export --------


def test_registration_audience_area_and_what_to_bring_are_read():
    drafts, errors = transfer.parse_rows(
        [
            row(
                registration_open="Có",
                registration_opens_at="20/09/2024 08:00",
                registration_closes_at="04/10/2024 17:00",
                audience_groups="Người dân, học sinh, sinh viên; youth, Cán bộ, công chức, viên chức",
                area="TP Tân Uyên",
                what_to_bring="Căn cước công dân",
            ),
            row(),  # the new columns left empty
        ],
        UNITS,
        VENUES,
        tz=TZ,
    )
    assert errors == []
    full, empty = drafts
    assert full.registration_open is True
    assert (full.registration_opens_at, full.registration_closes_at) == (
        datetime(2024, 9, 20, 8, tzinfo=TZ),
        datetime(2024, 10, 4, 17, tzinfo=TZ),
    )
    assert full.audience_groups == ["citizens", "civil_servants", "students", "youth"]
    assert (full.area_unit_id, full.what_to_bring) == (9, "Căn cước công dân")
    assert (empty.registration_open, empty.registration_opens_at, empty.audience_groups, empty.area_unit_id) == (
        False,
        None,
        [],
        None,
    )


def test_bad_registration_audience_and_area_cells_are_reported_with_their_row(vietnamese):
    rows = [
        row(registration_open="Có lẽ"),  # row 2
        row(registration_opens_at="20/09/2024", registration_closes_at="mai"),  # row 3
        row(registration_opens_at="04/10/2024 17:00", registration_closes_at="20/09/2024 08:00"),  # row 4
        row(audience_groups="Người dân, Nông dân, Hưu trí"),  # row 5
        row(area="Phường 9"),  # row 6
        row(area="Phòng Văn hóa và Thông tin"),  # row 7: a department is not an area
    ]
    drafts, errors = errors_of(rows)
    assert drafts == []
    assert errors == {
        (2, "Nhận đăng ký"): "Ghi “Có” hoặc “Không”.",
        (3, "Mở đăng ký"): "Thiếu giờ: ghi theo dạng dd/mm/yyyy hh:mm, ví dụ 05/10/2024 07:30.",
        (3, "Đóng đăng ký"): "Ghi ngày giờ theo dạng dd/mm/yyyy hh:mm, ví dụ 05/10/2024 07:30.",
        (4, "Đóng đăng ký"): "Thời điểm đóng đăng ký phải sau thời điểm mở.",
        (5, "Nhóm đối tượng"): "Không có nhóm đối tượng “Nông dân, Hưu trí”: ghi các nhóm có trong trang “Hướng dẫn”, "
        "cách nhau bằng dấu phẩy.",
        (6, "Khu vực (xã, phường)"): "Không có xã, phường hay quận, huyện nào tên “Phường 9”. Ghi tên đúng như trên "
        "trang Đơn vị.",
        (7, "Khu vực (xã, phường)"): "Không có xã, phường hay quận, huyện nào tên “Phòng Văn hóa và Thông tin”. "
        "Ghi tên đúng như trên trang Đơn vị.",
    }


def test_an_imported_area_or_the_venues_ward(session, campaign):
    plan = session.get(Plan, campaign.plan_id)
    transfer.import_file(
        session,
        plan,
        "lich.csv",
        upload([campaign_row(), campaign_row(title="Lớp tập huấn", venue="", area="Thành phố Tân Uyên")]),
        tz=TZ,
    )
    session.commit()
    areas = dict(
        session.execute(select(Activity.title, Activity.area_unit_id).where(Activity.plan_id == plan.id)).all()
    )
    assert areas == {"Ngày hội Chuyển đổi số thành phố Tân Uyên": campaign.ward_id, "Lớp tập huấn": campaign.city_id}


def full_schedule(session, campaign):
    """The plan with a festival taking registrations (programme included) and a cluster tour with two stops."""
    from events.models import ProgrammeItem, TourStop

    plan = session.get(Plan, campaign.plan_id)
    office, police, youth = (session.get(Unit, i) for i in (campaign.office_id, campaign.police_id, campaign.youth_id))
    ward, city = session.get(Unit, campaign.ward_id), session.get(Unit, campaign.city_id)
    square, hall = session.get(Venue, campaign.square_id), session.get(Venue, campaign.hall_id)
    festival = add_activity(
        session,
        plan,
        "Ngày hội Chuyển đổi số",
        datetime(2024, 10, 5, 7, 30, tzinfo=TZ),
        datetime(2024, 10, 5, 21, tzinfo=TZ),
        venue=square,
        lead_unit=office,
        coordinating_units=[police, youth],
        audience="Người dân, học sinh",
        audience_groups=",citizens,students,",
        area_unit=city,
        what_to_bring="Căn cước công dân; điện thoại đã cài VNeID",
        capacity=2000,
        expected_headcount=3000,
        registration_open=True,
        registration_opens_at=datetime(2024, 9, 20, 8, tzinfo=TZ),
        registration_closes_at=datetime(2024, 10, 4, 17, tzinfo=TZ),
        description="Không gian trải nghiệm",
    )
    festival.programme = [
        ProgrammeItem(
            position=1,
            title="Lễ ra mắt Kênh giao tiếp số",
            starts_at=datetime(2024, 10, 5, 7, 30, tzinfo=TZ),
            ends_at=datetime(2024, 10, 5, 8, 30, tzinfo=TZ),
            responsible_unit=office,
        ),
        ProgrammeItem(position=2, title="Diễu hành tuyên truyền", starts_at=datetime(2024, 10, 5, 16, tzinfo=TZ)),
    ]
    tour = add_activity(
        session,
        plan,
        "Chuỗi hoạt động theo cụm",
        datetime(2024, 9, 24, 7, 30, tzinfo=TZ),
        datetime(2024, 9, 28, 17, tzinfo=TZ),
        kind="cluster_tour",
        lead_unit=office,
        is_public=False,
    )
    cluster_1 = TourStop(
        position=1,
        name="Cụm 1",
        host_unit=police,
        venue=hall,
        starts_at=datetime(2024, 9, 24, 7, 30, tzinfo=TZ),
        ends_at=datetime(2024, 9, 25, 17, tzinfo=TZ),
        participating_units=[youth, ward],
    )
    tour.stops = [
        cluster_1,
        TourStop(
            position=2,
            name="Cụm 2",
            host_unit=youth,
            starts_at=datetime(2024, 9, 27, 7, 30, tzinfo=TZ),
            ends_at=datetime(2024, 9, 28, 17, tzinfo=TZ),
        ),
    ]
    tour.programme = [
        ProgrammeItem(
            position=1, title="Khai mạc Cụm 1", starts_at=datetime(2024, 9, 24, 7, 30, tzinfo=TZ), stop=cluster_1
        )
    ]
    session.commit()
    return plan


def sheet_values(sheet):
    return [list(line) for line in sheet.iter_rows(values_only=True)]


def test_the_export_has_the_programme_and_the_tours_stops(session, campaign, vietnamese):
    plan = full_schedule(session, campaign)
    workbook = load_workbook(io.BytesIO(transfer.export_schedule(plan, tz=TZ)))
    assert workbook.sheetnames == ["Hoạt động", "Chương trình", "Điểm tổ chức", "Hướng dẫn"]
    programme = workbook["Chương trình"]
    assert sheet_values(programme) == [
        ["Hoạt động", "Bắt đầu", "Kết thúc", "Nội dung", "Đơn vị phụ trách", "Điểm tổ chức"],
        ["Chuỗi hoạt động theo cụm", datetime(2024, 9, 24, 7, 30), None, "Khai mạc Cụm 1", None, "Cụm 1"],
        [
            "Ngày hội Chuyển đổi số",
            datetime(2024, 10, 5, 7, 30),
            datetime(2024, 10, 5, 8, 30),
            "Lễ ra mắt Kênh giao tiếp số",
            "Phòng Văn hóa và Thông tin",
            None,
        ],
        ["Ngày hội Chuyển đổi số", datetime(2024, 10, 5, 16, 0), None, "Diễu hành tuyên truyền", None, None],
    ]
    assert programme["B2"].number_format == "dd/mm/yyyy hh:mm" and programme.freeze_panes == "A2"
    stops = workbook["Điểm tổ chức"]
    assert sheet_values(stops) == [
        ["Hoạt động", "Thứ tự", "Điểm", "Đơn vị chủ trì", "Đơn vị tham gia", "Bắt đầu", "Kết thúc", "Địa điểm"],
        [
            "Chuỗi hoạt động theo cụm",
            1,
            "Cụm 1",
            "Công an thành phố Tân Uyên",
            "Phường Uyên Hưng; Thành Đoàn Tân Uyên",
            datetime(2024, 9, 24, 7, 30),
            datetime(2024, 9, 25, 17, 0),
            "Hội trường UBND thành phố",
        ],
        [
            "Chuỗi hoạt động theo cụm",
            2,
            "Cụm 2",
            "Thành Đoàn Tân Uyên",
            None,
            datetime(2024, 9, 27, 7, 30),
            datetime(2024, 9, 28, 17, 0),
            None,
        ],
    ]
    festival = dict(zip(HEADERS, sheet_values(workbook["Hoạt động"])[6], strict=True))
    assert {key: festival[key] for key in HEADERS[12:]} == {
        "Nhận đăng ký": "Có",
        "Mở đăng ký": datetime(2024, 9, 20, 8, 0),
        "Đóng đăng ký": datetime(2024, 10, 4, 17, 0),
        "Nhóm đối tượng": "Người dân, Học sinh, sinh viên",
        "Khu vực (xã, phường)": "Thành phố Tân Uyên",
        "Cần mang theo": "Căn cước công dân; điện thoại đã cài VNeID",
    }


IMPORTED = (
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "venue_id",
    "lead_unit_id",
    "audience",
    "audience_groups",
    "area_unit_id",
    "what_to_bring",
    "expected_headcount",
    "capacity",
    "is_public",
    "registration_open",
    "registration_opens_at",
    "registration_closes_at",
    "description",
)


def test_an_exported_schedule_imports_again_identically(session, campaign):
    plan = full_schedule(session, campaign)
    data = transfer.export_schedule(plan, tz=TZ)
    twin = Plan(title="Bản sao", period_start=plan.period_start, period_end=plan.period_end)
    session.add(twin)
    session.flush()
    transfer.import_file(session, twin, "xuat.xlsx", io.BytesIO(data), tz=TZ)
    session.commit()

    def described(plan_id):
        activities = session.scalars(select(Activity).where(Activity.plan_id == plan_id).order_by(Activity.starts_at))
        return [
            {key: getattr(a, key) for key in IMPORTED} | {"coordinators": sorted(u.id for u in a.coordinating_units)}
            for a in activities
        ]

    assert described(twin.id) == described(plan.id)
    # And the twin exports to the same activities sheet.
    again = load_workbook(io.BytesIO(transfer.export_schedule(twin, tz=TZ)))["Hoạt động"]
    first = load_workbook(io.BytesIO(data))["Hoạt động"]
    assert sheet_values(again)[4:] == sheet_values(first)[4:]


def test_hostile_cells_are_row_errors_and_foreign_digits_read_as_digits(vietnamese):
    drafts, errors = transfer.parse_rows(
        [
            row(title="Ngày hội\x00", capacity="99999999999"),
            row(title="Lớp học\x1b[31m"),
            # Fullwidth and Arabic-Indic digits, as some phone keyboards type them, read as the same date.
            row(title="Lớp tập huấn", starts_at="０５/１０/２０２４ ٠٧:٣٠", ends_at="05/10/2024 11:00"),
        ],
        UNITS,
        VENUES,
        tz=TZ,
    )
    messages = {(error.row_number, str(error.message)) for error in errors}
    assert (2, "Hãy xoá các ký tự điều khiển vô hình khỏi ô này.") in messages
    assert (2, "Số này quá lớn.") in messages
    assert (3, "Hãy xoá các ký tự điều khiển vô hình khỏi ô này.") in messages
    assert [d.starts_at.astimezone(TZ).strftime("%d/%m/%Y %H:%M") for d in drafts] == ["05/10/2024 07:30"]
