"""Response headers on every kind of answer, cookie flags as a browser receives them, sessions that
end when they should, and bank images that can never act as a page.

Already covered elsewhere, and not repeated here:
  * tests/web/test_pages.py: the CSP of /login (no 'unsafe-inline' in script-src, frame-ancestors
    'none'), nosniff, Referrer-Policy and Cache-Control on /login; HttpOnly and SameSite=Lax on the
    cookies set by a remember-me login; SESSION/REMEMBER_COOKIE_SECURE set by QUIZAPP_HTTPS (the
    configuration only); an oversized body is a 413 in the site's layout.
  * tests/web/test_auth.py: passwords stored as scrypt hashes; login throttled per account and per
    address; a new server-side session id at each login; logout ends a remember-me session on the
    server; a password change logs out other devices; next= only redirects within the site.
  * tests/web/test_rich_text.py: a PNG inline with nosniff, an SVG as an octet-stream attachment with
    a sandbox CSP, media behind login and 404 for a bank of someone else.
  * tests/web/test_csrf.py: every POST route refuses a request without a CSRF token.

Added here: the headers on every kind of response (pages, redirects, errors, JSON, static files,
CSV downloads, media); the Secure flag on the Set-Cookie headers themselves (and HSTS) when
QUIZAPP_HTTPS is on; a session cookie planted before login is not logged in after it (fixation);
a session cookie replayed after logout is anonymous; registration is throttled per address; any
media name or type is served as an inert download or image, never cached by shared caches.
"""
from __future__ import annotations

import mimetypes

import pytest

from quizapp import create_app
from quizapp.extensions import db
from quizapp.models import Media
from tests.conftest import PASSWORD, AuthActions, csrf_from
from tests.factories import make_bank
from tests.security.world import PNG, World, token

MEDIA_CSP = "default-src 'none'; sandbox"


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def check_headers(response, label: str) -> list[str]:
    h = response.headers
    problems = []
    csp = directives(h.get("Content-Security-Policy", ""))
    scripts = csp.get("script-src", csp.get("default-src"))
    if scripts is None:
        problems.append("no script-src nor default-src")
    elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts):
        problems.append(f"script-src {scripts}")
    if h.get("Content-Security-Policy") != MEDIA_CSP:  # media is sandboxed and loads nothing at all
        for name, want in (("frame-ancestors", ["'none'"]), ("object-src", ["'none'"]), ("base-uri", ["'self'"]),
                           ("form-action", ["'self'"])):
            if csp.get(name) != want:
                problems.append(f"{name} {csp.get(name)}")
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if h.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"):
        problems.append(f"Referrer-Policy {h.get('Referrer-Policy')}")
    if h.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {h.get('X-Frame-Options')}")
    response.close()
    return [f"{label}: {p}" for p in problems]


def test_every_kind_of_response_carries_the_security_headers(app, world: World):
    student = world.client("student_a")
    anonymous = world.client("anonymous")
    bank, log = world.ids["bank_id"], world.ids["log_id"]
    responses = {
        "welcome page": anonymous.get("/"),
        "signed-in page": student.get("/account"),
        "redirect to log in": anonymous.get("/progress"),
        "redirect after a form": student.post("/progress/focus/clear", data={"csrf_token": token(student)}),
        "404 page": student.get("/no/such/page"),
        "404 JSON": student.get("/no/such/page", headers={"Accept": "application/json"}),
        "405 page": student.get("/logout"),
        "CSRF refusal": student.post("/study/undo"),
        "static file": student.get("/static/css/app.css"),
        "CSV download": student.get("/progress.csv?table=mastery"),
        "health check": anonymous.get("/healthz"),
        "feedback page": student.get(f"/study/answered/{log}"),
        "media": student.get(f"/media/{bank}/pic.png"),
    }
    problems = [p for label, response in responses.items() for p in check_headers(response, label)]
    assert problems == [], "\n".join(problems)


def test_per_user_responses_are_never_kept_by_shared_caches(app, world: World):
    student = world.client("student_a")
    for url in ("/", "/account", "/progress", "/progress.csv?table=mastery", f"/study/answered/{world.ids['log_id']}",
                f"/media/{world.ids['bank_id']}/pic.png"):
        response = student.get(url)
        cache = response.headers.get("Cache-Control", "")
        response.close()
        assert response.status_code == 200, url
        assert "public" not in cache and ("no-store" in cache or "private" in cache), (url, cache)


