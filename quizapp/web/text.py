"""Rendering question text: plain text escaped, HTML and Markdown sanitised (never trusted)."""
from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..banks.sanitize import clean_html

_markdown = MarkdownIt("commonmark", {"html": False})


def rich(text: object, fmt: str = "plain") -> Markup:
    value = "" if text is None else str(text)
    if fmt == "html":
        return Markup(clean_html(value))  # noqa: S704 (sanitised by nh3 just above)
    if fmt == "markdown":
        return Markup(clean_html(_markdown.render(value)))  # noqa: S704
    return Markup(str(escape(value)).replace("\n", Markup("<br>")))  # noqa: S704 (escaped)


def init_app(app) -> None:
    app.jinja_env.filters["rich"] = rich
