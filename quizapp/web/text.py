"""Rendering question text: plain text escaped, HTML and Markdown sanitised (never trusted)."""
from __future__ import annotations

import re
from urllib.parse import quote

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from ..banks.sanitize import clean_html

_markdown = MarkdownIt("commonmark", {"html": False})


# A bank's own image: a bare file name (no scheme, no slash), as .apkg fields write them.
_LOCAL_IMG = re.compile(r'(<img\b[^>]*?\bsrc=")([^":/?#]+)(")')


def rich(text: object, fmt: str = "plain", media: str | None = None, external_images: bool = False) -> Markup:
    """``text`` as safe HTML; ``media`` is the URL prefix of the bank's images (without it, an
    image named by a bare file name is dropped: it would resolve against the page's own path)."""
    value = "" if text is None else str(text)
    if fmt in ("html", "markdown"):
        html = clean_html(value if fmt == "html" else _markdown.render(value), local_images=bool(media),
                          external_images=external_images)
        if media:
            html = _LOCAL_IMG.sub(lambda m: m.group(1) + media + quote(m.group(2)) + m.group(3), html)
        return Markup(html)  # noqa: S704 (sanitised by nh3 just above)
    return Markup(str(escape(value)).replace("\n", Markup("<br>")))  # noqa: S704 (escaped)


def init_app(app) -> None:
    from ..domain.questions import REGISTRY
    from ..services.documents import passages_for

    app.jinja_env.filters["rich"] = rich
    app.jinja_env.globals["question_types"] = REGISTRY  # each type's own templates (preview_template...)
    app.jinja_env.globals["source_passages"] = passages_for
