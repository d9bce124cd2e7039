"""Summing up py-spy's collapsed stacks into the project's costliest frames."""

from bench import pyspy

WORKER = 'process 12:"gunicorn: worker";handle (gunicorn/workers/sync.py:135)'
RAW = "\n".join([
    f"{WORKER};calendar (events/views/calendar.py:63);render (jinja2/environment.py:1275);"
    "root (templates/events/calendar/index.html:4);escape (markupsafe/__init__.py:24) 30",
    f"{WORKER};calendar (events/views/calendar.py:70);unit_tree (app/services.py:97);"
    "fetchall (sqlalchemy/engine/result.py:1818) 20",
    f"{WORKER};calendar (events/views/calendar.py:63);public_activities (/work/x/events/services/calendar.py:311) 50",
    f"{WORKER};run (/usr/lib/python3/site-packages/gunicorn/app/base.py:72);flush (/work/x/app/audit.py:9) 0",
    "not a stack line",
])  # fmt: skip


def test_inclusive_shares_of_our_frames_and_self_time_of_any():
    total, ours, selfs = pyspy.summarize(RAW, top=10)
    assert total == 100
    assert ours[0] == ("calendar (events/views/calendar.py)", 1.0)  # lines of one function are one entry
    assert dict(ours)["unit_tree (app/services.py)"] == 0.2
    assert dict(ours)["root (templates/events/calendar/index.html)"] == 0.3
    assert "handle (gunicorn/workers/sync.py)" not in dict(ours)
    assert "run (/usr/lib/python3/site-packages/gunicorn/app/base.py)" not in dict(ours)
    assert "flush (/work/x/app/audit.py)" in dict(ours)
    assert selfs[0] == ("public_activities (/work/x/events/services/calendar.py)", 0.5)


def test_describe_without_samples_says_so():
    assert pyspy.describe("feed", "") == ["feed: py-spy took no samples"]
    lines = pyspy.describe("calendar", RAW)
    assert lines[0].startswith("calendar (100 samples): calendar (events/views/calendar.py) 100%")
