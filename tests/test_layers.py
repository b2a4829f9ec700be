"""The layers import only downward: the core (domain, bank formats) knows no Flask or database, and
views reach the database only through services (docs/architecture.md): they may name model classes
(as types), never the session or SQL."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "quizapp"
CORE = ("domain", "banks")
VIEWS = ("auth", "study", "teach", "progress", "main", "admin")
FRAMEWORK = ("flask", "flask_login", "flask_wtf", "flask_sqlalchemy", "flask_migrate", "flask_limiter", "sqlalchemy",
             "werkzeug", "wtforms")


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(absolute module, imported names, line) of every import in ``path``."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append((base, [alias.name for alias in node.names], node.lineno))
    return found


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (PACKAGE / folder).rglob("*.py"))


def test_the_walk_finds_the_modules():
    assert len(_modules(*CORE)) > 20 and len(_modules(*VIEWS)) > 10


@pytest.mark.parametrize("path", _modules(*CORE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_imports_no_framework_or_database(path):
    bad = [(module, line) for module, _, line in _imports(path)
           if module.split(".")[0] in FRAMEWORK
           or module.startswith(("quizapp.extensions", "quizapp.models", "quizapp.services", "quizapp.web"))
           or module.split(".")[:2] in (["quizapp", v] for v in VIEWS)]
    assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}"


@pytest.mark.parametrize("path", _modules(*VIEWS), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_views_reach_the_database_only_through_services(path):
    bad = [(module, names, line) for module, names, line in _imports(path)
           if module.split(".")[0] in ("sqlalchemy", "flask_sqlalchemy")
           or (module == "quizapp.extensions" and "db" in names)]
    assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}"


def test_a_view_importing_db_is_caught(tmp_path):
    """The check above sees relative imports: a view that takes ``db`` would fail it."""
    view = PACKAGE / "study" / "_probe_view.py"
    view.write_text("from ..extensions import db\n")
    try:
        assert ("quizapp.extensions", ["db"], 1) in _imports(view)
    finally:
        view.unlink()
