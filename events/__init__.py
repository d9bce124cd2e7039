"""Plans and activities of the 10/10 campaign."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from . import api, views  # noqa: E402,F401  (routes attach to bp)


@bp.record_once
def _register(state) -> None:
    from app.demo import register_loader
    from app.providers import figures
    from app.scheduler import register_jobs

    from . import cli, demo, jobs
    from .services import plans

    register_loader("events", demo.load)
    state.app.cli.add_command(cli.events_cli)
    figures.register("events", plans.figures)
    register_jobs(jobs)
