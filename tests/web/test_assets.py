"""Bytes over the wire: compressed pages and static files decode to what was sent uncompressed;
static URLs carry their content's hash, change when the file changes, and such a URL is cached for a
year (an old or missing hash is not)."""
from __future__ import annotations

import gzip
import os
import re

import brotli
import pytest

from tests.conftest import AuthActions

STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
DYNAMIC = re.compile(r'(name="(?:csrf_token|client_id|shown_at|owner)" value=")[^"]*(")')


def fetch(client, url: str, **headers):
    """GET ``url``, body read and the response closed (a static file is sent from an open file)."""
    with client.get(url, headers=headers) as response:
        response.get_data()
        return response


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.data)
    if encoding == "br":
        return brotli.decompress(response.data)
    assert encoding is None, encoding
    return response.data


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_compressed_page_decodes_to_the_same_page(client, encoding):
    plain = client.get("/help", headers={"Accept-Encoding": "identity"})
    packed = client.get("/help", headers={"Accept-Encoding": encoding})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == encoding and "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    assert decoded(packed) == plain.data and b"How answers are checked" in plain.data


def test_the_study_page_is_compressed_for_a_browser_and_still_a_study_page(student):
    browser = {"Accept-Encoding": "gzip, deflate, br, zstd"}
    packed = student.get("/study", headers=browser)
    plain = student.get("/study", headers={"Accept-Encoding": "identity"})
    assert packed.headers["Content-Encoding"] == "br" and packed.status_code == 200
    page = decoded(packed).decode()
    assert "Where did Mao travel in December 1949?" in page
    # The same page but for what changes on every request (tokens, the answer's id, the time shown).
    assert DYNAMIC.sub(r"\1\2", page) == DYNAMIC.sub(r"\1\2", plain.get_data(as_text=True))


def test_a_tiny_response_is_not_compressed(student):
    response = student.get("/ping", headers={"Accept-Encoding": "gzip"})
    assert response.data == b"pong" and "Content-Encoding" not in response.headers


def test_static_files_are_fingerprinted_cached_a_year_and_compressed(client, app):
    page = client.get("/login").get_data(as_text=True)
    urls = STATIC.findall(page)
    css = next(u for u in urls if u.startswith("/static/css/app.css?v="))
    response = fetch(client, css, **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with open(os.path.join(app.static_folder, "css", "app.css"), "rb") as fh:
        assert decoded(response) == fh.read()
    # The browser revalidating its copy gets a 304 (the compressed copy has its own validator).
    again = fetch(client, css, **{"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    # Without the hash it is cached as any static file, not for a year.
    bare = fetch(client, "/static/css/app.css")
    assert "immutable" not in bare.headers["Cache-Control"] and "max-age=31536000" not in bare.headers["Cache-Control"]


def test_a_static_url_changes_when_its_file_changes(app, tmp_path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    sheet = folder / "css" / "app.css"
    sheet.write_text("body { color: black; }" * 40)
    app.static_folder = str(folder)
    client = app.test_client()
    first = re.search(r'href="(/static/css/app\.css\?v=\w+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert fetch(client, first).headers["Cache-Control"].endswith("immutable")
    sheet.write_text("body { color: navy; }" * 40)
    stat = sheet.stat()
    os.utime(sheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # a later edit, whatever the clock
    second = re.search(r'href="(/static/css/app\.css\?v=\w+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert second != first
    fresh = fetch(client, second, **{"Accept-Encoding": "br"})
    assert brotli.decompress(fresh.data) == sheet.read_bytes()
    assert fresh.headers["Cache-Control"].endswith("immutable")
    # A page from before the change asks for the old URL: it gets today's file, not cached for a year.
    stale = fetch(client, first, **{"Accept-Encoding": "identity"})
    assert stale.data == sheet.read_bytes() and "immutable" not in stale.headers["Cache-Control"]


def test_a_logged_in_page_links_versioned_scripts(client, make_user):
    make_user()
    AuthActions(client).login()
    page = client.get("/study").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(re.search(r"\?v=[0-9a-f]{12}$", s) for s in scripts)
