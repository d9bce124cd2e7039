"""Import page, template and export downloads, copy to next year, and ``flask events import/export``."""

import io
import re
from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from events.models import Activity, Plan
from events.services import transfer
from tests.factories import make_activity

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HEADERS = [column.header for column in transfer.COLUMNS]
GOOD = [
    "Ngày hội Chuyển đổi số",
    "Ngày hội / lễ hội",
    "05/10/2024 07:30",
    "05/10/2024 21:00",
    "Quảng trường thành phố",
    "Phòng Văn hóa và Thông tin",
    "Thành Đoàn Tân Uyên",
    "Người dân",
    "3000",
    "2000",
    "Có",
    "",
    "Không",
    "",
    "",
    "Người dân",
    "",
    "",
]


def csv_file(*rows) -> bytes:
    return ("\ufeff" + "\n".join(";".join(r) for r in [HEADERS, *rows]) + "\n").encode("utf-8")


def good(**changes) -> list[str]:
    values = dict(zip([c.key for c in transfer.COLUMNS], GOOD, strict=True)) | changes
    return [values[c.key] for c in transfer.COLUMNS]


def activity_count(app, plan_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Activity.id)).where(Activity.plan_id == plan_id))


def pages(plan_id):
    return [
        ("get", f"/events/plans/{plan_id}/import"),
        ("get", "/events/import-template.xlsx"),
        ("get", f"/events/plans/{plan_id}/export.xlsx"),
        ("post", f"/events/plans/{plan_id}/copy"),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, campaign):
    for method, url in pages(campaign.plan_id):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_volunteers_may_not_move_schedules(client, campaign, make_user, login):
    login(make_user("volunteer"))
    for method, url in pages(campaign.plan_id):
        assert getattr(client, method)(url).status_code == 403, url


def test_the_import_page_explains_the_steps_and_links_the_template(client, campaign, organizer):
    response = client.get(f"/events/plans/{campaign.plan_id}/import")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>Nhập hoạt động</h1>" in page
    assert 'href="/events/import-template.xlsx"' in page and "Tải tệp mẫu nhập hoạt động (.xlsx)" in page
    assert 'enctype="multipart/form-data"' in page and 'for="file"' in page
    assert "Tối đa 2 MB và 2000 dòng" in page


