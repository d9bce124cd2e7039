"""The question bank: list by topic and difficulty, create and edit a question with its options (a question used
in an open round gets a new version instead of being changed in place), and the XLSX/CSV import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from events.views import xlsx_response

from .. import bp
from ..forms.questions import MAX_OPTIONS, QuestionFilterForm, QuestionForm, QuestionImportForm
from ..services import bank, pages
from ..services import quiz as quiz_services


def _topic_choices():
    return [("", _("Choose a topic"))] + [(str(t.id), t.name) for t in pages.topics(db.session)]


@bp.route("/<int:contest_id>/questions")
@role_required("organizer")
def questions(contest_id: int):
    contest = pages.quiz_or_404(db.session, contest_id)
    filters = QuestionFilterForm(request.args)
    filters.topic.choices = [("", _("All"))] + [(str(t.id), t.name) for t in pages.topics(db.session)]
    filters.validate()
    topic_id = filters.topic.data if not filters.topic.errors else None
    difficulty = filters.difficulty.data if filters.difficulty.data in ("easy", "medium", "hard") else None
    return render_template(
        "contests/questions/index.html",
        contest=contest,
        filters=filters,
        questions=pages.question_bank(db.session, contest.id, topic_id=topic_id, difficulty=difficulty),
        counts=pages.bank_counts(db.session, contest.id),
    )


@bp.route("/<int:contest_id>/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"], defaults={"contest_id": None})
@role_required("organizer")
def edit_question(contest_id: int | None, question_id: int | None):
    question = pages.question_or_404(db.session, question_id) if question_id else None
    contest = (
        pages.quiz_or_404(db.session, question.contest_id if question else contest_id)
        if (question is None or question.contest_id)
        else None
    )
    form = QuestionForm()
    form.topic_id.choices = _topic_choices()
    if request.method == "GET" and question is not None:
        form.topic_id.data = question.topic_id
        form.difficulty.data = getattr(question.difficulty, "value", question.difficulty)
        form.text.data, form.multiple.data = question.text, question.multiple
        form.explanation.data, form.source.data = question.explanation, question.source
        options = sorted(question.options, key=lambda o: o.position)
        for entry, option in zip(form.options, options, strict=False):
            entry.form.text.data, entry.form.is_correct.data = option.text, option.is_correct
    in_open_round = question is not None and quiz_services.is_in_open_round(db.session, question)
    if form.validate_on_submit():
        fields = {
            "topic_id": form.topic_id.data,
            "difficulty": form.difficulty.data,
            "text": form.text.data.strip(),
            "multiple": form.multiple.data,
            "explanation": form.explanation.data.strip(),
            "source": (form.source.data or "").strip(),
        }
        try:
            if question is None:
                saved = pages.create_question(
                    db.session, contest.id if contest else None, options=form.option_rows(), now=utcnow(), **fields
                )
            else:
                saved = quiz_services.edit_question(
                    db.session, question, now=utcnow(), options=form.option_rows(), **fields
                )
                db.session.flush()
        except DomainError as error:
            db.session.rollback()
            form.add_domain_error(error)
        else:
            db.session.commit()
            if question is not None and saved.id != question.id:
                flash(_("This question is used in an open round: your changes are saved as a new version, "
                        "used from the next draw on."), "success")  # fmt: skip
            else:
                flash(_("The question is saved."), "success")
            target = saved.contest_id or (contest.id if contest else None)
            return redirect(url_for(".questions", contest_id=target) if target else url_for(".index"))
    return render_template(
        "contests/questions/form.html",
        contest=contest,
        question=question,
        form=form,
        max_options=MAX_OPTIONS,
        in_open_round=in_open_round,
    )


@bp.route("/questions/import-template.xlsx")
@role_required("organizer")
def question_template():
    return xlsx_response(bank.build_question_template(), "Mẫu nhập câu hỏi.xlsx")


@bp.route("/<int:contest_id>/questions/import", methods=["GET", "POST"])
@role_required("organizer")
def import_questions(contest_id: int):
    contest = pages.quiz_or_404(db.session, contest_id)
    form = QuestionImportForm()
    row_errors = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            created = bank.import_file(db.session, contest.id, upload.filename or "", upload.stream)
        except bank.ImportRejected as rejected:
            db.session.rollback()
            row_errors = rejected.errors
            form.file.errors = [*form.file.errors, rejected.message]
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, error.message]
        else:
            db.session.commit()
            count = created if isinstance(created, int) else len(created)
            flash(ngettext("Imported %(num)d question.", "Imported %(num)d questions.", count), "success")
            return redirect(url_for(".questions", contest_id=contest.id))
    return render_template("contests/questions/import.html", contest=contest, form=form, row_errors=row_errors)
