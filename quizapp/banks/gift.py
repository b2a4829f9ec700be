"""Moodle GIFT question files, read and written (reference: Moodle's question/format/gift/format.php).

Reading has two stages so that each can be checked on its own. ``read_gift`` parses every
question block the way Moodle's importer does into a ``GiftQuestion`` shaped like Moodle's
``$question`` object (same names, same quirks, plus line numbers); ``parse_gift`` converts
those into our ``Question`` model and validates the bank.

Where Moodle is silent or does something unhelpful we differ, on purpose:
- problems are errors with lines, all of them at once, instead of skipped questions;
- an unescaped brace after the answer block or a second ``{`` inside it is an error;
- a ``$CATEGORY:`` line takes only its own line (Moodle swallows the rest of the block);
- a stray ``";`` after the closing brace (PHP string leftovers) does not make a blank;
- leading indentation of question text is kept (as Moodle's ``readquestion`` does; its file
  reader trims lines first).

What GIFT cannot hold (cloze, ordering, units, a flashcard's explanation, sources, evidence,
difficulty, unknown keys, the bank's id and description) travels in ``// [quizapp] {json}``
comment lines, which Moodle ignores, so native -> GIFT -> native loses nothing.
"""
from __future__ import annotations

import html
import itertools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from ..domain.questions import REGISTRY, get_type
from ..domain.questions.cloze import segments
from .model import SLUG, Bank, BankIssue, ParseResult, Question, slugify, unique_ids, validate_bank
from .sanitize import clean_html, html_to_text

WS = " \t\n\r\0\x0b"  # what PHP's trim() removes
FORMAT_TAG = re.compile(r"\[(moodle|html|plain|markdown)\]")
WEIGHT = re.compile(r"%-*[0-9]{1,2}\.?[0-9]*%")  # Moodle's $giftanswerweightregex
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # PHP is_numeric, trimmed
ID_TOKEN = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
TAG_TOKEN = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
META = re.compile(r"//\s*\[quizapp\]\s*(.*)$", re.DOTALL)
CONTEXT = re.compile(r"^\$[a-z0-9]*\$$")  # $course$, $system$, $module$, $cat1$ ...
ESCAPE = re.compile(r"\\([\\:#={}~n])")
TRUE_FALSE = ("T", "TRUE", "F", "FALSE")
BLANK = "_____"
STRAY_TAIL = '";'
NO_MODEL_ANSWER = "There is no model answer for this question: answer it, then rate yourself."
OUR_FORMAT = {"html": "html", "markdown": "markdown"}  # moodle and plain read as plain


# -- stage 1: Moodle's parse ---------------------------------------------------------------------


@dataclass
class GiftQuestion:
    """One question as Moodle's GIFT importer builds it (field names as in Moodle's ``$question``).

    Formats are Moodle's format names: moodle, html, plain, markdown. ``answer`` and the lists
    after it run in parallel; numerical answers and tolerances are kept as the text Moodle keeps.
    """

    qtype: str  # multichoice, truefalse, shortanswer, numerical, match, essay, description
    name: str
    named: bool = False  # the name came from ::title::
    questiontext: str = ""
    questiontextformat: str = "moodle"
    generalfeedback: str = ""
    generalfeedbackformat: str = "moodle"
    answer: list[str] = field(default_factory=list)
    answerformat: list[str] = field(default_factory=list)
    fraction: list[float] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    feedbackformat: list[str] = field(default_factory=list)
    tolerance: list[str] = field(default_factory=list)
    answerline: list[int] = field(default_factory=list)
    single: int | None = None
    subquestions: list[str] = field(default_factory=list)
    subquestionformat: list[str] = field(default_factory=list)
    subanswers: list[str] = field(default_factory=list)
    correctanswer: int | None = None
    feedbacktrue: str = ""
    feedbacktrueformat: str = "moodle"
    feedbackfalse: str = ""
    feedbackfalseformat: str = "moodle"
    penalty: float | None = None
    tags: list[str] = field(default_factory=list)
    idnumber: str = ""
    category: str | None = None
    line: int = 0
    meta: dict[str, Any] = field(default_factory=dict)  # from a // [quizapp] {json} comment
    meta_line: int | None = None


@dataclass
class GiftRead:
    """Everything stage 1 found in a file."""

    questions: list[GiftQuestion] = field(default_factory=list)
    errors: list[BankIssue] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    bank_meta: dict[str, Any] = field(default_factory=dict)
    bank_meta_line: int | None = None


class _Escapes:
    """Moodle's escapedchar_pre/post, with private-use placeholders the file does not contain."""

    def __init__(self, text: str) -> None:
        used = set(text)
        ranges = itertools.chain(range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))
        free = (chr(c) for c in ranges if chr(c) not in used)
        self.holders = {ch: next(free) for ch in ":#={}~n"}
        self.table = str.maketrans({v: ("\n" if k == "n" else k) for k, v in self.holders.items()})

    def pre(self, text: str) -> str:
        return ESCAPE.sub(lambda m: "\\" if m[1] == "\\" else self.holders[m[1]], text)

    def post(self, text: str) -> str:
        return text.translate(self.table)


def _trim(text: str) -> str:
    return text.strip(WS)


