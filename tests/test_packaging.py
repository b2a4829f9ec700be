"""The project installs silently and whole: `pip install .` ships the code, templates, static files
and migrations; `pip install -e .` serves them from the source tree; neither prints a warning."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Offline and without build isolation: the build backend (hatchling) is a dev dependency, so the
# output is the project's build alone, with no index or download messages around it.
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--isolated"]
OFFLINE = ["--no-deps", "--no-index", "--no-build-isolation"]


def _warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if "warn" in line.lower() or "deprecat" in line.lower()]


def test_build_backend_is_a_dev_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    backend = project["build-system"]["requires"][0].split(">")[0]
    assert any(dep.startswith(backend) for dep in project["project"]["optional-dependencies"]["dev"])


def test_editable_install_builds_without_a_warning(tmp_path):
    script = ("import sys, hatchling.build as b; "
              f"print(b.build_editable({str(tmp_path)!r}))")
    out = subprocess.run([sys.executable, "-W", "error", "-c", script], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stderr == "" and not _warnings(out.stdout), out.stdout + out.stderr
    wheel = tmp_path / out.stdout.strip()
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        pth = [name for name in archive.namelist() if name.endswith(".pth")]
        assert pth and archive.read(pth[0]).decode().strip() == str(ROOT)  # the source tree, nothing copied
        assert not any(name.startswith("quizapp/") for name in archive.namelist())


def test_plain_install_is_silent_and_serves_pages_and_migrates(tmp_path):
    """`pip install .` (not editable) carries templates, static files and migrations, and says nothing
    but that it installed."""
    target = tmp_path / "site"
    out = subprocess.run([*PIP, "install", *OFFLINE, "--target", str(target), str(ROOT)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert not _warnings(out.stdout + out.stderr), out.stdout + out.stderr
    for folder in ("templates", "static", "migrations/versions"):
        assert any((target / "quizapp" / folder).iterdir()), folder
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


def test_every_dependency_is_pinned():
    """`make run` and CI install with -c constraints.txt: a dependency left out of it would install its
    newest release, whose new deprecation warnings fail the suite (warnings are errors)."""
    import re

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    names = {re.split(r"[<>=\[; ]", dep, maxsplit=1)[0].lower().replace("_", "-") for dep in wanted}
    pinned = {line.split("==")[0].lower().replace("_", "-")
              for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line}
    assert names - pinned == set(), f"run `make lock`: not pinned {sorted(names - pinned)}"
