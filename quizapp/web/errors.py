"""Error pages in the site's layout (HTML), or JSON for API and fetch callers."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..extensions import db
from ..services.errors import ServiceError

TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    409: "Already changed",
    413: "File too large",
    415: "Not a form",
    429: "Too many attempts",
    500: "Something went wrong",
}


# Endpoints whose posts are kept rather than refused when the form's CSRF token is no longer valid
# (the session ended): endpoint -> view that keeps the post. Blueprints register their own.
CSRF_FALLBACKS: dict[str, Callable[[], Any]] = {}


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(code: int, message: str):
    if wants_json():
        return jsonify(error=TITLES.get(code, "Error"), message=message), code
    return render_template("error.html", code=code, title=TITLES.get(code, "Error"), message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        keep = CSRF_FALLBACKS.get(request.endpoint or "")
        if keep is not None:  # an answer is kept and shown back, never lost to an expired form
            return keep()
        return render_error(400, "The form had expired or was not sent from this site. "
                                 "Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 413:
            from .bodies import is_upload_route

            if is_upload_route():
                limit = app.config.get("MAX_CONTENT_LENGTH") or 0
                return render_error(413, f"Uploads are limited to {limit // (1024 * 1024)} MB.")
            limit = request.max_content_length or 0
            return render_error(413, f"This form takes at most {max(1, limit // 1024)} KB; nothing was read.")
        if exc.code == 429:
            return render_error(429, "Too many attempts in a short time. Wait a minute and try again.")
        if exc.code is None or exc.code < 400:
            return exc
        return render_error(exc.code, exc.description or "")

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        # The one place a refusal becomes a status: the service said what is wrong, and whatever
        # it had written is already rolled back by its unit of work.
        db.session.rollback()
        return render_error(exc.status, str(exc))

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        # After a failed statement the session refuses all SQL until rolled back, and the page's
        # layout asks for the current user: without this the error page itself would fail.
        db.session.rollback()
        return render_error(500, "The error has been logged. Please try again in a moment.")
