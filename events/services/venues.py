"""Venues: where activities happen, with a capacity and map-free directions."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import DomainError

from ..models import Venue


def list_venues(session: Session) -> list[Venue]:
    """Every venue, by name."""
    return list(session.scalars(select(Venue).order_by(Venue.name)))


def venue_options(session: Session) -> list[tuple[int, str]]:
    """(id, "name (capacity)") for select boxes, by name."""
    return [(v.id, f"{v.name} ({v.capacity})" if v.capacity else v.name) for v in list_venues(session)]


def save_venue(
    session: Session,
    venue: Venue | None,
    *,
    name: str,
    address: str,
    capacity: int | None,
    unit_id: int | None,
    directions: str,
) -> Venue:
    """Create or update a venue (flushed); names are unique, whatever their case or Unicode spelling, even when
    two organizers add the same venue at the same moment."""
    name = " ".join(unicodedata.normalize("NFC", name).split())
    clash = select(Venue.id).where(func.lower(Venue.name) == name.lower())
    if venue is not None and venue.id:
        clash = clash.where(Venue.id != venue.id)
    if session.scalar(clash):
        raise _name_taken()
    if capacity is not None and capacity < 0:
        raise DomainError(_l("The capacity cannot be negative."), code="negative_capacity", field="capacity")
    venue = venue or Venue()
    venue.name, venue.address, venue.capacity, venue.unit_id = name, address.strip(), capacity, unit_id
    venue.directions = directions.strip()
    try:
        with session.begin_nested():
            session.add(venue)
            session.flush()
    except IntegrityError:
        raise _name_taken() from None
    return venue


def _name_taken() -> DomainError:
    return DomainError(_l("A venue with this name already exists."), code="venue_name_taken", field="name")
