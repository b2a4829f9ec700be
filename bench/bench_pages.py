"""Bytes a browser downloads for the study page and the learner dashboard, first and repeat visit.

Run: .venv/bin/python bench/bench_pages.py

In-process (Flask test client) on a fresh SQLite database with the built-in banks and a student
who has answered a few cards. For each page: the HTML, then every stylesheet, script, icon and
font it links (all served by the app: no CDN), with the caching headers they come with. A repeat
visit re-fetches the HTML (pages are `no-store`) and revalidates nothing else while the static
files' max-age lasts; the bytes are counted as a browser would fetch them. Baseline in the same
run: the login page, the smallest page with the same layout. Bodies are counted uncompressed and,
beside, gzip-compressed (what a proxy such as nginx with gzip on would send).
"""
from __future__ import annotations

import gzip
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import machine  # noqa: E402

LINKS = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/static/[^"]+)"')
PASSWORD = "bench password 1234"


def main() -> None:
    from quizapp import create_app
    from quizapp.extensions import db
    from quizapp.services.accounts import create_user

    print(machine())
    folder = Path(tempfile.mkdtemp(prefix="quizapp-pages-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'pages.db'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False}, instance_path=str(folder / "instance"))
    with app.app_context():
        db.create_all()
        create_user("s@example.com", PASSWORD)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["bank", "load", str(ROOT / "questions")])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    client.post("/login", data={"email": "s@example.com", "password": PASSWORD})
    for i in range(5):  # a learner with some history, so the dashboard has charts to draw
        page = client.get("/study").get_data(as_text=True)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        client.post("/study/answer", data={**fields, "answer": "x", "rating": "3", "client_id": f"bench-{i}"})

    print(f"{'page':24} {'first visit':>22} {'repeat visit':>22}  (bytes, raw / gzip)")
    rows = {}
    for name, path, anonymous in (("login (baseline)", "/login", True), ("study", "/study", False),
                                  ("dashboard", "/progress", False)):
        browser = app.test_client() if anonymous else client
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.get_data()
        assets = sorted(set(LINKS.findall(html.decode())))
        first_raw, first_gz = len(html), len(gzip.compress(html))
        cached = 0
        for asset in assets:
            r = browser.get(asset)
            body = r.get_data()
            first_raw += len(body)
            first_gz += len(gzip.compress(body))
            max_age = re.search(r"max-age=(\d+)", r.headers.get("Cache-Control", ""))
            cached += bool(max_age and int(max_age.group(1)) > 0)
        # Repeat visit: static files come from the browser cache (max-age), only the page itself moves.
        repeat_raw, repeat_gz = len(html), len(gzip.compress(html))
        assert cached == len(assets), "a static file is sent without max-age"
        rows[name] = (first_raw, first_gz, repeat_raw, repeat_gz)
        print(f"{name:24} {first_raw:>10,} / {first_gz:>9,} {repeat_raw:>10,} / {repeat_gz:>9,}  "
              f"({len(assets)} static files, all with max-age; page Cache-Control: "
              f"{response.headers.get('Cache-Control')})")
    base = rows["login (baseline)"]
    for name in ("study", "dashboard"):
        r = rows[name]
        print(f"{name}: first visit {r[0] / base[0]:.1f} x the login page's bytes, repeat {r[2] / base[2]:.1f} x")


if __name__ == "__main__":
    main()
