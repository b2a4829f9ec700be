"""Small real image files for tests, made here (no binary fixtures): PNG, JPEG with EXIF, GIF, WebP."""
from __future__ import annotations

import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(text: bytes = b"") -> bytes:
    """A 1x1 red PNG; ``text``: a tEXt chunk it carries (metadata the upload must strip)."""
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    extra = _chunk(b"tEXt", b"Comment\x00" + text) if text else b""
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra
            + _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + _chunk(b"IEND", b""))


def jpeg(exif: bytes = b"") -> bytes:
    """A JPEG's segment structure (SOI, APP0, optional APP1 EXIF, a comment, SOS ... EOI)."""
    def segment(marker: int, body: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body

    app1 = segment(0xE1, b"Exif\x00\x00" + exif) if exif else b""
    return (b"\xff\xd8" + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00") + app1
            + segment(0xFE, b"a comment") + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x12\x34" + b"\xff\xd9")


def gif() -> bytes:
    return (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00"
            b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b")


def webp(exif: bytes = b"") -> bytes:
    """A WebP container: VP8X (with the EXIF flag when ``exif``), a VP8L picture chunk, EXIF."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes([0x08 if exif else 0]) + b"\x00" * 9
    picture = b"VP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00" + b"\x00"
    extra = b"EXIF" + struct.pack("<I", len(exif)) + exif + (b"\x00" if len(exif) % 2 else b"") if exif else b""
    body = b"WEBP" + vp8x + picture + extra
    return b"RIFF" + struct.pack("<I", len(body)) + body