def _decode(data: str | bytes, file: str) -> tuple[str | None, BankIssue | None]:
    """UTF-8 text with line ends made ``\\n``; a clear issue for bytes that are not UTF-8."""
    if isinstance(data, (bytes, bytearray)):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = bytes(data)[: exc.start].count(b"\n") + 1
            return None, BankIssue(
                file, line, f"is not UTF-8 text (byte 0x{bytes(data)[exc.start]:02x} at line {line}); "
                "save the file as UTF-8 and upload it again")
    else:
        text = str(data).removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the number of its first line."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for n, line in enumerate(text.split("\n"), 1):
        if _trim(line):
            if not current:
                first = n
            current.append(line.rstrip(WS))
        elif current:
            out.append((first, current))
            current = []
    if current:
        out.append((first, current))
    return out


def read_gift(data: str | bytes, file: str = "questions.gift") -> GiftRead:
    """Stage 1: every question block parsed as Moodle would, with the category it is in."""
    text, problem = _decode(data, file)
    result = GiftRead()
    if problem or text is None:
        result.errors.append(problem or BankIssue(file, None, "could not be read"))
        return result
    escapes = _Escapes(text)
    category: str | None = None
    for first, lines in _blocks(text):
        category = _Block(first, lines, escapes, file, result).read(category)
    return result


