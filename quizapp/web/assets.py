"""What goes over the wire: pages, CSS and JS compressed, and static files cached for a year under
URLs that change with their content.

- Pages (HTML, JSON) are compressed by Flask-Compress, brotli when the browser takes it, else gzip.
- Static files (CSS, JS, SVG) are compressed here, once per file version and encoding, and kept.
- ``url_for('static', filename=...)`` adds ``?v=<content hash>``. A request with the current hash
  is answered with ``Cache-Control: public, max-age=31536000, immutable``: the browser never asks
  again, and a changed file gets a new URL. Without it (or with an old hash: a page from before a
  deploy) the file comes with the ordinary static max-age.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import threading
from pathlib import Path

import brotli
from flask import Flask, Response, current_app, request
from flask_compress import Compress

YEAR = 365 * 24 * 60 * 60
COMPRESSED_TYPES = frozenset({"text/html", "text/css", "text/javascript", "application/javascript",
                              "application/json", "image/svg+xml", "text/plain"})
MIN_SIZE = 500  # bytes: below this, compression's header costs more than it saves

compress = Compress()
_lock = threading.Lock()
# (static folder, filename) -> (path, mtime_ns, size, content hash);
# (path, mtime_ns, size, encoding) -> compressed bytes
_HASHES: dict[tuple[str | None, str], tuple[str, int, int, str]] = {}
_PACKED: dict[tuple[str, int, int, str], bytes] = {}


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", sorted(COMPRESSED_TYPES))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])  # brotli: smaller, and as quick at quality 4
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    app.config.setdefault("COMPRESS_MIN_SIZE", MIN_SIZE)
    # Streamed responses (static files, downloads) are left alone: static files are compressed below,
    # once per version, not on every request.
    app.config.setdefault("COMPRESS_STREAMS", False)
    compress.init_app(app)
    app.url_defaults(version_static_urls)
    app.after_request(_static_headers)  # registered after Flask-Compress's hook, so it runs before it


def version_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values and values.get("filename"):
        digest = content_hash(values["filename"])
        if digest:
            values["v"] = digest


def content_hash(filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256 (None if there is no such file). Computed again
    only when the file's size or modification time changes: a page's static URLs cost a stat each."""
    known = _HASHES.get((current_app.static_folder, filename))
    if known is not None:
        path, mtime, size, digest = known
        try:
            stat = os.stat(path)
        except OSError:
            stat = None
        if stat is not None and (stat.st_mtime_ns, stat.st_size) == (mtime, size):
            return digest
    path = _static_path(filename)
    if path is None:
        return None
    stat = path.stat()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    with _lock:
        _HASHES[(current_app.static_folder, filename)] = (str(path), stat.st_mtime_ns, stat.st_size, digest)
    return digest


def _static_path(filename: str) -> Path | None:
    folder = current_app.static_folder
    if not folder:
        return None
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


def _static_headers(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    filename = (request.view_args or {}).get("filename", "")
    version = request.args.get("v")
    if version and version == content_hash(filename):
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    _compress_static(response, filename)
    return response


def _compress_static(response: Response, filename: str) -> None:
    response.vary.add("Accept-Encoding")
    if response.mimetype not in COMPRESSED_TYPES or "Content-Encoding" in response.headers:
        return
    accepted = request.accept_encodings
    encoding = next((e for e in ("br", "gzip") if accepted[e] > 0), None)
    path = _static_path(filename)
    if encoding is None or path is None:
        return
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size, encoding)
    packed = _PACKED.get(key)
    if packed is None:
        data = path.read_bytes()
        if len(data) < MIN_SIZE:
            return
        # Once per file version: the strongest settings that stay quick (brotli 11 took 1.4 s on KaTeX's 270 KB).
        packed = brotli.compress(data, quality=9) if encoding == "br" else gzip.compress(data, 9, mtime=0)
        with _lock:
            for old in [k for k in _PACKED if k[0] == key[0] and k[1:3] != key[1:3]]:
                _PACKED.pop(old, None)  # an older version of the file
            _PACKED[key] = packed
    response.direct_passthrough = False
    unread = response.response  # the open file send_file gave: closed, not left to the collector
    response.set_data(packed)
    if hasattr(unread, "close"):
        unread.close()
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:  # a different representation of the file: its own validator
        response.set_etag(f"{etag}-{encoding}", weak=weak)
        response.make_conditional(request)

