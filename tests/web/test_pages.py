from __future__ import annotations

import pytest

from quizapp.web.security import CSP


def test_error_pages_use_the_layout(client):
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in page and '<main id="content"' in page and "Skip to content" in page


def test_json_callers_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.get_json()["error"] == "Page not found"


def test_too_large_form_is_413_in_the_layout(app, client):
    app.config["FORM_MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "This form takes at most 1 KB" in response.get_data(as_text=True)


def test_server_error_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500 and "Something went wrong" in response.get_data(as_text=True)


def test_security_headers(client):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert csp == CSP
    script_src = [d for d in csp.split("; ") if d.startswith("script-src")][0]
    assert "unsafe-inline" not in script_src and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, auth, make_user):
    make_user()
    response = auth.login(remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)


def test_cookies_are_secure_behind_https(tmp_path, monkeypatch):
    from quizapp import create_app

    monkeypatch.setenv("QUIZAPP_HTTPS", "1")
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize("path", ["/", "/login", "/register"])
def test_pages_load_no_external_assets(client, path):
    page = client.get(path).get_data(as_text=True)
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page
    assert '<meta name="viewport"' in page and '<html lang="en">' in page


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