class _Block:
    """One block of lines between blank lines, parsed as Moodle's ``readquestion`` does."""

    def __init__(self, first: int, lines: list[str], escapes: _Escapes, file: str, result: GiftRead) -> None:
        self.first, self.esc, self.file, self.result = first, escapes, file, result
        self.comments: list[str] = []
        self.meta: dict[str, Any] = {}
        self.meta_line: int | None = None
        self.name: str | None = None
        self.failed = False
        body = []
        for n, line in enumerate(lines):
            trimmed = _trim(line)
            if trimmed.startswith("//"):
                self.comments.append(trimmed)
                self._meta(trimmed, first + n)
                body.append(" ")
            else:
                body.append(line)
        self.pre = escapes.pre("\n".join(body))

    # -- helpers ---------------------------------------------------------------------------------
    def line(self, index: int) -> int:
        return self.first + self.pre.count("\n", 0, max(index, 0))

    def error(self, line: int, message: str) -> None:
        self.failed = True
        self.result.errors.append(BankIssue(self.file, line, message, question=self.name or None))

    def skip(self, start: int, end: int) -> int:
        while start < end and self.pre[start] in WS:
            start += 1
        return start

    def _meta(self, comment: str, line: int) -> None:
        m = META.match(comment)
        if not m:
            return
        try:
            data = json.loads(m[1])
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            self.result.errors.append(BankIssue(
                self.file, line, "the [quizapp] comment must be followed by a JSON object on the same line"))
            return
        bank = data.pop("bank", None)
        if bank is not None and not self.result.bank_meta_line:
            if isinstance(bank, dict):
                self.result.bank_meta, self.result.bank_meta_line = bank, line
            else:
                self.result.errors.append(BankIssue(self.file, line, "the [quizapp] 'bank' entry must be a mapping"))
        if data:
            self.meta, self.meta_line = data, line

    def text(self, raw: str, default: str = "moodle") -> tuple[str, str]:
        """Moodle's parse_text_with_format: an optional [format] prefix, escapes restored, trimmed."""
        text = _trim(raw)
        fmt = default
        m = FORMAT_TAG.match(text)
        if m:
            fmt, text = m[1], text[m.end():]
        return _trim(self.esc.post(text)), fmt

    def comment(self, raw: str, default: str) -> tuple[tuple[str, str], tuple[str, str]]:
        """Moodle's commentparser: ``answer#feedback``."""
        bits = raw.split("#", 1)
        feedback = self.text(bits[1], default) if len(bits) > 1 else ("", default)
        return self.text(bits[0], default), feedback

    def weight(self, m: re.Match[str], line: int) -> float:
        try:
            value = float(Decimal(m[0][1:-1]).scaleb(-2))
        except InvalidOperation:
            self.error(line, f"the weight {m[0]} is not a number (write %50% or %-33.33333%)")
            return 0.0
        return value

    def pieces(self, text: str, base: int, keep_equals: bool) -> list[tuple[int, str]]:
        """Moodle's explode on '=' (or, for multiple choice, on '~' after '=' became '~='):
        (line, trimmed piece), an empty first piece dropped."""
        out: list[tuple[int, str]] = []
        start = 0
        for i, ch in enumerate(text):
            if ch == "=" or (keep_equals and ch == "~"):
                out.append((start, text[start:i]))
                start = i if (keep_equals and ch == "=") else i + 1
        out.append((start, text[start:]))
        if not _trim(out[0][1]):
            out.pop(0)
        return [(self.line(base + off + len(p) - len(p.lstrip(WS))), _trim(p)) for off, p in out]

    # -- the block -------------------------------------------------------------------------------
    def read(self, category: str | None) -> str | None:
        pre = self.pre
        end = len(pre.rstrip(WS))
        start = self.skip(0, end)
        if start >= end:
            return category
        if pre.startswith("$CATEGORY:", start):
            eol = pre.find("\n", start, end)
            eol = end if eol < 0 else eol
            category = _trim(self.esc.post(pre[start + 10 : eol]))
            self.result.categories.append(category)
            start = self.skip(eol, end)
            if start >= end:
                return category
        question = self.question(start, end)
        if question is not None and not self.failed:
            question.category = category
            comments = "".join(c + "\n" for c in self.comments)
            m = ID_TOKEN.search(comments)
            question.idnumber = _trim(m[1].replace("\\]", "]")) if m else ""
            question.tags = [t for t in (_trim(raw.replace("\\]", "]")) for raw in TAG_TOKEN.findall(comments)) if t]
            question.meta, question.meta_line = self.meta, self.meta_line
            self.result.questions.append(question)
        return category

    def question(self, start: int, end: int) -> GiftQuestion | None:
        pre = self.pre
        first_line = self.line(start)
        named = False
        if pre.startswith("::", start):
            finish = pre.find("::", start + 2, end)
            if finish < 0:
                start += 2
            else:
                self.name = _clean_name(self.esc.post(pre[start + 2 : finish]))
                named = bool(self.name)
                start = self.skip(finish + 2, end)
        opening, closing = pre.find("{", start, end), pre.find("}", start, end)
        description = opening < 0 and closing < 0
        if description:
            answertext, rawtext = "", pre[start:end]
            answer_at = start
        elif opening < 0 or (0 <= closing < opening):
            self.error(self.line(closing), "'}' closes no '{' (write a literal brace as \\})")
            return None
        elif closing < 0:
            self.error(self.line(opening), "'{' opens an answer block that no '}' closes")
            return None
        else:
            inner = pre[opening + 1 : closing]
            answertext = _trim(inner)
            answer_at = opening + 1 + len(inner) - len(inner.lstrip(WS))
            tail = pre[closing + 1 : end]
            second = pre.find("{", opening + 1, closing)
            if second >= 0:
                self.error(self.line(second), "a second '{' inside the answer block "
                           "(write a literal brace as \\{)")
            stray = re.search(r"[{}]", tail)
            if stray:
                self.error(self.line(closing + 1 + stray.start()),
                           "a question has one answer block; this brace comes after it "
                           "(write a literal brace as \\{ or \\})")
            if self.failed:
                return None
            missing_word = bool(tail) and _trim(tail) != STRAY_TAIL
            rawtext = pre[start:opening] + (BLANK + tail if missing_word else "")
        cut = answertext.rfind("####")
        generalfeedback = ""
        if cut >= 0:
            generalfeedback = answertext[cut + 4 :]
            answertext = _trim(answertext[:cut])
        questiontext, qformat = self.text(rawtext)
        gf, gf_format = self.text(generalfeedback, qformat)
        q = GiftQuestion(
            qtype="", name=self.name or _default_name(questiontext), named=named,
            questiontext=questiontext, questiontextformat=qformat,
            generalfeedback=gf, generalfeedbackformat=gf_format, line=first_line,
        )
        if description:
            q.qtype = "description"
        elif answertext == "":
            q.qtype = "essay"
        elif answertext[0] == "#":
            q.qtype = "numerical"
            self.numerical(q, answertext, answer_at)
        elif "~" in answertext:
            q.qtype = "multichoice"
            self.multichoice(q, answertext, answer_at)
        elif "=" in answertext and "->" in answertext:
            q.qtype = "match"
            self.match(q, answertext, answer_at)
        else:
            check = answertext
            if answertext.find("#") > 0:
                check = _trim(answertext[: answertext.find("#")])
            if check in TRUE_FALSE:
                q.qtype = "truefalse"
                self.truefalse(q, answertext)
            else:
                q.qtype = "shortanswer"
                self.shortanswer(q, answertext, answer_at)
        return None if self.failed else q

    def _add(self, q: GiftQuestion, line: int, weight: float, answer: tuple[str, str],
             feedback: tuple[str, str]) -> None:
        q.answer.append(answer[0])
        q.answerformat.append(answer[1])
        q.fraction.append(weight)
        q.feedback.append(feedback[0])
        q.feedbackformat.append(feedback[1])
        q.answerline.append(line)

    def multichoice(self, q: GiftQuestion, answertext: str, at: int) -> None:
        q.single = 0 if "=" not in answertext else 1
        answers = self.pieces(answertext, at, keep_equals=True)
        if len(answers) < 2:
            self.error(self.line(at), "a multiple-choice question needs at least 2 choices (~wrong =right)")
            return
        for line, text in answers:
            weight = 0.0
            if text.startswith("="):
                weight, text = 1.0, text[1:]
            elif m := WEIGHT.match(text):
                weight, text = self.weight(m, line), text[m.end() :]
            answer, feedback = self.comment(text, q.questiontextformat)
            self._add(q, line, weight, answer, feedback)

    def match(self, q: GiftQuestion, answertext: str, at: int) -> None:
        answers = self.pieces(answertext, at, keep_equals=False)
        if len(answers) < 2:
            self.error(self.line(at), "a matching question needs at least 2 pairs (=left -> right)")
            return
        for line, text in answers:
            if "->" not in text:
                self.error(line, f"{self.esc.post(text)!r} is not a pair: write =left -> right")
                continue
            left, right = text.split("->", 1)
            sub, sub_format = self.text(left, q.questiontextformat)
            q.subquestions.append(sub)
            q.subquestionformat.append(sub_format)
            q.subanswers.append(_trim(self.esc.post(right)))
            q.answerline.append(line)

    def truefalse(self, q: GiftQuestion, answertext: str) -> None:
        bits = answertext.split("#", 2)
        answer = self.text(bits[0], q.questiontextformat)[0]
        wrong = self.text(bits[1], q.questiontextformat) if len(bits) > 1 else ("", q.questiontextformat)
        right = self.text(bits[2], q.questiontextformat) if len(bits) > 2 else ("", q.questiontextformat)
        q.correctanswer = 1 if answer in ("T", "TRUE") else 0
        # The first feedback is shown to a wrong answer, the second to a right one.
        true_fb, false_fb = (right, wrong) if q.correctanswer else (wrong, right)
        q.feedbacktrue, q.feedbacktrueformat = true_fb
        q.feedbackfalse, q.feedbackfalseformat = false_fb
        q.penalty = 1.0

    def weighted(self, q: GiftQuestion, answers):
        """Each ``=answer`` piece as (line, weight, answer, feedback); ``%50%`` sets the weight."""
        for line, text in answers:
            weight = 1.0
            if m := WEIGHT.match(text):
                weight, text = self.weight(m, line), text[m.end() :]
            answer, feedback = self.comment(text, q.questiontextformat)
            yield line, weight, answer, feedback

    def shortanswer(self, q: GiftQuestion, answertext: str, at: int) -> None:
        answers = self.pieces(answertext, at, keep_equals=False)
        if not answers:
            self.error(self.line(at), "a short-answer question needs at least one answer (=answer)")
            return
        for line, weight, answer, feedback in self.weighted(q, answers):
            self._add(q, line, weight, answer, feedback)

    def numerical(self, q: GiftQuestion, answertext: str, at: int) -> None:
        answertext, at = answertext[1:], at + 1
        wrong = ""
        if (pos := answertext.find("~")) >= 0:
            answertext, wrong = answertext[:pos], answertext[pos:]
        answers = self.pieces(answertext, at, keep_equals=False)
        if not answers:
            self.error(self.line(at), "a numerical question needs an answer after '#' ({#1822} or {#1822:2})")
            return
        for line, weight, answer, feedback in self.weighted(q, answers):
            value, tolerance = self.number(answer[0], line)
            self._add(q, line, weight, (value, answer[1]), feedback)
            q.tolerance.append(tolerance)
        if wrong:
            feedback = self.comment(wrong, q.questiontextformat)[1]
            self._add(q, self.line(at + pos), 0.0, ("*", q.questiontextformat), feedback)
            q.tolerance.append("")

    def number(self, text: str, line: int) -> tuple[str, str]:
        """``answer``, ``answer:tolerance`` or ``min..max`` as (answer, tolerance) texts."""
        if text.find("..") > 0:
            low, high = _trim(text[: text.find("..")]), _trim(text[text.find("..") + 2 :])
            lo, hi = _number(low), _number(high)
            if lo is None or hi is None:
                self.error(line, f"the range {text!r} needs a number on each side of '..'")
                return text, "0"
            if lo > hi:
                self.error(line, f"the range {text!r} runs backwards: write the smaller number first")
                return text, "0"
            middle = (lo + hi) / 2
            return _show(middle), _show(hi - middle)
        if text.find(":") > 0:
            value, tolerance = _trim(text[: text.find(":")]), _trim(text[text.find(":") + 1 :])
        else:
            value, tolerance = _trim(text), "0"
        if value != "*" and _number(value) is None:
            self.error(line, f"the numerical answer {value!r} is not a number "
                       "(write 1822, 1822:2 for 1822 plus or minus 2, or 1820..1824)")
        elif _number(tolerance) is None:
            self.error(line, f"the tolerance {tolerance!r} is not a number")
        return value, tolerance


