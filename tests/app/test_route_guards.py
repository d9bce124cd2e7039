"""Who may change what: one row per state-changing endpoint, built against the route map.

Every rule whose methods include POST, PUT, PATCH or DELETE must have a row in ``WRITES`` (endpoint -> who may
do it, and for each of its URL rules a valid request). For each guarded rule, every caller without the right
(anonymous, then each role lacking it) sends that valid request: anonymous callers are sent to sign in, the
others get 403, and the database stays exactly as it was. Then a caller with the right sends the same request,
which succeeds and changes the database. Only the guard can have refused the first ones.

The rows also serve tests/app/test_csrf_sweep.py, which sends the same requests without a CSRF token."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from app.scheduler import job_ids

PUBLIC = "public"  # citizens, no account
SIGNED_IN = "signed in"  # any account
ROLES = ("admin", "organizer", "unit_reporter", "volunteer", "juror", "appraiser")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PASSWORD = "mat-khau-thu-nghiem"  # tests/conftest.py's password of every test account


@dataclass
class Request:
    url: str
    data: dict | None = None
    json: dict | None = None
    content_type: str | None = None
    headers: dict = field(default_factory=dict)

    def send(self, client):
        if self.json is not None:
            return client.post(self.url, json=self.json, headers=self.headers)
        return client.post(self.url, data=self.data or {}, content_type=self.content_type, headers=self.headers)


@dataclass
class Row:
    """Who may write here (PUBLIC, SIGNED_IN or a set of roles; admins may always), a request per URL rule
    (built from the records fixture, fresh for each call), and what success looks like."""

    who: str | frozenset[str]
    requests: dict[str, Callable[[object], Request]]
    ok: int = 302
    changes_db: bool = True
    as_role: str | None = None  # who sends the successful request (default: the first allowed role)


def local(moment) -> str:
    return moment.astimezone(TZ).strftime("%d/%m/%Y %H:%M")


def day(moment) -> str:
    return moment.astimezone(TZ).strftime("%d/%m/%Y")


def plan_body(r, title: str) -> dict:
    return {
        "number": "",
        "title": title,
        "period_start": day(r.now),
        "period_end": day(r.now + timedelta(days=60)),
        "issuing_unit_id": "0",
        "lead_unit_id": str(r.office_id),
    }


def activity_body(r, title: str = "Lớp tập huấn kỹ năng số", days: int = 40) -> dict:
    start = r.now + timedelta(days=days)
    return {
        "title": title,
        "kind": "training",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=3)),
        "venue_id": str(r.hall_id),
        "area_unit_id": "0",
        "lead_unit_id": str(r.office_id),
        "is_public": "y",
        "accept_warnings": "y",
    }


def stop_body(r, name: str, days: int) -> dict:
    return {
        "name": name,
        "host_unit_id": str(r.ward_id),
        "starts_at": local(r.now + timedelta(days=days)),
        "ends_at": local(r.now + timedelta(days=days, hours=8)),
        "venue_id": "0",
        "accept_warnings": "y",
    }


def registration_body(r) -> dict:
    return {
        "name": "Trần Văn Minh",
        "phone": "0987654321",
        "ward_id": str(r.ward_id),
        "email": "minh.tran@example.vn",
        "consent": "y",
    }


def checkpoint_body(r, name: str, kind: str = "booth") -> dict:
    return {"name": name, "kind": kind, "rule": "every_time", "host_unit_id": str(r.office_id), "position": "3"}


IMPORT_HEADERS = ["Tiêu đề", "Loại", "Bắt đầu", "Kết thúc", "Địa điểm", "Đơn vị chủ trì", "Đơn vị phối hợp",
                  "Đối tượng", "Số người dự kiến", "Sức chứa", "Công khai", "Mô tả"]  # fmt: skip


def import_body(r) -> dict:
    start = r.now + timedelta(days=20)
    row = ["Lớp tập huấn an toàn thông tin", "Lớp tập huấn", local(start), local(start + timedelta(hours=3)),
           "Hội trường UBND thành phố", "Phòng Văn hóa và Thông tin", "", "Người dân", "50", "", "Có", ""]  # fmt: skip
    text = "\ufeff" + "\n".join(";".join(line) for line in [IMPORT_HEADERS, row]) + "\n"
    return {"file": (io.BytesIO(text.encode()), "lich.csv")}


def quiz_join_body(r) -> dict:
    return {
        "full_name": "Đặng Thu Trang",
        "phone": "0933 123 456",
        "ward_id": str(r.ward_id),
        "birth_year": "2007",
        "cccd": "079207001234",
        "consent": "y",
    }


def quiz_round_body(r, title: str) -> dict:
    return {
        "title": title,
        "opens_at": local(r.now + timedelta(days=3)),
        "closes_at": local(r.now + timedelta(days=10)),
        "question_count": "4",
        "time_limit_minutes": "15",
        "attempts_allowed": "1",
        "prize_first": "1",
        "prize_second": "2",
        "prize_third": "3",
        "prize_consolation": "5",
        "asks_prediction": "y",
    }


def quiz_question_body(r, text: str) -> dict:
    from contests.models import QuizTopic  # noqa: F401 (the topic ids come from the records)

    body = {
        "topic_id": str(r.quiz.topic_id),
        "difficulty": "medium",
        "text": text,
        "explanation": "Mã OTP là chìa khóa tài khoản: không ai có quyền hỏi.",
        "source": "Cục An toàn thông tin",
        "options-0-text": "Không cung cấp cho bất kỳ ai",
        "options-0-is_correct": "y",
        "options-1-text": "Đọc cho nhân viên ngân hàng qua điện thoại",
    }
    return body


def quiz_import_body(r) -> dict:
    from tests.contests.records import question_import_csv

    return {"file": (io.BytesIO(question_import_csv()), "cau-hoi.csv")}


ORGANIZER = frozenset({"organizer"})
ADMIN = frozenset({"admin"})
SCANNERS = frozenset({"organizer", "volunteer"})  # a volunteer where assigned (the records' volunteer is)


def scan_body(r, token: str | None = None) -> dict:
    return {
        "token": token or r.ticket,
        "checkpoint_id": r.booth_id,
        "device_id": "guard-device",
        "nonce": "guard-nonce-1",
        "scanned_at": r.now.isoformat(),
    }


WRITES: dict[str, Row] = {
    # core
    "main.set_language": Row(
        PUBLIC, {"/language": lambda r: Request("/language", {"lang": "en", "next": "/events/"})}, changes_db=False
    ),
    "auth.login": Row(
        PUBLIC,
        {"/login": lambda r: Request("/login", {"login": r.emails["organizer"], "password": PASSWORD})},
    ),  # last_login_at is written
    # Signing out raises the account's session version: a cookie copied before it no longer signs anyone in.
    "auth.logout": Row(SIGNED_IN, {"/logout": lambda r: Request("/logout")}, as_role="volunteer"),
    "auth.sign_out_everywhere": Row(
        SIGNED_IN,
        {"/account/sign-out-everywhere": lambda r: Request("/account/sign-out-everywhere")},
        as_role="volunteer",  # the account's session version moves on: every copied cookie stops working
    ),
    "auth.change_password": Row(
        SIGNED_IN,
        {
            "/account/password": lambda r: Request(
                "/account/password",
                {"current_password": PASSWORD, "new_password": "mat-khau-moi-2024", "confirm": "mat-khau-moi-2024"},
            )
        },
        as_role="juror",
    ),
    "admin.edit_user": Row(
        ADMIN,
        {
            "/admin/users/new": lambda r: Request(
                "/admin/users/new",
                {
                    "name": "Lê Thị Hoa",
                    "email": "hoa.le@example.vn",
                    "unit_id": "0",
                    "roles": "volunteer",
                    "password": "mat-khau-hoa-2024",
                    "active": "y",
                },
            ),  # fmt: skip
            "/admin/users/<int:user_id>": lambda r: Request(
                f"/admin/users/{r.users['volunteer']}",
                {
                    "name": "Tình nguyện viên đổi tên",
                    "email": r.emails["volunteer"],
                    "unit_id": "0",
                    "roles": "volunteer",
                    "active": "y",
                },
            ),  # fmt: skip
        },
    ),
    "admin.edit_unit": Row(
        ORGANIZER,
        {
            "/admin/units/new": lambda r: Request(
                "/admin/units/new", {"name": "Phường Tân Phước Khánh", "kind": "ward", "parent_id": str(r.city_id)}
            ),
            "/admin/units/<int:unit_id>": lambda r: Request(
                f"/admin/units/{r.other_ward_id}",
                {"name": "Phường Khánh Bình (mới)", "kind": "ward", "parent_id": str(r.city_id)},
            ),
        },
    ),
    "admin.jobs": Row(ADMIN, {"/admin/jobs": lambda r: Request("/admin/jobs", {"job_id": sorted(job_ids())[0]})}),
    # events: plans
    "events.edit_plan": Row(
        ORGANIZER,
        {
            "/events/plans/new": lambda r: Request("/events/plans/new", plan_body(r, "Kế hoạch năm sau")),
            "/events/plans/<int:plan_id>/edit": lambda r: Request(
                f"/events/plans/{r.draft_plan_id}/edit", plan_body(r, "Kế hoạch dự thảo (sửa)")
            ),
        },
    ),
    "events.plan_status": Row(
        ORGANIZER,
        {
            "/events/plans/<int:plan_id>/status": lambda r: Request(
                f"/events/plans/{r.draft_plan_id}/status", {"status": "published"}
            )
        },
    ),
    "events.copy_plan": Row(
        ORGANIZER, {"/events/plans/<int:plan_id>/copy": lambda r: Request(f"/events/plans/{r.plan_id}/copy")}
    ),
    "events.import_activities": Row(
        ORGANIZER,
        {
            "/events/plans/<int:plan_id>/import": lambda r: Request(
                f"/events/plans/{r.plan_id}/import", import_body(r), content_type="multipart/form-data"
            )
        },
    ),
    # events: activities, stops, programme, venues
    "events.edit_activity": Row(
        ORGANIZER,
        {
            "/events/plans/<int:plan_id>/activities/new": lambda r: Request(
                f"/events/plans/{r.plan_id}/activities/new", activity_body(r)
            ),
            "/events/activities/<int:activity_id>/edit": lambda r: Request(
                f"/events/activities/{r.internal_id}/edit", activity_body(r, "Lễ chào mừng (sửa)", days=31)
            ),
        },
    ),
    "events.cancel_activity": Row(
        ORGANIZER,
        {
            "/events/activities/<int:activity_id>/cancel": lambda r: Request(
                f"/events/activities/{r.activity_id}/cancel", {"confirm": "1"}
            )
        },
    ),
    "events.restore_activity": Row(
        ORGANIZER,
        {
            "/events/activities/<int:activity_id>/restore": lambda r: Request(
                f"/events/activities/{r.cancelled_id}/restore", {"confirm": "1"}
            )
        },
    ),
    "events.edit_stop": Row(
        ORGANIZER,
        {
            "/events/activities/<int:activity_id>/stops/new": lambda r: Request(
                f"/events/activities/{r.tour_id}/stops/new", stop_body(r, "Cụm 3", days=7)
            ),
            "/events/stops/<int:stop_id>/edit": lambda r: Request(
                f"/events/stops/{r.stop_ids[1]}/edit", stop_body(r, "Cụm 2 (sửa)", days=8)
            ),
        },
    ),
    "events.move_stop": Row(
        ORGANIZER,
        {
            "/events/stops/<int:stop_id>/move": lambda r: Request(
                f"/events/stops/{r.stop_ids[0]}/move", {"direction": "down"}
            )
        },
    ),
    "events.delete_stop": Row(
        ORGANIZER,
        {
            "/events/stops/<int:stop_id>/delete": lambda r: Request(
                f"/events/stops/{r.stop_ids[1]}/delete", {"confirm": "1"}
            )
        },
    ),
    "events.add_programme_item": Row(
        ORGANIZER,
        {
            "/events/activities/<int:activity_id>/programme": lambda r: Request(
                f"/events/activities/{r.activity_id}/programme",
                {
                    "item-title": "Trao giải cuộc thi",
                    "item-starts_at": local(r.now + timedelta(days=30, hours=2)),
                    "item-stop_id": "0",
                    "item-responsible_unit_id": str(r.office_id),
                },
            )  # fmt: skip
        },
    ),
    "events.delete_programme_item": Row(
        ORGANIZER,
        {
            "/events/programme/<int:item_id>/delete": lambda r: Request(
                f"/events/programme/{r.item_id}/delete", {"confirm": "1"}
            )
        },
    ),
    "events.edit_programme_item": Row(
        ORGANIZER,
        {
            "/events/programme/<int:item_id>/edit": lambda r: Request(
                f"/events/programme/{r.item_id}/edit",
                {
                    "title": "Lễ ra mắt Kênh giao tiếp số (sửa)",
                    "starts_at": local(r.now + timedelta(days=30, hours=1)),
                    "stop_id": "0",
                    "responsible_unit_id": str(r.office_id),
                },
            )  # fmt: skip
        },
    ),
    "events.edit_venue": Row(
        ORGANIZER,
        {
            "/events/venues/new": lambda r: Request(
                "/events/venues/new", {"name": "Nhà văn hóa phường", "capacity": "150", "unit_id": str(r.ward_id)}
            ),
            "/events/venues/<int:venue_id>": lambda r: Request(
                f"/events/venues/{r.hall_id}", {"name": "Hội trường (sửa)", "capacity": "250", "unit_id": "0"}
            ),
        },
    ),
    # events: citizens' registration
    "events.registration_form": Row(
        PUBLIC,
        {
            "/events/activities/<int:activity_id>/register": lambda r: Request(
                f"/events/activities/{r.activity_id}/register", registration_body(r)
            )
        },
        ok=303,
    ),
    "events.registration_cancel": Row(
        PUBLIC,
        {"/events/registrations/<token>/cancel": lambda r: Request(f"/events/registrations/{r.token}/cancel")},
        ok=303,
    ),
    "events.find_registration": Row(
        PUBLIC,
        {"/events/registrations/find": lambda r: Request("/events/registrations/find", {"phone": "0912345678"})},
        ok=303,  # and the links are queued in the outbox: the database changes
    ),
    "events.registration_api_create": Row(
        PUBLIC,
        {
            "/events/api/activities/<int:activity_id>/registrations": lambda r: Request(
                f"/events/api/activities/{r.activity_id}/registrations", json=registration_body(r) | {"consent": True}
            )
        },
        ok=201,
    ),
    # check-in, the organizer's side
    "checkin.edit_checkpoint": Row(
        ORGANIZER,
        {
            "/checkin/activities/<int:activity_id>/checkpoints/new": lambda r: Request(
                f"/checkin/activities/{r.activity_id}/checkpoints/new", checkpoint_body(r, "Không gian kinh tế số")
            ),
            "/checkin/checkpoints/<int:checkpoint_id>/edit": lambda r: Request(
                f"/checkin/checkpoints/{r.checkpoint_id}/edit", checkpoint_body(r, "Cổng chính (sửa)", kind="entrance")
            ),
        },
        ok=303,
    ),
    "checkin.delete_checkpoint": Row(
        ORGANIZER,
        {
            "/checkin/checkpoints/<int:checkpoint_id>/delete": lambda r: Request(
                f"/checkin/checkpoints/{r.exit_id}/delete", {"confirm": "1"}
            )
        },
        ok=303,
    ),
    "checkin.assign_volunteer": Row(
        ORGANIZER,
        {
            "/checkin/checkpoints/<int:checkpoint_id>/volunteers": lambda r: Request(
                f"/checkin/checkpoints/{r.exit_id}/volunteers", {"user_id": str(r.users["volunteer"])}
            )
        },
        ok=303,
    ),
    "checkin.unassign_volunteer": Row(
        ORGANIZER,
        {
            "/checkin/checkpoints/<int:checkpoint_id>/volunteers/<int:user_id>/remove": lambda r: Request(
                f"/checkin/checkpoints/{r.checkpoint_id}/volunteers/{r.users['volunteer']}/remove"
            )
        },
        ok=303,
    ),
    "checkin.walk_in": Row(
        frozenset({"organizer", "volunteer"}),
        {
            "/checkin/activities/<int:activity_id>/walk-in": lambda r: Request(
                f"/checkin/activities/{r.activity_id}/walk-in",
                {**registration_body(r), "submission": "walk-in-submission-key-0000000001"},
            )
        },
        ok=303,
        as_role="volunteer",  # assigned to the festival's checkpoints: registers people at its booths
    ),
    "checkin.badges": Row(
        ORGANIZER,
        {
            "/checkin/activities/<int:activity_id>/badges": lambda r: Request(
                f"/checkin/activities/{r.activity_id}/badges"
            )
        },
        ok=303,
    ),
    # checkin: JSON writes of scanners (anonymous callers get 401 JSON, not a redirect: see is_refused)
    "checkin.api_scan": Row(
        SCANNERS,
        {"/checkin/api/scans": lambda r: Request("/checkin/api/scans", json=scan_body(r))},
        ok=201,
        as_role="volunteer",
    ),
    "checkin.api_undo": Row(
        SCANNERS,
        {"/checkin/api/scans/<int:scan_id>/undo": lambda r: Request(f"/checkin/api/scans/{r.scan_id}/undo", json={})},
        ok=200,
        as_role="volunteer",
    ),
    # contests: the online quiz, citizens (the participant's token in the URL is their key)
    "contests.join": Row(
        PUBLIC,
        {
            "/contests/<int:contest_id>/join": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/join", quiz_join_body(r)
            )
        },
        ok=303,
    ),
    "contests.return_by_phone": Row(
        PUBLIC,
        {
            "/contests/<int:contest_id>/return": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/return", {"phone": r.quiz.phone}
            )
        },
        ok=303,  # a code is written and its SMS queued
    ),
    "contests.return_code": Row(
        PUBLIC,
        {
            "/contests/<int:contest_id>/return/code": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/return/code", {"code": "123456"}
            )
        },
        ok=303,
        changes_db=False,  # no code was asked in this session: back to step 1 (tests/contests/test_return_views.py)
    ),
    "contests.return_resend": Row(
        PUBLIC,
        {"/contests/<int:contest_id>/return/resend": lambda r: Request(f"/contests/{r.quiz.contest_id}/return/resend")},
        ok=303,
        changes_db=False,  # likewise
    ),
    "contests.return_fallback": Row(
        PUBLIC,
        {
            "/contests/<int:contest_id>/return/other": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/return/other",
                {"phone": r.quiz.phone, "birth_year": str(r.quiz.birth_year), "cccd_last4": "4321"},
            )
        },
        ok=303,  # the return token rotates
    ),
    "contests.forget_device": Row(
        PUBLIC,
        {"/contests/me/<token>/forget": lambda r: Request(f"/contests/me/{r.quiz.token}/forget")},
        ok=303,
        changes_db=False,  # the cookie goes; the participant and their answers stay
    ),
    "contests.start_round": Row(
        PUBLIC,
        {
            "/contests/me/<token>/rounds/<int:round_id>/start": lambda r: Request(
                f"/contests/me/{r.quiz.fresh_token}/rounds/{r.quiz.open_round_id}/start"
            )
        },
        ok=303,
    ),
    "contests.question": Row(
        PUBLIC,
        {
            "/contests/me/<token>/rounds/<int:round_id>/questions/<int:position>": lambda r: Request(
                f"/contests/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/questions/1",
                {"single": r.quiz.correct_first_handle, "go": "next"},
            )
        },
        ok=303,
    ),
    "contests.submit": Row(
        PUBLIC,
        {
            "/contests/me/<token>/rounds/<int:round_id>/submit": lambda r: Request(
                f"/contests/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/submit", {"prediction": "2"}
            )
        },
        ok=303,
    ),
    "contests.api_save_answer": Row(
        PUBLIC,
        {
            "/contests/api/me/<token>/rounds/<int:round_id>/answers": lambda r: Request(
                f"/contests/api/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/answers",
                json={"position": 1, "options": [r.quiz.correct_first_handle]},
            )
        },
        ok=200,
    ),
    # contests: the organizers' quiz pages
    "contests.edit_round": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/rounds/new": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/rounds/new", quiz_round_body(r, "Tuần 3")
            ),
            "/contests/rounds/<int:round_id>/edit": lambda r: Request(
                f"/contests/rounds/{r.quiz.open_round_id}/edit",
                # An open round: only its title and a later close may change (the rest as it is).
                quiz_round_body(r, "Tuần 2 (sửa)")
                | {
                    "opens_at": local(r.now - timedelta(hours=1)),
                    "prize_second": "1",
                    "prize_third": "1",
                    "prize_consolation": "1",
                    "pool_topic_ids": str(r.quiz.open_pool_topic_id),
                },
            ),
        },
    ),
    "contests.close_round": Row(
        ORGANIZER,
        {
            "/contests/rounds/<int:round_id>/close": lambda r: Request(
                f"/contests/rounds/{r.quiz.open_round_id}/close", {"confirm": "1"}
            )
        },
    ),
    "contests.open_round": Row(
        ORGANIZER,
        {
            "/contests/rounds/<int:round_id>/open": lambda r: Request(
                f"/contests/rounds/{r.quiz.later_round_id}/open", {"confirm": "1"}
            )
        },
    ),
    "contests.recompute_round": Row(
        ORGANIZER,
        {
            "/contests/rounds/<int:round_id>/recompute": lambda r: Request(
                f"/contests/rounds/{r.quiz.closed_round_id}/recompute", {"confirm": "1"}
            )
        },
        changes_db=False,  # the same answers give the same results
    ),
    "contests.populations": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/populations": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/populations",
                {"units-0-unit_id": str(r.other_ward_id), "units-0-population": "18000"},
            )
        },
    ),
    "contests.edit_question": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/questions/new": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/questions/new", quiz_question_body(r, "Ai được hỏi mã OTP của bạn?")
            ),
            "/contests/questions/<int:question_id>/edit": lambda r: Request(
                f"/contests/questions/{r.quiz.question_id}/edit", quiz_question_body(r, "Câu hỏi đã sửa về mã OTP")
            ),
        },
    ),
    "contests.import_questions": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/questions/import": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/questions/import",
                quiz_import_body(r),
                content_type="multipart/form-data",
            )
        },
    ),
    "contests.disqualify": Row(
        ORGANIZER,
        {
            "/contests/attempts/<int:attempt_id>/disqualify": lambda r: Request(
                f"/contests/attempts/{r.quiz.closed_attempt_id}/disqualify", {"reason": "Trả lời 4 câu trong 5 giây"}
            )
        },
        ok=303,
    ),
    "contests.reinstate": Row(
        ORGANIZER,
        {
            "/contests/attempts/<int:attempt_id>/reinstate": lambda r: Request(
                f"/contests/attempts/{r.quiz.disqualified_attempt_id}/reinstate",
                {"reason": "Đã gọi điện xác minh: người thật tự làm bài", "back": "ranking"},
            )
        },
        ok=303,
    ),
    "contests.detect_flags_now": Row(
        ORGANIZER,
        {
            "/contests/rounds/<int:round_id>/flags/detect": lambda r: Request(
                f"/contests/rounds/{r.quiz.closed_round_id}/flags/detect"
            )
        },
        ok=303,  # the round's flags_checked_at is written (and any new flag)
    ),
    "contests.retire_question": Row(
        ORGANIZER,
        {
            "/contests/questions/<int:question_id>/retire": lambda r: Request(
                f"/contests/questions/{r.quiz.question_id}/retire", {"retire": "1"}
            )
        },
        ok=303,
    ),
    "contests.topics_page": Row(
        ORGANIZER,
        {
            "/contests/<int:contest_id>/topics": lambda r: Request(
                f"/contests/{r.quiz.contest_id}/topics", {"name": "Thanh toán không dùng tiền mặt"}
            )
        },
        ok=303,
    ),
    "contests.flag_reviewed": Row(
        ORGANIZER,
        {"/contests/flags/<int:flag_id>/reviewed": lambda r: Request(f"/contests/flags/{r.quiz.flag_id}/reviewed")},
        ok=303,
    ),
}


def write_rules(app: Flask) -> dict[str, set[str]]:
    """endpoint -> its URL rules that accept a state-changing method."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.methods & WRITE_METHODS:
            found.setdefault(rule.endpoint, set()).add(rule.rule)
    return found


