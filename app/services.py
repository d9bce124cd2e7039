"""Core domain rules: users, the unit tree and sign-in. Plain functions: no request, no commit."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, or_, select, text
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import DomainError, NotFound
from .models import Role, Unit, UnitKind, User
from .text import ascii_digits

# Which kinds a unit may sit under. None means "at the top of the tree".
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    UnitKind.PROVINCE: {None},
    UnitKind.DISTRICT: {UnitKind.PROVINCE, None},
    UnitKind.WARD: {UnitKind.DISTRICT},
    UnitKind.HAMLET: {UnitKind.WARD},
}
_ANYWHERE = {None, *(k.value for k in UnitKind)}

# No real tree is deeper (province > district > ward > hamlet, plus departments and organisations under them);
# every walk up or down the tree stops here, so even a corrupted tree (a cycle) cannot make a query run forever.
MAX_UNIT_DEPTH = 10
_UNIT_TREE_LOCK = 1010_2025  # PostgreSQL advisory lock: one move in the unit tree at a time

# Checking a wrong email against this costs the same time as a real check, so response time
# does not reveal whether an account exists.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


def normalise_phone(phone: str | None) -> str | None:
    """Return a Vietnamese phone number in its 10-digit ASCII form (``+84912…`` becomes ``0912…``; fullwidth
    or Arabic-Indic digits become 0-9, so one phone is never stored under two spellings)."""
    if not phone:
        return None
    digits = "".join(ch for ch in ascii_digits(phone) if ch in "0123456789+")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return digits


def check_unit_placement(kind: str, parent_kind: str | None, parent_is_self_or_descendant: bool = False) -> None:
    """Raise if a unit of ``kind`` may not sit under a parent of ``parent_kind``."""
    if parent_is_self_or_descendant:
        raise DomainError(
            _l("A unit cannot be moved under itself or one of its own sub-units."), code="unit_cycle", field="parent_id"
        )
    allowed = ALLOWED_PARENTS.get(kind, _ANYWHERE)
    if parent_kind not in allowed:
        raise DomainError(
            _l("This kind of unit cannot be placed there in the tree."), code="unit_bad_parent", field="parent_id"
        )


def descendant_ids(session: Session, unit_id: int) -> set[int]:
    """Ids of ``unit_id`` and every unit below it."""
    rows = session.execute(select(Unit.id, Unit.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for uid, parent in rows:
        children.setdefault(parent, []).append(uid)
    found, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, ()))
    return found


def save_unit(
    session: Session,
    *,
    name: str,
    kind: str,
    parent_id: int | None,
    short_name: str | None = None,
    unit: Unit | None = None,
) -> Unit:
    """Create a unit, or rename/move ``unit``; refuses cycles, misplaced kinds and duplicate names under one parent.

    Two organizers moving units at once (X under Y while Y goes under X) must not make a cycle: on PostgreSQL a
    transaction-scoped advisory lock lets one move at a time read the tree (SQLite serialises writers itself),
    and the tree is checked again after the write, inside the same transaction, before the caller commits."""
    moving = unit is not None and unit.id is not None and (unit.parent_id or None) != (parent_id or None)
    if moving:
        lock_unit_tree(session)
    parent = session.get(Unit, parent_id) if parent_id else None
    if parent_id and parent is None:
        raise NotFound(_l("That parent unit does not exist."), field="parent_id")
    in_own_subtree = bool(unit and unit.id and parent and parent.id in descendant_ids(session, unit.id))
    check_unit_placement(kind, parent.kind if parent else None, in_own_subtree)
    name = " ".join(name.split())
    clash = select(Unit.id).where(
        func.lower(Unit.name) == name.lower(), Unit.parent_id == parent_id if parent_id else Unit.parent_id.is_(None)
    )
    if unit is not None and unit.id:
        clash = clash.where(Unit.id != unit.id)
    if session.scalar(clash):
        raise DomainError(_l("A unit with this name already exists there."), code="unit_duplicate", field="name")
    unit = unit or Unit()
    unit.name, unit.kind, unit.parent, unit.short_name = name, kind, parent, (short_name or None)
    session.add(unit)
    if moving:
        session.flush()
        if not reaches_the_top(session, unit.id):
            raise DomainError(
                _l("A unit cannot be moved under itself or one of its own sub-units."),
                code="unit_cycle",
                field="parent_id",
            )
    return unit


def lock_unit_tree(session: Session) -> None:
    """Until this transaction ends, no other transaction moves units (PostgreSQL; a no-op on SQLite, where the
    write itself waits for the other writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UNIT_TREE_LOCK})


