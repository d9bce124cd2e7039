"""The bench's figures: wrk's output read, ratios and their spread, targets, and the tables."""

from __future__ import annotations

import pytest

from bench import report
from bench.runner import Settings


def line(requests=1000, duration_us=4_000_000, p50=2000, p99=9000, unexpected=0, status=0, read=0, sample=""):
    return (
        "Running 4s test @ http://127.0.0.1:1/\n"
        f'BENCH_RESULT {{"requests": {requests}, "duration_us": {duration_us}, "connect": 0, "read": {read}, '
        f'"write": 0, "status": {status}, "timeout": 0, "unexpected": {unexpected}, "p50_us": {p50}, '
        f'"p99_us": {p99}, "mean_us": 2500.0, "sample": "{sample}"}}\n'
    )


def m(rps: float, p99: float = 10.0, errors: int = 0) -> report.Measurement:
    return report.Measurement(requests=int(rps * 10), seconds=10.0, p50_ms=p99 / 2, p99_ms=p99, errors=errors)


def test_parse_wrk_reads_the_lua_summary():
    measured = report.parse_wrk(line(read=2, unexpected=3, status=1, sample="500 oops"))
    assert measured.timeouts == 0
    assert measured.rps == 250
    assert (measured.p50_ms, measured.p99_ms) == (2.0, 9.0)
    # socket errors + responses with an unexpected status (which already include wrk's own 4xx/5xx count)
    assert measured.errors == 5
    assert measured.sample == "500 oops"


def test_parse_wrk_without_the_summary_says_what_wrk_printed():
    with pytest.raises(ValueError, match="unable to connect"):
        report.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_ratio_of_the_means_and_the_spread_of_the_rounds():
    result = report.ScenarioResult("calendar", "page", "/select", app=[m(100), m(300)], base=[m(400), m(400)])
    assert result.ratio == pytest.approx(0.5)  # 200 / 400, not the mean of 0.25 and 0.75 weighted otherwise
    assert result.spread == pytest.approx((0.25, 0.75))


def test_targets_name_each_miss():
    page = report.ScenarioResult("feed", "page", "/select", app=[m(100, p99=30)], base=[m(200, p99=10)], rss_mb=160)
    assert page.misses == ["req/s 50% < 60%", "p99 3.0× > 2×", "RSS 160 MB > 150 MB"]
    write = report.ScenarioResult("api", "write", "/insert", app=[m(100, 25, errors=2)], base=[m(200, 10)])
    assert write.misses == ["2 errors"]
    late = report.Measurement(requests=50, seconds=10.0, p50_ms=5, p99_ms=9, errors=3, timeouts=2)
    assert report.ScenarioResult("api", "write", "/insert", [late], [m(5)]).misses == ["3 errors, 2 of them timeouts"]
    assert report.ScenarioResult("ok", "page", "/select", app=[m(70, 19)], base=[m(100, 10)]).misses == []
    silent = report.ScenarioResult("feed", "page", "/select", app=[m(0)], base=[m(100)])
    assert silent.misses == ["no response completed within a round"]
    assert report.table_rows([silent])[0][1:5] == ("0", "0.0", "—", "—")


def test_tables_line_up_and_escape():
    results = [
        report.ScenarioResult("calendar | month", "page", "/select", app=[m(30)], base=[m(300)], rss_mb=90.4),
        report.ScenarioResult("API POST", "write", "/insert", app=[m(60)], base=[m(100)]),
    ]
    text = report.text_table(results).splitlines()
    starts = [i for i, ch in enumerate(text[1]) if ch == "-" and (i == 0 or text[1][i - 1] == " ")]
    assert len(starts) == len(report.HEADERS)
    for row in (text[0], text[2], text[3]):  # every cell starts where its column's rule starts
        assert all(row[i] != " " and (i == 0 or row[i - 1] == " ") for i in starts)
    assert text[2].startswith("calendar | month  300 ") and "10% (10%–10%)" in text[2] and " 90 " in text[2]
    markdown = report.markdown_table(results).splitlines()
    assert markdown[0].count("|") == len(report.HEADERS) + 1
    assert markdown[2].startswith("| calendar \\| month |")
    assert markdown[3].endswith("| met |")


def test_race_is_right_only_with_exactly_the_seats_confirmed():
    good = report.RaceResult(500, 100, {201: 500}, {"confirmed": 100, "waitlisted": 400, "seats_taken": 100}, 3.2)
    assert good.ok and good.lost == 0 and "100 confirmed, 400 waitlisted, 0 lost" in good.line()
    lost = report.RaceResult(500, 100, {201: 499, 0: 1}, {"confirmed": 100, "waitlisted": 399, "seats_taken": 100}, 1)
    assert not lost.ok and lost.lost == 1 and lost.line().endswith("WRONG")


def test_the_report_carries_date_machine_and_one_section_per_database():
    text = report.markdown_report(
        date="2026-12-01 01:00 UTC",
        machine=report.machine_description({"Python": "3.11"}),
        settings="5 workers",
        sections=[("PostgreSQL", [report.ScenarioResult("x", "page", "/select", [m(1)], [m(2)])], ["a note"])],
    )
    assert "Run on 2026-12-01 01:00 UTC." in text and "cores" in text and "Python 3.11" in text
    assert "## PostgreSQL" in text and "- a note" in text


def test_quick_mode_and_overrides_from_the_environment():
    quick = Settings.from_environment({"BENCH_QUICK": "1"})
    assert (quick.rounds, quick.seconds, quick.databases, quick.only) == (2, 4, ("postgresql", "sqlite"), None)
    full = Settings.from_environment({"BENCH_DATABASES": "sqlite", "BENCH_SCENARIOS": "feed,race"})
    assert (full.rounds, full.seconds, full.databases) == (4, 10, ("sqlite",))
    assert full.only == {"feed", "race"}
