"""gunicorn.conf.py (used by `make serve`): a worker freezes its warm heap so that full garbage
collections stop walking it, and gunicorn accepts the file."""
from __future__ import annotations

import gc
import os
import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def conf():
    threshold = gc.get_threshold()
    yield runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_worker_freezes_what_it_holds_after_loading_and_after_its_first_requests(conf):
    gc.unfreeze()
    conf["post_worker_init"](SimpleNamespace(nr=0))
    assert gc.get_freeze_count() > 0 and gc.get_threshold() == conf["GC_THRESHOLD"]
    gc.unfreeze()
    first, second = conf["FREEZE_AFTER"]
    for nr in range(1, first):
        conf["post_request"](SimpleNamespace(nr=nr), None, {}, None)
        assert gc.get_freeze_count() == 0, nr  # a cold worker: nothing frozen yet
    conf["post_request"](SimpleNamespace(nr=first), None, {}, None)
    frozen = gc.get_freeze_count()
    assert frozen > 0
    later = [[n] for n in range(1000)]  # what later pages build (templates, cached questions)
    conf["post_request"](SimpleNamespace(nr=first + 1), None, {}, None)
    assert gc.get_freeze_count() == frozen
    conf["post_request"](SimpleNamespace(nr=second), None, {}, None)
    assert gc.get_freeze_count() >= frozen + len(later)
    # What is made after the last freeze is collected as usual: a cycle dropped now is freed.
    cycle: list = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


def test_make_serve_uses_the_file_and_gunicorn_accepts_it(tmp_path):
    assert "--config gunicorn.conf.py" in (ROOT / "Makefile").read_text()
    app = f"quizapp:create_app({{'SECRET_KEY': 'x'}}, {str(tmp_path)!r})"
    out = subprocess.run([str(Path(sys.executable).parent / "gunicorn"), "--check-config", "--config",
                          str(ROOT / "gunicorn.conf.py"), app], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'check.db'}"})
    assert out.returncode == 0, out.stdout + out.stderr
