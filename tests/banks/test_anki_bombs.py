"""Decompression bombs inside Anki packages, refused with bounded memory (tracemalloc's peak).

A current-layout package keeps its collection, media list and images zstd-compressed inside the
zip, where the zip's own size checks cannot see what they expand to: a 20 KB package of zstd
images once grew a worker to 880 MB. Each zstd layer now counts against the package's budget,
the images' total and count, and the ratio rule."""
from __future__ import annotations

import json
import os
import tracemalloc
import zipfile
from io import BytesIO

import pytest
import zstandard

from quizapp.banks.apkg import package_image, parse_apkg
from quizapp.banks.limits import MB, Limits
from tests.banks.anki_support import Collection, add_note, export, pb, repack

PEAK_CAP = 24 * MB  # what reading any of these packages may allocate at its peak


def peak(fn):
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    """A current-layout package (zstd media) whose notes use 88 images, made by Anki."""
    root = tmp_path_factory.mktemp("gallery")
    col = Collection(str(root / "c.anki2"))
    try:
        for n in range(88):
            (root / f"img{n}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
            name = col.media.add_file(str(root / f"img{n}.png"))
            add_note(col, "Basic", "Pictures", Front=f"Picture {n}", Back=f'<img src="{name}">')
        return export(col, root / "gallery.apkg")
    finally:
        col.close()


def with_media(package: bytes, blobs: dict[str, bytes]) -> bytes:
    """``package`` with each named image replaced by ``blobs[name]`` (already zstd-compressed)."""
    with zipfile.ZipFile(BytesIO(package)) as archive:
        listing = zstandard.ZstdDecompressor().stream_reader(archive.read("media")).read()
    from quizapp.banks.anki_package import proto_fields

    entries = [dict(proto_fields(e)) for n, e in proto_fields(listing) if n == 1]
    replace = {}
    for n, entry in enumerate(entries):
        name = entry[1].decode()
        if name in blobs:
            replace[str(entry.get(4, n))] = blobs[name]
    return repack(package, replace)


def test_a_tiny_package_of_zstd_image_bombs_is_refused_at_once(gallery):
    """88 images of 10 MB of zeros each, about 20 KB in all: the first image past 1 MB at more than
    100:1 stops the import, which never holds more than that one image."""
    bomb = zstandard.ZstdCompressor(level=19).compress(bytes(10 * MB))
    package = with_media(gallery, {f"img{n}.png": bomb for n in range(88)})
    assert len(package) < 60_000
    result, top = peak(lambda: parse_apkg(package, "gallery.apkg"))
    assert result.bank is None
    assert [e.message for e in result.errors] == [
        "image 'img0.png' expands more than 100:1 (the limit): not an image but a bomb"]
    assert top < PEAK_CAP, top


def test_images_past_their_total_are_refused_with_bounded_memory(gallery):
    """Incompressible images, each within every per-image limit, until their total passes the cap."""
    blobs = {f"img{n}.png": zstandard.ZstdCompressor().compress(os.urandom(MB)) for n in range(6)}
    package = with_media(gallery, blobs)
    limits = Limits(max_media_total=4 * MB)
    result, top = peak(lambda: parse_apkg(package, "gallery.apkg", limits=limits))
    assert result.bank is None
    assert [e.message for e in result.errors] == [
        "image 'img4.png' takes the package's images past 4 MB in all (the limit)"]
    assert top < PEAK_CAP, top


def test_more_images_than_allowed(gallery):
    result = parse_apkg(gallery, "gallery.apkg", limits=Limits(max_media_files=50))
    assert [e.message for e in result.errors] == ["the package's notes use more than 50 images (the limit)"]
    assert len(parse_apkg(gallery, "gallery.apkg").bank.media) == 88  # within the default limit


def test_a_zstd_collection_bomb_is_refused_with_bounded_memory(gallery):
    bomb = zstandard.ZstdCompressor(level=19, write_content_size=False).compress(bytes(150 * MB))
    package = repack(gallery, {"collection.anki21b": bomb})
    result, top = peak(lambda: parse_apkg(package, "gallery.apkg"))
    assert [e.message for e in result.errors] == [
        "zip entry 'collection.anki21b' expands more than 100:1 (limit 100:1)"]
    assert top < PEAK_CAP, top


def test_a_zstd_media_list_bomb_is_refused_with_bounded_memory(gallery):
    bomb = zstandard.ZstdCompressor(level=19).compress(pb(1, pb(1, b"a.png")) * (10 * MB // 9))
    package = repack(gallery, {"media": bomb})
    result, top = peak(lambda: parse_apkg(package, "gallery.apkg"))
    assert [e.message for e in result.errors] == ["the media list expands more than 100:1 (limit 100:1)"]
    assert top < PEAK_CAP, top


def test_the_preview_reads_one_image_within_the_same_limits(gallery):
    assert package_image(gallery, "img3.png").startswith(b"\x89PNG")
    assert package_image(gallery, "nope.png") is None
    assert package_image(gallery, "../img3.png") is None
    bomb = zstandard.ZstdCompressor(level=19).compress(bytes(10 * MB))
    image, top = peak(lambda: package_image(with_media(gallery, {"img3.png": bomb}), "img3.png"))
    assert image is None and top < PEAK_CAP, top


def test_a_legacy_package_with_a_deflate_bomb_image(tmp_path):
    """The zip's own rule, for legacy packages (media stored by the zip, not zstd)."""
    col = Collection(str(tmp_path / "c.anki2"))
    try:
        (tmp_path / "x.png").write_bytes(b"\x89PNG")
        name = col.media.add_file(str(tmp_path / "x.png"))
        add_note(col, "Basic", "D", Front="x", Back=f'<img src="{name}">')
        package = export(col, tmp_path / "legacy.apkg", legacy=True)
    finally:
        col.close()
    with zipfile.ZipFile(BytesIO(package)) as archive:
        media = json.loads(archive.read("media"))
    zipped = next(k for k, v in media.items() if v == name)
    bomb = repack(package, {zipped: bytes(50 * MB)})
    result, top = peak(lambda: parse_apkg(bomb))
    assert any("expands" in e.message and "(limit 100:1)" in e.message for e in result.errors)
    assert top < PEAK_CAP, top
