"""Upload limits: oversized, bomb-like, damaged or path-escaping archives are refused before use.

Everything a zip claims is checked from its central directory before a byte is inflated,
and again while reading (a local header or a zstd frame can claim less than it holds).
Refusals are ``ArchiveError``s whose message is written for the person who uploaded the file.
"""
from __future__ import annotations

import io
import lzma
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

import zstandard

MB = 1024 * 1024
CHUNK = 64 * 1024
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_DRIVE = re.compile(r"^[A-Za-z]:")
# Bidirectional overrides make "gpj.exe" display as "exe.jpg"; refused with the control characters.
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Limits:
    """What one upload may hold. ``ratio_min_bytes`` spares small entries from the ratio rule:
    a few hundred kilobytes of zeros compress 1000:1 yet can harm nothing."""

    max_upload_bytes: int = 20 * MB
    max_zip_entries: int = 5_000
    max_total_uncompressed: int = 200 * MB
    max_ratio: int = 100
    max_media_bytes: int = 10 * MB
    ratio_min_bytes: int = 1 * MB
    # A package's images together, once decompressed (zstd media sit compressed inside the zip, so
    # the zip's own totals say nothing of them), and how many images one package may bring.
    max_media_total: int = 100 * MB
    max_media_files: int = 2_000


DEFAULT_LIMITS = Limits()

# Text banks (YAML, JSON): values nested deeper than this (a real bank nests 6 deep) or numbers
# written with more characters are refused with their line, before they reach a recursive walk,
# int() (which refuses over 4,300 digits) or float() (which overflows).
MAX_NESTING = 32
MAX_NUMBER_CHARS = 100
# What YAML anchors and aliases may expand to: values (nodes) per character of the file, and
# characters of text per character of the file; a "billion laughs" file passes either long
# before memory runs out. An honest bank stays far below both (a few nodes per line, no repeats).
ALIAS_NODES_PER_CHAR = 20
ALIAS_CHARS_PER_CHAR = 10


class ArchiveError(ValueError):
    """An upload refused: too large, a bomb, damaged, or not an archive. ``str()`` is the reason."""


def size_text(n: int) -> str:
    """Sizes as people read them: '812 bytes', '340 KB', '20 MB'."""
    if n < 1024:
        return f"{n} bytes"
    if n < MB:
        return f"{n / 1024:.0f} KB"
    return f"{n / MB:.0f} MB" if n % MB == 0 or n >= 10 * MB else f"{n / MB:.1f} MB"


def check_upload_size(data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    if len(data) > limits.max_upload_bytes:
        raise ArchiveError(f"the file is {size_text(len(data))} (limit {size_text(limits.max_upload_bytes)})")


def open_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> zipfile.ZipFile:
    """The zip in ``data`` once its central directory passes every limit; ArchiveError otherwise."""
    check_upload_size(data, limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ArchiveError(f"not a readable zip archive ({exc})") from None
    if len(infos) > limits.max_zip_entries:
        raise ArchiveError(f"the archive holds {len(infos)} entries (limit {limits.max_zip_entries})")
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if name in seen:
            raise ArchiveError(f"zip entry {name!r} appears twice")
        seen.add(name)
        if info.flag_bits & 0x1:
            raise ArchiveError(f"zip entry {name!r} is encrypted")
        if info.compress_type not in _METHODS:
            raise ArchiveError(f"zip entry {name!r} uses an unsupported compression method ({info.compress_type})")
        if info.file_size > limits.max_total_uncompressed:
            raise ArchiveError(f"zip entry {name!r} expands to {size_text(info.file_size)} "
                               f"(limit {size_text(limits.max_total_uncompressed)})")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_min_bytes and ratio > limits.max_ratio:
            raise ArchiveError(f"zip entry {name!r} expands {ratio:.0f}:1 (limit {limits.max_ratio}:1)")
        total += info.file_size
    if total > limits.max_total_uncompressed:
        raise ArchiveError(f"the archive expands to {size_text(total)} in all "
                           f"(limit {size_text(limits.max_total_uncompressed)})")
    overall = total / max(len(data), 1)
    if total >= limits.ratio_min_bytes and overall > limits.max_ratio:
        raise ArchiveError(f"the archive expands {overall:.0f}:1 overall (limit {limits.max_ratio}:1)")
    return archive


def read_member(archive: zipfile.ZipFile, name: str, max_bytes: int | None = None, what: str = "") -> bytes:
    """One entry's bytes, never more than its header declared (nor ``max_bytes``)."""
    label = what or f"zip entry {name!r}"
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ArchiveError(f"{label} is missing from the archive") from None
    cap = info.file_size
    if max_bytes is not None and cap > max_bytes:
        raise ArchiveError(f"{label} is {size_text(cap)} (limit {size_text(max_bytes)})")
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                if len(out) > cap:
                    raise ArchiveError(f"{label} holds more than its zip header declares")
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError,
            RuntimeError, NotImplementedError) as exc:
        raise ArchiveError(f"{label} is damaged ({exc})") from None
    return bytes(out)


def zstd_decompress(data: bytes, max_bytes: int, what: str, too_large: str | None = None) -> bytes:
    """zstd-compressed ``data`` expanded, refusing (not truncating) output past ``max_bytes``;
    ``too_large`` is the refusal's message when the caller knows better why the cap is where it is."""
    if not data.startswith(ZSTD_MAGIC):
        raise ArchiveError(f"{what} is not zstd-compressed")
    out = bytearray()
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
        with reader:
            while chunk := reader.read(CHUNK):
                out += chunk
                if len(out) > max_bytes:
                    raise ArchiveError(too_large or f"{what} expands to more than {size_text(max_bytes)} (the limit)")
    except zstandard.ZstdError as exc:
        raise ArchiveError(f"{what} is damaged ({exc})") from None
    return bytes(out)


def media_name_problem(name: object) -> str | None:
    """Why ``name`` cannot be a media file name (a single plain path segment), or None."""
    if not isinstance(name, str) or not name:
        return "is empty"
    if any(unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI for c in name):
        return "contains control characters"
    if len(name.encode("utf-8")) > 255:
        return "is too long"
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/"):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    if ".." in name.split("/") or name in (".", ".."):
        return "points outside the media folder ('..')"
    if "/" in name:
        return "is not a single file name (contains '/')"
    return None


def safe_media_name(name: object) -> str | None:
    """``name`` if it is a safe media file name (see media_name_problem), else None."""
    return name if isinstance(name, str) and media_name_problem(name) is None else None
