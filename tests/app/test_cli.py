from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Unit, User
from checkin.models import Checkpoint
from contests.models import Contest
from events.models import Activity, Plan, TourStop

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Unit, User, Plan, Activity, TourStop, Contest, Checkpoint, AuditEntry)
    }


def test_seed_demo_loads_the_campaign_and_a_second_run_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--password", "mat-khau-demo-2024", "--year", "2027"])
    assert first.exit_code == 0, first.output
    assert "tochuc@dxday.example" in first.output and "2027" in first.output
    with app.app_context():
        after_first = _counts()
        plan = db.session.scalar(select(Plan).where(Plan.number == "4568/KH-UBND"))  # the number is kept
        # the title is quoted as the plan writes it, "năm 2024" included (see events/demo.py)
        assert plan.title.startswith("Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia")
        assert plan.issued_on.strftime("%d/%m/%Y") == "13/09/2027"
        assert (plan.period_start.strftime("%d/%m"), plan.period_end.strftime("%d/%m/%Y")) == ("15/09", "31/10/2027")
        assert (plan.peak_start.strftime("%d/%m"), plan.peak_end.strftime("%d/%m")) == ("01/10", "10/10")
        assert plan.report_deadline.strftime("%d/%m/%Y") == "01/11/2027"
        festival = db.session.scalar(select(Activity).where(Activity.kind == "festival"))
        assert festival.starts_at.astimezone(TZ).strftime("%A %d/%m/%Y %H:%M") == "Saturday 02/10/2027 07:30"
        campaign = db.session.scalar(select(Activity).where(Activity.kind == "door_to_door"))
        assert (campaign.starts_at.astimezone(TZ).date(), campaign.ends_at.astimezone(TZ).date()) == (
            date(2027, 10, 1),
            date(2027, 10, 10),
        )
        assert plan.lead_unit.name == "Phòng Văn hóa và Thông tin"
        assert len(plan.slogan_list) == 3 and len(plan.theme_list) == 3
        stops = db.session.scalars(select(TourStop).order_by(TourStop.position)).all()
        assert [(s.name, s.host_unit.name) for s in stops] == [
            ("Cụm 1", "UBND huyện Định Quán"),
            ("Cụm 2", "UBND huyện Trảng Bom"),
        ]
        assert len(stops[0].participating_units) == 5 and len(stops[1].participating_units) == 4
        roles = set().union(*(u.roles for u in db.session.scalars(select(User))))
        assert roles == {"admin", "organizer", "unit_reporter", "volunteer", "juror", "appraiser"}
    second = runner.invoke(args=["seed-demo", "--password", "mat-khau-demo-2024"])
    assert second.exit_code == 0, second.output
    assert "0 records created" in second.output
    with app.app_context():
        assert _counts() == after_first
        # records already there keep their dates, whatever year the second run would pick
        festival = db.session.scalar(select(Activity).where(Activity.kind == "festival"))
        assert festival.starts_at.astimezone(TZ).date() == date(2027, 10, 2)


def test_the_demo_festival_keeps_its_weekday_and_takes_registrations_at_the_chosen_now(app):
    from app.demo import DemoCalendar, campaign_year, load_demo
    from events.services.registration import registration_state

    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    year = campaign_year(now.astimezone(TZ).date())
    assert year == 2027
    with app.app_context():
        load_demo(db.session, password="mat-khau-demo-2024", calendar=DemoCalendar(year=year, now=now, tz=TZ))
        db.session.commit()
        festival = db.session.scalar(select(Activity).where(Activity.kind == "festival"))
        starts = festival.starts_at.astimezone(TZ)
        assert starts.weekday() == date(2024, 10, 5).weekday() == 5  # Saturday, as in the seed
        assert starts.date() == date(2027, 10, 2) and starts > now
        assert registration_state(festival, now) == "open"
        assert "bản dùng thử chọn ngày 02/10/2027" in festival.description  # the demo's own note follows the date
        cashless = db.session.scalar(select(Activity).where(Activity.kind == "cashless_drive"))
        assert cashless.starts_at.astimezone(TZ).weekday() == 6  # the market drive stays on a Sunday
        ceremony = db.session.scalar(select(Activity).where(Activity.kind == "ceremony"))
        assert ceremony.starts_at.astimezone(TZ).strftime("%d/%m/%Y") == "10/10/2027"  # the day itself
        stops = db.session.scalars(select(TourStop).order_by(TourStop.position)).all()
        assert [stop.starts_at.astimezone(TZ).weekday() for stop in stops] == [1, 4]  # Tuesday, Friday as in 2024


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["seed-demo", "--password", "mat-khau-demo-2024"])
    response = client.post("/login", data={"login": "tochuc@dxday.example", "password": "mat-khau-demo-2024"})
    assert response.status_code == 302
    page = client.get("/events/").get_data(as_text=True)
    assert "4568/KH-UBND" in page and "Ngày hội Chuyển đổi số thành phố Tân Uyên" in page
    assert "Cụm 1" in page and "UBND huyện Định Quán" in page


def test_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-admin", "--email", "QTV@example.vn", "--name", "Quản trị", "--password", "mat-khau-quan-tri"]
    )
    assert result.exit_code == 0, result.output
    short = runner.invoke(args=["create-admin", "--email", "b@example.vn", "--name", "B", "--password", "ngan"])
    assert short.exit_code != 0
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "qtv@example.vn"))
        assert user.roles == {"admin"} and user.check_password("mat-khau-quan-tri")
    # again: the existing account keeps its roles, gains admin, gets the new password
    runner.invoke(
        args=["create-admin", "--email", "qtv@example.vn", "--name", "Quản trị", "--password", "mat-khau-moi-hon"]
    )
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "qtv@example.vn"))
        assert user.check_password("mat-khau-moi-hon")
        assert db.session.scalar(select(func.count(User.id))) == 1
