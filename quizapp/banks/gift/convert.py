"""Stage 2 of reading GIFT: Moodle's questions (``reader.GiftQuestion``) as our bank model.

- A question's format is Moodle's rendering: markdown when its text is ``[markdown]``; HTML when
  any of its texts renders as HTML in Moodle (``[html]``, or Moodle's default format holding a tag
  or an entity), sanitised; otherwise plain.
- ``::Title::`` becomes the question's title (and its id when no ``[id:]`` gives one); a title
  that only repeats the ``[id:]`` is not kept as a title.
- ``$CATEGORY`` paths become tags, every name of the path (Moodle's context and ``top`` aside).
  In a file Quizapp wrote (it carries the ``[quizapp]`` bank comment) the first category is the
  bank itself and tags nothing. With ``categories="banks"`` they tag nothing: each category is a
  bank of its own instead (``ParseResult.parts``, see ``_split``), checked and saved with the rest.
- What GIFT cannot hold travels in ``// [quizapp] {json}`` comments (see writer.py).
"""
from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from ...domain.questions import REGISTRY, get_type
from ..limits import DEFAULT_LIMITS, Limits, size_text
from ..model import SLUG, Bank, BankIssue, ParseResult, Question, slugify, unique_ids, validate_bank
from ..sanitize import clean_html, html_to_text
from .reader import GiftQuestion, GiftRead, number, read_gift
from .text import has_markup, html_of_plain, renders_html, split_category, trim

NO_MODEL_ANSWER = "There is no model answer for this question: answer it, then rate yourself."
MAX_ERRORS = 500
CONTEXT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

Problem = Callable[..., None]  # problem(message, line=None) records an error of the question


def parse_gift(data: str | bytes, file: str = "questions.gift", bank_id: str | None = None,
               title: str | None = None, limits: Limits = DEFAULT_LIMITS, categories: str = "tags") -> ParseResult:
    """A GIFT file as a validated bank, or every error found (each with its line). ``categories``:
    "tags" (each question tagged with its category's names) or "banks" (one bank per category)."""
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > limits.max_upload_bytes:
        return ParseResult(None, [BankIssue(file, None, f"the file is {size_text(size)} "
                                                        f"(limit {size_text(limits.max_upload_bytes)})")])
    read = read_gift(data, file)
    errors = list(read.errors)
    notices: list[BankIssue] = list(read.warnings)
    split = categories == "banks"
    # (With a bank per category, the first category names its own bank, not the file's.)
    root = category_segments(read.categories[0]) if read.categories and not split else []
    bank_title = trim(title or "") or (root[-1] if root else "") or _file_title(file)
    ours = bool(read.bank_meta_line)  # written by Quizapp: its first category is the bank itself
    questions: list[Question] = []
    groups: list[list[str]] = []  # each question's category path (empty: the bank itself)
    for gq in read.questions:
        if gq.qtype == "description":
            notices.append(BankIssue(file, gq.line, "a description (text with no answer block) is not a "
                                     "question; left out", question=gq.name, level="skipped"))
            continue
        own = ours and gq.category_index == 0
        question, problems, notes = convert(gq, file, skip_category=own or split)
        errors += problems
        notices += notes
        if question is not None:
            questions.append(question)
            groups.append([] if own else category_segments(gq.category or ""))
    unique_ids(questions)
    bank = Bank(id="", title=bank_title, questions=questions)
    errors += _apply_bank_meta(bank, read, file, keep_title=bool(trim(title or "")))
    bank.id = bank_id or bank.id or slugify(bank_title, "gift")
    if not questions and not errors:
        errors.append(_empty(file, read, notices))
    errors += validate_bank(bank, file)
    errors.sort(key=lambda e: e.line or 0)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = errors[:MAX_ERRORS] + [BankIssue(file, None, f"... and {more} more errors")]
    notices.sort(key=lambda e: e.line or 0)
    parts = _split(bank, groups) if split else []
    return ParseResult(None if errors else bank, errors, notices, partial=bank, parts=parts)


