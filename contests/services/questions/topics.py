"""Topics of the question bank: an organizer adds one when a question needs it. Names are unique whatever their
Unicode spelling, spacing or letter case ("Lừa đảo qua mạng" is "lừa  đảo qua mạng")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.text import forbidden_characters, nfc

from ...models import Question, QuizTopic

MAX_NAME = 120  # the column's length


class InvalidTopic(DomainError):
    code = "invalid_topic"
    status = 422


def clean_name(name: str) -> str:
    """The name as stored: NFC, spaces collapsed; refused when empty, too long or with control characters."""
    if forbidden_characters(name or ""):
        raise InvalidTopic(_l("Remove the invisible control characters from this field."), field="name")
    cleaned = " ".join(nfc(name or "").split())
    if not cleaned or len(cleaned) > MAX_NAME:
        raise InvalidTopic(_l("Give the topic a name (at most %(max)s characters).", max=MAX_NAME), field="name")
    return cleaned


def create_topic(session: Session, name: str) -> QuizTopic:
    """A new topic, placed after the others; ``InvalidTopic`` on the name field when one with the same name
    exists (letter case aside), including one added by another organizer at the same moment."""
    cleaned = clean_name(name)
    taken = {existing.casefold() for existing in session.scalars(select(QuizTopic.name))}
    duplicate = InvalidTopic(_l("A topic with this name already exists."), code="duplicate_topic", field="name")
    if cleaned.casefold() in taken:
        raise duplicate
    position = (session.scalar(select(func.max(QuizTopic.position))) or 0) + 1
    topic = QuizTopic(name=cleaned, position=position)
    try:
        with session.begin_nested():
            session.add(topic)
            session.flush()
    except IntegrityError:
        raise duplicate from None
    return topic


def all_topics(session: Session) -> list[QuizTopic]:
    """Every topic by name, for the choices of the question and round forms."""
    return list(session.scalars(select(QuizTopic).order_by(QuizTopic.name)))


def topics_with_counts(session: Session) -> list[tuple[QuizTopic, int]]:
    """Every topic by name with how many active questions it holds (one grouped query)."""
    counts = (
        select(Question.topic_id, func.count(Question.id).label("n"))
        .where(Question.is_active.is_(True))
        .group_by(Question.topic_id)
        .subquery()
    )
    rows = session.execute(
        select(QuizTopic, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.topic_id == QuizTopic.id)
        .order_by(QuizTopic.name, QuizTopic.id)
    ).all()
    return [(topic, int(n)) for topic, n in rows]