def ancestors_cte(unit_id: int, max_depth: int = MAX_UNIT_DEPTH):
    """A recursive CTE (id, parent_id, depth) of ``unit_id`` and the units above it, at most ``max_depth`` deep."""
    up = (
        select(Unit.id, Unit.parent_id, literal(0).label("depth"))
        .where(Unit.id == unit_id)
        .cte("unit_ancestors", recursive=True)
    )
    return up.union_all(
        select(Unit.id, Unit.parent_id, (up.c.depth + 1).label("depth")).where(
            Unit.id == up.c.parent_id, up.c.depth < max_depth
        )
    )


def subtree_cte(unit_id: int, max_depth: int = MAX_UNIT_DEPTH):
    """A recursive CTE (id, depth) of ``unit_id`` and every unit below it, at most ``max_depth`` levels down: the
    bounded form every query over a subtree uses (a cycle in the data cannot make it endless)."""
    down = select(Unit.id.label("id"), literal(0).label("depth")).where(Unit.id == unit_id)
    down = down.cte("unit_subtree", recursive=True)
    return down.union_all(
        select(Unit.id, (down.c.depth + 1).label("depth")).where(Unit.parent_id == down.c.id, down.c.depth < max_depth)
    )


def reaches_the_top(session: Session, unit_id: int) -> bool:
    """Whether walking up from ``unit_id`` reaches a unit without a parent within MAX_UNIT_DEPTH steps (False
    for a unit caught in a cycle)."""
    up = ancestors_cte(unit_id)
    return bool(session.scalar(select(func.count()).select_from(up).where(up.c.parent_id.is_(None))))


def vietnamese_sort_key(text: str) -> tuple[str, str]:
    """Order names as a Vietnamese reader expects ("Tân Uyên" before "Thủ Dầu Một"), the same on every database:
    letters without their marks first (đ as d), then the exact text to break ties."""
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return ("".join(ch for ch in bare if not unicodedata.combining(ch)).casefold(), text)


def unit_tree(session: Session) -> list[tuple[Unit, int]]:
    """Every unit in tree order with its depth, in one query; siblings in Vietnamese alphabetical order ("Định
    Quán" before "Xuân Lộc", the same on every database)."""
    units = sorted(session.scalars(select(Unit)).all(), key=lambda unit: vietnamese_sort_key(unit.name))
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[Unit, int]] = []

    def walk(parent_id, depth):
        for unit in children.get(parent_id, ()):
            ordered.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return ordered


def save_user(
    session: Session,
    *,
    name: str,
    email: str,
    phone: str | None,
    unit_id: int | None,
    roles: Iterable[str],
    active: bool = True,
    password: str | None = None,
    user: User | None = None,
) -> User:
    """Create or update a user; email and phone must be unique, a new user needs a password."""
    email = email.strip().lower()
    phone = normalise_phone(phone)
    roles = set(roles)
    if not roles or not roles <= {r.value for r in Role}:
        raise DomainError(_l("Choose at least one valid role."), code="user_roles", field="roles")
    others = select(User).where(or_(User.email == email, User.phone == phone) if phone else User.email == email)
    if user is not None and user.id:
        others = others.where(User.id != user.id)
    for other in session.scalars(others):
        if other.email == email:
            raise DomainError(_l("Another account already uses this email."), code="user_email_taken", field="email")
        raise DomainError(_l("Another account already uses this phone number."), code="user_phone_taken", field="phone")
    if unit_id and session.get(Unit, unit_id) is None:
        raise NotFound(_l("That unit does not exist."), field="unit_id")
    if user is None and not password:
        raise DomainError(_l("A new account needs a password."), code="user_password_required", field="password")
    user = user or User()
    user.name, user.email, user.phone, user.unit_id, user.active = (
        " ".join(name.split()),
        email,
        phone,
        unit_id or None,
        active,
    )
    user.set_roles(roles)
    if password:
        user.set_password(password)
    if user.id and (password or not active):
        user.end_all_sessions()  # a password reset or a deactivation signs the account out everywhere
    session.add(user)
    return user


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user with this email or phone and password, or None; never says which part was wrong."""
    login = login.strip()
    key = login.lower() if "@" in login else normalise_phone(login)
    user = session.scalar(select(User).where(User.email == key if "@" in login else User.phone == key))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one."""
    if not user.check_password(current):
        raise DomainError(_l("The current password is not correct."), code="wrong_password", field="current_password")
    if current == new:
        raise DomainError(
            _l("The new password must differ from the current one."), code="same_password", field="new_password"
        )
    user.set_password(new)
    user.end_all_sessions()  # a stolen cookie or a forgotten device must not outlive the old password


def unit_options(session: Session, kinds: Iterable[str] | None = None) -> list[tuple[int, str]]:
    """(id, label) of units in tree order, indented by depth, optionally only some kinds (for select fields)."""
    wanted = set(kinds) if kinds else None
    return [
        (unit.id, "\u00a0\u00a0" * depth + unit.name)
        for unit, depth in unit_tree(session)
        if wanted is None or unit.kind in wanted
    ]