def _split(bank: Bank, groups: list[list[str]]) -> list[Bank]:
    """One bank per category, in the file's order: titled by the category's path ("History / China"),
    its id from that title; the questions outside any category stay in ``bank``'s title and id."""
    parts: dict[str, Bank] = {}
    taken = {bank.id} if not all(groups) else set()  # (the file's own bank is one only if it has questions)
    for question, path in zip(bank.questions, groups):
        title = " / ".join(path)
        part = parts.get(title)
        if part is None:
            if title:
                base = slugify(title, "category")[:60]
                part_id, n = base, 2
                while part_id in taken:
                    part_id, n = f"{base}-{n}", n + 1
                taken.add(part_id)
            else:
                part_id, title = bank.id, bank.title
            part = parts[" / ".join(path)] = Bank(id=part_id, title=title, description=bank.description,
                                                  tags=list(bank.tags), sources=dict(bank.sources),
                                                  extra=dict(bank.extra))
        part.questions.append(question)
    return list(parts.values())


def _empty(file: str, read: GiftRead, notices: list[BankIssue]) -> BankIssue:
    how = "(a GIFT question is text followed by an answer block such as {=right ~wrong})"
    if read.categories and not any(n.level == "skipped" for n in notices):
        count = len(read.categories)
        return BankIssue(file, None, f"has no questions, only $CATEGORY lines ({count} "
                         f"{'category' if count == 1 else 'categories'}) {how}")
    return BankIssue(file, None, f"has no questions {how}")


def _file_title(file: str) -> str:
    name = PurePath(file).name
    for suffix in (".txt", ".gift"):
        name = name.removesuffix(suffix)
    return trim(name) or "GIFT import"


def category_segments(path: str) -> list[str]:
    """A category path's names; '//' is a literal '/', and Moodle's context and 'top' are dropped."""
    parts = [p for p in split_category(path) if p]
    first = parts[0] if parts else ""
    if len(first) >= 2 and first[0] == first[-1] == "$" and set(first[1:-1]) <= CONTEXT_CHARS:
        parts = parts[1:]
        if parts and parts[0] == "top":
            parts = parts[1:]
    return parts


def target_format(gq: GiftQuestion) -> str:
    """Our format for the question: how Moodle renders its texts (see the module's note)."""
    if gq.questiontextformat == "markdown":
        return "markdown"
    rendered = [(gq.questiontext, gq.questiontextformat), (gq.generalfeedback, gq.generalfeedbackformat),
                *zip(gq.feedback, gq.feedbackformat), *zip(gq.subquestions, gq.subquestionformat),
                (gq.feedbacktrue, gq.feedbacktrueformat), (gq.feedbackfalse, gq.feedbackfalseformat)]
    if gq.qtype == "multichoice":
        rendered += list(zip(gq.answer, gq.answerformat))
    return "html" if any(renders_html(text, fmt) for text, fmt in rendered) else "plain"


def as_format(text: str, fmt: str, target: str) -> str:
    """A text written in Moodle format ``fmt`` as our format ``target`` (HTML sanitised)."""
    if target == "html":
        if fmt == "html":
            return clean_html(text)
        if fmt == "moodle" and has_markup(text):
            return clean_html(text.replace("\n", "<br>"))  # Moodle's format keeps line breaks
        return html_of_plain(text)
    if renders_html(text, fmt):
        return html_to_text(text)
    return text


def convert(gq: GiftQuestion, file: str, skip_category: bool = False
            ) -> tuple[Question | None, list[BankIssue], list[BankIssue]]:
    """(the question or None, its errors, its notices)."""
    target = target_format(gq)
    problems: list[BankIssue] = []
    notes: list[BankIssue] = []

    def problem(message: str, line: int | None = None) -> None:
        problems.append(BankIssue(file, line or gq.line, message, question=gq.name))

    def notice(message: str, line: int | None = None) -> None:
        notes.append(BankIssue(file, line or gq.line, message, question=gq.name, level="warning"))

    for fraction, line in zip(gq.fraction, gq.answerline):
        if not -1 <= fraction <= 1:
            problem(f"the weight {fraction * 100:g}% is outside -100%..100%", line)
    prompt = as_format(gq.questiontext, gq.questiontextformat, target)
    explanation = as_format(gq.generalfeedback, gq.generalfeedbackformat, target)
    qtype, fields = _CONVERTERS[gq.qtype](gq, target, prompt, problem, notice)
    if qtype == "flashcard":
        explanation = ""  # the general feedback became the back
    question = Question(
        id=_question_id(gq), type=qtype, fields=fields, explanation=explanation,
        tags=_question_tags(gq, skip_category), format=target, line=gq.line,
        title=gq.name if gq.named and gq.name != gq.idnumber else "",
    )
    if gq.meta:
        _apply_meta(gq, question, target, problem)
    if problems:
        return None, problems, notes
    return question, [], notes


