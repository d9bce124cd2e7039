"""The law that protects personal data, cited by every consent and privacy text: one setting, so that a campaign
cites the law in force for it. ``PERSONAL_DATA_LAW`` names it ("91/2025/QH15", "13/2023/NĐ-CP"); unset, it is the
law in force in the year the data is given: the Law on Personal Data Protection No. 91/2025/QH15 from 01/01/2026,
Decree 13/2023/NĐ-CP before (a campaign collects its consents in its own year)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _

LAW_2026 = "91/2025/QH15"  # Luật Bảo vệ dữ liệu cá nhân, in force from 01/01/2026
DECREE_2023 = "13/2023/NĐ-CP"  # Nghị định về bảo vệ dữ liệu cá nhân, in force from 01/07/2023


def law_in_force(year: int) -> str:
    """The number of the law that governs personal data in ``year``."""
    return LAW_2026 if year >= 2026 else DECREE_2023


def personal_data_law(year: int | None = None) -> str:
    """The configured ``PERSONAL_DATA_LAW``, else the law in force in ``year`` (default: this year, locally)."""
    configured = current_app.config.get("PERSONAL_DATA_LAW")
    if configured:
        return configured
    if year is None:
        year = datetime.now(UTC).astimezone(ZoneInfo(current_app.config["TIMEZONE"])).year
    return law_in_force(year)


def cite_personal_data_law(year: int | None = None) -> str:
    """The law's citation in the current language ("Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15")."""
    number = personal_data_law(year)
    if "/QH" in number:
        return _("Law on Personal Data Protection No. %(number)s", number=number)
    return _("Decree No. %(number)s", number=number)


def N_(text: str) -> str:  # noqa: N802 (the name pybabel extracts by default)
    """Marks ``text`` for extraction; it is translated later, by ``lazy_consent``."""
    return text


def lazy_consent(text: str) -> LazyString:
    """A consent label (with ``%(law)s``) translated and cited when the form is shown, not when it is defined."""
    return LazyString(lambda: _(text, law=cite_personal_data_law()))
