"""Source passages as a person reads them: the evidence quotes of a question marked in clean prose.

A question's evidence is quoted verbatim from its document, and some documents are wikitext: a
passage cut from them would show ``{{sfn|Zhao|2022|p=25}}``, ``<ref>…</ref>``, ``|access-date=…``
and ``[[File:…]]`` around the sentence. The document is turned into plain prose with a real
wikitext parser (mwparserfromhell: templates, references, comments and file links dropped, link
text kept) once per document text, and each quote is found again in that prose. Several quotes
in one paragraph make one passage with every quote marked, not the same passage twice. Documents
without wiki markup (the scraped pages) are left as they are, run-together words and all.
"""
from __future__ import annotations

import contextlib
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass

import mwparserfromhell

RADIUS = 320  # characters of context either side of the quotes, within their paragraph
_WIKI_MARKERS = ("{{", "[[", "<ref", "'''", "{|")
_CACHE: OrderedDict[str, str] = OrderedDict()
_CACHE_SIZE = 32  # documents (each a few hundred KB at most)


@dataclass(frozen=True)
class Passage:
    """A run of a document's prose: ``segments`` are (text, is_quote) in order."""

    segments: tuple[tuple[str, bool], ...]
    more_before: bool
    more_after: bool
    found: bool = True  # False: the quote alone, its document lacking it (or not stored)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.segments)

    @property
    def marked(self) -> list[str]:
        return [t for t, quote in self.segments if quote]


def is_wikitext(text: str) -> bool:
    return any(marker in text for marker in _WIKI_MARKERS)


def plain(text: str) -> str:
    """``text`` as prose: wiki markup removed (cached per text), other text unchanged."""
    if not is_wikitext(text):
        return text
    key = hashlib.sha256(text.encode()).hexdigest()
    cached = _CACHE.get(key)
    if cached is None:
        cached = _CACHE[key] = _strip_wiki(text)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return cached


def _strip_wiki(text: str) -> str:
    code = mwparserfromhell.parse(text)
    for tag in code.filter_tags(recursive=False, matches=lambda n: str(n.tag).lower() in ("ref", "references",
                                                                                         "gallery")):
        _remove(code, tag)
    for link in code.filter_wikilinks(matches=lambda n: str(n.title).strip().lower().startswith(
            ("file:", "image:", "category:"))):
        _remove(code, link)
    prose = code.strip_code(normalize=True, collapse=True, keep_template_params=False)
    # A scraped copy can hold a file link whose "[[" was lost: "File:x.jpeg caption]]" is no prose either.
    prose = re.sub(r"(?m)^[ \t]*(?:File|Image):[^\n]*?\]\]", "", prose)
    prose = prose.replace("[[", "").replace("]]", "")
    prose = re.sub(r"[ \t]+([,.;:])", r"\1", prose)  # "sentence ." left by a removed template
    prose = re.sub(r"[ \t]{2,}", " ", prose)
    return re.sub(r"\n{3,}", "\n\n", prose)


def _remove(code, node) -> None:
    with contextlib.suppress(ValueError):  # already gone with a parent that was removed
        code.remove(node)


def _find(haystack: str, quote: str) -> tuple[int, int] | None:
    words = quote.split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(w) for w in words), haystack)
    return found.span() if found else None


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph around start..end: blank lines part paragraphs where the text has any, else
    every line is one (the wikitext and some scraped pages put a paragraph on each line)."""
    sep = "\n\n" if "\n\n" in text else "\n"
    before = text.rfind(sep, 0, start)
    para_start = before + len(sep) if before >= 0 else 0
    para_end = text.find(sep, end)
    return para_start, len(text) if para_end < 0 else para_end


def passages(text: str, quotes: list[str], radius: int = RADIUS) -> list[Passage]:
    """One passage per paragraph the quotes stand in (quotes of one paragraph marked in one passage),
    in the order of the quotes; a quote the document does not hold comes as it is (``found`` False)."""
    prose = plain(text)
    spans: list[tuple[int, int] | None] = []
    for quote in quotes:
        span = _find(prose, plain(quote)) if is_wikitext(quote) else _find(prose, quote)
        spans.append(span)
    by_paragraph: OrderedDict[tuple[int, int], list[tuple[int, int]]] = OrderedDict()
    order: list[tuple[int, int] | None] = []
    for span in spans:
        if span is None:
            order.append(None)
            continue
        para = _paragraph(prose, *span)
        by_paragraph.setdefault(para, []).append(span)
        order.append(para)
    built = {para: _passage(prose, para, marks, radius) for para, marks in by_paragraph.items()}
    out: list[Passage] = []
    shown: set[tuple[int, int]] = set()
    for quote, para in zip(quotes, order, strict=True):
        if para is None:
            out.append(unfound(quote))
        elif para not in shown:
            shown.add(para)
            out.append(built[para])
    return out


def unfound(quote: str) -> Passage:
    """A quote shown on its own: its document lacks it, or the bank has no documents."""
    return Passage(((quote, False),), False, False, found=False)


def _passage(prose: str, para: tuple[int, int], marks: list[tuple[int, int]], radius: int) -> Passage:
    para_start, para_end = para
    marks = _merged(sorted(marks))
    first, last = marks[0][0], marks[-1][1]
    lo, hi = max(para_start, first - radius), min(para_end, last + radius)
    if lo > para_start:  # cut at a word boundary, not mid-word
        space = prose.find(" ", lo, first)
        lo = space + 1 if space >= 0 else lo
    if hi < para_end:
        space = prose.rfind(" ", last, hi)
        hi = space if space >= 0 else hi
    segments: list[tuple[str, bool]] = []
    pos = lo
    for start, end in marks:
        if start > pos:
            segments.append((_squeeze(prose[pos:start]), False))
        segments.append((_squeeze(prose[start:end]), True))
        pos = end
    if hi > pos:
        segments.append((_squeeze(prose[pos:hi]), False))
    if segments and not segments[0][1]:
        segments[0] = (segments[0][0].lstrip(), False)
    if segments and not segments[-1][1]:
        segments[-1] = (segments[-1][0].rstrip(), False)
    return Passage(tuple(segments), lo > 0, hi < len(prose))


def _merged(marks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in marks:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _squeeze(part: str) -> str:
    return re.sub(r"\s+", " ", part)
