"""Fixtures shared by every test.

Every test that takes ``app`` (or anything built on it) runs twice: on SQLite and on PostgreSQL. Each test
session creates its own PostgreSQL database (dropped at the end) and SQLite file, builds the schema from the
migrations once per backend, and empties every table after each test.

PostgreSQL is found at TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test). When it is
missing, its half of the suite is skipped with one loud line, except under CI=true, where it fails."""

from __future__ import annotations

import os
import threading
import uuid
import warnings

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from app import create_app, normalise_database_url
from app.cache import forget_local as forget_local_cache
from app.config import TestConfig
from app.extensions import db, limiter
from app.models import Unit
from tests.factories import PASSWORD, make_activity
from tests.factories import make_user as new_user
from tests.guards import OUTSIDERS

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = normalise_database_url(os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
_pg_problem: list[str] = []


def pytest_report_header(config):
    return f"PostgreSQL for tests: {make_url(PG_ADMIN_URL).render_as_string(hide_password=True)} (CI={IN_CI})"


def pytest_terminal_summary(terminalreporter):
    if _pg_problem:
        terminalreporter.write_line("")
        terminalreporter.write_line(
            f"!!! PostgreSQL tests were SKIPPED: {_pg_problem[0]} (set TEST_POSTGRES_URL; CI=true makes this fail) !!!",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh database on the PostgreSQL server for this test session; dropped at the end."""
    name = f"dxday_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 (any connection failure means "no PostgreSQL")
        admin.dispose()
        reason = (
            f"cannot reach PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string(hide_password=True)}: "
            f"{type(error).__name__}"
        )
        if IN_CI:
            pytest.fail(f"{reason}. CI requires PostgreSQL.", pytrace=False)
        _pg_problem.append(reason)
        warnings.warn(reason, stacklevel=1)
        pytest.skip(reason)
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    # A file, not memory: the live-server tests read it from other threads and connections.
    return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "dxday-test.sqlite3")


_migrated: set[str] = set()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """The URL of a migrated, empty database on each backend in turn."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    if url not in _migrated:
        from flask_migrate import upgrade

        app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        _migrated.add(url)
    return url


def _config_dict() -> dict:
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # A test may have set a tight DATABASE_STATEMENT_TIMEOUT; emptying ~35 tables on a busy machine must
            # not fail against it.
            conn.execute(text("SET LOCAL statement_timeout = 0"))
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            # Self-referencing rows (the unit tree) cannot be deleted in dependency order; skip the checks.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 (table names from our metadata)
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
        conn.commit()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database with config overrides; tables are emptied afterwards."""
    apps = []

    def factory(**overrides):
        config = {**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
        built = create_app(config)
        built.instance_path = str(tmp_path / "instance")
        os.makedirs(built.instance_path, exist_ok=True)
        apps.append(built)
        return built

    yield factory
    forget_local_cache()  # the next test's database starts again at content version 0
    for built in apps:
        with built.app_context():
            db.session.remove()
            _empty_all_tables()
            db.engine.dispose()
    limiter.reset()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def session(app):
    """The app's database session, inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Create a user with the given roles (committed), returning its id and email (tests/factories.py builds it;
    ``unit=`` places it in a unit)."""

    def factory(*roles: str, unit=None, **fields):
        with app.app_context():
            user = new_user(roles, unit, **fields)
            db.session.add(user)
            db.session.commit()
            return {"id": user.id, "email": user.email, "password": fields.get("password", PASSWORD)}

    return factory


@pytest.fixture
def organizer(make_user, login):
    """The test client signed in as a new organizer; returns make_user's answer."""
    user = make_user("organizer")
    login(user)
    return user


@pytest.fixture
def login(client):
    """Sign the test client in; returns the response of the sign-in POST."""

    def do_login(user: dict, password: str | None = None, follow_redirects: bool = False):
        return client.post(
            "/login",
            data={"login": user["email"], "password": password or user["password"]},
            follow_redirects=follow_redirects,
        )

    return do_login


@pytest.fixture
def live_server(app):
    """The app served over real HTTP in a background thread (threaded, like a real server)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counted: ...`` then ``len(counted)``: the SQL statements run inside the block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    return counting


# --- route guards, CSRF sweep, audit (issue 12): database snapshots and one record of every kind -------------


def _table_digest(conn, table) -> tuple[int, str]:
    import hashlib

    from sqlalchemy import select

    order = list(table.primary_key.columns) or list(table.columns)
    rows = conn.execute(select(table).order_by(*order)).all()
    return len(rows), hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest()


@pytest.fixture
def snapshot():
    """``snapshot(app)``: every table's row count and a digest of all its rows (ordered by primary key). Two
    equal snapshots mean nothing was written."""

    def take(app) -> dict[str, tuple[int, str]]:
        with app.app_context(), db.engine.connect() as conn:
            return {table.name: _table_digest(conn, table) for table in db.metadata.sorted_tables}

    return take


@pytest.fixture
def sign_in():
    """``sign_in(client, user_id)`` sets Flask-Login's session keys directly (no form post, no password hash);
    ``sign_in(client, None)`` signs out."""

    def do_sign_in(client, user_id: int | None) -> None:
        with client.session_transaction() as sess:
            sess.clear()
            if user_id is not None:
                sess["_user_id"] = f"{user_id}:0"  # id:session_version (a new account is at version 0)
                sess["_fresh"] = True

    return do_sign_in


ALL_ROLES = ("admin", "organizer", "unit_reporter", "volunteer", "juror", "appraiser")


@pytest.fixture
def make_records():
    """``make_records(app)``: one committed record of every kind a route URL names, and one user per role, plus
    the same roles out of scope (``OUTSIDERS``: a unit reporter of the other ward, a volunteer assigned to no
    checkpoint, a second juror).

    A published plan running from 10 days ago to 60 days ahead (its festival in 30 days, open for registration,
    with a programme item and one confirmed registration; an internal ceremony; a cluster tour with two stops),
    a draft plan with one activity, a venue, and units (a province, a city, two wards, an office); the festival's
    entrance and a booth with the volunteer assigned to both, one admission at the booth, and the registration's
    signed ticket token (``ticket``)."""

    def build(app):
        import secrets
        from datetime import UTC, datetime, timedelta
        from types import SimpleNamespace

        from events.models import Plan, ProgrammeItem, Registration, TourStop, Venue
        from tests.contests.records import build as build_quiz_records

        now = datetime.now(UTC).replace(second=0, microsecond=0)
        today = now.date()
        with app.app_context():
            province = Unit(name="Tỉnh Bình Dương", kind="province")
            city = Unit(name="Thành phố Tân Uyên", kind="district", parent=province)
            ward = Unit(name="Phường Uyên Hưng", kind="ward", parent=city)
            other_ward = Unit(name="Phường Khánh Bình", kind="ward", parent=city)
            office = Unit(name="Phòng Văn hóa và Thông tin", kind="department", parent=city)
            venue = Venue(name="Quảng trường thành phố", capacity=3000, unit=ward, address="Phường Uyên Hưng")
            hall = Venue(name="Hội trường UBND thành phố", capacity=200, unit=ward)
            plan = Plan(
                number="4568/KH-UBND",
                title="Hưởng ứng Ngày Chuyển đổi số",
                status="published",
                period_start=today - timedelta(days=10),
                period_end=today + timedelta(days=60),
                lead_unit=office,
                report_deadline=today + timedelta(days=70),
            )
            draft = Plan(
                title="Kế hoạch dự thảo", status="draft", period_start=today, period_end=today + timedelta(days=60)
            )
            start = now + timedelta(days=30)
            festival = make_activity(
                plan,
                title="Ngày hội Chuyển đổi số thành phố",
                kind="festival",
                starts_at=start,
                ends_at=start + timedelta(hours=8),
                venue=venue,
                area_unit=ward,
                lead_unit=office,
                capacity=100,
                seats_taken=1,
                registration_open=True,
            )
            festival.programme = [
                ProgrammeItem(title="Lễ ra mắt Kênh giao tiếp số", starts_at=start, ends_at=start + timedelta(hours=1))
            ]
            internal = make_activity(
                plan,
                title="Chương trình chào mừng nội bộ",
                kind="ceremony",
                starts_at=start + timedelta(days=1),
                ends_at=start + timedelta(days=1, hours=3),
                venue=hall,
                is_public=False,
            )
            # Called off (internal, so no public page shows it): the restore route has something to restore.
            called_off = make_activity(
                plan,
                title="Hội thảo đã hủy",
                kind="ceremony",
                starts_at=start + timedelta(days=2),
                ends_at=start + timedelta(days=2, hours=3),
                venue=hall,
                is_public=False,
                cancelled=True,
            )
            tour = make_activity(
                plan,
                title="Hành trình chuyển đổi số theo cụm",
                kind="cluster_tour",
                starts_at=now + timedelta(days=5),
                ends_at=now + timedelta(days=9),
                lead_unit=office,
            )
            tour.stops = [
                TourStop(
                    position=1,
                    name="Cụm 1",
                    host_unit=ward,
                    starts_at=now + timedelta(days=5),
                    ends_at=now + timedelta(days=6),
                ),
                TourStop(
                    position=2,
                    name="Cụm 2",
                    host_unit=other_ward,
                    starts_at=now + timedelta(days=8),
                    ends_at=now + timedelta(days=9),
                ),
            ]
            drafted = make_activity(
                draft,
                title="Hoạt động của kế hoạch dự thảo",
                kind="training",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                venue=hall,
            )
            registration = Registration(
                activity=festival,
                name="Nguyễn Thị Lan",
                phone="0912345678",
                ward=ward,
                email="lan.nguyen@example.vn",
                consent_at=now,
                status="confirmed",
                token=secrets.token_urlsafe(24),
            )
            db.session.add_all(
                [
                    province,
                    city,
                    ward,
                    other_ward,
                    office,
                    venue,
                    hall,
                    plan,
                    draft,
                    festival,
                    internal,
                    called_off,
                    tour,
                    drafted,
                    registration,
                ]
            )
            db.session.flush()
            from checkin.models import Checkpoint as _Checkpoint

            # The festival's exit, with nobody assigned and nothing scanned (check-in's organizer rows use it; a
            # volunteer may not scan there).
            exit_point = _Checkpoint(activity=festival, name="Cổng ra", kind="exit", rule="every_time", position=9)
            db.session.add(exit_point)
            db.session.flush()
            users = {}
            # One user per role (the unit reporter in the ward), then the same roles elsewhere: the route table's
            # scope rows send their requests as these (another ward's reporter, a volunteer assigned nowhere, a
            # juror of no entry) and expect 404.
            units = {"unit_reporter": ward, "other_unit_reporter": other_ward}
            for key, role in [(role, role) for role in ALL_ROLES] + list(OUTSIDERS.items()):
                user = new_user(role, units.get(key), name=f"Người dùng {key}", email=f"{key}@example.vn")
                db.session.add(user)
                db.session.flush()
                users[key] = user.id
            # Check-in: the festival's entrance (once a day) and a booth (every time), the volunteer assigned to
            # both, and one admission at the booth a moment ago (still within its undo window).
            from app.models import utcnow
            from checkin.keys import ticket_token
            from checkin.models import Checkpoint, CheckpointAssignment, Scan

            entrance = Checkpoint(activity=festival, name="Cổng chính", kind="entrance", rule="once_per_day")
            booth = Checkpoint(activity=festival, name="Không gian xã hội số", kind="booth", rule="every_time")
            db.session.add_all([entrance, booth])
            db.session.flush()
            volunteer = users["volunteer"]
            db.session.add_all([CheckpointAssignment(checkpoint_id=p.id, user_id=volunteer) for p in (entrance, booth)])
            scan = Scan(
                checkpoint_id=booth.id,
                ticket_id=registration.id,
                device_id="records-device",
                nonce="records-scan-1",
                scanned_at=utcnow(),
                received_at=utcnow(),
                verdict="admitted",
                admitted=True,
                user_id=users["volunteer"],
            )
            db.session.add(scan)
            db.session.flush()
            ticket = ticket_token(registration, app)
            # A gate under way now (internal: no public page lists it), the volunteer assigned: a scan there is
            # admitted by the scan API's one-statement hot path, whose scope check the scan row's outsider meets.
            under_way = make_activity(
                plan, title="Cổng soát vé đang mở", kind="ceremony", starts_at=now - timedelta(hours=1), is_public=False
            )
            gate = Checkpoint(activity=under_way, name="Cổng đang mở", kind="entrance", rule="once")
            guest = Registration(
                activity=under_way, name="Khách soát vé", phone="0912345679", consent_at=now, status="confirmed",
                token=secrets.token_urlsafe(24),
            )  # fmt: skip
            db.session.add_all([under_way, gate, guest])
            db.session.flush()
            db.session.add(CheckpointAssignment(checkpoint_id=gate.id, user_id=volunteer))
            ticket_now = ticket_token(guest, app)
            db.session.commit()
            ward_ids = (ward.id, other_ward.id)
            quiz = build_quiz_records(app, now=now, ward_id=ward_ids[0], other_ward_id=ward_ids[1])
            return SimpleNamespace(
                quiz=quiz,
                now=now,
                province_id=province.id,
                city_id=city.id,
                ward_id=ward.id,
                other_ward_id=other_ward.id,
                office_id=office.id,
                venue_id=venue.id,
                hall_id=hall.id,
                plan_id=plan.id,
                draft_plan_id=draft.id,
                activity_id=festival.id,
                internal_id=internal.id,
                cancelled_id=called_off.id,
                tour_id=tour.id,
                stop_ids=(tour.stops[0].id, tour.stops[1].id),
                exit_id=exit_point.id,
                item_id=festival.programme[0].id,
                draft_activity_id=drafted.id,
                registration_id=registration.id,
                unassigned_checkpoint_id=exit_point.id,  # nobody scans there: a volunteer may not
                token=registration.token,
                ticket=ticket,
                checkpoint_id=entrance.id,
                booth_id=booth.id,
                gate_now_id=gate.id,
                ticket_now=ticket_now,
                scan_id=scan.id,
                users=users,
                emails={key: f"{key}@example.vn" for key in (*ALL_ROLES, *OUTSIDERS)},
            )

    return build


@pytest.fixture
def records(app, make_records):
    return make_records(app)
