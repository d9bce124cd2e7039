"""Where features hand figures to the core without the core importing them (architecture rule 3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Figure:
    """One number a feature shows on the dashboard or a plan page, with where to read more."""

    label: str
    value: int
    endpoint: str | None = None


# provider(session, plan_id or None) -> list[Figure]; plan_id None means the whole campaign.
FigureProvider = Callable[..., list[Figure]]


class FigureRegistry:
    def __init__(self) -> None:
        self._providers: dict[str, FigureProvider] = {}

    def register(self, name: str, provider: FigureProvider) -> None:
        """Register (or replace, on a second app in the same process) the provider named ``name``."""
        self._providers[name] = provider

    def collect(self, session, plan_id: int | None = None) -> list[Figure]:
        """Every registered feature's figures, in registration order."""
        figures: list[Figure] = []
        for provider in self._providers.values():
            figures.extend(provider(session, plan_id))
        return figures


figures = FigureRegistry()


@dataclass(frozen=True)
class LiveFigure:
    """A number a feature puts on the public big screen of a plan's activity while it is live (the quiz's
    participants while a round is open), with the public page a QR code on the screen leads to."""

    label: str  # what the number counts, e.g. "took part in Week 1"
    title: str  # what it belongs to, e.g. the contest's title
    value: int
    endpoint: str
    values: dict


# provider(session, plan_id, now) -> list[LiveFigure]: only what is live at ``now``, a few at most.
LiveProvider = Callable[..., list[LiveFigure]]


class LiveRegistry:
    def __init__(self) -> None:
        self._providers: dict[str, LiveProvider] = {}

    def register(self, name: str, provider: LiveProvider) -> None:
        """Register (or replace, on a second app in the same process) the provider named ``name``."""
        self._providers[name] = provider

    def collect(self, session, plan_id: int, now) -> list[LiveFigure]:
        """Every registered feature's live figures for the plan at ``now``, in registration order."""
        found: list[LiveFigure] = []
        for provider in self._providers.values():
            found.extend(provider(session, plan_id, now))
        return found


live = LiveRegistry()


@dataclass(frozen=True)
class Spotlight:
    """Something a citizen can do right now (a quiz round taking attempts), shown first on the home page."""

    title: str
    url: str
    badge: str


# provider(session, now) -> list[Spotlight]
class SpotlightRegistry:
    def __init__(self) -> None:
        self._providers: dict[str, Callable[..., list[Spotlight]]] = {}

    def register(self, name: str, provider: Callable[..., list[Spotlight]]) -> None:
        """Register (or replace, on a second app in the same process) the provider named ``name``."""
        self._providers[name] = provider

    def collect(self, session, now) -> list[Spotlight]:
        """Every registered feature's spotlights, in registration order."""
        return [spot for provider in self._providers.values() for spot in provider(session, now)]


spotlights = SpotlightRegistry()


# Page fragments ---------------------------------------------------------------------------------------------------


class FragmentRegistry:
    """Templates a higher package offers a lower package's page, by slot: the page names a slot, never another
    package's template (architecture rule 12), and renders whatever is registered there with its own context.

    Slots: ``registration.ticket`` (events' registration confirmation, context ``registration`` and ``activity``;
    check-in offers its QR ticket)."""

    def __init__(self) -> None:
        self._slots: dict[str, dict[str, str]] = {}

    def register(self, slot: str, name: str, template: str) -> None:
        """Offer ``template`` in ``slot`` under ``name`` (a second app in the same process replaces it)."""
        self._slots.setdefault(slot, {})[name] = template

    def templates(self, slot: str) -> list[str]:
        """The templates offered in ``slot``, in registration order; an empty list when nobody offers one."""
        return list(self._slots.get(slot, {}).values())


fragments = FragmentRegistry()


# Report sections ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The time a summary report covers, as timezone-aware instants: ``start`` included, ``end`` excluded."""

    start: datetime
    end: datetime

    def holds(self, when: datetime | None) -> bool:
        return when is not None and self.start <= when < self.end


@dataclass(frozen=True)
class ReportColumn:
    key: str  # the key of each row's value
    title: object  # the column's heading (a lazy translation)


# rows(session, plan_id or None, period or None) -> list of dicts keyed by column key, of plain values (text,
# integers, aware datetimes); None means "the whole campaign" / "all the time".
SectionRows = Callable[..., list[dict]]


@dataclass(frozen=True)
class ReportSection:
    """One table a feature offers to summary reports (the plan's activities and registrations, the check-ins per
    checkpoint, the quiz rounds and their participants): a report collects every registered section without
    importing a feature."""

    key: str  # "events.activities": the feature, then the table
    title: object
    columns: tuple[ReportColumn, ...]
    rows: SectionRows
    order: int = 100  # sections are shown by order, then key


@dataclass(frozen=True)
class CollectedSection:
    section: ReportSection
    rows: list[dict]


class ReportSectionRegistry:
    def __init__(self) -> None:
        self._sections: dict[str, ReportSection] = {}

    def register(self, section: ReportSection) -> None:
        """Register (or replace, on a second app in the same process) the section ``section.key``."""
        self._sections[section.key] = section

    def sections(self) -> list[ReportSection]:
        """Every registered section, by order then key."""
        return sorted(self._sections.values(), key=lambda section: (section.order, section.key))

    def collect(self, session, plan_id: int | None = None, period: Period | None = None) -> list[CollectedSection]:
        """Every section's rows for the plan and period, in section order (a section with no row included: the
        report says "none")."""
        return [CollectedSection(section, section.rows(session, plan_id, period)) for section in self.sections()]


report_sections = ReportSectionRegistry()
