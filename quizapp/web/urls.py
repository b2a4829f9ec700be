"""URLs in templates, each built once.

A card page builds about forty URLs (navigation, static files, forms) and Flask's ``url_for`` builds
each one through the URL map again on every request: 13 % of the page's CPU (issue "The study loop at
the speed of a local app"). A URL depends only on its endpoint, its arguments and the application
root it is served under, so templates get a ``url_for`` that keeps what it built.

Kept out of the cache: external URLs and anchors (``_external``, ``_scheme``, ``_anchor``,
``_method``: they depend on more than the above) and arguments that cannot be hashed. Static files'
``?v=<content hash>`` is added before the lookup (``assets.content_hash``, which notices a changed
file), so a changed file still gets a new URL at once. This is correct only while the app's
``url_defaults`` functions add nothing but that hash: ``init_app`` refuses to start otherwise.
"""
from __future__ import annotations

import threading

from flask import Flask, request, url_for

from .assets import content_hash, version_static_urls

_MAX = 20_000  # distinct URLs kept per process (ids in URLs make them many): then start again
_urls: dict[tuple, str] = {}
_lock = threading.Lock()


def cached_url_for(endpoint: str, **values) -> str:
    if values:
        if any(name[:1] == "_" for name in values):
            return url_for(endpoint, **values)
        if endpoint == "static" and "v" not in values and values.get("filename"):
            digest = content_hash(values["filename"])
            if digest:
                values["v"] = digest
    # The arguments in the order given (a template passes them in one order; another order is only
    # another entry), with their types: True and 1 are equal keys but make different URLs.
    current = request._get_current_object()  # the request itself: one lookup through the proxy, not two
    key = (current.script_root, current.blueprint if endpoint[:1] == "." else None, endpoint,
           tuple(values.items()), tuple(map(type, values.values())))
    try:
        found = _urls.get(key)
    except TypeError:  # an unhashable argument (a list): built every time
        return url_for(endpoint, **values)
    if found is None:
        found = url_for(endpoint, **values)
        with _lock:
            if len(_urls) >= _MAX:
                _urls.clear()
            _urls[key] = found
    return found


def init_app(app: Flask) -> None:
    defaults = [f for functions in app.url_default_functions.values() for f in functions]
    if defaults != [version_static_urls]:
        raise RuntimeError("templates' cached url_for assumes the static version is the only URL default; "
                           f"found {defaults!r}")
    app.jinja_env.globals["url_for"] = cached_url_for