def _question_id(gq: GiftQuestion) -> str:
    if gq.idnumber:
        return gq.idnumber if SLUG.match(gq.idnumber) else slugify(gq.idnumber)
    if gq.named:
        return slugify(gq.name)
    slug = ""
    for word in html_to_text(gq.questiontext).split()[:8]:  # the first words, whole, up to 40 characters
        longer = slugify(f"{slug} {word}", "")
        if len(longer) > 40:
            break
        slug = longer
    return slug or slugify(gq.questiontext)[:40].strip("-") or "q"


def _question_tags(gq: GiftQuestion, skip_category: bool) -> list[str]:
    """Tags from the category path (every name in it) and from [tag:] comments."""
    tags: list[str] = []
    if not skip_category:
        tags += [slug for slug in (slugify(s, "") for s in category_segments(gq.category or "")) if slug]
    tags += gq.tags
    return list(dict.fromkeys(tags))


# -- one converter per Moodle type ---------------------------------------------------------------


def _choice_texts(gq: GiftQuestion, target: str, problem: Problem) -> tuple[list[str], dict[str, str]]:
    choices = [as_format(a, f, target) for a, f in zip(gq.answer, gq.answerformat)]
    for choice, line in zip(choices, gq.answerline):
        if not trim(choice):
            problem("a choice is empty", line)
    feedback = {c: as_format(t, f, target) for c, t, f in zip(choices, gq.feedback, gq.feedbackformat) if t}
    return choices, feedback


def _multichoice(gq: GiftQuestion, target: str, prompt: str, problem: Problem, notice: Problem) -> tuple[str, dict]:
    choices, feedback = _choice_texts(gq, target, problem)
    fields: dict[str, Any] = {"prompt": prompt, "choices": choices}
    if gq.single:
        full = [c for c, f in zip(choices, gq.fraction) if f >= 1]
        if not full:
            problem("a multiple-choice question has no right answer (mark it with =)")
            return "multiple_choice", fields
        fields["answer"] = full[0]
        weights = {c: f for c, f in zip(choices, gq.fraction) if f != 0 and c != full[0]}
        qtype = "multiple_choice"
    else:
        rights = [c for c, f in zip(choices, gq.fraction) if f > 0]
        if not rights:
            problem("a multiple-answer question has no right answer (give the right choices a "
                    "positive weight such as ~%50%)")
        fields["answers"] = rights
        weights = {c: f for c, f in zip(choices, gq.fraction) if f != 0}
        if rights and snapped_to_default(weights, choices, rights) == default_weights(choices, rights):
            weights = {}  # the default scheme: leave it implicit
        qtype = "multiple_select"
    if weights:
        fields["weights"] = weights
    if feedback:
        fields["feedback"] = feedback
    return qtype, fields


def default_weights(choices: list[str], rights: list[str]) -> dict[str, float]:
    """What a multiple-select question without weights grades by: +1/n right, -1/n wrong."""
    n = len(rights)
    return {c: (1 / n if c in rights else -1 / n) for c in choices}


def snapped_to_default(weights: dict[str, float], choices: list[str], rights: list[str]) -> dict[str, float]:
    """``weights`` snapped to the default scheme where within Moodle's 5 decimals of a percent."""
    default = default_weights(choices, rights)
    return {c: (default[c] if abs(weights.get(c, 0.0) - default[c]) < 1e-5 else weights.get(c, 0.0))
            for c in choices}


