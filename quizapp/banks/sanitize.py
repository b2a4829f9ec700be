"""Uploaded HTML reduced to a safe subset (nh3, the Rust ammonia sanitiser).

Applied when a bank is imported and again when it is rendered: the second pass costs little
and keeps a bank edited straight in the database from carrying script into a page.
"""
from __future__ import annotations

import html
import re
from functools import partial

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto", "data"}  # data: for images only (see _keep_attribute)

# A bank's own media file: a bare name (no scheme, no path, no query), as .apkg fields write them;
# web/text.py turns it into the bank's /media/ URL.
_MEDIA_NAME = re.compile(r"[^\x00-\x1f\"':/\\?#]+")
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)


def _keep_attribute(tag: str, attribute: str, value: str, *, local_images: bool, external_images: bool) -> str | None:
    """An image is fetched by every viewer's browser with their cookies, unasked: only the bank's
    own media (``local_images``), inline ``data:`` images, and https images when the teacher allows
    external ones. Never another path of this site (``<img src="/study/undo">``). A link is
    followed only when clicked, but never to ``data:``."""
    if tag == "img" and attribute == "src":
        value = value.strip()
        if local_images and _MEDIA_NAME.fullmatch(value) and value.strip(".") != "":
            return value
        if _DATA_IMAGE.fullmatch(value):
            return value
        if external_images and value.lower().startswith("https://"):
            return value
        return None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    return value


def clean_html(fragment: str, *, local_images: bool = True, external_images: bool = False) -> str:
    """``fragment`` with script, event handlers, styles and unsafe URLs removed.

    ``local_images``: keep images named by a bare file name (the bank's media; only where they
    will be turned into the bank's media URL). ``external_images``: keep https images.
    """
    return nh3.clean(
        str(fragment),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=partial(_keep_attribute, local_images=local_images, external_images=external_images),
    )


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment (for plain-text exports and tolerant grading)."""
    text = nh3.clean(str(fragment).replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n"),
                     tags=set())
    return html.unescape(text).strip()
