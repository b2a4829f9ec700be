"""Request bodies: every form is refused above a few KB with a 413 before anything reads it.

Each refused request is timed (< 100 ms) and its peak Python allocation measured with tracemalloc
(< 1 MB: the 20 MB body is never read, so it never reaches memory). The body is a stream that
counts what is read from it, so "unread" is checked, not assumed.
"""
from __future__ import annotations

import io
import time
import tracemalloc

import pytest

MB = 1024 * 1024
PEAK_CAP = 1 * MB
TIME_CAP = 0.100
URLENCODED = "application/x-www-form-urlencoded"


class CountingStream(io.RawIOBase):
    """``size`` bytes of ``pattern`` made on demand; ``read_bytes`` says how many were taken."""

    def __init__(self, size: int, pattern: bytes = b"a=&") -> None:
        self.size, self.pattern, self.read_bytes, self.position = size, pattern, 0, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:  # the test client measures the length by seeking to the end
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        start = self.position % len(self.pattern)
        chunk = (self.pattern * (n // len(self.pattern) + 2))[start:start + n]
        buffer[:n] = chunk
        self.position += n
        self.read_bytes += n
        return n


def measured_post(client, path: str, stream: CountingStream, **kw):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        response = client.post(path, input_stream=stream, **kw)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, elapsed, peak


@pytest.fixture
def warm_client(client):
    # Templates compile on first use: warm the error page so the measure is of the request alone.
    client.post("/login", input_stream=CountingStream(20 * MB), content_type=URLENCODED)
    return client


@pytest.mark.parametrize("path", ["/login", "/register", "/logout", "/study/answer", "/join",
                                  "/account/password"])
def test_a_20_mb_form_is_refused_unread(warm_client, path):
    stream = CountingStream(20 * MB)
    response, elapsed, peak = measured_post(warm_client, path, stream, content_type=URLENCODED)
    assert response.status_code == 413
    assert "This form takes at most 16 KB" in response.get_data(as_text=True)
    assert stream.read_bytes == 0
    assert elapsed < TIME_CAP, elapsed
    assert peak < PEAK_CAP, peak


def test_a_million_fields_are_refused_unread(warm_client):
    size = 3 * 1_000_000  # a=& a million times
    stream = CountingStream(size)
    response, elapsed, peak = measured_post(warm_client, "/login", stream, content_type=URLENCODED)
    assert response.status_code == 413 and stream.read_bytes == 0
    assert elapsed < TIME_CAP and peak < PEAK_CAP, (elapsed, peak)


def test_many_multipart_parts_within_the_size_are_refused(warm_client):
    boundary = "b"
    part = f"--{boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n".encode()
    body = part * (15 * 1024 // len(part)) + f"--{boundary}--\r\n".encode()
    assert len(body) < 16 * 1024 and body.count(b"form-data") > 100
    stream = CountingStream(len(body), body)
    response, elapsed, peak = measured_post(warm_client, "/login", stream,
                                            content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert elapsed < TIME_CAP and peak < PEAK_CAP, (elapsed, peak)


def test_a_chunked_body_is_cut_off_at_the_limit(warm_client):
    stream = CountingStream(20 * MB)
    response, elapsed, peak = measured_post(warm_client, "/login", stream,
                                            content_type=URLENCODED,
                                            environ_overrides={"wsgi.input_terminated": True,
                                                               "HTTP_TRANSFER_ENCODING": "chunked"})
    assert response.status_code == 413
    assert stream.read_bytes <= 16 * 1024 + 1  # the limit, and one byte to know it is over
    assert elapsed < TIME_CAP and peak < PEAK_CAP, (elapsed, peak)


def test_the_upload_cap_applies_to_uploads_only(app, client, auth, make_user):
    make_user("t@example.com", role="teacher")
    auth.login("t@example.com")
    app.config["IMPORT_RUNNER"] = "inline"
    pasted = "// a GIFT comment\n" * 5000  # ~90 KB: over the form limit, far under the upload cap
    response = client.post("/teach/upload", data={"csrf_token": auth.token("/teach/upload"), "fmt": "auto",
                                                  "text": pasted})
    assert response.status_code != 413
    too_big = client.post("/account/profile", data={"csrf_token": auth.token("/account"), "name": "x" * 20_000})
    assert too_big.status_code == 413