def _truefalse(gq: GiftQuestion, target: str, prompt: str, problem: Problem, notice: Problem) -> tuple[str, dict]:
    fields: dict[str, Any] = {"prompt": prompt, "answer": gq.correctanswer == 1}
    feedback = {key: as_format(text, fmt, target) for key, text, fmt in (
        ("true", gq.feedbacktrue, gq.feedbacktrueformat), ("false", gq.feedbackfalse, gq.feedbackfalseformat),
    ) if text}
    if feedback:
        fields["feedback"] = feedback
    return "true_false", fields


def _shortanswer(gq: GiftQuestion, target: str, prompt: str, problem: Problem, notice: Problem) -> tuple[str, dict]:
    for answer, line in zip(gq.answer, gq.answerline):
        if not answer:
            problem("an answer is empty", line)
    if not any(f >= 1 for f in gq.fraction):
        problem("a short-answer question needs an answer with full credit (=answer or =%100%answer)")
    fields: dict[str, Any] = {"prompt": prompt, "answers": list(gq.answer)}
    weights = {a: f for a, f in zip(gq.answer, gq.fraction) if f != 1}
    feedback = {a: as_format(t, fmt, target) for a, t, fmt in zip(gq.answer, gq.feedback, gq.feedbackformat) if t}
    if weights:
        fields["weights"] = weights
    if feedback:
        fields["feedback"] = feedback
    return "short_answer", fields


def _numerical(gq: GiftQuestion, target: str, prompt: str, problem: Problem, notice: Problem) -> tuple[str, dict]:
    entries = []
    wrong_feedback = None
    for answer, tolerance, fraction, text, fmt, line in zip(
            gq.answer, gq.tolerance, gq.fraction, gq.feedback, gq.feedbackformat, gq.answerline):
        if answer == "*":  # Moodle's answer for any other number; the first one is the one that counts
            if wrong_feedback is None:
                wrong_feedback = as_format(text, fmt, target)
                if fraction:
                    notice(f"the answer for any other number (*) gives {fraction * 100:g}% in Moodle; "
                           "here it gives no credit, only its feedback", line)
            continue
        entries.append((number(answer), number(tolerance) or 0, fraction, as_format(text, fmt, target)))
    fields: dict[str, Any] = {"prompt": prompt}
    main = next((e for e in entries if e[2] >= 1), None)
    if main is None:
        problem("a numerical question needs an answer with full credit")
        return "numeric", fields
    fields.update(answer=main[0], tolerance=main[1])
    if main[3]:
        fields["feedback"] = main[3]
    alternatives = []
    for entry in entries:
        if entry is main:
            continue
        alternative = {"answer": entry[0], "tolerance": entry[1], "weight": entry[2]}
        if entry[3]:
            alternative["feedback"] = entry[3]
        alternatives.append(alternative)
    if alternatives:
        fields["alternatives"] = alternatives
    if wrong_feedback:
        fields["wrong_feedback"] = wrong_feedback
    return "numeric", fields


def _right(text: str, target: str) -> str:
    """Moodle keeps the right side of a pair as plain text."""
    return html.escape(text, quote=False) if target == "html" else text


def _match(gq: GiftQuestion, target: str, prompt: str, problem: Problem, notice: Problem) -> tuple[str, dict]:
    pairs, distractors = [], []
    for left, fmt, right, line in zip(gq.subquestions, gq.subquestionformat, gq.subanswers, gq.answerline):
        if not right:
            problem("the right side of a pair is empty", line)
        elif left:
            pairs.append([as_format(left, fmt, target), _right(right, target)])
        else:
            distractors.append(_right(right, target))
    if len(pairs) < 2:
        problem(f"a matching question needs at least 2 pairs (=left -> right), has {len(pairs)}; "
                "pairs with an empty left (= -> right) are only distractors")
    # Moodle offers each right once: a distractor that repeats a right (or another) adds nothing.
    rights = {right for _, right in pairs}
    distractors = [d for d in dict.fromkeys(distractors) if d not in rights]
    fields: dict[str, Any] = {"prompt": prompt, "pairs": pairs}
    if distractors:
        fields["distractors"] = distractors
    return "matching", fields


