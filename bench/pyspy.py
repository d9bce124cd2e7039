"""py-spy on the gunicorn workers during a scenario (``BENCH_PYSPY=1 make bench``): the master and its workers are
sampled for the first round of each scenario, and the samples are summed up as the project's frames that take the
largest share of the workers' busy time (inclusive) and the functions that are on CPU themselves (self)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter

# A frame of ours: "name (events/views/calendar.py:63)" or a template "root (templates/base.html:4)".
# py-spy writes our files relative to the checkout and libraries relative to site-packages ("gunicorn/app/…").
# Templates show as their file name ("root (index.html:25)", the line being the compiled code's).
OURS = re.compile(
    r"\((?:/(?:(?!site-packages)[^()])*/)?(?:app|events|contests|checkin|templates)/[^()]*\)$|\([^()]*\.html\)$"
)
_LINE = re.compile(r":\d+\)$")


def record(master_pid: int, seconds: int, out: str) -> subprocess.Popen:
    """Start sampling the master and its workers for ``seconds`` into ``out`` (collapsed stacks)."""
    beside = os.path.join(os.path.dirname(sys.executable), "py-spy")  # the virtualenv's, else the PATH's
    command = [beside if os.path.exists(beside) else "py-spy", "record", "--pid", str(master_pid),
               "--subprocesses", "--duration", str(seconds), "--rate", "100", "--format", "raw", "--nonblocking",
               "--output", out]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _frame(text: str) -> str:
    return _LINE.sub(")", text.strip())  # one entry per function, whatever line it was on


def summarize(collapsed: str, top: int = 8) -> tuple[int, list[tuple[str, float]], list[tuple[str, float]]]:
    """(samples, [(our frame, inclusive share)], [(any function, self share)]) from py-spy's raw output."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_frame(part) for part in stack.split(";") if part.strip()]
        if not frames:
            continue
        samples = int(count)
        total += samples
        own[frames[-1]] += samples
        for frame in {frame for frame in frames if OURS.search(frame)}:
            inclusive[frame] += samples
    if not total:
        return 0, [], []
    ours = [(frame, n / total) for frame, n in inclusive.most_common(top)]
    selfs = [(frame, n / total) for frame, n in own.most_common(top)]
    return total, ours, selfs


def describe(name: str, collapsed: str) -> list[str]:
    total, ours, selfs = summarize(collapsed)
    if not total:
        return [f"{name}: py-spy took no samples"]
    lines = [f"{name} ({total} samples): " + "; ".join(f"{frame} {share:.0%}" for frame, share in ours)]
    lines.append("    on CPU: " + "; ".join(f"{frame} {share:.0%}" for frame, share in selfs))
    return lines
