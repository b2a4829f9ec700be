"""Stage 1 of reading GIFT: every question block parsed the way Moodle's ``readquestion`` does.

The result is a ``GiftQuestion`` shaped like Moodle's ``$question`` (same names, same quirks,
plus line numbers). Where Moodle is silent or unhelpful we differ, on purpose:
- problems are errors with lines, all of them at once, instead of skipped questions;
- text after the answer block, braces and all, stays in the question text as in Moodle, and a
  second ``{`` inside the block is part of the answers as in Moodle, but both get a warning;
- a ``$CATEGORY:`` line takes only its own line (Moodle swallows the rest of the block);
- a stray ``";`` after the closing brace (PHP string leftovers) does not make a blank;
- a numerical answer that is not a number is an error (Moodle's ``$ans = '*'`` slip makes it a
  catch-all);
- leading indentation of question text is kept (as Moodle's ``readquestion`` does; its file
  reader trims lines first).

Linear time: the block is scanned by hand, line numbers come from a table of line starts.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..encoding import utf8_text
from ..model import BankIssue
from ..sanitize import html_to_text
from .text import FORMAT_TAG, WS, Escapes, comment_tokens, trim, weight_end

TRUE_FALSE = ("T", "TRUE", "F", "FALSE")
BLANK = "_____"
STRAY_TAIL = '";'
META_PREFIX = "[quizapp]"
# A question costs about 2 KB while read: 50,000 stay near 100 MB however short they are written.
MAX_QUESTIONS = 50_000


@dataclass(slots=True)
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
    category_index: int | None = None  # which $CATEGORY line of the file (0 = the first)
    line: int = 0
    meta: dict[str, Any] = field(default_factory=dict)  # from a // [quizapp] {json} comment
    meta_line: int | None = None


@dataclass
class GiftRead:
    """Everything stage 1 found in a file."""

    questions: list[GiftQuestion] = field(default_factory=list)
    errors: list[BankIssue] = field(default_factory=list)
    warnings: list[BankIssue] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    bank_meta: dict[str, Any] = field(default_factory=dict)
    bank_meta_line: int | None = None


def decode(data: str | bytes, file: str) -> tuple[str | None, BankIssue | None]:
    """UTF-8 text with line ends made ``\\n``; a clear issue for bytes that are not UTF-8."""
    if isinstance(data, (bytes, bytearray)):
        text, issue = utf8_text(data, file)
        if issue is not None:
            return None, issue
    else:
        text = str(data).removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the number of its first line."""
    out: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for n, line in enumerate(text.split("\n"), 1):
        if trim(line):
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
    text, problem = decode(data, file)
    result = GiftRead()
    if problem or text is None:
        result.errors.append(problem or BankIssue(file, None, "could not be read"))
        return result
    escapes = Escapes(text)
    category: str | None = None
    for first, lines in _blocks(text):
        if len(result.questions) >= MAX_QUESTIONS:
            result.errors.append(BankIssue(file, first, f"holds more than {MAX_QUESTIONS:,} questions: "
                                           "split it into several files"))
            break
        category = _Block(first, lines, escapes, file, result).read(category)
    return result


def number(text: str) -> int | float | None:
    """PHP's is_numeric for a trimmed text, as an int when written as one; None otherwise."""
    value = _decimal(text)
    if value is None:
        return None
    body = trim(text).lstrip("+-")
    if body.isdigit() and len(body) <= 18:
        return int(value)
    result = float(value)
    return result if result == result and abs(result) != float("inf") else None


def _decimal(text: str) -> Decimal | None:
    """The number a text writes, exactly; None unless it is [+-]digits[.digits][e[+-]digits]."""
    text = trim(text)
    mantissa, _, exponent = text.replace("E", "e").partition("e")
    digits = mantissa.lstrip("+-")
    if len(mantissa) - len(digits) > 1 or not digits or digits == ".":
        return None
    whole, _, fraction = digits.partition(".")
    if not (whole.isdigit() or whole == "") or not (fraction.isdigit() or fraction == ""):
        return None
    if "e" in text.lower():
        sign_free = exponent.lstrip("+-")
        if len(exponent) - len(sign_free) > 1 or not sign_free.isdigit() or not sign_free.isascii():
            return None
    if not (whole + fraction).isascii():
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _clean_name(name: str) -> str:
    return " ".join(html_to_text(name).split())[:255]


