"""Plans and activities of the 10/10 campaign."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from . import api, views  # noqa: E402,F401  (routes attach to bp)


@bp.record_once
def _register(state) -> None:
    from app import cache
    from app.demo import register_loader
    from app.models import Unit
    from app.providers import figures
    from app.scheduler import register_jobs

    from . import cli, demo, jobs
    from .models import Activity, Plan, ProgrammeItem, TourStop, Venue
    from .services import plans

    # What the public feeds are made of: writing any of it raises the "events" version their cache keys carry.
    cache.track("events", Plan, Activity, TourStop, ProgrammeItem, Venue, Unit)
    register_loader("events", demo.load)
    state.app.cli.add_command(cli.events_cli)
    figures.register("events", plans.figures)
    register_jobs(jobs)
    _register_report_sections()


def _register_report_sections() -> None:
    """What events offers summary reports (app/providers.py)."""
    from app.providers import report_sections

    from .services.reports import ACTIVITIES

    report_sections.register(ACTIVITIES)