def _number(text: str) -> int | float | None:
    text = _trim(text)
    if not NUMBER.fullmatch(text):
        return None
    if re.fullmatch(r"[+-]?\d{1,18}", text):
        return int(text)
    value = float(text)
    return value if math.isfinite(value) else None


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _clean_name(name: str) -> str:
    return " ".join(html_to_text(name).split())[:255]


def _default_name(questiontext: str) -> str:
    """Moodle's create_default_question_name: the text, shortened to 80 characters."""
    text = " ".join(html_to_text(questiontext).split())
    return (text if len(text) <= 80 else text[:77] + "...") or "Question"


# -- stage 2: our model --------------------------------------------------------------------------


def parse_gift(data: str | bytes, file: str = "questions.gift", bank_id: str | None = None,
               title: str | None = None) -> ParseResult:
    """A GIFT file as a validated bank, or every error found (each with its line)."""
    read = read_gift(data, file)
    errors = list(read.errors)
    notices: list[BankIssue] = []
    root = _category_segments(read.categories[0]) if read.categories else []
    bank_title = _trim(title or "") or (root[-1] if root else "") or _file_title(file)
    questions: list[Question] = []
    for gq in read.questions:
        if gq.qtype == "description":
            notices.append(BankIssue(file, gq.line, "a description (text with no answer block) is not a "
                                     "question; left out", question=gq.name, level="skipped"))
            continue
        question, problems = _convert(gq, file, bank_title)
        errors += problems
        if question is not None:
            questions.append(question)
    unique_ids(questions)
    bank = Bank(id="", title=bank_title, questions=questions)
    errors += _apply_bank_meta(bank, read, file)
    bank.id = bank_id or bank.id or slugify(bank_title, "gift")
    if not questions and not errors:
        errors.append(BankIssue(file, None, "has no questions (a GIFT question is text followed by an "
                                "answer block such as {=right ~wrong})"))
    errors += validate_bank(bank, file)
    errors.sort(key=lambda e: e.line or 0)
    return ParseResult(None if errors else bank, errors, notices, partial=bank)


