"""Cloze deletions in Anki's syntax: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``.

Each deletion index is a card of its own; on card N the N-deletions are blanks and the
others are shown filled in, as Anki does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import text
from .base import EditorField, FieldError, Outcome, QuestionType, ReviewRow, capped, register

# At most 9 digits: a longer index is no card number (and int() refuses over 4300 digits).
DELETION = re.compile(r"\{\{c(\d{1,9})::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


@dataclass(frozen=True)
class Segment:
    """A run of plain text, or (when ``index`` is set) one deletion."""

    text: str
    index: int | None = None
    hint: str | None = None


def segments(source: str) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for m in DELETION.finditer(source):
        if m.start() > pos:
            out.append(Segment(source[pos : m.start()]))
        out.append(Segment(m.group(2), int(m.group(1)), m.group(3)))
        pos = m.end()
    if pos < len(source):
        out.append(Segment(source[pos:]))
    return out


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
        parts = [s for s in segments(q["text"]) if s.index is not None]
        if not parts:
            return [FieldError("text", "has no deletion such as {{c1::answer}}")]
        errors = [FieldError("text", f"deletion c{s.index} is empty") for s in parts if not s.text.strip()]
        errors += [FieldError("text", "deletion numbers start at c1") for s in parts if s.index < 1][:1]
        leftover = DELETION.sub("", q["text"])
        if "{{c" in leftover:
            errors.append(FieldError("text", "has an unclosed or malformed deletion ('{{c' without '::' or '}}')"))
        return errors

    def cards(self, q: dict[str, Any]) -> list[int]:
        return sorted({s.index for s in segments(q["text"]) if s.index is not None})

    def blanks(self, q: dict[str, Any], card: int) -> list[Segment]:
        return [s for s in segments(q["text"]) if s.index == card]

    def prompt(self, q: dict[str, Any], card: int = 0) -> str:
        return "".join(
            (f"[{s.hint or '…'}]" if s.index == card else s.text) for s in segments(q["text"])
        )

    def present(self, q, card, rng):
        return {"prompt": self.prompt(q, card), "segments": segments(q["text"]), "card": card}

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