def denied(row: Row) -> list[str]:
    """Everyone who must be refused: anonymous visitors, then each role without the right."""
    if row.who == PUBLIC:
        return []
    if row.who == SIGNED_IN:
        return ["anonymous"]
    return ["anonymous"] + [role for role in ROLES if role != "admin" and role not in row.who]


def allowed(row: Row) -> str:
    if row.as_role:
        return row.as_role
    if row.who == PUBLIC:
        return "anonymous"
    return next((role for role in ROLES if role != "admin" and role in row.who), "admin")


def is_refused(who: str, rule: str, response) -> bool:
    """Anonymous callers are sent to sign in (a JSON API answers 401 instead: a script's fetch must not follow a
    redirect to a page); signed-in callers without the right get 403."""
    if who != "anonymous":
        return response.status_code == 403
    if "/api/" in rule:
        return response.status_code == 401 and response.is_json
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


CASES = [(endpoint, rule) for endpoint, row in WRITES.items() for rule in row.requests]


def test_every_state_changing_route_has_a_row(app):
    assert set(write_rules(app)) == set(WRITES), "add a row to WRITES for each new state-changing endpoint"
    for endpoint, rules in write_rules(app).items():
        assert rules == set(WRITES[endpoint].requests), endpoint


def test_admins_hold_every_role():
    """The table never lists admin: role_required lets admins through everywhere; check that once, here."""
    from app.models import User

    admin = User(name="A", email="a@example.vn")
    admin.set_roles(["admin"])
    assert all(admin.has_role("admin", role) for role in ROLES)