@pytest.fixture
def app_with(app, monkeypatch, tmp_path):
    """Another app on the same database, built with the given environment (as in production)."""
    made = []

    def build(**environment: str):
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        other = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
                           instance_path=str(tmp_path / f"instance-{len(made)}"))
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


@pytest.mark.parametrize("https", [True, False])
def test_session_and_remember_cookies_as_the_browser_gets_them(app_with, make_user, https):
    site = app_with(QUIZAPP_HTTPS="1" if https else "0")
    make_user()
    browser = site.test_client()
    base = "https://localhost" if https else "http://localhost"
    first = browser.get("/login", base_url=base)  # the CSRF token already needs a session cookie
    assert ("Strict-Transport-Security" in first.headers) == https
    csrf = csrf_from(first.get_data(as_text=True))
    login = browser.post("/login", base_url=base, headers={"Referer": base + "/login"},  # checked over HTTPS
                         data={"csrf_token": csrf, "email": "ada@example.com", "password": PASSWORD, "remember": "y"})
    assert login.status_code == 302
    cookies = {**set_cookies(first), **set_cookies(login)}
    assert {"session", "remember_token"} <= cookies.keys(), cookies
    for name in ("session", "remember_token"):
        flags = [flag.strip().lower() for flag in cookies[name].split(";")[1:]]
        assert "httponly" in flags and "samesite=lax" in flags, cookies[name]
        assert ("secure" in flags) == https, cookies[name]


def test_a_session_cookie_planted_before_login_is_not_logged_in_after(app, make_user):
    """Session fixation: an attacker gives the victim a session cookie, the victim logs in."""
    make_user()
    attacker = app.test_client()
    attacker.get("/login")
    planted = attacker.get_cookie("session").value
    victim = app.test_client()
    victim.set_cookie("session", planted)
    assert AuthActions(victim).login().status_code == 302
    assert victim.get_cookie("session").value != planted
    assert victim.get("/account").status_code == 200
    assert attacker.get("/account").status_code == 302  # the planted cookie is still nobody's


def test_a_session_cookie_replayed_after_logout_is_anonymous(app, make_user):
    make_user()
    browser = app.test_client()
    AuthActions(browser).login()
    copied = browser.get_cookie("session").value
    AuthActions(browser).logout()
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_registration_is_throttled_per_address(app):
    browser = app.test_client()
    csrf = token(browser)
    codes = [browser.post("/register", data={"csrf_token": csrf, "email": f"u{n}@example.com"}).status_code
             for n in range(21)]
    assert set(codes[:20]) == {400} and codes[20] == 429


RISKY_TYPES = {"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml",
               "text/javascript", "application/javascript", "application/pdf"}


MEDIA_NAMES = ["evil.html", "evil.htm", "evil.svg", "evil.xhtml", "evil.xml", "evil.js", "evil.pdf", "page.png",
               "no-extension"]


def test_media_of_any_name_is_an_inert_image_or_a_download(app, make_user):
    with app.app_context():
        bank = make_bank("pictures").bank_id  # built in: every learner may see its images
        for name in MEDIA_NAMES:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"  # as bank_store stores it
            data = PNG if name == "page.png" else b"<html><script>alert(1)</script></html>"
            db.session.add(Media(bank_id=bank, name=name, content_type=kind, data=data))
        db.session.commit()
    make_user()
    student = app.test_client()
    AuthActions(student).login()
    for name in MEDIA_NAMES:
        response = student.get(f"/media/{bank}/{name}")
        assert response.status_code == 200, name
        assert response.mimetype not in RISKY_TYPES, name
        assert response.headers["Content-Security-Policy"] == MEDIA_CSP, name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        disposition = response.headers["Content-Disposition"]
        if response.mimetype.startswith("image/"):
            assert name == "page.png" and disposition.startswith("inline"), name
        else:
            assert response.mimetype == "application/octet-stream" and disposition.startswith("attachment"), name
        response.close()