def _default_name(questiontext: str) -> str:
    """Moodle's create_default_question_name: the text, shortened to 80 characters."""
    text = " ".join(html_to_text(questiontext).split())
    return (text if len(text) <= 80 else text[:77] + "...") or "Question"


class _Block:
    """One block of lines between blank lines, parsed as Moodle's ``readquestion`` does."""

    def __init__(self, first: int, lines: list[str], escapes: Escapes, file: str, result: GiftRead) -> None:
        self.first, self.esc, self.file, self.result = first, escapes, file, result
        self.comments: list[str] = []
        self.meta: dict[str, Any] = {}
        self.meta_line: int | None = None
        self.name: str | None = None
        self.failed = False
        body = []
        for n, line in enumerate(lines):
            trimmed = trim(line)
            if trimmed.startswith("//"):
                self.comments.append(trimmed)
                self._meta(trimmed, first + n)
                body.append(" ")
            else:
                body.append(line)
        self.pre = escapes.pre("\n".join(body))
        self.starts = [i for i, ch in enumerate(self.pre) if ch == "\n"]

    # -- helpers ---------------------------------------------------------------------------------
    def line(self, index: int) -> int:
        return self.first + bisect_right(self.starts, max(index, 0) - 1)

    def error(self, line: int, message: str) -> None:
        self.failed = True
        self.result.errors.append(BankIssue(self.file, line, message, question=self.name or None))

    def warn(self, line: int, message: str) -> None:
        self.result.warnings.append(BankIssue(self.file, line, message, question=self.name or None,
                                              level="warning"))

    def skip(self, start: int, end: int) -> int:
        while start < end and self.pre[start] in WS:
            start += 1
        return start

    def _meta(self, comment: str, line: int) -> None:
        body = trim(comment[2:])
        if not body.startswith(META_PREFIX):
            return
        try:
            data = json.loads(body[len(META_PREFIX):])
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
        text = trim(raw)
        fmt = default
        m = FORMAT_TAG.match(text)
        if m:
            fmt, text = m[1], text[m.end():]
        return trim(self.esc.post(text)), fmt

    def comment(self, raw: str, default: str) -> tuple[tuple[str, str], tuple[str, str]]:
        """Moodle's commentparser: ``answer#feedback``."""
        bits = raw.split("#", 1)
        feedback = self.text(bits[1], default) if len(bits) > 1 else ("", default)
        return self.text(bits[0], default), feedback

    def weight(self, text: str, end: int, line: int) -> float:
        value = _decimal(text[1 : end - 1])
        if value is None:
            self.error(line, f"the weight {text[:end]} is not a number (write %50% or %-33.33333%)")
            return 0.0
        return float(value.scaleb(-2))

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
        if not trim(out[0][1]):
            out.pop(0)
        return [(self.line(base + off + len(p) - len(p.lstrip(WS))), trim(p)) for off, p in out]

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
            # Moodle never unescapes a category path: what was written (but \\ halved) is the name.
            # Quizapp's own files (the [quizapp] bank comment comes first) once escaped it, and now
            # escape nothing there but \\, so for them unescaping changes nothing new and reads old ones.
            raw = pre[start + 10 : eol]
            category = trim(self.esc.post(raw) if self.result.bank_meta_line else self.esc.unposted(raw))
            self.result.categories.append(category)
            start = self.skip(eol, end)
            if start >= end:
                return category
        question = self.question(start, end)
        if question is not None and not self.failed:
            question.category = category
            question.category_index = len(self.result.categories) - 1 if self.result.categories else None
            comments = "".join(c + "\n" for c in self.comments)
            ids = comment_tokens(comments, "[id:")
            question.idnumber = trim(ids[0]).replace("\\]", "]") if ids else ""
            question.tags = [t for t in (trim(raw).replace("\\]", "]")
                                         for raw in comment_tokens(comments, "[tag:", "<>`")) if t]
            question.meta, question.meta_line = self.meta, self.meta_line
            self.result.questions.append(question)
        return category

    def braces(self, start: int, end: int) -> tuple[str, int, str] | None:
        """(answer text, where it starts, question text) as Moodle cuts them; None on an error."""
        pre = self.pre
        opening, closing = pre.find("{", start, end), pre.find("}", start, end)
        if opening < 0 and closing < 0:
            return "", start, pre[start:end]
        if opening < 0 or (0 <= closing < opening):
            self.error(self.line(closing), "'}' closes no '{' (write a literal brace as \\})")
            return None
        if closing < 0:
            self.error(self.line(opening), "'{' opens an answer block that no '}' closes")
            return None
        inner = pre[opening + 1 : closing]
        answer_at = opening + 1 + len(inner) - len(inner.lstrip(WS))
        tail = pre[closing + 1 : end]
        second = pre.find("{", opening + 1, closing)
        if second >= 0:
            self.warn(self.line(second), "a second '{' inside the answer block is read as part of the answers, "
                      "as Moodle reads it (write a literal brace as \\{)")
        after = min((i for i in (tail.find("{"), tail.find("}")) if i >= 0), default=-1)
        if after >= 0:
            self.warn(self.line(closing + 1 + after), "a question has one answer block: the text after it, "
                      "braces and all, stays in the question text as Moodle reads it "
                      "(write a literal brace as \\{ or \\})")
        if trim(tail) == STRAY_TAIL:
            return trim(inner), answer_at, pre[start:opening]
        # Moodle: no blank when the question ends with '}', else the block becomes a blank.
        gap = "" if pre[end - 1] == "}" else BLANK
        return trim(inner), answer_at, pre[start:opening] + gap + tail

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
        cut = self.braces(start, end)
        if cut is None:
            return None
        answertext, answer_at, rawtext = cut
        description = pre.find("{", start, end) < 0
        gf_at = answertext.rfind("####")
        generalfeedback = ""
        if gf_at >= 0:
            generalfeedback = answertext[gf_at + 4 :]
            answertext = trim(answertext[:gf_at])
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
                check = trim(answertext[: answertext.find("#")])
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
            elif (end := weight_end(text)) > 0:
                weight, text = self.weight(text, end, line), text[end:]
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
            q.subanswers.append(trim(self.esc.post(right)))
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
            if (end := weight_end(text)) > 0:
                weight, text = self.weight(text, end, line), text[end:]
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
        """``answer``, ``answer:tolerance`` or ``min..max`` as (answer, tolerance) texts; a range's
        middle and half-width are worked out in decimal, so 3.141..3.142 is 3.1415 and 0.0005."""
        if text.find("..") > 0:
            low, high = trim(text[: text.find("..")]), trim(text[text.find("..") + 2 :])
            lo, hi = _decimal(low), _decimal(high)
            if lo is None or hi is None or number(low) is None or number(high) is None:
                self.error(line, f"the range {text!r} needs a number on each side of '..'")
                return text, "0"
            if lo > hi:
                self.error(line, f"the range {text!r} runs backwards: write the smaller number first")
                return text, "0"
            middle = (lo + hi) / 2
            return _plain_decimal(middle), _plain_decimal(hi - middle)
        if text.find(":") > 0:
            value, tolerance = trim(text[: text.find(":")]), trim(text[text.find(":") + 1 :])
        else:
            value, tolerance = trim(text), "0"
        if value != "*" and number(value) is None:
            self.error(line, f"the numerical answer {value!r} is not a number "
                       "(write 1822, 1822:2 for 1822 plus or minus 2, or 1820..1824)")
        elif number(tolerance) is None:
            self.error(line, f"the tolerance {tolerance!r} is not a number")
        return value, tolerance


def _plain_decimal(value: Decimal) -> str:
    """A decimal as the shortest text that reads back as the same float (3.1415, 2, 1.5e-30)."""
    as_float = float(value)
    if as_float.is_integer() and abs(as_float) < 1e15:
        return str(int(as_float))
    return repr(as_float)
