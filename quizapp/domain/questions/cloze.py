"""Cloze deletions in Anki's syntax: ``{{c1::answer}}``, ``{{c1::answer::hint}}``, nested
``{{c1::Mao met {{c2::Stalin}}}}`` and shared ``{{c1,2::answer}}``.

Read as Anki's ``rslib/src/cloze.rs`` reads them: the text is cut into tokens (an opening
``{{cN::``, a closing ``}}``, text between them) and the tokens build a tree, so a deletion
may hold others. Each ordinal is a card of its own. On card N a deletion carrying N is one blank
(whatever it holds, inner deletions included, is its answer); any other deletion is shown filled
in, and a deletion inside it may still be a blank. A ``::`` in a deletion's text starts its hint.
As in Anki, at most 10 deletions are open at once (a deeper opening is ignored) and a ``}}``
outside any deletion is plain text.

One pass over the text with a regex that cannot backtrack, then work bounded by the depth (10)
per character: linear in the text, whatever it holds (the old regex was cubic on hostile text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import text
from .base import EditorField, FieldError, Outcome, QuestionType, ReviewRow, capped, register

MAX_DEPTH = 10  # Anki's limit on deletions open at once
# An opening marker or a closing one. Anki reads the ordinals as u16: longer runs of digits are no
# ordinal (and never reach int(), which refuses over 4300 digits).
_TOKEN = re.compile(r"\{\{c([\d,]*+)::|\}\}")
_MALFORMED = re.compile(r"\{\{c\d")
# A single, non-nested deletion: kept for callers that only need the flat, common case. Possessive
# quantifiers and no pattern crossing "{{", so it runs in linear time on any text.
DELETION = re.compile(r"\{\{c(\d{1,9})::((?:(?!\{\{|\}\}|::).)*+)(?:::((?:(?!\{\{|\}\}).)*+))?\}\}", re.DOTALL)


@dataclass(frozen=True)
class Deletion:
    """One ``{{cN::...}}``: its ordinals, what it holds (text and deletions, in order), its hint."""

    ordinals: tuple[int, ...]
    nodes: tuple[str | Deletion, ...]
    hint: str | None = None

    @property
    def text(self) -> str:
        """The answer: everything it holds, inner deletions filled in."""
        return "".join(n if isinstance(n, str) else n.text for n in self.nodes)


@dataclass(frozen=True)
class Segment:
    """A run of plain text, or (when ``index`` is set) one deletion: in ``card_segments`` a blank of
    that card, in ``segments`` a top-level deletion (``index`` its lowest ordinal)."""

    text: str
    index: int | None = None
    hint: str | None = None
    ordinals: tuple[int, ...] = ()


@dataclass(frozen=True)
class Parsed:
    nodes: tuple[str | Deletion, ...]
    unclosed: int = 0  # deletions opened and never closed (Anki drops them)
    too_deep: int = 0  # openings past MAX_DEPTH (Anki ignores them)
    bad_ordinals: int = 0  # "{{c::" or "{{c99999::": no ordinal Anki can read, so plain text


def _ordinals(digits: str) -> tuple[int, ...] | None:
    parts = {int(p) for p in digits.split(",") if p and len(p) <= 5 and int(p) <= 65535}
    return tuple(sorted(parts)) or None


def parse(source: str) -> Parsed:
    """The deletion tree of ``source`` (linear time)."""
    stack: list[tuple[tuple[int, ...], list[str | Deletion], list[str | None]]] = []
    out: list[str | Deletion] = []
    too_deep = bad = 0

    def add_text(chunk: str) -> None:
        if not chunk:
            return
        if stack:
            nodes, hint = stack[-1][1], stack[-1][2]
            if not chunk.startswith("image-occlusion:") and "::" in chunk:
                chunk, hint[0] = chunk.split("::", 1)
            nodes.append(chunk)
        else:
            out.append(chunk)

    pos = 0
    for m in _TOKEN.finditer(source):
        if m.group(1) is not None:
            ordinals = _ordinals(m.group(1))
            if ordinals is None:
                bad += 1
                continue  # plain text, taken with the text around it
            add_text(source[pos:m.start()])
            pos = m.end()
            if len(stack) < MAX_DEPTH:
                stack.append((ordinals, [], [None]))
            else:
                too_deep += 1
        else:
            add_text(source[pos:m.start()])
            pos = m.end()
            if stack:
                ordinals, nodes, hint = stack.pop()
                made = Deletion(ordinals, tuple(nodes), hint[0])
                (stack[-1][1] if stack else out).append(made)
            else:
                out.append("}}")
    add_text(source[pos:])
    return Parsed(tuple(out), len(stack), too_deep, bad)


def deletions(source: str) -> list[Deletion]:
    """Every deletion, nested ones included, in the order they open."""
    found: list[Deletion] = []

    def walk(nodes) -> None:
        for n in nodes:
            if isinstance(n, Deletion):
                found.append(n)
                walk(n.nodes)

    walk(parse(source).nodes)
    return found


def ordinals_of(source: str) -> list[int]:
    """The cards the text makes: every ordinal above 0, nested deletions included."""
    return sorted({o for d in deletions(source) for o in d.ordinals if o > 0})


def card_segments(source: str, card: int) -> list[Segment]:
    """The text as card ``card`` shows it: plain runs, and one blank per outermost deletion carrying
    ``card`` (its whole content is the answer; deletions around it are shown filled in)."""
    out: list[Segment] = []
    buf: list[str] = []

    def walk(nodes) -> None:
        for n in nodes:
            if isinstance(n, str):
                buf.append(n)
            elif card in n.ordinals:
                if buf:
                    out.append(Segment("".join(buf)))
                    buf.clear()
                out.append(Segment(n.text, card, n.hint, n.ordinals))
            else:
                walk(n.nodes)

    walk(parse(source).nodes)
    if buf:
        out.append(Segment("".join(buf)))
    return out


def segments(source: str) -> list[Segment]:
    """The text's top level: plain runs and each outermost deletion (filled in, inner deletions
    included), ``index`` its lowest ordinal. ``card_segments`` gives what one card shows."""
    out: list[Segment] = []
    run: list[str] = []  # adjacent text joined once: adding to a Segment's text each time was quadratic
    for n in parse(source).nodes:
        if isinstance(n, str):
            run.append(n)
            continue
        if run:
            out.append(Segment("".join(run)))
            run.clear()
        out.append(Segment(n.text, n.ordinals[0], n.hint, n.ordinals))
    if run:
        out.append(Segment("".join(run)))
    return out


def strip_deletions(source: str) -> str:
    """The text with every deletion filled in (Anki's ``strip_clozes``)."""
    return "".join(n if isinstance(n, str) else n.text for n in parse(source).nodes)


@register
class Cloze(QuestionType):
    name = "cloze"
    review_item_label = "Blank"
    label = "Fill in the blanks"
    required = ("text",)
    optional = ("extra", "case_sensitive", "typos")
    answer_fields = ("text",)
    defaults = {"case_sensitive": False, "typos": True}
    editor = (EditorField("text", "Text with gaps", "textarea",
                          "Mark each gap as {{c1::answer}}; gaps with the same number are asked together."),)
    quick_seconds = 12.0

    def check(self, q: dict[str, Any]) -> list[FieldError]:
        if not isinstance(q["text"], str):
            return [FieldError("text", "must be text")]
        parsed = parse(q["text"])
        found = deletions(q["text"])
        errors: list[FieldError] = []
        if parsed.unclosed:
            errors.append(FieldError("text", f"has {parsed.unclosed} deletion{'s' if parsed.unclosed > 1 else ''} "
                                             "opened with '{{c' and never closed with '}}'"))
        if parsed.too_deep:
            errors.append(FieldError("text", f"nests deletions more than {MAX_DEPTH} deep"))
        if not found:
            return errors or [FieldError("text", "has no deletion such as {{c1::answer}}")]
        for d in found:
            if not d.text.strip():
                errors.append(FieldError("text", f"deletion c{','.join(map(str, d.ordinals))} is empty"))
        if any(0 in d.ordinals for d in found):
            errors.append(FieldError("text", "deletion numbers start at c1"))
        leftover = [n for n in _text_nodes(parsed.nodes) if _MALFORMED.search(n)]
        if parsed.bad_ordinals or leftover:
            errors.append(FieldError("text", "has a malformed deletion ('{{c' without a number and '::')"))
        return errors

    def cards(self, q: dict[str, Any]) -> list[int]:
        return ordinals_of(q["text"])

    def blanks(self, q: dict[str, Any], card: int) -> list[Segment]:
        return [s for s in card_segments(q["text"], card) if s.index is not None]

    def prompt(self, q: dict[str, Any], card: int = 0) -> str:
        return "".join(
            (f"[{s.hint or '…'}]" if s.index is not None else s.text) for s in card_segments(q["text"], card)
        )

    def present(self, q, card, rng):
        return {"prompt": self.prompt(q, card), "segments": card_segments(q["text"], card), "card": card}

    def read_response(self, getlist, card: int = 0) -> Any:
        return [capped(v.strip()) for v in getlist("answer")[:100]]

    def grade(self, q: dict[str, Any], response: Any, card: int = 0) -> Outcome:
        """Each blank as a short answer (``domain.text``): credit is the share of blanks right; when
        every wrong blank is a near-miss, the outcome names them so the learner may count it right."""
        blanks = self.blanks(q, card)
        given = [str(g) for g in response or []]
        case = q.get("case_sensitive") is True
        right, misses = 0, []
        for i, blank in enumerate(blanks):
            typed = given[i] if i < len(given) else ""
            if text.matches(typed, blank.text, case):
                right += 1
            else:
                misses.append(text.near_miss(typed, [blank.text], case) if q.get("typos") is not False else "")
        near = "; ".join(misses) if misses and all(misses) else ""
        return Outcome(right / len(blanks) if blanks else 0.0, self.expected(q, card), near_miss=near)

    def expected(self, q: dict[str, Any], card: int = 0) -> str:
        return "; ".join(b.text for b in self.blanks(q, card))

    def review(self, q: dict[str, Any], response: Any, card: int = 0) -> list[ReviewRow]:
        """Each blank: what was typed against its answer (as ``grade`` compares them)."""
        blanks = self.blanks(q, card)
        if len(blanks) < 2:
            return []  # one blank: "your answer" and "right answer" say it all
        given = [str(g) for g in response or []]
        case = q.get("case_sensitive") is True
        return [ReviewRow(f"Blank {i + 1}", given[i] if i < len(given) else "", b.text,
                          i < len(given) and text.matches(given[i], b.text, case))
                for i, b in enumerate(blanks)]


def _text_nodes(nodes) -> list[str]:
    found: list[str] = []
    for n in nodes:
        if isinstance(n, str):
            found.append(n)
        else:
            found += _text_nodes(n.nodes)
    return found
