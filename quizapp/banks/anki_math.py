"""Anki's math markup turned into the MathJax delimiters the study pages typeset (KaTeX).

Anki writes math as MathJax, ``\\(...\\)`` inline and ``\\[...\\]`` displayed, or for its LaTeX
image generator as ``[$]...[/$]``, ``[$$]...[/$$]`` and ``[latex]...[/latex]``. On import the
latter become MathJax: ``[$]`` inline, ``[$$]`` displayed, ``[latex]`` by what it holds (``$x$``
inline, ``$$x$$`` or an environment displayed, else inline). As Anki does before rendering
(``cloze.rs``, ``strip_html_inside_mathjax``), HTML tags inside MathJax are removed: the editor
leaves ``<br>`` and ``<span>`` there and no typesetter reads them.

Every scan moves forward only (``str.find`` from the last position; an opener whose closer is
nowhere after it ends the search for that kind), so hostile text costs linear time.
"""
from __future__ import annotations

import re

_ANKI_OPEN = re.compile(r"\[(\$\$|\$|latex)\]", re.IGNORECASE)
_CLOSERS = {"$": "[/$]", "$$": "[/$$]", "latex": "[/latex]"}
_MATHJAX_OPEN = re.compile(r"\\[(\[]")
_MATHJAX_CLOSE = re.compile(r"\\[)\]]")
_TAG = re.compile(r"<[^<>]*>")
_ENVIRONMENT = re.compile(r"^\\begin\{")


def _latex(body: str) -> str:
    inner = body.strip()
    if len(inner) >= 4 and inner.startswith("$$") and inner.endswith("$$"):
        return "\\[" + inner[2:-2] + "\\]"
    if len(inner) >= 2 and inner.startswith("$") and inner.endswith("$"):
        return "\\(" + inner[1:-1] + "\\)"
    if _ENVIRONMENT.match(inner):
        return "\\[" + inner + "\\]"
    return "\\(" + inner + "\\)"


def anki_math_to_mathjax(text: str) -> str:
    """``[$]``, ``[$$]`` and ``[latex]`` spans as MathJax; anything unclosed is left as it is."""
    if "[" not in text:
        return text
    lower = text.lower()
    out: list[str] = []
    pos = 0
    dead: set[str] = set()  # kinds with no closer left: no later opener of theirs can close
    for m in _ANKI_OPEN.finditer(text):
        kind = m.group(1).lower()
        if m.start() < pos or kind in dead:
            continue
        close = lower.find(_CLOSERS[kind], m.end())
        if close < 0:
            dead.add(kind)
            continue
        body = text[m.end():close]
        out.append(text[pos:m.start()])
        out.append(_latex(body) if kind == "latex" else ("\\(" if kind == "$" else "\\[") + body
                   + ("\\)" if kind == "$" else "\\]"))
        pos = close + len(_CLOSERS[kind])
    out.append(text[pos:])
    return "".join(out)


def strip_html_inside_mathjax(text: str) -> str:
    """Tags removed between ``\\(``/``\\[`` and the next ``\\)``/``\\]`` (entities kept), as Anki does."""
    if "\\" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        opener = _MATHJAX_OPEN.search(text, pos)
        if opener is None:
            break
        closer = _MATHJAX_CLOSE.search(text, opener.end())
        if closer is None:
            break
        out.append(text[pos:opener.end()])
        out.append(_TAG.sub("", text[opener.end():closer.start()]))
        out.append(closer.group(0))
        pos = closer.end()
    out.append(text[pos:])
    return "".join(out)


def mathjax_from_anki(text: str) -> str:
    """Both steps: what an imported field holds, ready for the study pages."""
    return strip_html_inside_mathjax(anki_math_to_mathjax(text))
