"""``flask checkin badges ACTIVITY_ID --out FILE``: the badge sheet of an activity, with a progress bar."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.extensions import db
from events.models import Activity

from . import badging
from .services import badges

checkin_cli = AppGroup("checkin", help="Check-in: badge sheets.")


@checkin_cli.command("badges")
@click.argument("activity_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="The PDF to write.")
def badges_command(activity_id: int, out: str):
    """Write the A4 badge sheet (name, ward, ticket QR and code) of ACTIVITY_ID's confirmed registrations."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        activity = db.session.get(Activity, activity_id)
        if activity is None:
            click.echo(_("No activity has the id %(id)s.", id=activity_id), err=True)
            click.get_current_context().exit(1)
        people = badging.badges_for(db.session, activity)
        title, subtitle = badging.title_for(activity)
        with click.progressbar(length=len(people), label=_("Drawing badges"), file=sys.stderr) as bar:
            data = badges.render_badges(people, title=title, subtitle=subtitle, progress=bar.update)
        with open(out, "wb") as handle:
            handle.write(data)
        pages = max(1, -(-len(people) // badges.PER_PAGE))
        click.echo(
            ngettext(
                "Wrote %(num)d badge on %(pages)s page to %(path)s.",
                "Wrote %(num)d badges on %(pages)s pages to %(path)s.",
                len(people),
                pages=pages,
                path=out,
            )
        )
