"""A bank written as GIFT: every question imports into Moodle as the same question, and our
reader gets the bank back whole.

What Moodle sees is plain GIFT, written by Moodle's own rules (``repchar`` escapes, ``[format]``
tags, a ``$CATEGORY`` it never unescapes). Where Moodle cannot take a question as it is, the file
changes what it must and the export says so in a notice (and in a comment at the top):
- weights Moodle does not list (``question_bank::fraction_options_full``: 35 %, 1/11, ...)
  move to the nearest weight it lists, here too: the file holds one truth;
- a short answer holding ``->`` among several answers (Moodle would read a matching question)
  is written with the wildcard ``-*>``, which Moodle and we grade alike.
Everything else GIFT cannot hold, or holds only in a form our reader would read otherwise
(cloze, ordering, units, grading switches, a flashcard's explanation, sources, evidence,
difficulty, unknown keys, a title that is not a Moodle name, the bank's id and description),
travels in ``// [quizapp] {json}`` comment lines, which Moodle ignores. Which fields need one is
found by reading the question back the way our reader will, so native -> GIFT -> native loses
nothing but the moved weights.
"""
from __future__ import annotations

import copy
import html
import json
from dataclasses import dataclass, field
from typing import Any

from ...domain.questions.cloze import segments
from ..model import Bank, BankIssue, Question
from ..sanitize import html_to_text
from .convert import category_segments, convert, default_weights
from .grades import percent, snap
from .reader import read_gift
from .text import WS, category_path, escape, html_of_plain, starts_like_tag, trim, weight_end

FILE = "questions.gift"
_MISSING = object()


@dataclass
class GiftExport:
    """The GIFT text and what it had to change for Moodle (one notice per change)."""

    text: str
    notices: list[BankIssue] = field(default_factory=list)


def dump_gift(bank: Bank) -> str:
    """The bank as GIFT (see ``export_gift`` for what was changed on the way)."""
    return export_gift(bank).text


def export_gift(bank: Bank) -> GiftExport:
    """The bank as GIFT, with a notice for every change Moodle made necessary (also written as
    ``// Moodle:`` comments at the top of the file)."""
    notices: list[BankIssue] = []
    blocks = [_write_question(q, notices) for q in bank.questions]
    head: dict[str, Any] = {"id": bank.id}
    for key in ("description", "tags", "sources", "extra"):
        if getattr(bank, key):
            head[key] = getattr(bank, key)
    lines = ["// Question bank exported from quizapp as Moodle GIFT."]
    lines += [f"// Moodle: question {n.question!r}: {' '.join(n.message.split())}" for n in notices]
    title = " ".join(str(bank.title).split())
    path = category_path(title) if title else ""
    if not path or category_segments(path.replace("\\\\", "\\"))[-1:] != [bank.title]:  # as read: \\ halved
        head["title"] = bank.title
    lines.append(f"// [quizapp] {_json({'bank': head})}")
    if path:
        lines.append(f"$CATEGORY: {path}")
    return GiftExport("\n\n".join(["\n".join(lines), *blocks]) + "\n", notices)


def _json(value: Any) -> str:
    """One line of JSON that Moodle's [id:]/[tag:] scan cannot mistake for a token; keys sorted,
    so the same question is always written the same."""
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text.replace("[tag:", "\\u005btag:").replace("[id:", "\\u005bid:")


# -- weights -------------------------------------------------------------------------------------


def snap_weights(q: Question) -> tuple[Question, list[str]]:
    """The question with every weight Moodle would refuse moved to the nearest one it accepts,
    and a sentence for each move. Weights Moodle accepts (1/3 within its 5 decimals) stay."""
    f = copy.deepcopy(q.fields)
    notes: list[str] = []

    def fix(weight: Any, what: str) -> Any:
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            return weight
        moved = snap(weight)
        if not moved.moved:
            return weight
        notes.append(f"the weight {float(weight) * 100:.6g}% of {what} is not one Moodle accepts; "
                     f"written as {percent(moved.weight)}%")
        return moved.weight

    def fix_map(key: str, what: str) -> None:
        if isinstance(f.get(key), dict):
            f[key] = {k: fix(w, f"{what} {k!r}") for k, w in f[key].items()}

    if q.type in ("multiple_choice", "short_answer"):
        fix_map("weights", "the choice" if q.type == "multiple_choice" else "the answer")
    elif q.type == "multiple_select":
        choices = [str(c) for c in f.get("choices") or []]
        rights = [str(a) for a in f.get("answers") or []]
        if f.get("weights"):
            fix_map("weights", "the choice")
        elif rights:
            implied = default_weights(choices, rights)
            if any(snap(w).moved for w in implied.values()):
                f["weights"] = {c: w for c, w in ((c, fix(w, f"the choice {c!r}")) for c, w in implied.items()) if w}
    elif q.type == "numeric":
        for n, alt in enumerate(f.get("alternatives") or []):
            if isinstance(alt, dict) and "weight" in alt:
                alt["weight"] = fix(alt["weight"], f"alternative answer {n + 1}")
    return Question(**{**q.__dict__, "fields": f}), notes


