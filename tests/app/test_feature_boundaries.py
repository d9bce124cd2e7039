"""Feature packages talk to each other through ``app/`` or a sibling's models and services, never through its
views, forms or API: what those share (confirmation pages, .xlsx downloads, the JSON error shape, the person
fields) lives in ``app/``."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
FEATURES = ("events", "checkin", "contests")
ALLOWED = ("models", "services")  # what one feature may take from another


def _imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno


def test_no_feature_reaches_into_a_siblings_views_forms_or_api():
    crossings = []
    for feature in FEATURES:
        for path in (ROOT / feature).rglob("*.py"):
            for module, line in _imports(path):
                parts = module.split(".")
                sibling = parts[0] in FEATURES and parts[0] != feature
                if sibling and (len(parts) < 2 or parts[1] not in ALLOWED):
                    crossings.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert crossings == []
