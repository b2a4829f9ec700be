"""Images added in the question editor (banks/images.py): only raster types, recognised by their
bytes; metadata stripped; damaged and oversized files refused with the reason; safe names."""
from __future__ import annotations

import pytest

from quizapp.banks.images import MAX_IMAGE_BYTES, ImageError, clean_image, media_name
from tests.images import gif, jpeg, png, webp

SECRET = b"GPS 51.5074 N, home of the teacher"


@pytest.mark.parametrize(("make", "kind"), [(png, "image/png"), (jpeg, "image/jpeg"), (webp, "image/webp")])
def test_metadata_is_removed_and_the_picture_kept(make, kind):
    data = make(SECRET)
    cleaned, found = clean_image(data, "photo")
    assert found == kind and SECRET not in cleaned and SECRET in data
    if kind != "image/jpeg":  # (a JPEG loses its comment segment even without EXIF)
        assert clean_image(make(b""), "photo")[0] == make(b"")
    # What is left is still an image of that type, and cleaning it again changes nothing.
    assert clean_image(cleaned, "photo") == (cleaned, kind)


def test_jpeg_keeps_everything_from_the_start_of_scan_and_drops_comments():
    cleaned, _ = clean_image(jpeg(SECRET))
    assert cleaned.endswith(b"\x12\x34\xff\xd9") and b"a comment" not in cleaned and b"JFIF" in cleaned


def test_webp_no_longer_announces_the_exif_it_lost():
    cleaned, _ = clean_image(webp(SECRET))
    assert cleaned[20] & 0x08 == 0 and int.from_bytes(cleaned[4:8], "little") == len(cleaned) - 8


def test_a_gif_is_taken_as_it_is():
    assert clean_image(gif()) == (gif(), "image/gif")


@pytest.mark.parametrize(("data", "message"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "evil.svg: not a PNG, JPEG, GIF or WebP image"),
    (b"<html><img src=x onerror=alert(1)></html>", "evil.svg: not a PNG, JPEG, GIF or WebP image"),
    (b"", "evil.svg: the file is empty"),
    (png()[:30], "evil.svg: the PNG file is damaged"),
    (jpeg()[:12], "evil.svg: the JPEG file is damaged"),
    (gif()[:-1], "evil.svg: the GIF file is damaged"),
])
def test_what_is_not_a_whole_raster_image_is_refused_with_the_reason(data, message):
    with pytest.raises(ImageError, match=message):
        clean_image(data, "evil.svg")


def test_an_image_over_the_size_limit_is_refused():
    with pytest.raises(ImageError, match=r"big.png: the image is 2(\.0)? MB; the limit is 2 MB"):
        clean_image(png() + b"\x00" * MAX_IMAGE_BYTES, "big.png")


def test_names_are_plain_unique_and_carry_the_real_type():
    assert media_name("../../etc/Cell <b>diagram.PNG", "image/png", set()) == "Cell-b-diagram.png"
    assert media_name("C:\\Users\\me\\Zelle ä.png", "image/jpeg", set()) == "Zelle-a.jpg"  # a JPEG named .png
    assert media_name("cell.png", "image/png", {"cell.png", "cell-2.png"}) == "cell-3.png"
    assert media_name("...", "image/gif", set()) == "image.gif"