def _percent(weight: Any) -> str:
    return f"%{percent(snap(float(weight)).weight)}%"


# -- texts ---------------------------------------------------------------------------------------


class _Texts:
    """Texts of one question written so that Moodle shows them as we do, in our format ``fmt``."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt if fmt in ("html", "markdown") else "plain"

    def lead(self, text: Any, tail: str = "") -> str:
        """The question text (``tail``: what follows a missing word's block): [html]/[markdown] for
        those; plain text holding < or & as [plain] (Moodle's default format renders it as HTML)."""
        text = str(text).lstrip(WS) if tail else trim(str(text))  # the space before a blank stays
        if self.fmt != "plain":
            return f"[{self.fmt}]" + escape(text)
        return ("[plain]" if _needs_plain(text) or _needs_plain(" " + tail) else "") + escape(text)

    def sub(self, text: Any, arrow_free: bool = False) -> str:
        """An answer, feedback or left side, in the question's format unless it says otherwise.
        ``arrow_free``: no ``->`` may show (a matching left side, a short answer's feedback)."""
        text = trim(str(text))
        if self.fmt == "plain":
            if arrow_free and "->" in text:
                return "[html]" + escape(html_of_plain(text))
            return ("[plain]" if _needs_plain(text) else "") + escape(text)
        if arrow_free:
            text = text.replace("->", "-&gt;")  # the same character, as HTML and Markdown read it
        return (f"[{self.fmt}]" if starts_like_tag(text) else "") + escape(text)

    @staticmethod
    def answer(text: Any) -> str:
        """A short answer: compared, never shown, so only a leading [format] needs cover."""
        text = trim(str(text))
        return ("[moodle]" if starts_like_tag(text) else "") + escape(text)

    def plain(self, text: Any) -> str:
        """A matching right side, which Moodle keeps as plain text (never empty: Moodle stops)."""
        shown = trim(html_to_text(str(text)) if self.fmt == "html" else str(text))
        return escape(shown or trim(str(text)))


def _needs_plain(text: str) -> bool:
    return "<" in text or "&" in text or starts_like_tag(text)


def _marked(mark: str, weight: float | None, body: str) -> str:
    """``mark`` (~, = or nothing), an optional %weight%, and the text; a text that starts like a
    weight gets an explicit one so that Moodle does not read its start as the weight."""
    if weight is None and weight_end(body) > 0:
        weight = 0.0 if mark == "~" else 1.0
    return mark + ("" if weight is None else _percent(weight)) + body


# -- questions -----------------------------------------------------------------------------------


@dataclass
class _Written:
    """A question's GIFT parts: text before the block, the block, text after it, [quizapp] extras."""

    text: str
    block: str
    tail: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _write_question(q: Question, notices: list[BankIssue]) -> str:
    writer = _WRITERS.get(q.type)
    if writer is None:
        notices.append(BankIssue(FILE, None, f"its type {q.type!r} has no GIFT form; left out",
                                 question=q.id, level="notice"))
        return f"// question {q.id!r} of type {q.type!r} has no GIFT form; left out"
    q, notes = snap_weights(q)
    written = writer(q.fields, _Texts(q.format))
    notes += written.notes
    notices += [BankIssue(FILE, None, n, question=q.id, level="notice") for n in notes]
    marks = [f"[id:{_token(q.id)}]"] + [f"[tag:{_token(t)}]" for t in q.tags]
    block = written.block
    if q.explanation and q.type != "flashcard":  # a flashcard's general feedback is its back
        general = "####" + _Texts(q.format).sub(q.explanation)
        block = block[:-1] + (f"\t{general}\n}}" if block.endswith("\n}") else f"{general}}}")
    head = "// " + " ".join(marks)
    # Moodle cleans a name as PARAM_TEXT (tags stripped) and shows it as HTML: < and & as entities.
    body = f"::{escape(html.escape(q.title or q.id, quote=False))}::" + written.text + block + written.tail
    meta: dict[str, Any] = dict(written.meta)
    for key in ("source", "difficulty"):
        if getattr(q, key) is not None:
            meta[key] = getattr(q, key)
    if q.evidence:
        meta["evidence"] = list(q.evidence)
    if q.extra:
        meta["extra"] = q.extra
    differences, trouble = _differences(q, head, meta, body)
    meta.update(differences)
    if trouble:
        notices.append(BankIssue(FILE, None, f"Moodle may not import it as written: {trouble}",
                                 question=q.id, level="notice"))
    lines = [head] + ([f"// [quizapp] {_json(meta)}"] if meta else []) + [body]
    return "\n".join(lines)


def _differences(q: Question, head: str, meta: dict[str, Any], body: str) -> tuple[dict[str, Any], str]:
    """What our reader would get wrong from the written question: the entries that put it right
    (and, should our reader refuse the GIFT form, which Moodle would too, why)."""
    text = "\n".join([head] + ([f"// [quizapp] {_json(meta)}"] if meta else []) + [body])
    read = read_gift(text, FILE)
    back, problems, _ = convert(read.questions[0], FILE) if len(read.questions) == 1 else (None, [], [])
    if back is None or read.errors or problems:
        trouble = next((i.message for i in read.errors + problems), "it reads as no question")
        return {"type": q.type, "fields": q.fields, "explanation": q.explanation, "title": q.title,
                "format": q.format, "tags": list(q.tags)}, trouble
    out: dict[str, Any] = {}
    if back.type != q.type:
        out["type"], out["fields"] = q.type, q.fields
    else:
        changed = {k: v for k, v in q.fields.items() if back.fields.get(k, _MISSING) != v}
        if changed:
            out["fields"] = {**meta.get("fields", {}), **changed}
        drop = [k for k in back.fields if k not in q.fields]
        if drop:
            out["drop"] = drop
    for key in ("explanation", "title", "format", "tags"):
        if getattr(back, key) != getattr(q, key):
            out[key] = getattr(q, key)
    return out, ""


def _token(text: Any) -> str:
    return " ".join(str(text).split()).replace("]", "\\]")


def _rows(rows: list[str]) -> str:
    return "{\n" + "".join(f"\t{row}\n" for row in rows) + "}"


def _feedback(notes: Any, key: Any, texts: _Texts, arrow_free: bool = False) -> str:
    note = notes.get(key) if isinstance(notes, dict) else None
    return f"#{texts.sub(note, arrow_free)}" if note else ""


def _w_multiple_choice(f: dict, texts: _Texts) -> _Written:
    weights, rows = f.get("weights") or {}, []
    for choice in f.get("choices") or []:
        if str(choice) == str(f.get("answer")):
            row = "=" + texts.sub(choice)  # Moodle reads no weight after =
        else:
            row = _marked("~", weights.get(choice, 0) or None, texts.sub(choice))
        rows.append(row + _feedback(f.get("feedback"), choice, texts))
    return _Written(texts.lead(f.get("prompt", "")), _rows(rows))


def _w_multiple_select(f: dict, texts: _Texts) -> _Written:
    """All choices with ~%weight% (an = would make Moodle read a single-answer question)."""
    choices, rights = f.get("choices") or [], [str(a) for a in f.get("answers") or []]
    weights = f.get("weights") or (default_weights([str(c) for c in choices], rights) if rights else {})
    rows = [_marked("~", weights.get(c, weights.get(str(c), 0)) or None, texts.sub(c))
            + _feedback(f.get("feedback"), c, texts) for c in choices]
    return _Written(texts.lead(f.get("prompt", "")), _rows(rows))


def _w_true_false(f: dict, texts: _Texts) -> _Written:
    """{TRUE#shown to a wrong answer#shown to a right answer}, as Moodle writes it."""
    notes = f.get("feedback") if isinstance(f.get("feedback"), dict) else {}
    right_key, wrong_key = ("true", "false") if f.get("answer") is True else ("false", "true")
    right, wrong = notes.get(right_key), notes.get(wrong_key)
    block = "{" + ("TRUE" if f.get("answer") is True else "FALSE")
    if wrong:
        block += "#" + texts.sub(wrong)
    elif right:
        block += "#"
    if right:
        block += "#" + texts.sub(right)
    return _Written(texts.lead(f.get("prompt", "")), block + "}")


def _short_rows(answers: list[Any], weights: dict, notes: Any, texts: _Texts) -> tuple[list[str], list[str]]:
    """Rows of a short answer. Moodle reads a block with both '=' and '->' as matching: one answer
    holding '->' goes without its '='; among several, its '->' becomes the wildcard '-*>'."""
    rows, said = [], []
    if len(answers) == 1:
        answer = answers[0]
        arrow = "->" in str(answer) or "->" in str((notes or {}).get(answer, "") if isinstance(notes, dict) else "")
        return [_marked("" if arrow else "=", None, texts.answer(answer))
                + _feedback(notes, answer, texts)], said
    for answer in answers:
        written = str(answer)
        if "->" in written:
            written = written.replace("->", "-*>")
            said.append(f"the answer {str(answer)!r} holds '->', which Moodle reads as a matching pair "
                        f"beside other answers; written as {written!r} (* stands for any text)")
        weight = weights.get(answer, 1)
        rows.append(_marked("=", None if weight == 1 else weight, texts.answer(written))
                    + _feedback(notes, answer, texts, arrow_free=True))
    return rows, said


def _w_short_answer(f: dict, texts: _Texts) -> _Written:
    rows, said = _short_rows(list(f.get("answers") or []), f.get("weights") or {}, f.get("feedback"), texts)
    return _Written(texts.lead(f.get("prompt", "")), _rows(rows), notes=said)


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return str(value) if isinstance(value, int) else repr(float(value))


def _w_numeric(f: dict, texts: _Texts) -> _Written:
    note = f.get("feedback") if isinstance(f.get("feedback"), str) else ""
    rows = [f"={_number_text(f.get('answer'))}:{_number_text(f.get('tolerance') or 0)}"
            + (f"#{texts.sub(note)}" if note else "")]
    for alt in f.get("alternatives") or []:
        if isinstance(alt, dict):
            rows.append(f"={_percent(alt.get('weight', 0))}{_number_text(alt.get('answer'))}:"
                        f"{_number_text(alt.get('tolerance') or 0)}"
                        + (f"#{texts.sub(alt['feedback'])}" if alt.get("feedback") else ""))
    if f.get("wrong_feedback"):
        rows.append(f"~#{texts.sub(f['wrong_feedback'])}")  # Moodle's answer for any other number
    return _Written(texts.lead(f.get("prompt", "")), "{#\n" + "".join(f"\t{r}\n" for r in rows) + "}")


def _pair_rows(pairs: list[tuple[Any, Any]], texts: _Texts) -> list[str]:
    """``=left -> right``: Moodle cuts at the first '->', so none may show in the left side."""
    return [f"={texts.sub(left, arrow_free=True) if str(left) else ''} -> {texts.plain(right)}"
            for left, right in pairs]


def _w_matching(f: dict, texts: _Texts) -> _Written:
    pairs = [(p[0], p[1]) for p in f.get("pairs") or [] if isinstance(p, (list, tuple)) and len(p) == 2]
    pairs += [("", d) for d in f.get("distractors") or []]
    return _Written(texts.lead(f.get("prompt", "")), _rows(_pair_rows(pairs, texts)))


def _w_ordering(f: dict, texts: _Texts) -> _Written:
    """Moodle has no ordering: position -> item pairs, and Moodle learners match positions to items."""
    pairs = [(str(n), item) for n, item in enumerate(f.get("items") or [], 1)]
    return _Written(texts.lead(f.get("prompt", "")), _rows(_pair_rows(pairs, texts)), meta={"type": "ordering"})


def _w_flashcard(f: dict, texts: _Texts) -> _Written:
    """An essay whose general feedback is the back (our reader makes it a flashcard again)."""
    return _Written(texts.lead(f.get("front", "")), "{####" + texts.sub(f.get("back", "")) + "}")


def _w_cloze(f: dict, texts: _Texts) -> _Written:
    """For Moodle, a missing-word short answer on the first deletion (the others shown filled
    in); for our reader, the cloze itself in the [quizapp] comment."""
    meta = {"type": "cloze", "fields": {k: f[k] for k in ("text", "extra") if k in f}}
    parts = segments(str(f.get("text", "")))
    indexes = [p.index for p in parts if p.index is not None]
    at = next((i for i, s in enumerate(parts) if indexes and s.index == min(indexes)), None)
    if at is None:
        return _Written(texts.lead(f.get("text", "")), "{}", meta=meta)
    before = "".join(s.text for s in parts[:at]).lstrip()
    after = "".join(s.text for s in parts[at + 1 :]).rstrip()
    answer = trim(html_to_text(parts[at].text) if texts.fmt == "html" else parts[at].text)
    rows, _ = _short_rows([answer], {}, {}, texts) if answer else ([], [])
    block = "{" + rows[0] + "}" if rows else "{}"
    return _Written(texts.lead(before, after), block, escape(after), meta)


_WRITERS = {
    "multiple_choice": _w_multiple_choice, "multiple_select": _w_multiple_select,
    "true_false": _w_true_false, "short_answer": _w_short_answer, "numeric": _w_numeric,
    "matching": _w_matching, "ordering": _w_ordering, "flashcard": _w_flashcard, "cloze": _w_cloze,
}
