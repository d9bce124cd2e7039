"""What the badge builders (the page, the scheduled job, the command) share: the sheet's title and each
confirmed person's badge with the ticket's signed token and short code. It reads the signing keys and the secret
from the app, so it belongs to the web layer; the rendering itself is ``services.badges``."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_datetime
from sqlalchemy.orm import Session

from events.models import Activity

from .services import badges


def badges_for(session: Session, activity: Activity) -> list[badges.Badge]:
    from .keys import ticket_code, ticket_token

    app = current_app._get_current_object()
    return [
        badges.Badge(
            name=registration.name,
            ward=registration.ward.name if registration.ward else "",
            token=ticket_token(registration, app),
            code=ticket_code(registration, app),
        )
        for registration in badges.badge_registrations(session, activity.id)
    ]


def title_for(activity: Activity) -> tuple[str, str]:
    when = format_datetime(activity.starts_at, "dd/MM/yyyy")
    venue = activity.venue.name if activity.venue else ""
    return activity.title, " · ".join(part for part in (when, venue) if part)


def folder() -> str:
    """The instance folder, under which documents (badge sheets among them) are written."""
    return current_app.instance_path


def kind():
    """The badge sheet as a kind of document (app/documents.py), built with this module's badges and title."""
    return badges.badge_kind(badges_for, title_for)
