"""Command-line tasks: ``flask init-db``, ``create-admin``, ``seed-demo``, ``scheduler run``."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from . import scheduler as scheduler_module
from . import services
from .errors import DomainError
from .extensions import db
from .models import Role, User


def register_commands(app) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(scheduler_group)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the schema from the migrations."""
    upgrade()
    click.echo("Database schema is up to date.")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True, default="Quản trị viên")
@click.password_option()
@with_appcontext
def create_admin(email: str, name: str, password: str):
    """Create an administrator, or give an existing account the administrator role and this password."""
    if len(password) < 10:
        raise click.BadParameter("the password must have at least 10 characters", param_hint="--password")
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        services.save_user(
            db.session,
            name=name,
            email=email,
            phone=user.phone if user else None,
            unit_id=user.unit_id if user else None,
            roles=(user.roles if user else set()) | {Role.ADMIN},
            password=password,
            user=user,
        )
    except DomainError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Administrator {email} is ready.")


@click.command("seed-demo")
@click.option(
    "--password",
    envvar="DEMO_PASSWORD",
    default="dxday-demo-2024",
    show_default=True,
    help="Password of every demo account (demo data only; never use on a public server).",
)
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    default=None,
    help="Campaign year of the demo (default: the coming 10/10 season, today's year until 10/10, then the next).",
)
@with_appcontext
def seed_demo(password: str, year: int | None):
    """Load the demo campaign from the seeds, placed in the coming 10/10 season (or --year): plan dates keep
    their day and month, the days the demo picked keep their weekday, and the festival takes registrations from
    today. Running it again changes nothing (records already there keep their dates)."""
    from .demo import DemoCalendar, campaign_year, load_demo
    from .timezone import campaign_zone

    tz = campaign_zone()
    now = datetime.now(UTC)
    calendar = DemoCalendar(year=year or campaign_year(now.astimezone(tz).date()), now=now, tz=tz)
    report = load_demo(
        db.session, password=password, progress=lambda label: click.echo(f"  · {label}"), calendar=calendar
    )
    db.session.commit()
    click.echo(f"Demo campaign year: {calendar.year} (the seeds' 2024 dates moved there).")
    click.echo(f"Demo data ready: {report.created} records created, {report.existing} already there.")
    if report.existing:
        click.echo(
            "Records already there were left as they are, their dates too (start from an empty database to move them)."
        )
    click.echo(f"Demo logins (password: {password}):")
    for email, role in report.logins:
        click.echo(f"  {role:<14} {email}")


scheduler_group = AppGroup("scheduler", help="The scheduled jobs.")


@scheduler_group.command("run")
def scheduler_run():
    """Run the scheduler in the foreground (production: exactly one such process beside the web workers)."""
    app = current_app._get_current_object()
    click.echo(f"Scheduler starting with {len(scheduler_module.JOBS)} jobs: {', '.join(scheduler_module.JOBS)}")
    if not scheduler_module.start(app, blocking=True):
        raise click.ClickException("another process already runs the scheduler")


@scheduler_group.command("list")
@with_appcontext
def scheduler_list():
    """Show each job with its last and next run, and its last failure with its time and error."""
    for status in scheduler_module.job_statuses():
        last, state = status["last_run"], status["state"]
        outcome = "-" if last is None else ("ok" if last.ok else "FAILED")
        click.echo(
            f"{status['spec'].id:<32} last: {last.started_at.isoformat() if last else '-':<34} {outcome:<6} "
            f"next: {status['next_run'].isoformat() if status['next_run'] else '-'}"
        )
        if state is not None and state.last_failure_at is not None:
            streak = f", {state.failures_in_a_row} in a row" if state.failures_in_a_row else ""
            click.echo(f"{'':<32} last failure: {state.last_failure_at.isoformat()}{streak}: {state.last_error}")


@scheduler_group.command("run-job")
@click.argument("job_id")
@with_appcontext
def scheduler_run_job(job_id: str):
    """Run one job now, outside the schedule."""
    if job_id not in scheduler_module.JOBS:
        raise click.ClickException(f"unknown job {job_id}; known: {', '.join(scheduler_module.JOBS)}")
    result = scheduler_module.run_job_now(job_id)
    db.session.commit()
    click.echo(f"{job_id}: {'ok' if result.ok else 'FAILED'} — {result.message}")
