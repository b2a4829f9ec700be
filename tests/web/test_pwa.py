"""The installable app (issue 22): manifest, service worker script, offline page shell, sync token."""
from __future__ import annotations

import json
import re
import struct
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"


def _shell(script: str) -> list[str]:
    match = re.search(r"^const SHELL = (\[.*\]);$", script, re.M)
    assert match, "no SHELL line in /sw.js"
    return json.loads(match.group(1))


def test_service_worker_is_served_from_the_root_with_the_shell_files_it_keeps(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    shell = _shell(script)
    assert shell[0] == "/study/offline"
    # Fingerprinted URLs, as the pages link them: a changed file makes a new worker.
    assert any(re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", url) for url in shell)
    assert any(url.startswith("/static/offline/app.js?v=") for url in shell)
    assert any(url.startswith("/static/icons/icon-512.png?v=") for url in shell)
    # Nothing per user, no quiz, no page but the offline shell.
    assert not [url for url in shell if not url.startswith("/static/") and url != "/study/offline"]
    assert "quiz" not in " ".join(shell)
    assert re.search(r'^const VERSION = "[0-9a-f]{12}";$', script, re.M)


def test_worker_version_follows_the_files(client, tmp_path, app):
    first = client.get("/sw.js").get_data(as_text=True)
    assert client.get("/sw.js").get_data(as_text=True) == first  # stable while nothing changes
    app.static_folder = str(tmp_path)
    (tmp_path / "sw.js").write_text("// a changed worker\n")
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "app.css").write_text("body {}\n")
    second = client.get("/sw.js").get_data(as_text=True)
    assert second.endswith("// a changed worker\n")
    versions = [re.search(r"^const VERSION = .*$", script, re.M).group(0) for script in (first, second)]
    assert versions[0] != versions[1]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_names_the_app_its_icons_and_start_page(client):
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    assert manifest["start_url"] == "/study"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] == "Quizapp"
    css = (STATIC / "css" / "app.css").read_text()
    assert f"--accent: {manifest['theme_color']}" in css and f"--bg: {manifest['background_color']}" in css
    sizes = {}
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200 and response.mimetype == "image/png"
        width, height = _png_size(STATIC / icon["src"].removeprefix("/static/"))
        assert f"{width}x{height}" == icon["sizes"]
        sizes.setdefault(icon["purpose"], set()).add(width)
    assert sizes["any"] >= {192, 512} and 512 in sizes["maskable"]
    with client.get("/static/manifest.webmanifest") as response:
        assert response.mimetype == "application/manifest+json"


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<link rel="manifest" href="/static/manifest\.webmanifest\?v=[0-9a-f]{12}">', html)
    assert '<meta name="theme-color" content="#1d4ed8"' in html
    assert 'src="/static/offline/register.js?v=' in html and 'data-worker="/sw.js"' in html
    assert "data-user=" not in html  # a visitor: nothing to sync


def test_offline_page_is_a_shell_without_the_learners_data(client, auth, make_user):
    make_user(email="sam@example.com", name="Samantha Unique")
    auth.login("sam@example.com")
    response = client.get("/study/offline")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Study offline" in html and 'id="sync-status"' in html and 'role="status"' in html
    # Kept by the worker for whoever uses the device: no name, no CSRF token, no user id.
    assert "Samantha Unique" not in html and "csrf_token" not in html and "data-user" not in html
    assert "<script>" not in html  # no inline script (CSP)


def test_token_is_for_the_signed_in_learner_only(client, auth, make_user):
    assert client.get("/study/offline/token").status_code == 302  # to the login page
    uid = make_user(email="sam@example.com")
    auth.login("sam@example.com")
    body = client.get("/study/offline/token").get_json()
    assert body["user_id"] == uid and len(body["csrf_token"]) > 20
