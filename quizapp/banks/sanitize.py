"""Uploaded HTML reduced to a safe subset (nh3, the Rust ammonia sanitiser).

Applied when a bank is imported and again when it is rendered: the second pass costs little
and keeps a bank edited straight in the database from carrying script into a page.
"""
from __future__ import annotations

import html

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(fragment: str) -> str:
    """``fragment`` with script, event handlers, styles and unsafe URLs removed."""
    return nh3.clean(
        str(fragment),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment (for plain-text exports and tolerant grading)."""
    text = nh3.clean(str(fragment).replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n"),
                     tags=set())
    return html.unescape(text).strip()
