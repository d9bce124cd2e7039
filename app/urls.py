"""URL helpers shared by every blueprint: the ``int`` converter bounded to the database's integer range."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**31 - 1  # PostgreSQL's INTEGER, the type of every id column


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` that refuses values no id column can hold, so ``/events/plans/99999999999`` is a plain 404
    instead of a database error. Installed app-wide by ``create_app`` before any blueprint is registered."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 (werkzeug's names)
        bounded = MAX_DB_INT if max is None or max > MAX_DB_INT else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bounded, signed=signed)