def _file_title(file: str) -> str:
    name = PurePath(file).name
    for suffix in (".txt", ".gift"):
        name = name.removesuffix(suffix)
    return _trim(name) or "GIFT import"


def _category_segments(path: str) -> list[str]:
    """A category path's names; '//' is a literal '/', and Moodle's context and 'top' are dropped."""
    parts = [_trim(p.replace("//", "/")) for p in re.split(r"(?<!/)/(?!/)", path)]
    parts = [p for p in parts if p]
    if parts and CONTEXT.match(parts[0]):
        parts = parts[1:]
        if parts and parts[0] == "top":
            parts = parts[1:]
    return parts


def _as(text: str, fmt: str, target: str) -> str:
    """A text written in Moodle format ``fmt`` as our format ``target`` (HTML sanitised)."""
    if fmt == "html":
        return clean_html(text) if target == "html" else html_to_text(text)
    if target == "html":
        return html.escape(text, quote=False).replace("\n", "<br>")
    return text


def _convert(gq: GiftQuestion, file: str, bank_title: str) -> tuple[Question | None, list[BankIssue]]:
    target = OUR_FORMAT.get(gq.questiontextformat, "plain")
    problems: list[BankIssue] = []

    def problem(message: str, line: int | None = None) -> None:
        problems.append(BankIssue(file, line or gq.line, message, question=gq.name))

    for fraction, line in zip(gq.fraction, gq.answerline):
        if not -1 <= fraction <= 1:
            problem(f"the weight {fraction * 100:g}% is outside -100%..100%", line)
    prompt = _as(gq.questiontext, gq.questiontextformat, target)
    explanation = _as(gq.generalfeedback, gq.generalfeedbackformat, target)
    qtype, fields = _CONVERTERS[gq.qtype](gq, target, prompt, problem)
    meta = gq.meta
    if qtype == "flashcard" and not meta.get("type"):
        explanation = ""  # the general feedback became the back
    if meta:
        qtype, fields, explanation = _apply_meta(gq, qtype, fields, explanation, target, problem)
    if problems:
        return None, problems
    question = Question(
        id=_question_id(gq), type=qtype, fields=fields, explanation=explanation,
        tags=_question_tags(gq, bank_title), format=target, line=gq.line,
    )
    for key, check in (("source", _is_text), ("difficulty", _is_text), ("evidence", _is_texts),
                       ("extra", lambda v: isinstance(v, dict))):
        if key in meta:
            if check(meta[key]):
                setattr(question, key, meta[key])
            else:
                problem(f"the [quizapp] comment's {key!r} has the wrong shape", gq.meta_line)
    return (None, problems) if problems else (question, [])


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


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


def _question_tags(gq: GiftQuestion, bank_title: str) -> list[str]:
    """Tags from the category path (except the name the bank took) and from [tag:] comments."""
    tags: list[str] = []
    own = slugify(bank_title, "")
    for segment in _category_segments(gq.category or ""):
        slug = slugify(segment, "")
        if slug and slug != own:
            tags.append(slug)
    tags += gq.tags
    return list(dict.fromkeys(tags))


Problem = Callable[..., None]  # problem(message, line=None) records an error of the question


def _choice_texts(gq: GiftQuestion, target: str, problem: Problem) -> tuple[list[str], dict[str, str]]:
    choices = [_as(a, f, target) for a, f in zip(gq.answer, gq.answerformat)]
    for choice, line in zip(choices, gq.answerline):
        if not _trim(choice):
            problem("a choice is empty", line)
    feedback = {c: _as(t, f, target) for c, t, f in zip(choices, gq.feedback, gq.feedbackformat) if t}
    return choices, feedback


def _multichoice(gq: GiftQuestion, target: str, prompt: str, problem: Problem) -> tuple[str, dict]:
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
        if rights and _snapped(weights, choices, rights) == _default_weights(choices, rights):
            weights = {}  # the default scheme: leave it implicit
        qtype = "multiple_select"
    if weights:
        fields["weights"] = weights
    if feedback:
        fields["feedback"] = feedback
    return qtype, fields


def _default_weights(choices: list[str], rights: list[str]) -> dict[str, float]:
    """What a multiple-select question without weights grades by: +1/n right, -1/n wrong."""
    n = len(rights)
    return {c: (1 / n if c in rights else -1 / n) for c in choices}


def _snapped(weights: dict[str, float], choices: list[str], rights: list[str]) -> dict[str, float]:
    """``weights`` snapped to the default scheme where within Moodle's 5 decimals of a percent."""
    default = _default_weights(choices, rights)
    return {c: (default[c] if abs(weights.get(c, 0.0) - default[c]) < 1e-5 else weights.get(c, 0.0))
            for c in choices}


