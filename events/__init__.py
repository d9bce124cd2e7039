"""Plans and activities of the 10/10 campaign."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")

from . import views  # noqa: E402,F401  (routes attach to bp)


@bp.record_once
def _register(state) -> None:
    from flask_babel import lazy_gettext as _l

    from app.demo import register_loader
    from app.providers import figures
    from app.scheduler import JobSpec, register_job

    from . import cli, demo
    from .services import plans as services
    from .services import registration

    register_loader("events", demo.load)
    state.app.cli.add_command(cli.events_cli)

    figures.register("events", services.figures)
    register_job(
        JobSpec(
            "events.close_finished_plans",
            services.close_finished_plans,
            "interval",
            {"minutes": 30},
            _l("Close published plans whose period has ended"),
        )
    )
    register_job(
        JobSpec(
            "events.purge_expired_registrations",
            registration.purge_expired_registrations,
            "cron",
            {"hour": 2, "minute": 30},
            _l("Delete citizens' registrations once their plan's retention period has ended (Decree 13/2023)"),
        )
    )
