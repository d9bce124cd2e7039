"""The organizer's list of registrations: every registration with its waitlist position, searched by name or
phone, in Vietnamese order, counted by ward; and phone numbers masked for showing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Unit
from app.services import vietnamese_sort_key

from ...models import Registration
from .common import CANCELLED, WAITLISTED
from .ordering import _bare, person_sort_key


def sort_people(rows: list[tuple[Registration, int | None]]) -> list[tuple[Registration, int | None]]:
    """Registrations (with their waitlist positions) in Vietnamese order of the people's names."""
    return sorted(rows, key=lambda row: person_sort_key(row[0].name))


def filter_registrations(rows: list[tuple[Registration, int | None]], query: str | None) -> list:
    """The rows whose name holds ``query`` (accents, case and spacing ignored) or, when ``query`` is a phone
    number or part of one (spaces, dots, dashes and a leading +84 allowed), whose phone holds its digits."""
    query = (query or "").strip()
    if not query:
        return list(rows)
    compact = re.sub(r"[\s.\-()]", "", query)
    if re.fullmatch(r"\+?[0-9]+", compact):
        digits = compact.lstrip("+")
        if compact.startswith("+84") or (compact.startswith("84") and len(digits) > 9):
            digits = "0" + digits[2:]
        return [row for row in rows if digits in (row[0].phone or "")]
    wanted = _bare(query)
    return [row for row in rows if wanted in _bare(row[0].name)]


@dataclass(frozen=True)
class WardCount:
    """One line of the counts by ward: the ward, its district, how many, and the bar's length."""

    name: str  # "" for registrations without a ward
    district: str
    count: int
    percent: int  # of the largest count, for the bar


def ward_counts(rows: list[tuple[Registration, int | None]]) -> list[WardCount]:
    """Live registrations (confirmed or waiting) counted by ward, wards in Vietnamese order, the ones without a
    ward last."""
    counts: dict[object, list] = {}
    for registration, _position in rows:
        if registration.status == CANCELLED:
            continue
        ward = registration.ward
        key = ward.id if ward is not None else None
        entry = counts.setdefault(key, [ward, 0])
        entry[1] += 1
    if not counts:
        return []
    most = max(count for _ward, count in counts.values())
    result = []
    for ward, count in counts.values():
        parent = getattr(ward, "parent", None) if ward is not None else None
        result.append(
            WardCount(ward.name if ward is not None else "", parent.name if parent else "", count, 100 * count // most)
        )
    return sorted(result, key=lambda c: (c.name == "", vietnamese_sort_key(c.name), vietnamese_sort_key(c.district)))


def list_registrations(session: Session, activity_id: int) -> list[tuple[Registration, int | None]]:
    """Every registration of the activity in sign-up order, each with its waitlist position (None if not
    waitlisted); wards and their districts are loaded with it."""
    rows = session.scalars(
        select(Registration)
        .where(Registration.activity_id == activity_id)
        .options(selectinload(Registration.ward).selectinload(Unit.parent))
        .order_by(Registration.id)
    ).all()
    listed, position = [], 0
    for row in rows:
        if row.status == WAITLISTED:
            position += 1
        listed.append((row, position if row.status == WAITLISTED else None))
    return listed


def mask_phone(phone: str | None) -> str:
    """``0912345678`` -> ``09******78``: enough for a person to recognise their own number, not to call it."""
    if not phone:
        return ""
    if len(phone) <= 4:
        return "*" * len(phone)
    return phone[:2] + "*" * (len(phone) - 4) + phone[-2:]
