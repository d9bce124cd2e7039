"""A round's results: the filters of the organizer's full ranking (the page and the ward), from its query string."""

from __future__ import annotations

from app.urls import MAX_DB_INT


def _positive(args, name: str) -> int | None:
    """A whole number from the query string, or None (a hand-edited URL is a filter less, not an error)."""
    value = args.get(name, "")
    return int(value) if value.isdigit() and 1 <= int(value) <= MAX_DB_INT else None


def ranking_filters(args) -> tuple[int, int | None]:
    """(page, ward id) of the ranking's query string: the first page and every ward unless a valid number is
    given (the view still checks that the ward is one of the round's)."""
    return _positive(args, "page") or 1, _positive(args, "ward")
