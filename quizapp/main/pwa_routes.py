"""The installable app (issue 22): the service worker at /sw.js and the offline study page's shell.

The service worker is ``static/sw.js`` served from the site's root (so its scope is the whole site)
with a first line naming what it keeps: the offline study page and the fingerprinted URLs of the
files it needs (``?v=<content hash>``, as every page links them). A changed file changes that line,
so the browser sees a new worker, which fetches the new files and drops the old ones. Nothing per
user is in it, nor in the offline page: the page is a shell that reads the learner's pack from
IndexedDB (static/offline/app.js), and the pack and the answers go through /study/offline/pack and
/study/offline/sync (quizapp/study/offline_routes.py; docs/offline.md).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import Response, current_app, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..web.assets import content_hash
from . import bp

# Kept by the worker at install, each with its content hash: the offline page loads these.
SHELL_FILES = (
    "css/app.css", "js/app.js", "js/keys.js", "js/nav.js", "js/math.js", "favicon.svg", "manifest.webmanifest",
    "icons/icon-192.png", "icons/icon-512.png", "icons/icon-maskable-512.png",
    "offline/register.js", "offline/app.js", "offline/store.js", "offline/sync.js", "offline/grade.js",
    "offline/schedule.js",
    "vendor/katex/katex.min.css", "vendor/katex/katex.min.js", "vendor/katex/contrib/auto-render.min.js",
    "vendor/katex/contrib/mhchem.min.js",
)
# Whole folders kept too, under their plain URLs, as they are asked for: the vendored scheduler (a
# module that schedule.js imports by a relative URL) and KaTeX's fonts (katex.min.css names them).
SHELL_FOLDERS = ("vendor/ts-fsrs", "vendor/katex/fonts")
OFFLINE_PAGE = "/study/offline"


def shell() -> tuple[list[str], str]:
    """The URLs the worker keeps (the offline page, then each shell file that exists: the grader's
    and scheduler's modules may be missing in a tree that has not got them yet) and their version,
    which changes with any of the files and with the worker's own script."""
    urls = [OFFLINE_PAGE]
    hashes = [content_hash("sw.js") or ""]
    for name in SHELL_FILES:
        if content_hash(name):
            urls.append(url_for("static", filename=name))
    folder = Path(current_app.static_folder or "")
    for sub in SHELL_FOLDERS:
        root = folder / sub
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix in (".js", ".mjs", ".woff2"):
                    name = path.relative_to(folder).as_posix()
                    urls.append(url_for("static", filename=name, v=None))
                    hashes.append(content_hash(name) or "")
    version = hashlib.sha256("\n".join(urls + hashes).encode()).hexdigest()[:12]
    return urls, version


@bp.get("/sw.js")
def service_worker():
    """The worker's script, at the root so that it may control every page (scope "/")."""
    urls, version = shell()
    script = Path(current_app.static_folder or "", "sw.js").read_text(encoding="utf-8")
    prelude = (f"const VERSION = {json.dumps(version)};\n"
               f"const OFFLINE_PAGE = {json.dumps(OFFLINE_PAGE)};\n"
               f"const SHELL = {json.dumps(urls)};\n")
    response = Response(prelude + script, mimetype="text/javascript")
    # The browser checks the worker for updates itself; never from a cache older than the files.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get(OFFLINE_PAGE)
def offline_study():
    """The offline study page: a shell with nobody's data in it (the worker keeps it for every user
    of the device); its script shows the cards of the pack kept in the browser."""
    return render_template("study/offline.html")


@bp.get("/study/offline/token")
@login_required
def offline_token():
    """A CSRF token for the sync, and who is signed in (the device's queue may hold answers of
    another learner who used it): the offline page is kept by the worker, so it carries neither."""
    return {"csrf_token": generate_csrf(), "user_id": current_user.id}