@pytest.mark.parametrize(("endpoint", "rule"), CASES, ids=[f"{e} {r}" for e, r in CASES])
def test_only_the_right_people_may_write(app, client, records, snapshot, sign_in, endpoint, rule):
    row = WRITES[endpoint]
    build = row.requests[rule]
    before = snapshot(app)
    problems = []
    for who in denied(row):
        sign_in(client, None if who == "anonymous" else records.users[who])
        response = build(records).send(client)
        refused = is_refused(who, rule, response)
        if not refused:
            problems.append(f"{who}: {response.status_code} {response.headers.get('Location', '')}")
        elif snapshot(app) != before:
            problems.append(f"{who}: refused but the database changed")
    assert problems == []

    role = allowed(row)
    sign_in(client, None if role == "anonymous" else records.users[role])
    response = build(records).send(client)
    assert response.status_code == row.ok, (role, response.get_data(as_text=True)[:2000])
    if endpoint != "auth.sign_out_everywhere":  # the one write whose success is to be sent to the sign-in page
        assert not response.headers.get("Location", "").startswith("/login")
    if row.changes_db:
        assert snapshot(app) != before, f"{role}'s request succeeded but wrote nothing"
    else:
        assert snapshot(app) == before


def test_citizens_cannot_register_for_internal_or_draft_activities(app, client, records, snapshot):
    """The public writes have no role to check, but their records must be public: an internal activity and an
    activity of a draft plan are not found, by the page or the API, and nothing is written."""
    before = snapshot(app)
    for activity_id in (records.internal_id, records.draft_activity_id):
        page = client.post(f"/events/activities/{activity_id}/register", data=registration_body(records))
        api = client.post(
            f"/events/api/activities/{activity_id}/registrations", json=registration_body(records) | {"consent": True}
        )
        assert (page.status_code, api.status_code) == (404, 404), activity_id
        assert api.get_json()["error"]["code"] == "not_found"
    assert snapshot(app) == before