def _truefalse(gq: GiftQuestion, target: str, prompt: str, problem: Problem) -> tuple[str, dict]:
    fields: dict[str, Any] = {"prompt": prompt, "answer": gq.correctanswer == 1}
    feedback = {key: _as(text, fmt, target) for key, text, fmt in (
        ("true", gq.feedbacktrue, gq.feedbacktrueformat), ("false", gq.feedbackfalse, gq.feedbackfalseformat),
    ) if text}
    if feedback:
        fields["feedback"] = feedback
    return "true_false", fields


def _shortanswer(gq: GiftQuestion, target: str, prompt: str, problem: Problem) -> tuple[str, dict]:
    for answer, line in zip(gq.answer, gq.answerline):
        if not answer:
            problem("an answer is empty", line)
    if not any(f >= 1 for f in gq.fraction):
        problem("a short-answer question needs an answer with full credit (=answer or =%100%answer)")
    fields: dict[str, Any] = {"prompt": prompt, "answers": list(gq.answer)}
    weights = {a: f for a, f in zip(gq.answer, gq.fraction) if f != 1}
    feedback = {a: _as(t, fmt, target) for a, t, fmt in zip(gq.answer, gq.feedback, gq.feedbackformat) if t}
    if weights:
        fields["weights"] = weights
    if feedback:
        fields["feedback"] = feedback
    return "short_answer", fields


def _numerical(gq: GiftQuestion, target: str, prompt: str, problem: Problem) -> tuple[str, dict]:
    entries = []
    for answer, tolerance, fraction, text, fmt in zip(
            gq.answer, gq.tolerance, gq.fraction, gq.feedback, gq.feedbackformat):
        if answer == "*":
            continue  # Moodle's catch-all feedback for any other number; our type has none
        entries.append((_number(answer), _number(tolerance) or 0, fraction, _as(text, fmt, target)))
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
    return "numeric", fields


def _right(text: str, target: str) -> str:
    """Moodle keeps the right side of a pair as plain text."""
    return html.escape(text, quote=False) if target == "html" else text


def _match(gq: GiftQuestion, target: str, prompt: str, problem: Problem) -> tuple[str, dict]:
    pairs, distractors = [], []
    for left, fmt, right, line in zip(gq.subquestions, gq.subquestionformat, gq.subanswers, gq.answerline):
        if not right:
            problem("the right side of a pair is empty", line)
        elif left:
            pairs.append([_as(left, fmt, target), _right(right, target)])
        else:
            distractors.append(_right(right, target))
    if len(pairs) < 2:
        problem(f"a matching question needs at least 2 pairs (=left -> right), has {len(pairs)}; "
                "pairs with an empty left (= -> right) are only distractors")
    fields: dict[str, Any] = {"prompt": prompt, "pairs": pairs}
    if distractors:
        fields["distractors"] = distractors
    return "matching", fields


def _essay(gq: GiftQuestion, target: str, prompt: str, problem: Problem) -> tuple[str, dict]:
    back = _as(gq.generalfeedback, gq.generalfeedbackformat, target) or NO_MODEL_ANSWER
    return "flashcard", {"front": prompt, "back": back}


_CONVERTERS = {
    "multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
    "numerical": _numerical, "match": _match, "essay": _essay,
}


def _apply_meta(gq: GiftQuestion, qtype: str, fields: dict[str, Any], explanation: str, target: str,
                problem: Problem) -> tuple[str, dict[str, Any], str]:
    """What a ``// [quizapp] {json}`` comment adds to what the GIFT question holds."""
    meta, line = gq.meta, gq.meta_line
    extra_fields = meta.get("fields", {})
    if not isinstance(extra_fields, dict):
        problem("the [quizapp] comment's 'fields' must be a mapping", line)
        extra_fields = {}
    kind = meta.get("type")
    if kind == "cloze":
        qtype = "cloze"
        fields = {k: v for k, v in extra_fields.items() if k in get_type("cloze").fields}
    elif kind == "ordering":
        if gq.qtype != "match":
            problem("an ordering question (so marked by its [quizapp] comment) is written as "
                    "matching pairs =1 -> first item", line)
        else:
            positions = [_number(left) for left in gq.subquestions]
            if sorted(p for p in positions if isinstance(p, int)) != list(range(1, len(positions) + 1)):
                problem("an ordering question's pairs must be numbered =1 -> ..., =2 -> ... on the left", line)
            else:
                order = sorted(zip(positions, gq.subanswers), key=lambda pair: pair[0])
                qtype = "ordering"
                fields = {"prompt": fields["prompt"], "items": [_right(r, target) for _, r in order]}
    elif kind is not None:
        problem(f"the [quizapp] comment names an unknown type {kind!r}", line)
    else:
        own = get_type(qtype).fields if qtype in REGISTRY else ()
        fields.update({k: v for k, v in extra_fields.items() if k in own})
    if "explanation" in meta:
        if isinstance(meta["explanation"], str):
            explanation = meta["explanation"]
        else:
            problem("the [quizapp] comment's 'explanation' must be text", line)
    return qtype, fields, explanation


def _apply_bank_meta(bank: Bank, read: GiftRead, file: str) -> list[BankIssue]:
    meta, line = read.bank_meta, read.bank_meta_line
    problems = []
    shapes = {"id": _is_text, "description": _is_text, "tags": _is_texts,
              "sources": lambda v: isinstance(v, dict), "extra": lambda v: isinstance(v, dict)}
    for key, check in shapes.items():
        if key in meta:
            if check(meta[key]):
                setattr(bank, key, meta[key])
            else:
                problems.append(BankIssue(file, line, f"the [quizapp] bank entry's {key!r} has the wrong shape"))
    return problems


