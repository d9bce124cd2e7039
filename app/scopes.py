"""Who may touch which record: a scope on the model, beside the role check (ARCHITECTURE rule 11).

A role says what kind of user someone is (``role_required``); a scope says *which* records of a kind they may
touch: a volunteer's checkpoints, a reporter's unit, a juror's entries, an appraiser's rounds. A model states its
rule once, in ``_scope(user, write)``, and everything else is derived from that one statement:

- ``Model.scoped_to(user)``: a SQL expression for queries, ``select(Checkpoint).where(Checkpoint.scoped_to(user))``;
- ``record.in_scope(user)``: the check for one record already in hand;
- ``get_in_scope(session, Model, id, user)``: what a view or an API handler calls to fetch the record its URL (or
  its body) names. It gives the record, or raises ``app.errors.NotFound`` (404) when the record does not exist
  *or* lies outside the user's scope: nobody can tell the two apart, and nothing has been written yet.

Admins see everything; a visitor (not signed in) nothing; for everyone else the model's rule decides. A rule
returns ``True`` (every record: no condition is added, no statement is spent), ``False`` (none) or a SQL boolean
expression over the model's columns. ``write`` says whether the user means to change the record rather than
read it, for rules that tell the two apart (a district's reporter reads its wards' reports but writes only its
own).

The role check stays first and unchanged: a juror who calls the scan API is refused for their role (403), a
volunteer at a checkpoint not theirs is not found (404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, false, inspect, select, true
from sqlalchemy.orm import Session, object_session

from .errors import NotFound
from .models import Role
from .services import subtree_cte

# A scope rule: (user, write) -> True (everything), False (nothing) or a SQL boolean expression.
Rule = Callable[[Any, bool], "bool | ColumnElement[bool]"]


def _fixed(user) -> bool | None:
    """What every model agrees on: False for visitors, True for admins, None where the model's rule decides."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return None


def _decide(rule: Rule, user, write: bool) -> bool | ColumnElement[bool]:
    fixed = _fixed(user)
    return fixed if fixed is not None else rule(user, write)


def _as_expression(decided: bool | ColumnElement[bool]) -> ColumnElement[bool]:
    if decided is True:
        return true()
    if decided is False:
        return false()
    return decided


class Scoped:
    """Mixin of a model whose records only some users may touch. Subclasses implement ``_scope``."""

    # What a 404 says for this model (the generic "page does not exist" unless a model names itself).
    not_found_message: ClassVar[Any] = _l("The page you are looking for does not exist.")

    @classmethod
    def _scope(cls, user, write: bool) -> bool | ColumnElement[bool]:
        """The model's rule for a signed-in user who is not an admin (see the module's docstring)."""
        raise NotImplementedError

    @classmethod
    def scoped_to(cls, user, *, write: bool = False) -> ColumnElement[bool]:
        """A SQL filter: the records ``user`` may read (``write=True``: change)."""
        return _as_expression(_decide(cls._scope, user, write))

    def in_scope(self, user, *, write: bool = False) -> bool:
        """Whether ``user`` may read (``write=True``: change) this record; one small query unless the rule is
        the same for every record (admins, organizers)."""
        decided = _decide(type(self)._scope, user, write)
        if isinstance(decided, bool):
            return decided
        session = object_session(self)
        if session is None:
            raise RuntimeError("in_scope needs a record attached to a session")
        return bool(session.scalar(select(exists().where(*_same_row(type(self), self), decided))))


def _same_row(model: type, record) -> list[ColumnElement[bool]]:
    mapper = inspect(model)
    values = mapper.primary_key_from_instance(record)
    return [column == value for column, value in zip(mapper.primary_key, values, strict=True)]


def get_in_scope(
    session: Session,
    model: type,
    ident: int,
    user,
    *,
    write: bool = False,
    rule: Rule | None = None,
    message: Any = None,
):
    """The ``model`` record with primary key ``ident`` if ``user`` may read it (``write=True``: change it), in one
    statement; else ``NotFound`` (404), the same answer as for a record that does not exist.

    ``rule`` lays another feature's scope over a model that has none of its own (check-in decides which
    activities a volunteer may register walk-ins for); without it the model's ``_scope`` decides. ``message``
    overrides the model's ``not_found_message``."""
    decided = _decide(rule or model._scope, user, write)
    if decided is False:
        raise NotFound(message or getattr(model, "not_found_message", Scoped.not_found_message))
    (key,) = inspect(model).primary_key
    stmt = select(model).where(key == ident)
    if decided is not True:
        stmt = stmt.where(decided)
    record = session.scalars(stmt).first()
    if record is None:
        raise NotFound(message or getattr(model, "not_found_message", Scoped.not_found_message))
    return record


class UnitScoped(Scoped):
    """Mixin of a record that belongs to a unit (``scope_unit_column`` names the column, ``unit_id`` by default).

    A user writes the records of their own unit, and reads those of their unit and of every unit below it in the
    tree (a district's reporter reads its wards'). Organizers (and admins) see every unit's. A user without a
    unit sees none."""

    scope_unit_column: ClassVar[str] = "unit_id"

    @classmethod
    def _scope(cls, user, write: bool) -> bool | ColumnElement[bool]:
        if user.is_organizer:
            return True
        unit_id = getattr(user, "unit_id", None)
        if unit_id is None:
            return False
        return unit_scope(getattr(cls, cls.scope_unit_column), unit_id, write=write)


def unit_scope(column, unit_id: int, *, write: bool = False) -> ColumnElement[bool]:
    """``column`` (a unit id) names ``unit_id`` itself (``write``) or a unit in its subtree (reading): the rule of
    ``UnitScoped``, usable on its own where a record reaches its unit through another table."""
    if write:
        return column == unit_id
    return column.in_(select(subtree_cte(unit_id).c.id))
