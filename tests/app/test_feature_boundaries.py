"""Feature packages talk to each other through ``app/`` or a sibling's models and services, never through its
views, forms or API: what those share (confirmation pages, .xlsx downloads, the JSON error shape, the person
fields) lives in ``app/``."""

import ast
import pathlib
import re

import jinja2
from jinja2 import nodes

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


# The floors of the house (architecture rule 3): a package may use its own floor and the ones below it; the two
# at the top never use each other. Templates belong to the package of their first folder, the rest to app.
PRODUCT = ("app", *FEATURES)
FLOOR = {"app": 0, "events": 1, "contests": 2, "checkin": 2}
TEMPLATES = ROOT / "templates"
TEMPLATE_NAME = re.compile(r"^(events|contests|checkin)/[\w./-]+\.(html|txt|xml|ics)$")


def _may_use(user: str, used: str) -> bool:
    return used == user or FLOOR[used] < FLOOR[user]


def _template_package(name: str) -> str:
    first = name.split("/", 1)[0]
    return first if first in FEATURES else "app"


def _named_templates(node):
    """The template names a tag names outright (a variable, like a registered fragment, names none)."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, nodes.List | nodes.Tuple):
        for item in node.items:
            yield from _named_templates(item)


def test_no_template_uses_a_template_of_a_higher_package():
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    crossings = []
    for path in TEMPLATES.rglob("*"):
        if not path.is_file():
            continue
        name = path.relative_to(TEMPLATES).as_posix()
        tree = env.parse(path.read_text(encoding="utf-8"))
        for node in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
            for used in _named_templates(node.template):
                if not _may_use(_template_package(name), _template_package(used)):
                    crossings.append(f"templates/{name}:{node.lineno} uses {used}")
    assert crossings == []


def test_no_module_names_a_template_of_a_higher_package():
    crossings = []
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
                if TEMPLATE_NAME.match(name) and not _may_use(package, _template_package(name)):
                    crossings.append(f"{path.relative_to(ROOT)}:{node.lineno} names {name}")
    assert crossings == []


def _absolute(path: pathlib.Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = path.relative_to(ROOT).parts[:-1]  # the package of a module, or of an __init__.py itself
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def test_only_entry_points_import_the_factory_module():
    """``app/__init__.py`` builds the app and imports every feature: a product module that takes a name from it
    (``from app import CSP``) closes a circle through the feature packages. Its submodules (``from app import
    cache``) are fine; wsgi.py, the tests and the bench, which call ``create_app``, are not product modules."""
    submodules = {path.stem for path in (ROOT / "app").glob("*.py")} | {
        path.parent.name for path in (ROOT / "app").glob("*/__init__.py")
    }
    crossings = []
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names if alias.name == "app"]
                elif isinstance(node, ast.ImportFrom) and _absolute(path, node) == "app":
                    names = [f"app.{alias.name}" for alias in node.names if alias.name not in submodules]
                else:
                    continue
                crossings.extend(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}" for name in names)
    assert crossings == []
