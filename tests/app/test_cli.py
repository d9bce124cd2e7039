from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Unit, User
from checkin.models import Checkpoint
from contests.models import Contest
from events.models import Activity, Plan, TourStop


def _counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Unit, User, Plan, Activity, TourStop, Contest, Checkpoint, AuditEntry)
    }


def test_seed_demo_loads_the_campaign_and_a_second_run_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--password", "mat-khau-demo-2024"])
    assert first.exit_code == 0, first.output
    assert "tochuc@dxday.example" in first.output
    with app.app_context():
        after_first = _counts()
        plan = db.session.scalar(select(Plan).where(Plan.number == "4568/KH-UBND"))
        assert plan.title.startswith("Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia")
        assert plan.issued_on.strftime("%d/%m/%Y") == "13/09/2024"
        assert (plan.period_start.strftime("%d/%m"), plan.period_end.strftime("%d/%m/%Y")) == ("15/09", "31/10/2024")
        assert (plan.peak_start.strftime("%d/%m"), plan.peak_end.strftime("%d/%m")) == ("01/10", "10/10")
        assert plan.report_deadline.strftime("%d/%m/%Y") == "01/11/2024"
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
