"""Route-guard rows of the core (tests/guards.py explains the table; tests/app/test_route_guards.py runs it)."""

from __future__ import annotations

from app.scheduler import job_ids
from tests.guards import ADMIN, ORGANIZER, PASSWORD, PUBLIC, SIGNED_IN, Request, Row

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
}
