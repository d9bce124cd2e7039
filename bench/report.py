"""Figures of the load runs: wrk's output read into measurements, scenarios compared with their ceiling, the
tables printed on the terminal and written to ``bench/results/latest.md``. Plain functions, no I/O but
``machine_description`` (which reads /proc)."""

from __future__ import annotations

import json
import os
import platform
import statistics
from dataclasses import dataclass, field

MARKER = "BENCH_RESULT "
# Targets of issue 17 (PostgreSQL, 2 cores): share of the ceiling's requests/s, p99 as a multiple of its p99.
TARGETS = {"page": (0.60, 2.0), "write": (0.50, 3.0)}
RSS_LIMIT_MB = 150


@dataclass(frozen=True)
class Measurement:
    """One wrk run."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors (connect, read, write, timeout) + responses with an unexpected status
    sample: str = ""  # the first unexpected response: status and the start of its body
    timeouts: int = 0  # of the errors: requests without a response within wrk's --timeout

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_wrk(output: str) -> Measurement:
    """The measurement from the ``BENCH_RESULT {...}`` line that bench/lua/request.lua prints."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            socket_errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
            return Measurement(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                errors=socket_errors + max(data["unexpected"], data["status"]),
                sample=data.get("sample", ""),
                timeouts=data["timeout"],
            )
    raise ValueError("wrk printed no BENCH_RESULT line:\n" + output[-2000:])


@dataclass
class ScenarioResult:
    name: str
    kind: str  # "page" (public page or feed) or "write" (a registration POST)
    ceiling: str  # "/select" or "/insert"
    app: list[Measurement] = field(default_factory=list)
    base: list[Measurement] = field(default_factory=list)  # the ceiling's runs, alternating with the app's
    rss_mb: float = 0.0  # the app's largest worker peak (VmHWM) during the scenario

    @property
    def requests(self) -> int:
        """Responses the app completed over all rounds (wrk does not count those still in flight at the end)."""
        return sum(m.requests for m in self.app)

    @property
    def rps(self) -> float:
        return statistics.fmean(m.rps for m in self.app)

    @property
    def ceiling_rps(self) -> float:
        return statistics.fmean(m.rps for m in self.base)

    @property
    def p50_ms(self) -> float:
        return statistics.fmean(m.p50_ms for m in self.app)

    @property
    def p99_ms(self) -> float:
        return statistics.fmean(m.p99_ms for m in self.app)

    @property
    def ceiling_p99_ms(self) -> float:
        return statistics.fmean(m.p99_ms for m in self.base)

    @property
    def errors(self) -> int:
        return sum(m.errors for m in self.app)

    @property
    def timeouts(self) -> int:
        return sum(m.timeouts for m in self.app)

    @property
    def ceiling_errors(self) -> int:
        return sum(m.errors for m in self.base)

    @property
    def ratio(self) -> float:
        """The ratio of the means: the app's requests/s over the ceiling's."""
        return self.rps / self.ceiling_rps if self.ceiling_rps else 0.0

    @property
    def round_ratios(self) -> list[float]:
        return [a.rps / b.rps if b.rps else 0.0 for a, b in zip(self.app, self.base, strict=False)]

    @property
    def spread(self) -> tuple[float, float]:
        """The lowest and highest ratio of one round (an app run over the ceiling run beside it)."""
        ratios = self.round_ratios
        return (min(ratios), max(ratios)) if ratios else (0.0, 0.0)

    @property
    def p99_ratio(self) -> float:
        return self.p99_ms / self.ceiling_p99_ms if self.ceiling_p99_ms else 0.0

    @property
    def misses(self) -> list[str]:
        """What keeps the scenario from its targets (empty: met)."""
        share, p99_factor = TARGETS[self.kind]
        missed = []
        if not self.requests:
            return ["no response completed within a round"]
        if self.ratio < share:
            missed.append(f"req/s {self.ratio:.0%} < {share:.0%}")
        if self.p99_ratio > p99_factor:
            missed.append(f"p99 {self.p99_ratio:.1f}× > {p99_factor:g}×")
        if self.errors:
            timeouts = f", {self.timeouts} of them timeouts" if self.timeouts else ""
            missed.append(f"{self.errors} errors{timeouts}")
        if self.rss_mb > RSS_LIMIT_MB:
            missed.append(f"RSS {self.rss_mb:.0f} MB > {RSS_LIMIT_MB} MB")
        return missed


