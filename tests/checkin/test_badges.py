"""Badge sheets: every QR code of every PDF page, rendered to pixels and read by zbar, gives back a token that the
redeem service admits; the command shows a progress bar; long lists are built by the job with their progress in
the database; the organizer's page builds short lists at once and offers the PDF."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from pyzbar import pyzbar

from app.extensions import db
from app.models import DocumentJob as BadgeJob
from app.models import Unit
from checkin import keys
from checkin.models import Checkpoint
from checkin.services import badges, scans
from events.models import Activity, Registration
from tests.factories import make_activity, make_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime(2024, 10, 5, 1, 0, tzinfo=UTC)
NAMES = ["Nguyễn Thị Lan", "Trần Văn Minh", "Lê Hoàng Phúc", "Phạm Ngọc Ánh", "Đỗ Quang Vinh", "Huỳnh Thị Thu Hà"]


@pytest.fixture
def festival(app):
    """A festival with an entrance and 23 confirmed people (3 pages of 10), one cancelled and one waiting."""
    with app.app_context():
        plan = make_plan(period_start=date(2024, 9, 15), period_end=date(2024, 10, 31))
        ward = Unit(name="Phường Khánh Bình", kind="ward")
        activity = make_activity(plan, title="Ngày hội Chuyển đổi số thành phố Tân Uyên", starts_at=START, hours=10)
        gate = Checkpoint(activity=activity, name="Cổng chính", kind="entrance", rule="once")
        people = [
            Registration(
                activity=activity,
                name=f"{NAMES[i % len(NAMES)]} {i}" if i >= len(NAMES) else NAMES[i],
                phone=f"09{i:08d}",
                ward=ward,
                consent_at=START,
                status="confirmed" if i < 23 else ("cancelled" if i == 23 else "waitlisted"),
                token=f"token-{i:04d}-abcdefghijklmnopqrstuvwxyz",
                created_at=START - timedelta(days=3),
            )
            for i in range(25)
        ]
        db.session.add_all([plan, ward, activity, gate, *people])
        db.session.commit()
        return {"activity": activity.id, "gate": gate.id, "confirmed": {p.id for p in people[:23]}}


def read_pdf(data: bytes) -> list[list[str]]:
    """The QR codes zbar reads on each page of the PDF, rendered at 150 dpi."""
    pdf = pypdfium2.PdfDocument(data)
    pages = []
    for page in pdf:
        image = page.render(scale=150 / 72).to_pil().convert("L")
        pages.append([symbol.data.decode() for symbol in pyzbar.decode(image) if symbol.type == "QRCODE"])
    return pages


def test_every_badge_of_every_page_decodes_to_a_ticket_the_redeem_service_admits(app, festival, tmp_path):
    out = tmp_path / "badges.pdf"
    result = app.test_cli_runner().invoke(args=["checkin", "badges", str(festival["activity"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "23 thẻ" in result.output and "3 trang" in result.output
    pages = read_pdf(out.read_bytes())
    assert [len(codes) for codes in pages] == [10, 10, 3]
    with app.app_context():
        checkpoint = db.session.get(Checkpoint, festival["gate"])
        admitted = set()
        for number, token in enumerate(code for codes in pages for code in codes):
            outcome = scans.redeem(
                db.session,
                checkpoint,
                token=token,
                device_id="phone-1",
                nonce=f"n-{number}",
                scanned_at=START + timedelta(hours=1),
                user_id=None,
                now=START + timedelta(hours=1),
                tz=TZ,
                public_keys=keys.verifying_keys(app),
                secret=app.config["SECRET_KEY"],
            )
            assert outcome.scan.verdict == "admitted", (number, outcome.scan.verdict)
            admitted.add(outcome.scan.ticket_id)
        db.session.commit()
    assert admitted == festival["confirmed"]  # everyone confirmed, once; nobody cancelled or waiting


def test_the_printed_short_code_is_accepted_too(app, festival):
    with app.app_context():
        activity = db.session.get(Activity, festival["activity"])
        from checkin import badging

        first = badging.badges_for(db.session, activity)[0]
        checkpoint = db.session.get(Checkpoint, festival["gate"])
        outcome = scans.redeem(
            db.session,
            checkpoint,
            token=first.code,
            device_id="phone-2",
            nonce="typed-1",
            scanned_at=START + timedelta(hours=2),
            user_id=None,
            now=START + timedelta(hours=2),
            tz=TZ,
            public_keys=keys.verifying_keys(app),
            secret=app.config["SECRET_KEY"],
        )
        assert outcome.scan.verdict == "admitted"


def test_badges_keep_vietnamese_names_and_wards_in_the_pdf_text(app, festival):
    with app.app_context():
        from checkin import badging

        activity = db.session.get(Activity, festival["activity"])
        sheet = badging.badges_for(db.session, activity)
        data = badges.render_badges(sheet, title=activity.title)
        codes = {keys.ticket_code(db.session.get(Registration, ticket_id), app) for ticket_id in festival["confirmed"]}
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(data))
    assert "Huỳnh Thị Thu Hà" in text and "Phường Khánh Bình" in text and "Đỗ Quang Vinh" in text
    # every badge carries its ticket's typed code, for the volunteer whose camera cannot read the QR
    assert {badge.code for badge in sheet} == codes
    assert all(code in text for code in codes)


def test_a_long_list_is_built_by_the_job_with_its_progress_in_the_database(app, festival, tmp_path):
    from app import jobs
    from checkin import badging

    with app.app_context():
        job = badges.request_job(db.session, festival["activity"], user_id=None, now=START)
        again = badges.request_job(db.session, festival["activity"], user_id=None, now=START)
        assert again.id == job.id  # a second click while it waits: the same sheet
        db.session.commit()
        seen = []
        real_progress_source = badging.badges_for

        def watching(session, activity):
            rows = real_progress_source(session, activity)
            seen.append(len(rows))
            return rows

        result = badges.build_queued(
            db.engine,
            now=lambda: START,
            folder=badging.folder(),
            badges_for=watching,
            title_for=badging.title_for,
        )
        assert result.changed == 1 and seen == [23]
        assert jobs.build_documents(db.session, START).changed == 0  # run again: nothing left to build
        db.session.expire_all()
        stored = db.session.get(BadgeJob, job.id)
        assert (stored.state, stored.done, stored.total, stored.percent) == ("done", 23, 23, 100)
        path = badges.job_path(badging.folder(), stored)
        assert os.path.exists(path) and not os.path.exists(path + ".part")
        with open(path, "rb") as handle:
            assert [len(codes) for codes in read_pdf(handle.read())] == [10, 10, 3]


def test_the_organizer_builds_a_short_list_at_once_and_downloads_it(app, client, festival, make_user, login):
    login(make_user("organizer"))
    page = client.get(f"/checkin/activities/{festival['activity']}/badges")
    assert page.status_code == 200 and "23" in page.get_data(as_text=True)
    response = client.post(f"/checkin/activities/{festival['activity']}/badges", data={})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tải tệp PDF" in page
    with app.app_context():
        job_id = db.session.query(BadgeJob.id).scalar()
    download = client.get(f"/checkin/badges/{job_id}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Cache-Control"] == "no-store"
    assert [len(codes) for codes in read_pdf(download.data)] == [10, 10, 3]


def test_a_long_list_waits_for_the_scheduler_and_the_page_refreshes_itself(app, client, festival, make_user, login):
    login(make_user("organizer"))
    badges.BUILD_NOW_LIMIT, limit = 5, badges.BUILD_NOW_LIMIT
    try:
        client.post(f"/checkin/activities/{festival['activity']}/badges", data={})
    finally:
        badges.BUILD_NOW_LIMIT = limit
    page = client.get(f"/checkin/activities/{festival['activity']}/badges")
    assert page.headers.get("Refresh") == "3"
    assert "<progress" in page.get_data(as_text=True)


def test_a_sheet_left_half_built_by_a_dead_process_is_built_again(app, festival):
    from checkin import badging

    with app.app_context():
        job = badges.request_job(db.session, festival["activity"], user_id=None, now=START)
        job.state, job.started_at, job.done = "running", START, 7  # its worker was killed mid-way
        db.session.commit()
        young = badges.build_queued(
            db.engine, now=lambda: START + timedelta(minutes=5), folder=badging.folder(),
            badges_for=badging.badges_for, title_for=badging.title_for,
        )  # fmt: skip
        assert young.changed == 0  # five minutes: perhaps still running somewhere; left alone
        old = badges.build_queued(
            db.engine, now=lambda: START + timedelta(hours=1), folder=badging.folder(),
            badges_for=badging.badges_for, title_for=badging.title_for,
        )  # fmt: skip
        assert old.changed == 1
        db.session.expire_all()
        assert db.session.get(BadgeJob, job.id).state == "done"


def test_sheets_are_deleted_with_their_files_a_week_after_they_were_built(app, festival):
    from app import jobs
    from checkin import badging

    with app.app_context():
        job = badges.request_job(db.session, festival["activity"], user_id=None, now=START)
        db.session.commit()
        badges.build_job(
            db.engine, job.id, now=lambda: START, folder=badging.folder(),
            badges_for=badging.badges_for, title_for=badging.title_for,
        )  # fmt: skip
        db.session.expire_all()
        path = badges.job_path(badging.folder(), db.session.get(BadgeJob, job.id))
        assert os.path.exists(path)
        assert jobs.prune_documents(db.session, START + timedelta(days=6)).changed == 0
        assert jobs.prune_documents(db.session, START + timedelta(days=8)).changed == 1
        db.session.commit()
        assert not os.path.exists(path) and db.session.get(BadgeJob, job.id) is None
        assert jobs.prune_documents(db.session, START + timedelta(days=9)).changed == 0
