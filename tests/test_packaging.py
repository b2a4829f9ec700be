"""pyproject.toml lists every package directory, so `pip install .` ships all of the code."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "quizapp").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml packages: {sorted(found - listed)}"
    assert {"quizapp.templates", "quizapp.static", "quizapp.migrations"} <= listed


def test_plain_install_serves_pages_and_migrates(tmp_path):
    """`pip install .` (not editable) carries templates, static files and migrations."""
    import subprocess
    import sys

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    script = (
        "import quizapp, tempfile\n"
        "from flask_migrate import upgrade\n"
        f"assert quizapp.__file__.startswith({str(target)!r}), quizapp.__file__\n"
        "app = quizapp.create_app({'SECRET_KEY': 'x', 'SQLALCHEMY_DATABASE_URI': 'sqlite:///' + tempfile.mktemp()},"
        " instance_path=tempfile.mkdtemp())\n"
        "c = app.test_client()\n"
        "assert 'Log in' in c.get('/login').get_data(as_text=True)\n"
        "assert c.get('/static/css/app.css').status_code == 200\n"
        "with app.app_context(): upgrade()\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env={"PYTHONPATH": str(target)},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-2000:]
