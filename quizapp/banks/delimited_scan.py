"""Delimited text cut into records and fields: decoding, separator detection and the scanner.

Every step is one pass over the text with ``str.find``/``str.count`` from a position that only moves
forward, so the time is linear in the file whatever it holds (a 100 MB run of quotes, a line of a
million separators); and every size is capped before it is copied, so memory stays near the size
of the text itself. A cap that is hit is an error naming the line where the record starts.

Two shapes are read:
- ``scan``: Anki's (and RFC 4180's) text: records end at a newline outside quotes; a field may be
  quoted with ``"`` (``""`` for a quote, newlines allowed), spaces before the opening quote are
  allowed; blank lines are skipped; lines starting with ``#`` are comments.
- ``scan_cards``: Quizlet's custom export: cards cut by any text (``;``, a blank line, ...), term and
  definition by the first occurrence of any other text; nothing is quoted, since Quizlet quotes nothing.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from .encoding import utf8_text
from .model import BankIssue

MAX_FIELD_CHARS = 100_000  # one field; the Data cell of a large typed question is a few thousand
MAX_FIELDS = 1_000  # fields of one record (Anki's note types have a handful)
MAX_RECORD_CHARS = 1_000_000  # one record, all its fields together
MAX_ROWS = 50_000  # records of one file: five times the largest bank the benchmarks import
MAX_ERRORS = 200  # the scanner stops here; a file this broken needs a look as a whole
SAMPLE_LINES = 20
SAMPLE_WIDTH = 65_536  # characters of a line looked at when detecting the separator
DETECTABLE = ("\t", ",", ";", "|")  # in order of preference when two fit equally well
BLANK_LINE = "\n\n"  # the card separator meaning "one or more blank lines"
_BLANK = re.compile(r"\s*")
# The first line with text that does not start with "#": where a run of comment lines ends. No
# repeated group anywhere: the regex engine keeps no state per line it passes.
_CONTENT_LINE = re.compile(r"\n(?!#)[^\S\n]*+\S")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")
_QUOTED = re.compile(r'"[^"\n]*"')
# The inside of a quoted field: anything but a quote, or a doubled quote. Possessive, so the regex
# engine neither backtracks nor keeps state per repetition (constant memory on 100 MB of quotes).
_QUOTED_BODY = re.compile(r'(?:[^"]++|"")*+')
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Record:
    """One record: the line it starts on and its fields, unquoted and stripped of surrounding
    whitespace, otherwise as written (a formula guard is taken off later, by what knows the file)."""

    line: int
    fields: list[str]
    raw: list[str]  # the fields before stripping (a back rejoined from pieces keeps its spaces)


def line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def skip_blank(text: str, pos: int) -> int:
    """The end of the blank lines (whitespace only) starting at ``pos``."""
    end = _BLANK.match(text, pos).end()
    if end == len(text):
        return end
    last = text.rfind("\n", pos, end)
    return pos if last == -1 else last + 1


def skip_comments(text: str, pos: int) -> int:
    """The end of the comment lines (and blank lines among them) starting at ``pos``."""
    m = _CONTENT_LINE.search(text, pos)
    return m.start() + 1 if m else len(text)


# -- decoding -------------------------------------------------------------------------------------

def decode(data: str | bytes, file: str) -> tuple[str | None, list[BankIssue]]:
    """The text of ``data`` with newlines as ``\\n``, or None and the reason with its line.

    UTF-8 (a byte order mark is dropped) or, with its byte order mark, UTF-16 (Excel's "Unicode
    text"). A NUL character or a lone surrogate (possible in text handed over as ``str``) is refused:
    no database stores them, and a file holding them is not the text it seems to be."""
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            good = data[: exc.start - exc.start % 2].decode("utf-16", errors="replace")
            return None, [BankIssue(file, good.count("\n") + 1, "not readable as UTF-16 text (a broken or "
                                                                "lone surrogate); save the file as UTF-8")]
    else:
        text, issue = utf8_text(data, file)
        if issue is not None:
            return None, [issue]
    nul = text.find("\x00")
    if nul != -1:
        more = text.count("\x00") - 1
        return None, [BankIssue(file, line_of(text, nul), "holds a NUL character (U+0000)"
                                + (f", and {more} more after this line" if more else "")
                                + ": is this a binary file? Save it as UTF-8 text")]
    bad = _LONE_SURROGATE.search(text)
    if bad:
        return None, [BankIssue(file, line_of(text, bad.start()),
                                f"holds a lone surrogate (U+{ord(bad.group()):04X}), which is not text")]
    # str.replace returns the text itself when there is nothing to replace: no copy for Unix files.
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


# -- separators -----------------------------------------------------------------------------------

def sample_lines(text: str, pos: int = 0, limit: int = SAMPLE_LINES) -> list[str]:
    """Up to ``limit`` non-blank, non-comment lines from ``pos`` (each cut at SAMPLE_WIDTH)."""
    out: list[str] = []
    n = len(text)
    while pos < n and len(out) < limit:
        pos = skip_blank(text, pos)
        if text.startswith("#", pos):
            pos = skip_comments(text, pos)
            continue
        nl = text.find("\n", pos)
        nl = n if nl == -1 else nl
        if nl > pos:
            out.append(text[pos:min(nl, pos + SAMPLE_WIDTH)])
        pos = nl + 1
    return out


def detect_separator(lines: list[str]) -> str | None:
    """The one of tab, comma, semicolon and pipe that splits the sampled lines most consistently."""
    sample = [ln for ln in lines if ln.strip() and not ln.startswith("#")][:SAMPLE_LINES]
    best, best_score = None, 0
    for sep in DETECTABLE:
        counts = [_QUOTED.sub("", ln).count(sep) for ln in sample]
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode = Counter(nonzero).most_common(1)[0][0]
        score = sum(1 for c in counts if c == mode)
        if score > best_score:
            best, best_score = sep, score
    return best


def table_separator(text: str, complete: bool = True) -> str | None:
    """The separator that makes ``text`` a table: every record (quotes followed, ``#`` lines left
    out) has two fields or more. Tab qualifies from one record (no other format puts a tab in every
    line); comma, semicolon and pipe, which prose is full of, need two records or more with no blank
    line between them (GIFT separates its questions with blank lines, so a GIFT file is never such a
    table). ``complete=False``: ``text`` is the head of a file; its last line, maybe cut, is left out."""
    if not complete:
        text = text[: text.rfind("\n") + 1]
    blank_between = _BLANK_LINES.search(text.strip()) is not None
    for sep in DETECTABLE:
        errors: list[BankIssue] = []
        records = scan(text, sep, "", errors)
        if errors or not records or any(len(r.fields) < 2 for r in records):
            continue
        if sep == "\t" or (len(records) >= 2 and not blank_between):
            return sep
    return None


# -- scanning -------------------------------------------------------------------------------------

class _Stop(Exception):
    """The scan cannot go on (a quote that never closes, too many errors)."""


class _Skip(Exception):
    """This record is refused; the scan goes on at the next line."""


def scan(text: str, sep: str, file: str, errors: list[BankIssue], pos: int = 0, line: int = 1,
         comments: list[tuple[int, int]] | None = None) -> list[Record]:
    """Records from ``text[pos:]`` (``line`` is the line ``pos`` is on). Blank lines are skipped;
    lines starting with ``#`` too, each run of them added to ``comments`` as (first line, count).
    Runs of blank or comment lines are skipped in one regex step each, so a file of nothing else
    costs no Python loop per line."""
    records: list[Record] = []
    scanner = _Scanner(text, sep, file, errors)
    n = len(text)
    while pos < n:
        end = skip_blank(text, pos)
        if end == pos and text.startswith("#", pos):
            end = skip_comments(text, pos)
            if comments is not None:
                comments.append((line, text.count("\n#", pos, end) + 1))
        if end > pos:
            line += text.count("\n", pos, end)
            pos = end
            continue
        nl = text.find("\n", pos)
        nl = n if nl == -1 else nl
        if len(records) >= MAX_ROWS:
            errors.append(BankIssue(file, line, f"the file has more than {MAX_ROWS:,} rows; split it into "
                                                "smaller files"))
            break
        try:
            fields, end = scanner.record(pos, nl, line)
            records.append(Record(line, [f.strip() for f in fields], fields))
        except _Skip:
            end = scanner.skip_to
        except _Stop:
            break
        if len(errors) >= MAX_ERRORS:
            break
        line += text.count("\n", pos, end)
        pos, line = end + 1, line + 1
    return records


class _Scanner:
    def __init__(self, text: str, sep: str, file: str, errors: list[BankIssue]) -> None:
        self.text, self.sep, self.file, self.errors = text, sep, file, errors
        self.skip_to = self.start = 0
        # Whitespace allowed before an opening quote (not what separates fields).
        pad = "".join(c for c in " \t" if c not in sep)
        self.pad = re.compile(f"[{pad}]*" if pad else "")

    def fail(self, line: int, message: str, nl: int, stop: bool = False) -> None:
        self.errors.append(BankIssue(self.file, line, message))
        self.skip_to = nl
        raise _Stop if stop else _Skip

    def record(self, pos: int, nl: int, line: int) -> tuple[list[str], int]:
        """The fields of the record starting at ``pos`` (its first line ends at ``nl``), and the
        index of the newline (or end of text) that ends it."""
        text, sep = self.text, self.sep
        self.start = start = pos
        fields: list[str] = []
        next_quote = text.find('"', pos, nl)
        while True:
            if next_quote != -1 and next_quote < pos:
                next_quote = text.find('"', pos, nl)
            if next_quote == -1:  # the rest of the line holds no quote: split it at once
                count = text.count(sep, pos, nl) + 1
                if len(fields) + count > MAX_FIELDS:
                    self.fail(line, f"the row has more than {MAX_FIELDS:,} fields", nl)
                if nl - start > MAX_RECORD_CHARS:
                    self.fail(line, f"the row is longer than {MAX_RECORD_CHARS:,} characters", nl)
                self._extend(fields, text[pos:nl].split(sep), line, nl)
                return fields, nl
            cut = text.rfind(sep, pos, next_quote)
            if cut != -1:  # whole fields before the quote: split them at once
                if len(fields) + text.count(sep, pos, cut) + 1 > MAX_FIELDS:
                    self.fail(line, f"the row has more than {MAX_FIELDS:,} fields", nl)
                if cut - start > MAX_RECORD_CHARS:
                    self.fail(line, f"the row is longer than {MAX_RECORD_CHARS:,} characters", nl)
                self._extend(fields, text[pos:cut].split(sep), line, nl)
                pos = cut + len(sep)
                continue
            lead = self.pad.match(text, pos, nl).end()
            if lead == next_quote:
                value, pos = self._quoted(lead, line)
                if pos > nl:  # the quoted field ran over newlines
                    nl = text.find("\n", pos)
                    nl = len(text) if nl == -1 else nl
                    next_quote = text.find('"', pos, nl)
                cut = text.find(sep, pos, nl)
                end = nl if cut == -1 else cut
                if len(value) + end - pos > MAX_FIELD_CHARS:
                    self.fail(line, f"a field is longer than {MAX_FIELD_CHARS:,} characters", nl)
                value += text[pos:end]
            else:
                cut = text.find(sep, pos, nl)
                end = nl if cut == -1 else cut
                if end - pos > MAX_FIELD_CHARS:
                    self.fail(line, f"a field is longer than {MAX_FIELD_CHARS:,} characters", nl)
                value = text[pos:end]
            self._add(fields, value, line, nl)
            if end - start > MAX_RECORD_CHARS:
                self.fail(line, f"the row is longer than {MAX_RECORD_CHARS:,} characters", nl)
            if cut == -1:
                return fields, nl
            pos = cut + len(sep)

    def _extend(self, fields: list[str], values: list[str], line: int, nl: int) -> None:
        if max(map(len, values)) > MAX_FIELD_CHARS:
            self.fail(line, f"a field is longer than {MAX_FIELD_CHARS:,} characters", nl)
        fields += values

    def _add(self, fields: list[str], value: str, line: int, nl: int) -> None:
        if len(value) > MAX_FIELD_CHARS:
            self.fail(line, f"a field is longer than {MAX_FIELD_CHARS:,} characters", nl)
        fields.append(value)
        if len(fields) > MAX_FIELDS:
            self.fail(line, f"the row has more than {MAX_FIELDS:,} fields", nl)

    def _quoted(self, open_at: int, line: int) -> tuple[str, int]:
        """The text of the quoted field opening at ``open_at`` and the index after its closing quote."""
        text, n = self.text, len(self.text)
        limit = min(n, open_at + 1 + 2 * MAX_FIELD_CHARS + 2)  # ``""`` is one character: twice the cap
        end = _QUOTED_BODY.match(text, open_at + 1, limit).end()
        opened = line + text.count("\n", self.start, open_at)
        if end >= limit - 1 and limit < n:
            self.fail(opened, f"a quoted field opened on this line is longer than {MAX_FIELD_CHARS:,} "
                              "characters (is a closing '\"' missing?)", n, stop=True)
        if end >= n:
            self.fail(opened, "a quoted field opened on this line is never closed (a missing '\"')", n, stop=True)
        value = text[open_at + 1:end].replace('""', '"')
        if len(value) > MAX_FIELD_CHARS:
            self.fail(opened, f"a quoted field opened on this line is longer than {MAX_FIELD_CHARS:,} "
                              "characters (is a closing '\"' missing?)", n, stop=True)
        return value, end + 1


def scan_cards(text: str, sep: str, card_sep: str, file: str, errors: list[BankIssue]) -> list[Record]:
    """Quizlet's custom export: cards cut by ``card_sep`` (BLANK_LINE: one or more blank lines), each
    cut in two at the first ``sep``. Nothing is quoted; each card's record starts at its first
    non-blank line."""
    records: list[Record] = []
    cuts = _BLANK_LINES.finditer(text) if card_sep == BLANK_LINE else re.finditer(re.escape(card_sep), text)
    pos, line = 0, 1
    for start, end in itertools.chain(((m.start(), m.end()) for m in cuts), [(len(text), len(text))]):
        lead = _BLANK.match(text, pos, start).end()
        if lead < start:
            first = line + text.count("\n", pos, lead)
            if start - lead > MAX_RECORD_CHARS:
                errors.append(BankIssue(file, first, f"the card is longer than {MAX_RECORD_CHARS:,} characters "
                                                     f"(is the separator between cards {card_sep!r}?)"))
            elif len(records) >= MAX_ROWS:
                errors.append(BankIssue(file, first, f"the file has more than {MAX_ROWS:,} cards; split it "
                                                     "into smaller files"))
                return records
            else:
                raw = text[lead:start].split(sep, 1)
                if any(len(f) > MAX_FIELD_CHARS for f in raw):
                    errors.append(BankIssue(file, first, f"a field is longer than {MAX_FIELD_CHARS:,} characters"))
                else:
                    records.append(Record(first, [f.strip() for f in raw], raw))
            if len(errors) >= MAX_ERRORS:
                return records
        line += text.count("\n", pos, end)
        pos = end
    return records