@dataclass
class RaceResult:
    requests: int
    seats: int
    statuses: dict[int, int]
    counts: dict[str, int]  # registrations by status in the database, and seats_taken
    seconds: float

    @property
    def lost(self) -> int:
        return self.requests - self.counts.get("confirmed", 0) - self.counts.get("waitlisted", 0)

    @property
    def ok(self) -> bool:
        return (
            self.counts.get("confirmed") == self.seats
            and self.counts.get("waitlisted") == self.requests - self.seats
            and self.counts.get("seats_taken") == self.seats
            and self.lost == 0
        )

    def line(self) -> str:
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(self.statuses.items()))
        verdict = "OK" if self.ok else "WRONG"
        return (
            f"{self.requests} registrations racing for {self.seats} seats in {self.seconds:.1f} s: "
            f"{self.counts.get('confirmed', 0)} confirmed, {self.counts.get('waitlisted', 0)} waitlisted, "
            f"{self.lost} lost, seats_taken {self.counts.get('seats_taken')} (responses {statuses}): {verdict}"
        )


HEADERS = ("scenario", "responses", "req/s", "p50 ms", "p99 ms", "errors", "ceiling", "ceiling req/s", "ceiling p99 ms",
           "ratio (spread)", "p99 ×", "worker peak RSS MB", "target")  # fmt: skip


def table_rows(results: list[ScenarioResult]) -> list[tuple[str, ...]]:
    rows = []
    for r in results:
        low, high = r.spread
        measured = r.requests > 0  # no response at all: no latency to show

        def ms(value: float, measured: bool = measured) -> str:
            return f"{value:.1f}" if measured else "—"

        rows.append((
            r.name, str(r.requests), f"{r.rps:.1f}" if r.rps < 10 else f"{r.rps:.0f}", ms(r.p50_ms), ms(r.p99_ms),
            str(r.errors), r.ceiling, f"{r.ceiling_rps:.0f}", f"{r.ceiling_p99_ms:.1f}",
            f"{r.ratio:.0%} ({low:.0%}–{high:.0%})", f"{r.p99_ratio:.1f}" if measured else "—", f"{r.rss_mb:.0f}",
            "met" if not r.misses else "; ".join(r.misses),
        ))  # fmt: skip
    return rows


def markdown_table(results: list[ScenarioResult]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join("---" for _ in HEADERS) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in table_rows(results)]
    return "\n".join(lines)


def text_table(results: list[ScenarioResult]) -> str:
    rows = [HEADERS, *table_rows(results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    out = []
    for index, row in enumerate(rows):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def machine_description(versions: dict[str, str]) -> list[str]:
    """Cores, RAM, CPU model, OS and the versions given, as lines of text."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as handle:
            mem_kb = int(handle.readline().split()[1])
    except OSError:
        mem_kb = 0
    lines = [
        f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.1f} GB RAM, {platform.platform()}",
    ]
    lines.append(", ".join(f"{name} {version}" for name, version in versions.items()))
    return lines


def markdown_report(
    *, date: str, machine: list[str], settings: str, sections: list[tuple[str, list[ScenarioResult], list[str]]]
) -> str:
    """The whole results file: date, machine, settings, then per database its table and notes."""
    out = ["# dxday bench: results", "", f"Run on {date}.", ""]
    out += [f"- {line}" for line in machine]
    out += [f"- {settings}", ""]
    out += [
        "Each scenario alternates with its ceiling (the bare app of `bench/ceiling_app.py`) round by round. "
        "*ratio* is the app's mean requests/s over the ceiling's (spread: lowest–highest ratio of one round); "
        "*p99 ×* is the app's p99 over the ceiling's; *errors* are socket errors and responses with a status "
        "other than the scenario's expected one; *worker peak RSS* is the largest VmHWM of the app's workers "
        "during the scenario. Targets (issue 17, PostgreSQL): pages and feeds ≥ 60% of /select and p99 ≤ 2×; "
        "registration POSTs ≥ 50% of /insert and p99 ≤ 3×; 0 errors; RSS ≤ 150 MB.",
        "",
    ]
    for title, results, notes in sections:
        out += [f"## {title}", "", markdown_table(results), ""]
        out += [f"- {note}" for note in notes]
        out.append("")
    return "\n".join(out)
