"""``flask contests import-questions FILE`` and ``flask contests question-template FILE``: the question bank from
the command line, with a progress bar (the same pattern as ``flask events import``)."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from events.services.transfer import ImportRejected, RowError

from .models import Contest, ContestKind
from .services.questions import bank

contests_cli = AppGroup("contests", help="Contests: the quiz question bank.")


def _fail(message) -> NoReturn:
    click.echo(str(message), err=True)
    click.get_current_context().exit(1)


def _reject(errors: list[RowError]) -> NoReturn:
    for error in errors:
        row = _("Row %(number)s", number=error.row_number)
        click.echo(f"{row} – {error.column}: {error.message}", err=True)
    _fail(bank.QuestionsRejected(errors).message)


def _contest(contest_id: int | None) -> Contest:
    if contest_id is not None:
        contest = db.session.get(Contest, contest_id)
        if contest is None or contest.kind != ContestKind.ONLINE_QUIZ:
            _fail(_("No online quiz has the id %(id)s.", id=contest_id))
        return contest
    quizzes = db.session.scalars(select(Contest).where(Contest.kind == ContestKind.ONLINE_QUIZ)).all()
    if len(quizzes) != 1:
        _fail(_("There are %(count)s online quizzes: choose one with --contest ID.", count=len(quizzes)))
    return quizzes[0]


@contests_cli.command("import-questions")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--contest", "contest_id", type=int, help="The online quiz whose bank receives the questions.")
def import_questions_command(path: str, contest_id: int | None):
    """Import questions from an .xlsx or .csv file (the question template's columns) into a quiz's bank.

    Nothing is saved when any row is invalid: every error is printed with its row number."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        contest = _contest(contest_id)
        try:
            with open(path, "rb") as stream:
                rows = bank.read_question_file(os.path.basename(path), stream)
        except DomainError as error:
            _fail(error.message)
        existing = bank.bank_texts(db.session, contest.id)
        with click.progressbar(rows, label=_("Checking rows"), file=sys.stderr) as bar:
            drafts, errors = bank.parse_question_rows(bar, existing)
        if errors:
            _reject(errors)
        try:
            with click.progressbar(length=len(drafts), label=_("Saving questions"), file=sys.stderr) as bar:
                created = bank.import_questions(db.session, contest.id, drafts, progress=bar.update)
        except ImportRejected as rejected:
            db.session.rollback()
            _reject(rejected.errors)
        db.session.commit()
        click.echo(
            ngettext(
                "Imported %(num)d question into “%(contest)s”.",
                "Imported %(num)d questions into “%(contest)s”.",
                len(created),
                contest=contest.title,
            )
        )


@contests_cli.command("question-template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def question_template_command(path: str):
    """Write the question import template (.xlsx) to PATH."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        with open(path, "wb") as handle:
            handle.write(bank.build_question_template())
        click.echo(_("Template written to %(path)s.", path=path))
