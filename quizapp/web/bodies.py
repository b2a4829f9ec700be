"""How much body each route reads: a few KB for a form, the upload cap only where files come in.

Flask applies one ``MAX_CONTENT_LENGTH`` to every route, and the body is parsed by the first
thing that touches ``request.form`` (CSRF, the limiter), before login or throttling run. So every
POST accepted the upload cap (20 MB, or a million ``a=&`` fields), parsed for anyone. Here each
view states what it takes (``@accepts_body``; the default is a small form), the request reads its
limits from the matched view, and a hook placed before every other one refuses an announced
length over the limit with a 413 without reading a byte. A body with no length (chunked) is cut
off by Werkzeug's limited stream at the same limit; a multipart body with too many parts is
refused by Werkzeug's parser (``max_form_parts``).
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask.wrappers import Request
from werkzeug.exceptions import RequestEntityTooLarge

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class BodyLimit:
    """``None`` for a field means: the app's setting of that name."""

    content_length: str | int = "FORM_MAX_CONTENT_LENGTH"
    field_size: str | int = "FORM_MAX_CONTENT_LENGTH"
    parts: str | int = "FORM_MAX_PARTS"

    def resolve(self, config) -> tuple[int, int, int]:
        def value(v: str | int) -> int:
            return int(config[v]) if isinstance(v, str) else v
        return value(self.content_length), value(self.field_size), value(self.parts)


FORM = BodyLimit()
# Question editing: rich text (HTML tables, several answers) but still typed by a person.
EDITOR = BodyLimit("EDITOR_MAX_CONTENT_LENGTH", "EDITOR_MAX_CONTENT_LENGTH", "FORM_MAX_PARTS")
# Files and pasted question sets: the upload cap (MAX_CONTENT_LENGTH); a pasted set is one field.
UPLOAD = BodyLimit("MAX_CONTENT_LENGTH", "MAX_FORM_MEMORY_SIZE", "UPLOAD_MAX_PARTS")


def accepts_body(limit: BodyLimit) -> Callable[[F], F]:
    """Marks a view as taking bodies up to ``limit`` (the default for every view is ``FORM``)."""
    def mark(view: F) -> F:
        view.body_limit = limit  # type: ignore[attr-defined]
        return view
    return mark


def limit_for(app: Flask, endpoint: str | None) -> tuple[int, int, int]:
    view = app.view_functions.get(endpoint or "")
    return getattr(view, "body_limit", FORM).resolve(app.config)


def _view_limit(index: int, name: str) -> property:
    """A request limit: the value set on this request, else the matched view's (``limit_for``), else
    Flask's own."""
    own = f"_{name}"

    def get(self) -> int | None:
        if getattr(self, own) is not None:
            return getattr(self, own)
        limits = self._limits()
        return limits[index] if limits else getattr(Request, name).__get__(self)

    def set(self, value: int | None) -> None:
        setattr(self, own, value)

    return property(get, set)


class LimitedRequest(Request):
    """Flask's request whose body limits are those of the view the URL matched."""

    def _limits(self) -> tuple[int, int, int] | None:
        if not current_app:
            return None
        return limit_for(current_app, self.endpoint)  # type: ignore[arg-type]

    # Werkzeug's three limits, each read from the matched view unless set on this request.
    max_content_length = _view_limit(0, "max_content_length")  # type: ignore[assignment]
    max_form_memory_size = _view_limit(1, "max_form_memory_size")  # type: ignore[assignment]
    max_form_parts = _view_limit(2, "max_form_parts")  # type: ignore[assignment]


BUFFER_CHUNKED_UP_TO = 1024 * 1024


def refuse_oversized_body() -> None:
    """Runs before every other hook (CSRF and the limiter read the form): a 413 unread.

    A chunked body (no length given) of a small form is read up to one byte past the limit: over
    it, a 413; else it is handed on as if its length had been given. (Werkzeug would otherwise
    parse a chunked url-encoded form cut off at the limit, silently.) Larger limits are left to
    Werkzeug's limited stream, which raises 413 when a multipart upload runs past it.
    """
    limit = request.max_content_length
    if limit is None:
        return
    length = request.content_length
    if length is not None:
        if length > limit:
            raise RequestEntityTooLarge()
        return
    environ = request.environ
    if environ.get("wsgi.input_terminated") and limit <= BUFFER_CHUNKED_UP_TO and "stream" not in request.__dict__:
        data = environ["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            raise RequestEntityTooLarge()
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.pop("wsgi.input_terminated", None)


def is_upload_route() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "body_limit", FORM) is UPLOAD


def init_app(app: Flask) -> None:
    app.request_class = LimitedRequest
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_oversized_body)
