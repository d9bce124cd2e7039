"""``make bench``: load a province's data set, serve dxday and the ceiling app under gunicorn, drive both with
wrk, and report each scenario as a share of its ceiling (terminal and bench/results/latest.md).

Environment:
  BENCH_QUICK=1          2 rounds of 4 s per scenario and side (default: 4 rounds of 10 s)
  BENCH_DATABASES        "postgresql,sqlite" (default) or one of them
  BENCH_SCENARIOS        comma-separated scenario names to run (default: all)
  BENCH_POSTGRES_URL     the server (default postgresql://postgres@127.0.0.1:5432/postgres); the bench creates
                         and drops its own database, dxday_bench, there
  BENCH_DB_NAME          another name for that database (and the SQLite file), so that two benches can run at once
  BENCH_REDIS_URL        rate-limit counters (default redis://127.0.0.1:6379/0)
  BENCH_PYSPY=1          after each scenario's rounds, one more app run (not counted) under py-spy: the frames
                         taking the workers' time go into the notes
  BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_WORKERS   override the defaults
Everything started here (gunicorn masters, wrk) is stopped by its PID when the run ends, fails or is interrupted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

import click
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app, normalise_database_url
from app.extensions import db

from . import ceiling_app, dataset, pyspy, report
from .scenarios import Context, Scenario, features, selected

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(ROOT, "bench", ".work")
RESULTS = os.path.join(ROOT, "bench", "results", "latest.md")
LUA = os.path.join(ROOT, "bench", "lua", "request.lua")
DB_NAME = os.environ.get("BENCH_DB_NAME") or "dxday_bench"
SECRET_KEY = "bench-only-secret-key-not-for-production"  # noqa: S105 (the bench's own throwaway server)


@dataclass(frozen=True)
class Settings:
    quick: bool
    rounds: int
    seconds: int
    connections: int
    threads: int
    workers: int
    warmup: int
    pyspy: bool
    databases: tuple[str, ...]
    only: frozenset[str] | None

    @classmethod
    def from_environment(cls, environ=os.environ) -> Settings:
        quick = environ.get("BENCH_QUICK", "") not in ("", "0")
        only = environ.get("BENCH_SCENARIOS")
        return cls(
            quick=quick,
            rounds=int(environ.get("BENCH_ROUNDS") or (2 if quick else 4)),
            seconds=int(environ.get("BENCH_SECONDS") or (4 if quick else 10)),
            connections=int(environ.get("BENCH_CONNECTIONS") or 10),
            threads=2,
            workers=int(environ.get("BENCH_WORKERS") or 2 * (os.cpu_count() or 1) + 1),
            warmup=1 if quick else 2,
            pyspy=environ.get("BENCH_PYSPY", "") not in ("", "0"),
            databases=tuple(environ.get("BENCH_DATABASES", "postgresql,sqlite").split(",")),
            only=frozenset(only.split(",")) if only else None,
        )

    def describe(self) -> str:
        return (
            f"gunicorn {self.workers} sync workers per app (scheduler off, Redis rate limits); wrk {self.threads} "
            f"threads, {self.connections} connections, {self.rounds} rounds × {self.seconds} s per side"
            + (" (BENCH_QUICK)" if self.quick else "")
        )


# --- processes ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn master started here; ``stop()`` ends it (and so its workers) by its PID."""

    def __init__(self, label: str, target: str, env: dict, workers: int, log_path: str):
        self.label, self.port = label, free_port()
        self.log = open(log_path, "w")  # noqa: SIM115 (closed in stop())
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5",
                   target]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.label} exited with {self.process.returncode}; see {self.log.name}")
            with suppress(OSError), urllib.request.urlopen(self.url + path, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"{self.label} did not answer {path} within {timeout:.0f} s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        try:
            with open(f"/proc/{self.process.pid}/task/{self.process.pid}/children") as handle:
                return [int(pid) for pid in handle.read().split()]
        except OSError:
            return []

    def reset_peaks(self) -> None:
        """Start the workers' VmHWM afresh (Linux: writing 5 to clear_refs), so a peak belongs to one scenario."""
        for pid in self.worker_pids():
            with suppress(OSError), open(f"/proc/{pid}/clear_refs", "w") as handle:
                handle.write("5")

    def peak_rss_mb(self) -> float:
        peaks = [0.0]
        for pid in self.worker_pids():
            with suppress(OSError), open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def run_wrk(url: str, scenario_env: dict, settings: Settings, seconds: int) -> report.Measurement:
    connections = int(scenario_env.get("BENCH_CONNECTIONS_RUN") or settings.connections)
    command = ["wrk", f"-t{settings.threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
               "-s", LUA, url]  # fmt: skip
    env = {**os.environ, **scenario_env, "BENCH_THREADS": str(settings.threads)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=seconds + 60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return report.parse_wrk(output)


# --- the database and its data -----------------------------------------------------------------------------


def prepare_postgres(server_url: str) -> str:
    admin = create_engine(normalise_database_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    finally:
        admin.dispose()
    return make_url(normalise_database_url(server_url)).set(database=DB_NAME).render_as_string(hide_password=False)


def prepare_sqlite() -> str:
    path = os.path.join(WORK, f"{DB_NAME}.sqlite3")
    for suffix in ("", "-wal", "-shm"):
        with suppress(FileNotFoundError):
            os.remove(path + suffix)
    return "sqlite:///" + path


def app_environment(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "INSTANCE_PATH": WORK,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "SCHEDULER_AUTOSTART": "false",
        "REGISTRATION_RATE_LIMIT": "100000000 per minute",
        "LOGIN_RATE_LIMIT": "100000000 per minute",
        "SCAN_RATE_LIMIT": "100000000 per minute",
        "QUIZ_REGISTRATION_RATE_LIMIT": "100000000 per minute",
        "QUIZ_ANSWER_RATE_LIMIT": "100000000 per minute",
        "QUIZ_PARTICIPANT_RATE_LIMIT": "100000000 per minute",
        "FLASK_APP": "wsgi",
    }


def load_data(url: str, env: dict) -> dataset.Dataset:
    subprocess.run([sys.executable, "-m", "flask", "init-db"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    data = dataset.build(datetime.now(UTC))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context(), click.progressbar(length=data.total_rows, label="  loading the province", width=30) as bar:
        dataset.load(db.session, data, bar.update)
        for feature in features():  # a feature's own rows (tickets, quizzes…), after the province's
            if feature.load is not None:
                click.echo(f"  loading {feature.name}'s data")
                feature.load(db.session, Context("", 0, url, data))
                db.session.commit()
        db.engine.dispose()
    with click.progressbar(length=1, label="  loading the ceiling's 100,000 rows", width=30) as bar:
        ceiling_app.prepare(normalise_database_url(url))
        bar.update(1)
    return data


# --- wrk's environment per scenario -------------------------------------------------------------------


def ceiling_env(kind: str, connections: int | None = None) -> dict:
    extra = {"BENCH_CONNECTIONS_RUN": str(connections)} if connections else {}
    if kind == "page":
        return {"BENCH_METHOD": "GET", "BENCH_PATH": "/select", "BENCH_EXPECT": "200", **extra}
    return {"BENCH_METHOD": "POST", "BENCH_PATH": "/insert", "BENCH_EXPECT": "201", **extra}


def scenario_env(scenario: Scenario, phone_base: int) -> dict:
    env = {"BENCH_METHOD": scenario.method, "BENCH_PATH": scenario.path, "BENCH_EXPECT": scenario.expect,
           "BENCH_HEADERS": scenario.headers, "BENCH_PHONE_PREFIX": scenario.phone_prefix,
           "BENCH_PHONE_BASE": str(phone_base)}  # fmt: skip
    if scenario.body is not None:
        env["BENCH_BODY"] = scenario.body
    if scenario.tokens_file:
        env["BENCH_TOKENS"] = scenario.tokens_file
    if scenario.connections:
        env["BENCH_CONNECTIONS_RUN"] = str(scenario.connections)
    return env


# --- one database ------------------------------------------------------------------------------------------


def bench_database(label: str, url: str, settings: Settings, started: list[Server]):
    click.echo(f"\n== {label} ==")
    env = app_environment(url)
    data = load_data(url, env)
    logs = os.path.join(WORK, f"gunicorn-{label.lower()}")
    app = Server(f"dxday on {label}", "wsgi:app", env, settings.workers, logs + "-app.log")
    started.append(app)
    ceiling = Server(f"ceiling on {label}", "bench.ceiling_app:app",
                     {**env, "CEILING_DATABASE_URL": normalise_database_url(url)}, settings.workers,
                     logs + "-ceiling.log")  # fmt: skip
    started.append(ceiling)
    app.wait_ready("/healthz")
    ceiling.wait_ready("/select")
    click.echo(f"  dxday at {app.url} (pid {app.process.pid}), ceiling at {ceiling.url} (pid {ceiling.process.pid})")
    contexts = [(feature, Context(app.url, app.port, url, data, ceiling=ceiling.url)) for feature in features()]
    plan = [(scenario, ctx) for feature, ctx in contexts for scenario in feature.scenarios(ctx)]
    results = []
    slow_notes: list[str] = []
    warmed: set[str] = set()
    profile_notes: list[str] = []
    phone_base = 0
    for scenario, _ctx in plan:
        if not selected(scenario.name, settings.only):
            continue
        result = report.ScenarioResult(scenario.name, scenario.kind, scenario.ceiling)
        # Warm-up, not recorded: every worker's first requests (imports, templates, connections) are not the load.
        warm = run_wrk(app.url, scenario_env(scenario, phone_base), settings, settings.warmup)
        phone_base += 1_000_000
        if scenario.ceiling not in warmed:  # the ceiling's two endpoints are warmed once each
            run_wrk(ceiling.url, ceiling_env(scenario.kind, scenario.connections), settings, settings.warmup)
            warmed.add(scenario.ceiling)
        # A page that answers less than twice a second gets 3× longer app runs, so that each round completes
        # enough responses to count (wrk drops those in flight when it stops); a ratio of rates stays fair.
        app_seconds = settings.seconds * (3 if warm.requests < 2 * settings.warmup else 1)
        if app_seconds != settings.seconds:
            slow_notes.append(f"{scenario.name}: less than 2 responses/s in the warm-up, so its app runs last "
                              f"{app_seconds} s per round (the ceiling's {settings.seconds} s).")  # fmt: skip
        for round_number in range(settings.rounds):
            app.reset_peaks()
            result.app.append(run_wrk(app.url, scenario_env(scenario, phone_base), settings, app_seconds))
            phone_base += 1_000_000
            result.rss_mb = max(result.rss_mb, app.peak_rss_mb())
            base_env = ceiling_env(scenario.kind, scenario.connections)
            result.base.append(run_wrk(ceiling.url, base_env, settings, settings.seconds))
            a, b = result.app[-1], result.base[-1]
            click.echo(f"  {scenario.name:32} round {round_number + 1}: {a.rps:7.0f} req/s (p99 {a.p99_ms:6.1f} ms, "
                       f"{a.errors} errors) | ceiling {b.rps:7.0f} req/s (p99 {b.p99_ms:6.1f} ms)")  # fmt: skip
            if a.sample:
                click.echo(f"    first unexpected response: {a.sample[:300]!r}")
        if settings.pyspy:  # an extra run, not counted, with py-spy sampling every worker
            out = os.path.join(WORK, f"pyspy-{label.lower()}-{len(results)}.txt")
            spy = pyspy.record(app.process.pid, app_seconds, out)
            run_wrk(app.url, scenario_env(scenario, phone_base), settings, app_seconds)
            phone_base += 1_000_000
            spy.wait(timeout=app_seconds + 60)
            with open(out) if os.path.exists(out) else open(os.devnull) as handle:
                profile_notes.extend(pyspy.describe(scenario.name, handle.read()))
        results.append(result)
    check_notes = [
        check.run(ctx)[0]
        for feature, ctx in contexts
        for check in feature.checks
        if selected(check.name, settings.only)
    ]
    final_rss = app.peak_rss_mb()
    for server in (app, ceiling):
        server.stop()
        started.remove(server)
    notes = [note for _feature, ctx in contexts for note in ctx.notes]
    notes += slow_notes
    notes += profile_notes
    notes += check_notes
    notes.append(f"Largest worker VmHWM since the last scenario began, at the end of the run: {final_rss:.0f} MB.")
    load = os.getloadavg()[0]
    notes.append(f"Load average (1 min) when the scenarios ended: {load:.1f} on {os.cpu_count()} cores (other work "
                 "on the machine moves the absolute figures; the ratios are taken side by side).")  # fmt: skip
    samples = [f"{r.name}: first unexpected response {m.sample[:300]!r}" for r in results for m in r.app if m.sample]
    notes += samples[:5]
    click.echo("\n" + report.text_table(results))
    for note in notes:
        click.echo("  " + note)
    return results, notes


def versions(pg_url: str | None) -> dict[str, str]:
    import sqlite3
    from importlib.metadata import version

    found = {"Python": sys.version.split()[0]}
    for package in ("Flask", "SQLAlchemy", "gunicorn", "psycopg"):
        with suppress(Exception):
            found[package] = version(package)
    if pg_url:
        with suppress(Exception):
            engine = create_engine(normalise_database_url(pg_url))
            with engine.connect() as conn:
                found["PostgreSQL"] = conn.execute(text("SHOW server_version")).scalar().split()[0]
            engine.dispose()
    found["SQLite"] = sqlite3.sqlite_version
    with suppress(Exception):
        found["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    return found


def main() -> int:
    settings = Settings.from_environment()
    # A plain `kill` of the runner also goes through the `finally` below that stops the servers.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl+C raises even when started in the background
    os.makedirs(WORK, exist_ok=True)
    pg_server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    click.echo(f"dxday bench: {settings.describe()}")
    started: list[Server] = []
    sections = []
    began = time.monotonic()
    try:
        for database in settings.databases:
            if database == "postgresql":
                url = prepare_postgres(pg_server)
                results, notes = bench_database("PostgreSQL", url, settings, started)
            elif database == "sqlite":
                results, notes = bench_database("SQLite", prepare_sqlite(), settings, started)
            else:
                raise click.UsageError(f"unknown database {database!r} in BENCH_DATABASES")
            sections.append((database.replace("postgresql", "PostgreSQL").replace("sqlite", "SQLite"), results, notes))
    finally:
        for server in started:
            server.stop()
    text_out = report.markdown_report(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=report.machine_description(versions(pg_server if "postgresql" in settings.databases else None)),
        settings=settings.describe(),
        sections=sections,
    )
    # Only a run of every scenario on both databases replaces the committed results; a narrowed one goes beside.
    complete = settings.only is None and set(settings.databases) == {"postgresql", "sqlite"}
    path = RESULTS if complete else os.path.join(os.path.dirname(RESULTS), "partial.md")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        handle.write(text_out)
    click.echo(f"\nWritten to {os.path.relpath(path, ROOT)} after {(time.monotonic() - began) / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
