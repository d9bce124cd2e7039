"""``flask events import`` and ``flask events export``: bulk schedules from the command line, with a progress bar."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app.errors import DomainError
from app.extensions import db
from app.timezone import campaign_zone

from .models import Plan
from .services import transfer

events_cli = AppGroup("events", help="Plans and activities: import and export schedules.")


def _fail(message) -> NoReturn:
    """Print ``message`` (in the default language, without click's English "Error:") and exit with status 1."""
    click.echo(str(message), err=True)
    click.get_current_context().exit(1)


def _reject(errors: list[transfer.RowError]) -> NoReturn:
    for error in errors:
        row = _("Row %(number)s", number=error.row_number)
        click.echo(f"{row} – {error.column}: {error.message}", err=True)
    _fail(transfer.ImportRejected(errors).message)


def _plan(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        _fail(_("No plan has the id %(id)s.", id=plan_id))
    return plan


@events_cli.command("import")
@click.argument("plan_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
def import_command(plan_id: int, path: str):
    """Import activities into plan PLAN_ID from an .xlsx or .csv file (the import template's columns).

    Nothing is saved when any row is invalid: every error is printed with its row number."""
    # No request here, so the interface language is the installation's default (Vietnamese).
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        plan = _plan(plan_id)
        try:
            with open(path, "rb") as stream:
                rows = transfer.read_upload(os.path.basename(path), stream)
        except DomainError as error:
            _fail(error.message)
        units, venues = transfer.load_lookups(db.session)
        with click.progressbar(rows, label=_("Checking rows"), file=sys.stderr) as bar:
            drafts, errors = transfer.parse_rows(bar, units, venues, tz=campaign_zone())
        if errors:
            _reject(errors)
        try:
            with click.progressbar(length=len(drafts), label=_("Saving activities"), file=sys.stderr) as bar:
                created = transfer.import_activities(db.session, plan, drafts, tz=campaign_zone(), progress=bar.update)
        except transfer.ImportRejected as rejected:
            db.session.rollback()
            _reject(rejected.errors)
        except DomainError as error:
            db.session.rollback()
            _fail(error.message)
        db.session.commit()
        click.echo(
            ngettext(
                "Imported %(num)d activity into “%(plan)s”.",
                "Imported %(num)d activities into “%(plan)s”.",
                len(created),
                plan=plan.title,
            )
        )


@events_cli.command("export")
@click.argument("plan_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(plan_id: int, path: str):
    """Export the schedule of plan PLAN_ID to an .xlsx file (it can be imported again)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        plan = _plan(plan_id)
        activities = transfer.schedule_activities(plan)
        with click.progressbar(length=len(activities), label=_("Writing activities"), file=sys.stderr) as bar:
            data = transfer.export_schedule(plan, tz=campaign_zone(), activities=activities, progress=bar.update)
        with open(path, "wb") as handle:
            handle.write(data)
        click.echo(
            ngettext(
                "Exported %(num)d activity to %(path)s.",
                "Exported %(num)d activities to %(path)s.",
                len(activities),
                path=path,
            )
        )
