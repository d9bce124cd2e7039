"""The question bank: list by topic and difficulty, create and edit a question with its options and optional
picture (a question used in an open round gets a new version instead of being changed in place, keeping its
picture), the topics, the XLSX/CSV import, and the pictures themselves."""

from __future__ import annotations

import os

from flask import abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth import role_required
from app.errors import DomainError
from app.extensions import db
from app.models import utcnow
from app.pages import save_once, xlsx_response

from .. import bp
from ..forms.questions import MAX_OPTIONS, QuestionFilterForm, QuestionForm, QuestionImportForm, TopicForm
from ..models import Difficulty
from ..services import questions as question_services
from ..services import quiz_or_404
from ..services.questions import bank, images, pools, topics

IMAGE_FOLDER = "question-images"  # under the instance folder, shared by every worker; never in static/
# The whole request of the question form: the picture's limit and room for the text fields.
FORM_LIMIT = images.MAX_BYTES + 256 * 1024


def image_folder() -> str:
    return os.path.join(current_app.instance_path, IMAGE_FOLDER)


@bp.app_template_global()
def question_image(name: str | None):
    """The picture of a question for an ``<img>``: (url, width, height), or None. Stored names carry their size;
    an older path (a file in static/) is shown at the former fixed size."""
    if not name:
        return None
    stored = images.parse_name(name)
    if stored is None:
        return url_for("static", filename=name), 640, 360
    return url_for("contests.question_image_file", name=stored.name), stored.width, stored.height


@bp.route("/question-images/<name>")
def question_image_file(name: str):
    """A question's picture, to anyone taking the quiz: its name is its content's hash, so it is cached for a
    year and never revalidated."""
    if images.parse_name(name) is None:
        abort(404)
    response = send_from_directory(image_folder(), name, max_age=365 * 24 * 3600)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _topic_choices():
    return [("", _("Choose a topic"))] + [(str(t.id), t.name) for t in topics.all_topics(db.session)]


@bp.route("/<int:contest_id>/questions")
@role_required("organizer")
def questions(contest_id: int):
    contest = quiz_or_404(db.session, contest_id)
    filters = QuestionFilterForm(request.args)
    filters.topic.choices = [("", _("All"))] + [(str(t.id), t.name) for t in topics.all_topics(db.session)]
    filters.validate()
    topic_id = filters.topic.data if not filters.topic.errors else None
    difficulty = Difficulty(filters.difficulty.data) if filters.difficulty.data in set(Difficulty) else None
    bank_list = question_services.question_bank(db.session, contest.id, topic_id=topic_id, difficulty=difficulty)
    return render_template(
        "contests/questions/index.html",
        contest=contest,
        filters=filters,
        questions=bank_list,
        counts=question_services.bank_counts(db.session, contest.id),
        published=pools.published_ids(db.session, contest.id, [q.id for q in bank_list]),
        retired=pools.retired_questions(db.session, contest.id),
    )


@bp.route("/questions/<int:question_id>/retire", methods=["POST"])
@role_required("organizer")
def retire_question(question_id: int):
    """Retire a question (``retire=1``: no round draws it any more) or put it back (``retire=0``)."""
    question = question_services.question_or_404(db.session, question_id)
    contest_id = question.contest_id or request.args.get("contest_id", type=int)
    back = url_for(".questions", contest_id=contest_id) if contest_id else url_for(".index")
    retire = request.form.get("retire") != "0"
    try:
        pools.set_retired(db.session, question, retire)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(_("The question is retired: no round draws it.") if retire else _("The question is back in the bank."),
          "success")  # fmt: skip
    return redirect(back, code=303)


@bp.route("/<int:contest_id>/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"], defaults={"contest_id": None})
@role_required("organizer")
def edit_question(contest_id: int | None, question_id: int | None):
    question = question_services.question_or_404(db.session, question_id) if question_id else None
    contest = (
        quiz_or_404(db.session, question.contest_id if question else contest_id)
        if (question is None or question.contest_id)
        else None
    )
    if request.method == "POST":
        # Refuse a body larger than the picture allows before it is parsed (413), not after it is read.
        request.max_content_length = FORM_LIMIT
    form = QuestionForm()
    form.topic_id.choices = _topic_choices()
    if request.method == "GET" and question is None and request.args.get("topic_id", "").isdigit():
        form.topic_id.data = int(request.args["topic_id"])  # "write a question on this topic"
    if request.method == "GET" and question is not None:
        form.topic_id.data = question.topic_id
        form.difficulty.data = Difficulty(question.difficulty).value
        form.text.data, form.multiple.data = question.text, question.multiple
        form.explanation.data, form.source.data = question.explanation, question.source
        form.image_alt.data = question.image_alt
        options = sorted(question.options, key=lambda o: o.position)
        for entry, option in zip(form.options, options, strict=False):
            entry.form.text.data, entry.form.is_correct.data = option.text, option.is_correct
    in_open_round = question is not None and question_services.is_in_open_round(db.session, question)
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
            picture = _picture_fields(form, question)
            if question is None:
                saved = question_services.create_question(
                    db.session, contest.id if contest else None, options=form.option_rows(), now=utcnow(), **fields
                )
                images.attach(saved, **picture)
            else:
                saved = question_services.edit_question(
                    db.session, question, now=utcnow(), options=form.option_rows(), **fields, **picture
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


def _picture_fields(form: QuestionForm, question) -> dict:
    """image_path and image_alt as the form asks: a new upload stored (checked, re-encoded, content-named), the
    current picture removed, or kept; its description, which a picture must have."""
    upload = form.image.data
    current = question.image_path if question is not None else None
    alt = " ".join((form.image_alt.data or "").split())
    if upload and getattr(upload, "filename", ""):
        path = images.store(images.read_bounded(upload.stream), image_folder()).name
    elif form.remove_image.data:
        path = None
    else:
        path = current
    if path and not alt:
        raise images.InvalidImage(_("Describe the picture for participants who cannot see it."), field="image_alt")
    return {"image_path": path, "image_alt": alt if path else ""}


@bp.route("/<int:contest_id>/topics", methods=["GET", "POST"])
@role_required("organizer")
def topics_page(contest_id: int):
    """The topics of the question bank, and a new one (a question's topic must exist before the question)."""
    contest = quiz_or_404(db.session, contest_id)
    form = TopicForm()
    if form.validate_on_submit():

        def save() -> str:
            topics.create_topic(db.session, form.name.data)
            return url_for(".topics_page", contest_id=contest.id)

        name = " ".join((form.name.data or "").split())
        response, _warnings = save_once(form, save, _("The topic “%(name)s” is added.", name=name))
        if response is not None:
            response.status_code = 303
            return response
    return render_template(
        "contests/questions/topics.html", contest=contest, form=form, topics=topics.topics_with_counts(db.session)
    )


@bp.route("/questions/import-template.xlsx")
@role_required("organizer")
def question_template():
    return xlsx_response(bank.build_question_template(), "Mẫu nhập câu hỏi.xlsx")


@bp.route("/<int:contest_id>/questions/import", methods=["GET", "POST"])
@role_required("organizer")
def import_questions(contest_id: int):
    contest = quiz_or_404(db.session, contest_id)
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
