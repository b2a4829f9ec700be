"""Response headers that keep uploaded content from running script or being framed."""
from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of an INTEGER column (PostgreSQL's int4)


class IdConverter(IntegerConverter):
    """``<int:...>`` up to what an id column holds: a longer number is a 404, not a driver error (500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)

# No inline script anywhere: every script is a file under static/, so 'self' is enough.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app: Flask) -> None:
    # Before any blueprint: rules take their converters when they are added.
    app.url_map.converters["int"] = IdConverter
    from .bodies import init_app as init_bodies

    init_bodies(app)
    app.before_request(refuse_unreadable_input)
    if app.config.get("BEHIND_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if not request.path.startswith("/static/"):
            # Pages are per-user: never keep them in shared caches.
            headers.setdefault("Cache-Control", "no-store")
        return response


def accepts_json(view):
    """Marks a view that reads a JSON body itself, checking every value as untrusted JSON (the offline
    sync, quizapp/study/offline_routes.py): refuse_unreadable_input lets its JSON through."""
    view.takes_json = True
    return view


def _takes_json() -> bool:
    return getattr(current_app.view_functions.get(request.endpoint or ""), "takes_json", False)


def refuse_unreadable_input() -> Response | None:
    """Input no view can take gets a 4xx saying why, before it reaches one (else: a 500).

    - A JSON body outside /api/: every page takes an HTML form, but Flask-WTF hands a JSON body's
      values (true, 3, lists) to validators that expect text (``len(True)`` raises).
    - U+0000 in the path or a submitted value: no form needs it, and PostgreSQL text cannot hold
      it (the driver raises, so this was a 500 on PostgreSQL only).
    """
    from .errors import render_error

    if (request.method not in ("GET", "HEAD", "OPTIONS") and request.is_json and not request.path.startswith("/api/")
            and not _takes_json()):
        return render_error(415, "This address takes a form (as a browser sends it), not JSON.")
    values = [request.path, *(v for _, v in request.args.items(multi=True)),
              *(v for _, v in request.form.items(multi=True))]
    if any("\x00" in value for value in values):
        return render_error(400, "The request held a NUL character, which no form accepts.")
    return None