# -- writer --------------------------------------------------------------------------------------


def dump_gift(bank: Bank) -> str:
    """The bank as GIFT: Moodle imports every question; our reader gets the bank back whole."""
    head = {"id": bank.id}
    for key in ("description", "tags", "sources", "extra"):
        if getattr(bank, key):
            head[key] = getattr(bank, key)
    blocks = ["// Question bank exported from quizapp as Moodle GIFT.\n"
              f"// [quizapp] {_json({'bank': head})}\n"
              f"$CATEGORY: {_escape(' '.join(str(bank.title).split()).replace('/', '//'))}"]
    blocks += [_write_question(q) for q in bank.questions]
    return "\n\n".join(blocks) + "\n"


def _json(value: Any) -> str:
    """One line of JSON that Moodle's [id:]/[tag:] scan cannot mistake for a token."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text.replace("[tag:", "\\u005btag:").replace("[id:", "\\u005bid:")


def _escape(text: Any) -> str:
    """Moodle's repchar: GIFT's special characters escaped, line breaks as \\n."""
    text = str(text).replace("\\", "\\\\")
    for ch in "#=~{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def _tag_of(fmt: str) -> str:
    return {"html": "[html]", "markdown": "[markdown]"}.get(fmt, "[moodle]")


def _lead_tag(text: str, fmt: str) -> str:
    """The question text's format tag; a plain text that itself starts like [html] gets [moodle]."""
    tag = {"html": "[html]", "markdown": "[markdown]"}.get(fmt, "")
    return tag or ("[moodle]" if FORMAT_TAG.match(text) else "")


def _lead(text: Any, fmt: str) -> str:
    text = _trim(str(text))
    return _lead_tag(text, fmt) + _escape(text)


def _sub(text: Any, fmt: str) -> str:
    """An answer or feedback text: it takes the question's format unless it starts like [html]."""
    text = _trim(str(text))
    return (_tag_of(fmt) if FORMAT_TAG.match(text) else "") + _escape(text)


def _percent(weight: Any) -> str:
    digits = format(Decimal(repr(float(weight))).scaleb(2), "f")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return f"%{digits}%"


def _marked(mark: str, weight: float | None, text: Any, fmt: str, guard: bool = True) -> str:
    """``mark`` (~ or =), an optional %weight%, and the text; a text that starts with % gets an
    explicit weight so that Moodle does not read its start as one (unless ``guard`` is off)."""
    body = _sub(text, fmt)
    if weight is None and guard and body.startswith("%"):
        weight = 1.0 if mark == "=" else 0.0
    return mark + ("" if weight is None else _percent(weight)) + body


def _plain(text: Any, fmt: str) -> str:
    return html_to_text(str(text)) if fmt == "html" else str(text)


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return str(value) if isinstance(value, int) else repr(float(value))


@dataclass
class _Written:
    """A question's GIFT parts: text before the block, the block, text after it, [quizapp] extras."""

    text: str
    block: str
    tail: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def _write_question(q: Question) -> str:
    writer = _WRITERS.get(q.type)
    if writer is None:
        return f"// question {q.id!r} of type {q.type!r} has no GIFT form; left out"
    written = writer(q.fields, q.format)
    marks = [f"[id:{_token(q.id)}]"] + [f"[tag:{_token(t)}]" for t in q.tags]
    lines = ["// " + " ".join(marks)]
    meta: dict[str, Any] = dict(written.meta)
    for key in ("source", "difficulty"):
        if getattr(q, key) is not None:
            meta[key] = getattr(q, key)
    if q.evidence:
        meta["evidence"] = list(q.evidence)
    if q.extra:
        meta["extra"] = q.extra
    explanation, block = q.explanation, written.block
    if q.type == "flashcard":  # its general feedback is the back
        if explanation:
            meta["explanation"] = explanation
        explanation = ""
    if meta:
        lines.append(f"// [quizapp] {_json(meta)}")
    if explanation:
        general = "####" + _sub(explanation, q.format)
        block = block[:-1] + (f"\t{general}\n}}" if block.endswith("\n}") else f"{general}}}")
    lines.append(f"::{_escape(q.id)}::" + written.text + block + written.tail)
    return "\n".join(lines)


def _token(text: Any) -> str:
    return " ".join(str(text).split()).replace("]", "\\]")


def _rows(rows: list[str]) -> str:
    return "{\n" + "".join(f"\t{row}\n" for row in rows) + "}"


def _feedback(notes: Any, key: Any, fmt: str) -> str:
    note = notes.get(key) if isinstance(notes, dict) else None
    return f"#{_sub(note, fmt)}" if note else ""


def _w_multiple_choice(f: dict, fmt: str) -> _Written:
    weights, rows = f.get("weights") or {}, []
    for choice in f.get("choices") or []:
        if str(choice) == str(f.get("answer")):
            row = _marked("=", None, choice, fmt, guard=False)  # Moodle reads no weight after =
        else:
            row = _marked("~", weights.get(choice, 0) or None, choice, fmt)
        rows.append(row + _feedback(f.get("feedback"), choice, fmt))
    return _Written(_lead(f.get("prompt", ""), fmt), _rows(rows))