def _essay(gq: GiftQuestion, target: str, prompt: str, problem: Problem, notice: Problem) -> tuple[str, dict]:
    back = as_format(gq.generalfeedback, gq.generalfeedbackformat, target) or NO_MODEL_ANSWER
    return "flashcard", {"front": prompt, "back": back}


_CONVERTERS = {
    "multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
    "numerical": _numerical, "match": _match, "essay": _essay,
}


# -- // [quizapp] {json} -------------------------------------------------------------------------


def _apply_meta(gq: GiftQuestion, question: Question, target: str, problem: Problem) -> None:
    """What a ``// [quizapp] {json}`` comment adds to, or puts right in, what the GIFT form holds.

    ``type``: cloze or ordering (written for Moodle as a missing word and as matching) or another
    type whose fields all come from the comment; ``fields``: values over the GIFT form's; ``drop``:
    fields the GIFT form has that the question has not; ``explanation``, ``title``, ``format``,
    ``tags``, ``source``, ``difficulty``, ``evidence``, ``extra``: as in the native format."""
    meta, line = gq.meta, gq.meta_line
    extra_fields = meta.get("fields", {})
    if not isinstance(extra_fields, dict):
        problem("the [quizapp] comment's 'fields' must be a mapping", line)
        extra_fields = {}
    kind = meta.get("type")
    fields = question.fields
    if kind == "ordering" and question.type == "matching":
        positions = [number(left) for left in gq.subquestions]
        if sorted(p for p in positions if isinstance(p, int)) == list(range(1, len(positions) + 1)):
            order = sorted(zip(positions, gq.subanswers), key=lambda pair: pair[0])
            fields = {"prompt": fields["prompt"], "items": [_right(r, target) for _, r in order]}
        elif "items" not in extra_fields:
            problem("an ordering question's pairs must be numbered =1 -> ..., =2 -> ... on the left", line)
        question.type = "ordering"
    elif kind == "ordering" and "items" not in extra_fields:
        problem("an ordering question (so marked by its [quizapp] comment) is written as "
                "matching pairs =1 -> first item", line)
    elif kind is not None and kind != question.type:
        if kind not in REGISTRY:
            problem(f"the [quizapp] comment names an unknown type {kind!r}", line)
            return
        question.type, fields = kind, {}  # the GIFT form is only what Moodle sees of it
    own = get_type(question.type).fields if question.type in REGISTRY else ()
    fields = {**fields, **{k: v for k, v in extra_fields.items() if k in own}}
    drop = meta.get("drop", [])
    if not isinstance(drop, list):
        problem("the [quizapp] comment's 'drop' must be a list of field names", line)
        drop = []
    question.fields = {k: v for k, v in fields.items() if k not in drop}
    for key, check in (("explanation", _is_text), ("title", _is_text), ("format", _is_text),
                       ("tags", _is_texts), ("source", _is_text), ("difficulty", _is_text),
                       ("evidence", _is_texts), ("extra", lambda v: isinstance(v, dict))):
        if key in meta:
            if check(meta[key]):
                setattr(question, key, meta[key])
            else:
                problem(f"the [quizapp] comment's {key!r} has the wrong shape", line)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _apply_bank_meta(bank: Bank, read: GiftRead, file: str, keep_title: bool) -> list[BankIssue]:
    """The bank's own entries from the ``[quizapp]`` comment (a title given by the caller wins)."""
    meta, line = read.bank_meta, read.bank_meta_line
    problems = []
    shapes = {"id": _is_text, "description": _is_text, "tags": _is_texts, "title": _is_text,
              "sources": lambda v: isinstance(v, dict), "extra": lambda v: isinstance(v, dict)}
    for key, check in shapes.items():
        if key in meta and not (key == "title" and keep_title):
            if check(meta[key]):
                setattr(bank, key, meta[key])
            else:
                problems.append(BankIssue(file, line, f"the [quizapp] bank entry's {key!r} has the wrong shape"))
    return problems
