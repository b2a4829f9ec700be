"""Upload limits: bombs, oversized and damaged archives, and media names that could escape a folder."""
from __future__ import annotations

import io
import struct
import warnings
import zipfile

import pytest
import zstandard

from quizapp.banks.limits import (
    MB,
    ArchiveError,
    Limits,
    media_name_problem,
    open_zip,
    read_member,
    safe_media_name,
    size_text,
    zstd_decompress,
)


def make_zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def refusal(data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(ArchiveError) as caught:
        open_zip(data, limits or Limits())
    return str(caught.value)


def test_a_normal_archive_opens():
    archive = open_zip(make_zip({"collection.anki2": b"x" * 1000, "media": b"{}"}))
    assert sorted(archive.namelist()) == ["collection.anki2", "media"]
    assert read_member(archive, "media") == b"{}"


def test_an_entry_expanding_beyond_the_ratio_is_refused_before_it_is_read():
    message = refusal(make_zip({"collection.anki2": bytes(5 * MB)}))
    assert message.startswith("zip entry 'collection.anki2' expands ")
    assert message.endswith(":1 (limit 100:1)")
    assert int(message.split("expands ")[1].split(":")[0]) > 100


def test_small_entries_are_not_held_to_the_ratio_but_the_archive_as_a_whole_is():
    small = {f"{n}": bytes(900 * 1024) for n in range(30)}  # each under 1 MB, ~27 MB in all
    assert refusal(make_zip(small)).startswith("the archive expands ")
    assert "overall (limit 100:1)" in refusal(make_zip(small))
    open_zip(make_zip({"meta": bytes(50_000)}))  # 50 KB of zeros: compresses far beyond 100:1, harmless


def test_too_many_entries():
    data = make_zip({str(n): b"" for n in range(12)})
    assert refusal(data, Limits(max_zip_entries=10)) == "the archive holds 12 entries (limit 10)"
    assert refusal(make_zip({str(n): b"" for n in range(5_001)})) == "the archive holds 5001 entries (limit 5000)"


def test_too_much_uncompressed_data():
    data = make_zip({"a": b"1" * 600, "b": b"2" * 600}, zipfile.ZIP_STORED)
    assert refusal(data, Limits(max_total_uncompressed=1000)) == (
        "the archive expands to 1 KB in all (limit 1000 bytes)")
    assert refusal(data, Limits(max_total_uncompressed=500)).startswith("zip entry 'a' expands to 600 bytes")


def test_an_upload_over_the_size_limit():
    assert refusal(b"x" * 200, Limits(max_upload_bytes=100)) == "the file is 200 bytes (limit 100 bytes)"


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40, bytes(range(256)) * 8])
def test_bytes_that_are_not_a_zip(data):
    assert refusal(data).startswith("not a readable zip archive")


def test_a_truncated_zip():
    data = make_zip({"collection.anki2": bytes(range(256)) * 100, "media": b"{}"})
    assert refusal(data[: len(data) // 2]).startswith("not a readable zip archive")


def test_a_damaged_entry_is_reported_when_read():
    data = bytearray(make_zip({"collection.anki2": bytes(range(256)) * 100}))
    start = data.index(b"collection.anki2") + len("collection.anki2")
    data[start + 10 : start + 200] = bytes(190)  # garble the deflated stream, keep the directory
    archive = open_zip(bytes(data))
    with pytest.raises(ArchiveError, match="zip entry 'collection.anki2' is damaged"):
        read_member(archive, "collection.anki2")


def test_a_header_that_understates_the_size_is_caught_while_reading():
    data = bytearray(make_zip({"big": b"A" * 10_000}, zipfile.ZIP_STORED))
    central = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 10)  # the central directory now claims 10 bytes
    archive = open_zip(bytes(data))
    with pytest.raises(ArchiveError, match="zip entry 'big' is damaged"):
        read_member(archive, "big")


def test_read_member_refuses_a_member_over_its_cap():
    archive = open_zip(make_zip({"0": b"x" * 5000}))
    with pytest.raises(ArchiveError, match=r"^image 'cat.png' is 5 KB \(limit 1 KB\)$"):
        read_member(archive, "0", 1024, "image 'cat.png'")
    with pytest.raises(ArchiveError, match="is missing"):
        read_member(archive, "1")


def test_duplicate_and_encrypted_entries_are_refused():
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it is asked to write
        archive.writestr("media", b"{}")
        archive.writestr("media", b"{}")
    assert refusal(out.getvalue()) == "zip entry 'media' appears twice"
    encrypted = bytearray(make_zip({"media": b"{}"}))
    central = encrypted.rindex(b"PK\x01\x02")
    encrypted[central + 8] |= 1  # the "encrypted" flag bit
    assert refusal(bytes(encrypted)) == "zip entry 'media' is encrypted"


def test_a_zstd_bomb_is_refused_not_truncated():
    bomb = zstandard.ZstdCompressor(write_content_size=False).compress(bytes(20 * MB))
    assert len(bomb) < 10_000
    with pytest.raises(ArchiveError, match=r"^the collection expands to more than 1 MB \(the limit\)$"):
        zstd_decompress(bomb, 1 * MB, "the collection")
    assert zstd_decompress(zstandard.ZstdCompressor().compress(b"hello"), 10, "x") == b"hello"


def test_zstd_data_that_is_not_zstd_or_is_damaged():
    with pytest.raises(ArchiveError, match="is not zstd-compressed"):
        zstd_decompress(b"PNG...", MB, "image 'a.png'")
    damaged = bytearray(zstandard.ZstdCompressor().compress(bytes(range(256)) * 50))
    damaged[8:40] = b"\xff" * 32
    with pytest.raises(ArchiveError, match="is damaged"):
        zstd_decompress(bytes(damaged), MB, "image 'a.png'")


@pytest.mark.parametrize("name", ["cat.png", "my cat (1).jpg", "日本地図.png", "..hidden.png", "a.b.c", "x" * 200])
def test_safe_media_names(name):
    assert safe_media_name(name) == name
    assert media_name_problem(name) is None


@pytest.mark.parametrize(("name", "problem"), [
    ("../../etc/passwd", "points outside the media folder ('..')"),
    ("..", "points outside the media folder ('..')"),
    (".", "points outside the media folder ('..')"),
    ("/abs", "is an absolute path"),
    ("/etc/passwd", "is an absolute path"),
    ("images/cat.png", "is not a single file name (contains '/')"),
    ("a\\b.png", "contains a backslash"),
    ("..\\..\\evil.dll", "contains a backslash"),
    ("C:evil.png", "starts with a drive letter"),
    ("c:", "starts with a drive letter"),
    ("", "is empty"),
    ("a\x00b.png", "contains control characters"),
    ("line\nbreak.png", "contains control characters"),
    ("\u202egnp.exe", "contains control characters"),
    ("é" * 200, "is too long"),
])
def test_unsafe_media_names(name, problem):
    assert safe_media_name(name) is None
    assert media_name_problem(name) == problem


def test_non_text_media_names_are_refused():
    assert safe_media_name(None) is None
    assert safe_media_name(3) is None


def test_size_text():
    assert [size_text(n) for n in (812, 3000, 1536 * 1024, 20 * MB, 25 * MB + 1)] == [
        "812 bytes", "3 KB", "1.5 MB", "20 MB", "25 MB"]
