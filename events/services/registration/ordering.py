"""People and places in Vietnamese order: names by given name, wards under their districts, units in tree
order; and the bare form (no marks, no case) that names are searched by."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Unit, UnitKind
from app.services import unit_tree, vietnamese_sort_key


def wards_by_district(session: Session) -> list[tuple[str, list[tuple[int, str]]]]:
    """Wards and communes grouped under their district, both ordered by name: ``[(district, [(id, ward)])]``.
    Wards without a district come last under an empty group name."""
    wards = session.scalars(select(Unit).where(Unit.kind == UnitKind.WARD).options(selectinload(Unit.parent))).all()
    groups: dict[str, list[tuple[int, str]]] = {}
    for ward in sorted(wards, key=lambda unit: vietnamese_sort_key(unit.name)):
        groups.setdefault(ward.parent.name if ward.parent else "", []).append((ward.id, ward.name))
    return sorted(groups.items(), key=lambda item: (item[0] == "", vietnamese_sort_key(item[0])))


def person_sort_key(name: str) -> tuple:
    """Order people as Vietnamese lists do: by given name (the last word), then by the whole name."""
    words = (name or "").split()
    return (vietnamese_sort_key(words[-1] if words else ""), vietnamese_sort_key(" ".join(words)))


def _bare(text: str) -> str:
    """Lower case without marks or repeated spaces, for searching: "Đỗ  Quang" -> "do quang"."""
    return " ".join(vietnamese_sort_key(text or "")[0].split())


def unit_options_in_order(session: Session, kinds=None) -> list[tuple[int, str]]:
    """(id, label) of units in tree order, indented by depth, siblings in Vietnamese order ("Định Quán" before
    "Xuân Lộc"); optionally only some kinds. The same as ``app.services.unit_options``, ordered for a reader."""
    children: dict[int | None, list[Unit]] = {}
    for unit, _depth in unit_tree(session):
        children.setdefault(unit.parent_id, []).append(unit)
    wanted = set(kinds) if kinds else None
    options: list[tuple[int, str]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in sorted(children.get(parent_id, ()), key=lambda u: vietnamese_sort_key(u.name)):
            if wanted is None or unit.kind in wanted:
                options.append((unit.id, "\u00a0\u00a0" * depth + unit.name))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return options
