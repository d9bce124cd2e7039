"""Route-guard rows of events (tests/guards.py explains the table; tests/app/test_route_guards.py runs it)."""

from __future__ import annotations

import io
from datetime import timedelta

from tests.guards import ORGANIZER, PUBLIC, Request, Row, day, local


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


IMPORT_HEADERS = ["Tiêu đề", "Loại", "Bắt đầu", "Kết thúc", "Địa điểm", "Đơn vị chủ trì", "Đơn vị phối hợp",
                  "Đối tượng", "Số người dự kiến", "Sức chứa", "Công khai", "Mô tả"]  # fmt: skip


def import_body(r) -> dict:
    start = r.now + timedelta(days=20)
    row = ["Lớp tập huấn an toàn thông tin", "Lớp tập huấn", local(start), local(start + timedelta(hours=3)),
           "Hội trường UBND thành phố", "Phòng Văn hóa và Thông tin", "", "Người dân", "50", "", "Có", ""]  # fmt: skip
    text = "\ufeff" + "\n".join(";".join(line) for line in [IMPORT_HEADERS, row]) + "\n"
    return {"file": (io.BytesIO(text.encode()), "lich.csv")}


WRITES: dict[str, Row] = {
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
}
