"""Images in question text: the bank's own media and data: images, never another path of the site."""
from __future__ import annotations

import pytest

from quizapp.banks import formats
from quizapp.banks.sanitize import clean_html
from quizapp.web.text import rich

SAME_ORIGIN = ["/study?bank=1", "/study/undo", "//evil.example/x.png", "/media/other-bank/a.png",
               "study?x=1", "../account", "..", "&#47;study", "\\study", "javascript:alert(1)",
               "http://example.org/a.png", "data:text/html,<script>alert(1)</script>",
               "data:image/svg+xml;base64,PHN2Zz4="]


@pytest.mark.parametrize("src", SAME_ORIGIN)
def test_an_image_pointing_anywhere_but_the_banks_media_loses_its_src(src):
    cleaned = clean_html(f'<p>Look <img src="{src}" alt="x"></p>')
    assert "src=" not in cleaned and 'alt="x"' in cleaned


def test_the_banks_own_media_and_data_images_are_kept():
    assert clean_html('<img src="heart diagram.png">') == '<img src="heart diagram.png">'
    png = "data:image/png;base64,iVBORw0KGgo="
    assert clean_html(f'<img src="{png}">') == f'<img src="{png}">'


def test_https_images_only_when_allowed():
    assert "src=" not in clean_html('<img src="https://example.org/a.png">')
    assert 'src="https://example.org/a.png"' in clean_html('<img src="https://example.org/a.png">',
                                                             external_images=True)


def test_links_are_kept_but_never_to_data():
    assert 'href="/help"' in clean_html('<a href="/help">help</a>')
    assert "href" not in clean_html('<a href="data:text/html,x">x</a>')


def test_rendering_rewrites_media_names_and_drops_them_without_a_bank():
    assert 'src="/media/b/a.png"' in rich('<img src="a.png">', "html", media="/media/b/")
    assert "src=" not in rich('<img src="a.png">', "html")  # would resolve against the page's path
    assert "src=" not in rich('<img src="/study?bank=1">', "html", media="/media/b/")


def test_an_imported_bank_loses_a_same_origin_image():
    gift = b'::q1::[html]Which is it? <img src="/study?bank=1&amp;x=2"> <img src="pic.png">{=A ~B}\n'
    parsed = formats.parse(gift, "bank.gift", "auto")
    assert parsed.ok, parsed.errors
    prompt = parsed.bank.questions[0].fields["prompt"]
    assert "/study" not in prompt and 'src="pic.png"' in prompt
