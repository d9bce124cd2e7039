"""The house's size rules, read from the source: no product module passes 500 lines (data modules excepted; a
module that grows past it becomes a sub-package by sub-feature), and every public service function says
what it does in a docstring."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGES = ("app", "events", "checkin", "contests")
MOST_LINES = 500
# Data, not code: question banks and the like may be as long as their content.
DATA_MODULES = {"contests/demo_questions.py"}
# The service layers, whose every public function carries a docstring.
DOCUMENTED_SERVICES = ("events/services", "contests/services", "checkin/services")


def test_no_product_module_is_over_500_lines():
    long = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MOST_LINES and name not in DATA_MODULES:
                long.append(f"{name}: {lines} lines")
    assert long == []


def test_every_public_service_function_has_a_docstring():
    undocumented = []
    for folder in DOCUMENTED_SERVICES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                public = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_")
                if public and ast.get_docstring(node) is None:
                    undocumented.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno} {node.name}")
    assert undocumented == []
