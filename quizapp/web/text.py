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


# What static/js/math.js typesets: MathJax's \( \) and \[ \] (as Anki writes them) and Anki's own
# [$] [$$] [latex]. Only an opening delimiter is looked for: a page that loads KaTeX for nothing
# costs little, one that needs it and lacks it shows raw TeX.
_MATH_OPENERS = ("\\(", "\\[", "[$]", "[$$]", "[latex]")
_MATH_MAX = 20_000
_math_of: dict[tuple[int, str], bool] = {}


def has_math(value: object) -> bool:
    """Whether any text in ``value`` (a string, or lists and dicts of them: a question's data) holds
    maths for KaTeX."""
    if isinstance(value, str):
        return any(opener in value for opener in _MATH_OPENERS)
    if isinstance(value, dict):
        return any(has_math(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_math(v) for v in value)
    return False


def question_has_math(question) -> bool:
    """``has_math`` of the question's data, kept per question version (its content hash): the study
    and feedback pages load KaTeX (300 KB, a script on every card) only for questions with maths."""
    key = (question.id, question.content_hash)
    found = _math_of.get(key)
    if found is None:
        if len(_math_of) >= _MATH_MAX:
            _math_of.clear()
        found = _math_of[key] = has_math(question.data)
    return found


def init_app(app) -> None:
    from ..domain.questions import REGISTRY
    from ..services.documents import passages_for

    app.jinja_env.filters["rich"] = rich
    app.jinja_env.globals["question_types"] = REGISTRY  # each type's own templates (preview_template...)
    app.jinja_env.globals["source_passages"] = passages_for
    app.jinja_env.globals["has_math"] = question_has_math