def test_row_errors_are_listed_with_row_numbers_in_vietnamese_and_nothing_is_saved(client, app, campaign, organizer):
    data = csv_file(
        good(),
        good(title="Lớp tập huấn"),
        good(starts_at="32/10/2024 07:30"),
        good(lead_unit="Sở Du lịch", ends_at="05/10/2024 07:00"),
    )
    response = client.post(
        f"/events/plans/{campaign.plan_id}/import",
        data={"file": (io.BytesIO(data), "lich.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Các dòng cần sửa" in page
    assert "Chưa nhập hoạt động nào: 2 dòng có lỗi." in page
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', page)
    assert [(r, c) for r, c, _ in rows] == [("Dòng 4", "Bắt đầu"), ("Dòng 5", "Kết thúc"), ("Dòng 5", "Đơn vị chủ trì")]
    assert rows[0][2] == "Ngày giờ không có thật: 32/10/2024 07:30."
    assert rows[1][2] == "Thời gian kết thúc phải sau thời gian bắt đầu."
    assert activity_count(app, campaign.plan_id) == 0


def test_a_good_file_is_imported_and_the_organizer_lands_on_the_plan(client, app, campaign, organizer):
    data = csv_file(good(), good(title="Lớp tập huấn kỹ năng số", kind="training", venue=""))
    response = client.post(
        f"/events/plans/{campaign.plan_id}/import",
        data={"file": (io.BytesIO(data), "lich.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/events/plans/{campaign.plan_id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập 2 hoạt động." in page and "Lớp tập huấn kỹ năng số" in page
    assert activity_count(app, campaign.plan_id) == 2
    again = client.post(
        f"/events/plans/{campaign.plan_id}/import",
        data={"file": (io.BytesIO(data), "lich.csv")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 200 and "Dòng 2" in again.get_data(as_text=True)
    assert activity_count(app, campaign.plan_id) == 2


def test_the_wrong_kind_of_file_is_refused_on_the_field(client, app, campaign, organizer):
    response = client.post(
        f"/events/plans/{campaign.plan_id}/import",
        data={"file": (io.BytesIO(b"x"), "lich.pdf")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page and "Chọn tệp .xlsx hoặc .csv" in page
    empty = client.post(f"/events/plans/{campaign.plan_id}/import", data={}, content_type="multipart/form-data")
    assert "Chọn tệp cần nhập." in empty.get_data(as_text=True)
    assert activity_count(app, campaign.plan_id) == 0


def test_the_template_downloads_as_an_xlsx_attachment(client, organizer):
    response = client.get("/events/import-template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == transfer.XLSX_MIMETYPE
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.split('filename="')[1].split('"')[0].isascii()
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Mẫu nhập hoạt động.xlsx"
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["Hoạt động", "Hướng dẫn"]


def test_the_export_is_named_after_the_plan_number(client, app, campaign, organizer):
    with app.app_context():
        db.session.add(
            make_activity(
                campaign.plan_id,
                title="Ngày hội Chuyển đổi số",
                kind="festival",
                starts_at=datetime(2024, 10, 5, 7, 30, tzinfo=TZ),
                ends_at=datetime(2024, 10, 5, 21, tzinfo=TZ),
                lead_unit_id=campaign.office_id,
            )
        )
        db.session.commit()
    response = client.get(f"/events/plans/{campaign.plan_id}/export.xlsx")
    assert response.status_code == 200 and response.mimetype == transfer.XLSX_MIMETYPE
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.split('filename="')[1].split('"')[0].isascii()
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Lịch hoạt động 4568-KH-UBND.xlsx"
    sheet = load_workbook(io.BytesIO(response.data))["Hoạt động"]
    assert sheet["A6"].value == "Ngày hội Chuyển đổi số" and sheet["C6"].value == datetime(2024, 10, 5, 7, 30)
    assert client.get("/events/plans/999/export.xlsx").status_code == 404


def test_copying_opens_the_new_draft_of_next_year(client, app, campaign, organizer):
    response = client.post(f"/events/plans/{campaign.plan_id}/copy")
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Plan).where(Plan.id != campaign.plan_id))
        assert (copy.title, copy.status, copy.number) == ("Hưởng ứng Ngày Chuyển đổi số 2025", "draft", None)
    assert response.headers["Location"].endswith(f"/events/plans/{copy.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã sao chép kế hoạch sang năm 2025 dưới dạng dự thảo." in page
    again = client.post(f"/events/plans/{campaign.plan_id}/copy", follow_redirects=True)
    assert "Kế hoạch này đã được sao chép sang năm 2025" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Plan.id))) == 2


def test_the_plan_page_tools_link_import_export_and_copy(app, campaign):
    from flask import render_template

    with app.test_request_context():
        html = render_template("events/transfer/_actions.html", plan=db.session.get(Plan, campaign.plan_id))
    plan_id = campaign.plan_id
    assert f'href="/events/plans/{plan_id}/import">Nhập hoạt động</a>' in html
    assert f'href="/events/plans/{plan_id}/export.xlsx" download>Xuất lịch hoạt động (.xlsx)</a>' in html
    assert f'href="/events/plans/{plan_id}/copy">Sao chép sang năm sau</a>' in html


def test_the_copy_form_offers_contests_and_checkpoints_ticked(client, campaign, organizer):
    page = client.get(f"/events/plans/{campaign.plan_id}/copy").get_data(as_text=True)
    assert "<h1>Sao chép sang năm sau</h1>" in page
    boxes = {value: attrs for attrs, value in re.findall(r'<input([^>]*value="(contests|checkin)"[^>]*)>', page)}
    assert set(boxes) == {"contests", "checkin"} and all("checked" in attrs for attrs in boxes.values())
    assert "Sao chép các cuộc thi của kế hoạch" in page and "Sao chép các điểm check-in" in page
    assert 'name="submission"' in page and 'name="csrf_token"' in page


def test_copying_with_contests_and_checkpoints_then_reviewing_last_years_texts(client, app, campaign, organizer):
    from checkin.models import Checkpoint
    from contests.models import Contest

    with app.app_context():
        festival = make_activity(
            campaign.plan_id,
            title="Ngày hội Chuyển đổi số",
            kind="festival",
            starts_at=datetime(2024, 10, 5, 7, 30, tzinfo=TZ),
            ends_at=datetime(2024, 10, 5, 21, tzinfo=TZ),
            lead_unit_id=campaign.office_id,
            what_to_bring="Căn cước công dân; thư mời năm 2024",
        )
        db.session.add(festival)
        db.session.flush()
        db.session.add_all(
            [
                Contest(plan_id=campaign.plan_id, title="Cuộc thi 2024", kind="online_quiz", is_published=True),
                Checkpoint(activity_id=festival.id, name="Cổng chính", kind="entrance"),
            ]
        )
        db.session.commit()
    response = client.post(
        f"/events/plans/{campaign.plan_id}/copy",
        data={"carry": ["contests", "checkin"], "submission": "a" * 32},
    )
    assert response.status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Plan).where(Plan.id != campaign.plan_id))
        copied = db.session.scalar(select(Activity).where(Activity.plan_id == copy.id))
        assert copied.starts_at.astimezone(TZ).strftime("%A %d/%m/%Y %H:%M") == "Saturday 04/10/2025 07:30"
        contest = db.session.scalar(select(Contest).where(Contest.plan_id == copy.id))
        assert (contest.title, contest.is_published) == ("Cuộc thi 2025", False)
        assert db.session.scalar(select(Checkpoint.name).where(Checkpoint.activity_id == copied.id)) == "Cổng chính"
    assert response.headers["Location"].endswith(f"/events/plans/{copy.id}/review-years")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã sao chép kế hoạch sang năm 2025 dưới dạng dự thảo." in page
    assert "<h1>Các nội dung cần rà soát</h1>" in page
    rows = re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>\s*<a href="(.*?)"', page)
    assert rows == [
        (
            "Ngày hội Chuyển đổi số",
            "Cần mang theo",
            "Căn cước công dân; thư mời năm 2024",
            f"/events/activities/{copied.id}/edit",
        )
    ]


# --- command line --------------------------------------------------------------------------------------------


def test_cli_import_saves_every_row_of_a_good_file(app, campaign, tmp_path):
    path = tmp_path / "lich.csv"
    path.write_bytes(csv_file(good(), good(title="Lớp tập huấn", kind="Lớp tập huấn")))
    result = app.test_cli_runner().invoke(args=["events", "import", str(campaign.plan_id), str(path)])
    assert result.exit_code == 0, result.output
    assert "Đã nhập 2 hoạt động vào kế hoạch “Hưởng ứng Ngày Chuyển đổi số 2024”." in result.output
    assert "Đang kiểm tra các dòng" in result.output and "Đang lưu hoạt động" in result.output  # progress bars
    assert activity_count(app, campaign.plan_id) == 2


def test_cli_import_prints_row_errors_and_fails_without_saving(app, campaign, tmp_path):
    path = tmp_path / "lich.csv"
    path.write_bytes(csv_file(good(), good(capacity="-1")))
    result = app.test_cli_runner().invoke(args=["events", "import", str(campaign.plan_id), str(path)])
    assert result.exit_code != 0
    assert "Dòng 3 – Sức chứa: Ghi một số từ 0 trở lên." in result.output
    assert "Chưa nhập hoạt động nào: 1 dòng có lỗi." in result.output
    assert activity_count(app, campaign.plan_id) == 0
    unknown = app.test_cli_runner().invoke(args=["events", "import", "999", str(path)])
    assert unknown.exit_code != 0 and "Không có kế hoạch nào có mã 999." in unknown.output


def test_cli_export_writes_a_workbook_the_import_reads_back(app, campaign, tmp_path):
    runner = app.test_cli_runner()
    source = tmp_path / "lich.csv"
    source.write_bytes(
        csv_file(
            good(),
            good(title="Buổi lễ tổng kết", kind="ceremony", starts_at="10/10/2024 08:00", ends_at="10/10/2024 11:30"),
        )
    )
    assert runner.invoke(args=["events", "import", str(campaign.plan_id), str(source)]).exit_code == 0
    out = tmp_path / "xuat.xlsx"
    result = runner.invoke(args=["events", "export", str(campaign.plan_id), str(out)])
    assert result.exit_code == 0, result.output
    assert f"Đã xuất 2 hoạt động ra tệp {out}." in result.output
    with app.app_context():
        units, venues = transfer.load_lookups(db.session)
        with out.open("rb") as stream:
            drafts, errors = transfer.parse_rows(transfer.read_upload(out.name, stream), units, venues, tz=TZ)
    assert errors == []
    assert [(d.title, d.starts_at.astimezone(TZ).strftime("%d/%m/%Y %H:%M")) for d in drafts] == [
        ("Ngày hội Chuyển đổi số", "05/10/2024 07:30"),
        ("Buổi lễ tổng kết", "10/10/2024 08:00"),
    ]
