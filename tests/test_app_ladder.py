"""The apps form a ladder: an app imports only the apps below it, so each can be read, tested and
changed knowing only what it stands on. Checked on the source with `ast` — every import,
module-level or inside a function (a function-level import hides a cycle, it doesn't remove it).
Tests and migrations are left out; `config` (settings, urls, asgi) sits above everything.

Also: no module imports another module's `_private` names, and no app asks `apps.is_installed`
(every app is always installed; an optional dependency is a signal or a layer above)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. An app may import the apps before it in this list, never one after it.
LADDER = ("core", "accounts", "webhooks", "billing", "projects", "rendering", "batches", "embed", "dashboard",
          "docs")


def _app_modules():
    for app in LADDER:
        package = ROOT / app
        if not package.is_dir():
            continue
        for path in sorted(package.rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts or path.name in ("conftest.py", "testing.py"):
                continue
            yield app, path, ast.parse(path.read_text(), filename=str(path))


def _imports(tree):
    """(line, imported module, names) for every absolute import in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module, [alias.name for alias in node.names]


def test_every_first_party_app_is_on_the_ladder():
    from django.conf import settings

    first_party = {name for name in settings.INSTALLED_APPS if (ROOT / name).is_dir()}
    assert first_party <= set(LADDER), f"place {sorted(first_party - set(LADDER))} on the ladder"


def test_apps_import_only_the_apps_below_them():
    rank = {app: i for i, app in enumerate(LADDER)}
    upward = []
    for app, path, tree in _app_modules():
        for line, module, _ in _imports(tree):
            target = module.split(".")[0]
            if target in rank and rank[target] > rank[app]:
                upward.append(f"{path.relative_to(ROOT)}:{line} ({app}) imports {module}")
    assert upward == []


def test_no_module_imports_another_modules_private_names():
    private = []
    for _, path, tree in _app_modules():
        for line, module, names in _imports(tree):
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    private.append(f"{path.relative_to(ROOT)}:{line} imports {name} from {module}")
    assert private == []


def test_no_app_asks_whether_another_is_installed():
    asking = [f"{path.relative_to(ROOT)}" for _, path, tree in _app_modules()
              for node in ast.walk(tree)
              if isinstance(node, ast.Attribute) and node.attr == "is_installed"]
    assert asking == []
