"""Images a teacher adds to a bank in the question editor: checked, stripped, named.

Only the raster types browsers show inline are taken (PNG, JPEG, GIF, WebP), recognised by their
bytes, never by the file's name or the type the browser claims; SVG (which can hold script) and
everything else are refused. What a photo carries beside the picture (EXIF with its camera and GPS
position, XMP, comments, text chunks) is removed without decoding the picture itself, so nothing
here needs an image library. A damaged file is refused with the reason. Served later by
``main.media`` with its own type, ``nosniff`` and a sandboxing Content-Security-Policy.
"""
from __future__ import annotations

import re
import struct
import unicodedata

from .limits import media_name_problem, size_text

MAX_IMAGE_BYTES = 2 * 1024 * 1024
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
NAMES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP"}
ACCEPT = ",".join(EXTENSIONS)  # the file input's accept list
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks of text and metadata; everything else (the picture, its palette, colour data) is kept.
PNG_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"}
# JPEG segments dropped: APP1 (EXIF, XMP), APP13 (Photoshop/IPTC) and comments.
JPEG_DROPPED = {0xE1, 0xED, 0xFE}
WEBP_DROPPED = {b"EXIF", b"XMP "}


class ImageError(ValueError):
    """An image that cannot be taken; the message says why."""


def image_type(data: bytes) -> str | None:
    """The image's media type from its first bytes, or None."""
    if data.startswith(PNG_SIGNATURE):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_image(data: bytes, name: str = "image") -> tuple[bytes, str]:
    """(the image without its metadata, its media type); ImageError for anything else."""
    if not data:
        raise ImageError(f"{name}: the file is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"{name}: the image is {size_text(len(data))}; the limit is {size_text(MAX_IMAGE_BYTES)}")
    kind = image_type(data)
    if kind is None:
        raise ImageError(f"{name}: not a PNG, JPEG, GIF or WebP image (other files, SVG included, are not taken)")
    try:
        cleaned = {"image/png": _png, "image/jpeg": _jpeg, "image/webp": _webp}.get(kind, _gif)(data)
    except (struct.error, IndexError, ValueError):
        raise ImageError(f"{name}: the {NAMES[kind]} file is damaged") from None
    return cleaned, kind


def _png(data: bytes) -> bytes:
    out, at = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    first = True
    while True:
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        end = at + 12 + length
        if end > len(data) or (first and kind != b"IHDR"):
            raise ValueError("bad chunk")
        first = False
        if kind not in PNG_DROPPED:
            out.append(data[at:end])
        at = end
        if kind == b"IEND":
            return b"".join(out)


def _jpeg(data: bytes) -> bytes:
    out, at = [data[:2]], 2
    while True:
        if data[at] != 0xFF:
            raise ValueError("bad marker")
        while data[at + 1] == 0xFF:  # fill bytes
            at += 1
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the picture itself, up to the end
            out.append(data[at:])
            return b"".join(out)
        if 0xD0 <= marker <= 0xD9:
            raise ValueError("no scan")
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise ValueError("bad segment")
        if marker not in JPEG_DROPPED:
            out.append(data[at:end])
        at = end


def _webp(data: bytes) -> bytes:
    (size,) = struct.unpack("<I", data[4:8])
    if size + 8 > len(data) or size < 4:
        raise ValueError("bad size")
    chunks, at, end = [], 12, 8 + size
    while at < end:
        kind, length = struct.unpack("<4sI", data[at:at + 8])
        stop = at + 8 + length + (length & 1)
        if stop > end + 1:
            raise ValueError("bad chunk")
        chunk = data[at:min(stop, end)]
        if kind == b"VP8X" and length >= 1:  # its flags say whether EXIF and XMP follow: not any more
            chunk = chunk[:8] + bytes([chunk[8] & ~0x0C]) + chunk[9:]
        if kind not in WEBP_DROPPED:
            chunks.append(chunk)
        at = stop
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _gif(data: bytes) -> bytes:
    if len(data) < 14 or not data.rstrip(b"\x00").endswith(b"\x3b"):
        raise ValueError("no trailer")
    return data


def media_name(filename: str, kind: str, taken: set[str]) -> str:
    """A plain, safe file name for the image (letters, digits, '-', '_'), with the extension of its
    real type, not one of ``taken`` (``photo.png``, ``photo-2.png``, ...)."""
    stem = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")[:60] or "image"
    ext = EXTENSIONS[kind]
    name, n = f"{stem}.{ext}", 2
    while name in taken:
        name, n = f"{stem}-{n}.{ext}", n + 1
    assert media_name_problem(name) is None
    return name