def _w_multiple_select(f: dict, fmt: str) -> _Written:
    """All choices with ~%weight% (an = would make Moodle read a single-answer question)."""
    choices, rights = f.get("choices") or [], [str(a) for a in f.get("answers") or []]
    weights = f.get("weights") or (_default_weights([str(c) for c in choices], rights) if rights else {})
    rows = [_marked("~", weights.get(c, weights.get(str(c), 0)) or None, c, fmt)
            + _feedback(f.get("feedback"), c, fmt) for c in choices]
    return _Written(_lead(f.get("prompt", ""), fmt), _rows(rows))


def _w_true_false(f: dict, fmt: str) -> _Written:
    """{TRUE#shown to a wrong answer#shown to a right answer}, as Moodle writes it."""
    notes = f.get("feedback") if isinstance(f.get("feedback"), dict) else {}
    right_key, wrong_key = ("true", "false") if f.get("answer") is True else ("false", "true")
    right, wrong = notes.get(right_key), notes.get(wrong_key)
    block = "{" + ("TRUE" if f.get("answer") is True else "FALSE")
    if wrong:
        block += "#" + _sub(wrong, fmt)
    elif right:
        block += "#"
    if right:
        block += "#" + _sub(right, fmt)
    return _Written(_lead(f.get("prompt", ""), fmt), block + "}")


def _w_short_answer(f: dict, fmt: str) -> _Written:
    weights, rows = f.get("weights") or {}, []
    for answer in f.get("answers") or []:
        weight = weights.get(answer, 1)
        rows.append(_marked("=", None if weight == 1 else weight, answer, fmt)
                    + _feedback(f.get("feedback"), answer, fmt))
    return _Written(_lead(f.get("prompt", ""), fmt), _rows(rows))


def _w_numeric(f: dict, fmt: str) -> _Written:
    note = f.get("feedback") if isinstance(f.get("feedback"), str) else ""
    rows = [f"={_number_text(f.get('answer'))}:{_number_text(f.get('tolerance') or 0)}"
            + (f"#{_sub(note, fmt)}" if note else "")]
    for alt in f.get("alternatives") or []:
        if isinstance(alt, dict):
            rows.append(f"={_percent(alt.get('weight', 0))}{_number_text(alt.get('answer'))}:"
                        f"{_number_text(alt.get('tolerance') or 0)}"
                        + (f"#{_sub(alt['feedback'], fmt)}" if alt.get("feedback") else ""))
    meta = {"fields": {"unit": f["unit"]}} if f.get("unit") else {}
    return _Written(_lead(f.get("prompt", ""), fmt), "{#\n" + "".join(f"\t{r}\n" for r in rows) + "}",
                    meta=meta)


def _pair_rows(pairs: list[tuple[Any, Any]], fmt: str) -> list[str]:
    return [f"={_sub(left, fmt)} -> {_escape(_trim(_plain(right, fmt)))}" for left, right in pairs]


def _w_matching(f: dict, fmt: str) -> _Written:
    pairs = [(p[0], p[1]) for p in f.get("pairs") or [] if isinstance(p, (list, tuple)) and len(p) == 2]
    pairs += [("", d) for d in f.get("distractors") or []]
    return _Written(_lead(f.get("prompt", ""), fmt), _rows(_pair_rows(pairs, fmt)))


def _w_ordering(f: dict, fmt: str) -> _Written:
    """Moodle has no ordering: position -> item pairs, and Moodle learners match positions to items."""
    pairs = [(str(n), item) for n, item in enumerate(f.get("items") or [], 1)]
    return _Written(_lead(f.get("prompt", ""), fmt), _rows(_pair_rows(pairs, fmt)), meta={"type": "ordering"})


def _w_flashcard(f: dict, fmt: str) -> _Written:
    """An essay whose general feedback is the back (our reader makes it a flashcard again)."""
    return _Written(_lead(f.get("front", ""), fmt), "{####" + _sub(f.get("back", ""), fmt) + "}")


def _w_cloze(f: dict, fmt: str) -> _Written:
    """For Moodle, a missing-word short answer on the first deletion (the others shown filled
    in); for our reader, the cloze itself in the [quizapp] comment."""
    meta = {"type": "cloze", "fields": {k: f[k] for k in ("text", "extra") if k in f}}
    parts = segments(str(f.get("text", "")))
    at = next((i for i, s in enumerate(parts) if s.index is not None
               and s.index == min(p.index for p in parts if p.index is not None)), None)
    if at is None:
        return _Written(_lead(f.get("text", ""), fmt), "{}", meta=meta)
    before = "".join(s.text for s in parts[:at]).lstrip()
    after = "".join(s.text for s in parts[at + 1 :]).rstrip()
    answer = _trim(_plain(parts[at].text, fmt)).replace("->", "- >")
    block = "{" + _marked("=", None, answer, fmt) + "}" if answer else "{}"
    return _Written(_lead_tag(before, fmt) + _escape(before), block, _escape(after), meta)


_WRITERS = {
    "multiple_choice": _w_multiple_choice, "multiple_select": _w_multiple_select,
    "true_false": _w_true_false, "short_answer": _w_short_answer, "numeric": _w_numeric,
    "matching": _w_matching, "ordering": _w_ordering, "flashcard": _w_flashcard, "cloze": _w_cloze,
}
