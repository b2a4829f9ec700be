"""CSV/TSV cards as Anki's text importer reads them, and Quizlet's term/definition exports.

Reading follows Anki's conventions (../shared/docs/interchange-formats.md): ``#key:value``
header lines at the top, ``#`` comment lines, fields quoted with ``"`` (``""`` for a quote,
newlines allowed inside). Each row becomes a flashcard, a flashcard and its reverse, or a
cloze question. Values are trimmed of surrounding whitespace.

``dump_csv`` writes the header form Anki itself exports (plus ``#columns`` and ``#deck``);
this reader reads it back to the same flashcards and cloze questions, explanations and tags
included. Other question types are written as flashcards (the prompt with its choices on the
front, the expected answer on the back) and come back as flashcards: lossy by design, since
Anki has no such types. A bank's description, tags and sources, and a question's source,
evidence and difficulty, are not written. A cell a spreadsheet would run as a formula is written
with a leading quote, which the reader removes (``guard_formula``).

The Anki conventions shared with the .apkg reader and writer (note kinds, guids, deck paths,
front and back of non-flashcard types) live here too.
"""
from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from markdown_it import MarkdownIt

from ..domain.progress import FORMULA_STARTS
from ..domain.questions import REGISTRY, get_type
from ..domain.questions.cloze import DELETION
from .limits import DEFAULT_LIMITS, Limits, size_text
from .model import SLUG, Bank, BankIssue, ParseResult, Question, slugify, unique_ids, validate_bank
from .sanitize import clean_html, html_to_text

# -- Anki conventions shared with apkg.py ---------------------------------------------------------

CLOZE_MARK = re.compile(r"\{\{c\d+::")
REVERSE_SUFFIX = "-reverse"
_ID = SLUG.pattern.strip("^$")
# Notes this app exports carry their bank and question ids in the guid, so a re-import finds them.
QUIZAPP_GUID = re.compile(rf"^quizapp:(?P<bank>{_ID})/(?P<question>{_ID})$")
KNOWN_NOTETYPES = {
    "basic": "basic",
    "basic (and reversed card)": "reversed",
    "basic (optional reversed card)": "basic",
    "basic (type in the answer)": "basic",
    "cloze": "cloze",
}
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def quizapp_guid(bank_id: str, question_id: str) -> str:
    """Anki guid of an exported question: stable across exports, so Anki updates, not duplicates."""
    return f"quizapp:{bank_id}/{question_id}"


def guid_question_id(guid: str) -> str:
    """A question id from an Anki note guid (the question id itself for guids this app wrote)."""
    m = QUIZAPP_GUID.match(guid)
    if m:
        return m["question"]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", guid).strip("-")[:100].strip("-")
    return slug or "note-" + hashlib.sha1(guid.encode()).hexdigest()[:10]  # noqa: S324 (a name, not security)


def guid_bank_id(guids: list[str]) -> str | None:
    """The bank id all of ``guids`` name when this app wrote them all, else None."""
    banks = {m["bank"] for g in guids if (m := QUIZAPP_GUID.match(g))}
    return banks.pop() if len(banks) == 1 and all(QUIZAPP_GUID.match(g) for g in guids) else None


def text_question_id(text: str) -> str:
    """A question id from the first words of a card (for formats without ids)."""
    words = html_to_text(DELETION.sub(lambda m: m.group(2), text))
    slug = slugify(words)[:48].rstrip("-")
    if slug == "q":  # nothing latin to build a name from
        return "card-" + hashlib.sha1(words.encode()).hexdigest()[:8]  # noqa: S324
    return slug


def notetype_kind(name: str) -> tuple[str, bool]:
    """("basic" | "reversed" | "cloze", whether the name is one of Anki's stock note types)."""
    low = name.strip().lower()
    if low in KNOWN_NOTETYPES:
        return KNOWN_NOTETYPES[low], True
    if "cloze" in low:
        return "cloze", False
    return ("reversed" if "revers" in low and "optional" not in low else "basic"), False


def deck_tags(deck: str) -> list[str]:
    """Tags for a deck path: ``Parent::Child`` -> ``parent``, ``parent-child``."""
    parts = [re.sub(r"[\W_]+", "-", p.lower()).strip("-") for p in deck.split("::")]
    parts = [p for p in parts if p]
    return ["-".join(parts[: n + 1]) for n in range(len(parts))]


def decks_title(decks: list[str]) -> str | None:
    """The deck path all of ``decks`` share (the deck itself when there is one), or None."""
    paths = [[p.strip() for p in d.split("::")] for d in dict.fromkeys(decks) if d.strip()]
    if not paths:
        return None
    common = paths[0]
    for path in paths[1:]:
        n = 0
        while n < min(len(common), len(path)) and common[n] == path[n]:
            n += 1
        common = common[:n]
    return "::".join(common) or None


def merge_tags(*groups: list[str]) -> list[str]:
    return list(dict.fromkeys(t for group in groups for t in group if t.strip()))


def to_html(text: str, fmt: str) -> str:
    """A question text as safe HTML, whatever format it is written in."""
    if fmt == "html":
        return clean_html(text)
    if fmt == "markdown":
        return clean_html(_MARKDOWN.render(text)).strip()
    return html.escape(text, quote=False).replace("\n", "<br>")


def to_plain(text: str, fmt: str) -> str:
    return html_to_text(text) if fmt == "html" else text


def card_sides(q: Question, as_html: bool) -> tuple[str, str]:
    """Front and back of a question of a type Anki lacks: the prompt with whatever the learner
    picks from (choices, items, sides of the pairs; never in answer order), and the expected answer."""
    f = q.fields
    listing: list[str] = []
    if q.type in ("multiple_choice", "multiple_select"):
        listing = [str(c) for c in f.get("choices", [])]
    elif q.type == "ordering":
        listing = sorted(str(i) for i in f.get("items", []))
    elif q.type == "matching":
        pairs = f.get("pairs", [])
        lefts = [str(p[0]) for p in pairs]
        rights = sorted([str(p[1]) for p in pairs] + [str(d) for d in f.get("distractors") or []])
        listing = [f"{left} → ?" for left in lefts] + rights
    prompt = str(f.get("prompt", ""))
    if q.type == "true_false":
        prompt += " (true or false?)"
    if q.type == "numeric" and f.get("unit"):
        prompt += f" ({f['unit']})"
    back = get_type(q.type).expected(f) if q.type in REGISTRY else ""
    if as_html:
        front = to_html(prompt, q.format)
        if listing:
            front += "<ul>" + "".join(f"<li>{to_html(item, q.format)}</li>" for item in listing) + "</ul>"
        return front, to_html(back, q.format)
    front = to_plain(prompt, q.format)
    if listing:
        front += "\n" + "\n".join(f"- {to_plain(item, q.format)}" for item in listing)
    return front, to_plain(back, q.format)


def note_questions(qid: str, kind: str, first: str, second: str, explanation: str, tags: list[str],
                   fmt: str, line: int | None = None) -> list[Question]:
    """The questions one Anki note makes: a flashcard (and its reverse), or a cloze."""
    if kind == "cloze":
        fields = {"text": first, **({"extra": second} if second else {})}
        return [Question(qid, "cloze", fields, explanation, tags=list(tags), format=fmt, line=line)]
    out = [Question(qid, "flashcard", {"front": first, "back": second}, explanation, tags=list(tags),
                    format=fmt, line=line)]
    if kind == "reversed":
        out.append(Question(qid + REVERSE_SUFFIX, "flashcard", {"front": second, "back": first}, explanation,
                            tags=list(tags), format=fmt, line=line))
    return out


def pair_reverses(questions: list[Question]) -> list[tuple[Question, bool]]:
    """Questions to write, each with whether it is a flashcard whose ``<id>-reverse`` twin (same
    card, sides swapped) folds into one "Basic (and reversed card)" note."""
    by_id = {q.id: q for q in questions}
    paired = set()
    for q in questions:
        twin = by_id.get(q.id + REVERSE_SUFFIX)
        if (q.type == "flashcard" and twin is not None and twin.type == "flashcard"
                and twin.fields == {"front": q.fields.get("back"), "back": q.fields.get("front")}
                and (twin.explanation, twin.tags, twin.format, twin.source, twin.evidence, twin.difficulty,
                     twin.extra) == (q.explanation, q.tags, q.format, q.source, q.evidence, q.difficulty,
                                     q.extra)):
            paired.add(q.id)
    twins = {i + REVERSE_SUFFIX for i in paired}
    return [(q, q.id in paired) for q in questions if q.id not in twins]


def anki_tag(tag: str) -> str:
    """Anki separates tags with spaces, so a tag cannot hold one."""
    return re.sub(r"\s+", "_", tag.strip())


# -- reading --------------------------------------------------------------------------------------

SEPARATORS = {"comma": ",", "semicolon": ";", "tab": "\t", "space": " ", "pipe": "|", "colon": ":"}
DETECTABLE = ("\t", ",", ";", "|")  # in order of preference when two fit equally well
HEADER = re.compile(r"^#([A-Za-z ]+):(.*)$")
POINTERS = ("tags", "deck", "notetype", "guid")
KNOWN_HEADERS = {"separator", "html", "tags", "columns", "deck", "notetype"} | {f"{p} column" for p in POINTERS}
COLUMN_ROLES = {"tags": "tags", "deck": "deck", "notetype": "notetype", "note type": "notetype", "guid": "guid"}
LOOKS_HTML = re.compile(r"</?(?:b|i|u|s|br|div|p|span|img|ul|ol|li|em|strong|sub|sup|table|hr)\b[^<>]*>"
                        r"|&(?:nbsp|amp|lt|gt|quot|#\d+);", re.IGNORECASE)
MAX_ERRORS = 200
SAMPLE_LINES = 20


@dataclass
class _Header:
    separator: str | None = None
    html: bool | None = None
    tags: list[str] = field(default_factory=list)
    columns: str | None = None
    deck: str | None = None
    notetype: str | None = None
    pointers: dict[str, tuple[int, int]] = field(default_factory=dict)  # role -> (1-based column, line)
    body: int = 0  # index of the first line after the header


@dataclass
class _Row:
    line: int
    fields: list[str]


def _decode(data: str | bytes, file: str) -> tuple[str | None, BankIssue | None]:
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" is UTF-16
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, BankIssue(file, None, "not readable as UTF-16 text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, BankIssue(file, line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                           "save the file as UTF-8 and upload it again")


def _read_header(lines: list[str], file: str, errors: list[BankIssue]) -> _Header:
    head = _Header()
    n = 0
    while n < len(lines) and (not lines[n].strip() or lines[n].startswith("#")):
        m = HEADER.match(lines[n])
        key = m[1].strip().lower() if m else ""
        if key in KNOWN_HEADERS:
            _header_value(head, key, m[2], n + 1, file, errors)
        n += 1
    head.body = n
    return head


def _header_value(head: _Header, key: str, value: str, line: int, file: str, errors: list[BankIssue]) -> None:
    word = value.strip()
    if key == "separator":
        if word.lower() in SEPARATORS:
            head.separator = SEPARATORS[word.lower()]
        elif len(value) == 1 or len(word) == 1:
            literal = value if len(value) == 1 else word
            if literal in '"#\n':
                errors.append(BankIssue(file, line, f"{literal!r} cannot separate fields", field="separator"))
            else:
                head.separator = literal
        else:
            errors.append(BankIssue(file, line, f"unknown separator {word!r}; use Comma, Semicolon, Tab, Space, "
                                                "Pipe, Colon or a single character", field="separator"))
    elif key == "html":
        if word.lower() in ("true", "false"):
            head.html = word.lower() == "true"
        else:
            errors.append(BankIssue(file, line, f"must be true or false, not {word!r}", field="html"))
    elif key == "tags":
        head.tags = word.split()
    elif key == "columns":
        head.columns = value
    elif key == "deck":
        head.deck = word or None
    elif key == "notetype":
        head.notetype = word or None
    else:
        role = key.removesuffix(" column")
        if re.fullmatch(r"[0-9]{1,6}", word) and int(word) >= 1:
            head.pointers[role] = (int(word), line)
        else:
            errors.append(BankIssue(file, line, f"bad column pointer {word!r}: must be a column number from 1",
                                    field=key))


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def detect_separator(lines: list[str]) -> str | None:
    """The one of tab, comma, semicolon and pipe that splits the sampled lines most consistently."""
    sample = [ln for ln in lines if ln.strip() and not ln.startswith("#")][:SAMPLE_LINES]
    best, best_score = None, 0
    for sep in DETECTABLE:
        counts = [_unquoted(ln).count(sep) for ln in sample]
        nonzero = [c for c in counts if c]
        if not nonzero:
            continue
        mode = Counter(nonzero).most_common(1)[0][0]
        score = sum(1 for c in counts if c == mode)
        if score > best_score:
            best, best_score = sep, score
    return best


def _rows(lines: list[str], start: int, sep: str, file: str, errors: list[BankIssue]) -> list[_Row]:
    """Records from ``lines[start:]``, quoted fields spanning lines; comments and blank lines skipped."""
    rows: list[_Row] = []
    i = start
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.startswith("#"):
            i += 1
            continue
        first = i
        fields: list[str] = []
        buf, pos = line, 0
        while True:
            if pos < len(buf) and buf[pos] == '"':
                opened, pos, parts = i, pos + 1, []
                while True:
                    q = buf.find('"', pos)
                    if q == -1:
                        parts.append(buf[pos:])
                        i += 1
                        if i >= len(lines):
                            errors.append(BankIssue(file, opened + 1, "a quoted field opened on this line is "
                                                                      "never closed (a missing '\"')"))
                            return rows
                        parts.append("\n")
                        buf, pos = lines[i], 0
                        continue
                    if buf.startswith('""', q):
                        parts.append(buf[pos:q] + '"')
                        pos = q + 2
                        continue
                    parts.append(buf[pos:q])
                    pos = q + 1
                    break
                nxt = buf.find(sep, pos)
                fields.append("".join(parts) + (buf[pos:] if nxt == -1 else buf[pos:nxt]))
            else:
                nxt = buf.find(sep, pos)
                fields.append(buf[pos:] if nxt == -1 else buf[pos:nxt])
            if nxt == -1:
                break
            pos = nxt + len(sep)
        rows.append(_Row(first + 1, [unguard_formula(f.strip()) for f in fields]))
        i += 1
    return rows


def _raw_rows(text: str, sep: str, card_sep: str) -> list[_Row]:
    """Quizlet's custom form: cards split by ``card_sep``, sides by ``sep``, no quoting."""
    rows, offset = [], 0
    for chunk in text.split(card_sep):
        line = text.count("\n", 0, offset) + 1 + (len(chunk) - len(chunk.lstrip("\n")))
        offset += len(chunk) + len(card_sep)
        if chunk.strip():
            rows.append(_Row(line, [unguard_formula(f.strip()) for f in chunk.split(sep)]))
    return rows


def parse_delimited(data: str | bytes, file: str = "cards.csv", bank_id: str | None = None,
                    title: str | None = None, separator: str | None = None, card_separator: str | None = None,
                    limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """Cards from an Anki text file or a Quizlet export. ``separator`` forces the field separator;
    ``card_separator`` (Quizlet's custom export) splits cards by something other than newlines."""
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > limits.max_upload_bytes:
        return ParseResult(None, [BankIssue(file, None, f"the file is {size_text(size)} "
                                                        f"(limit {size_text(limits.max_upload_bytes)})")])
    text, problem = _decode(data, file)
    if text is None:
        return ParseResult(None, [problem] if problem else [])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    errors: list[BankIssue] = []
    notices: list[BankIssue] = []
    if card_separator:
        head = _Header(separator=separator or "\t")
        rows = _raw_rows(text, head.separator or "\t", card_separator)
    else:
        lines = text.split("\n")
        head = _read_header(lines, file, errors)
        if separator:
            head.separator = separator
        if head.separator is None:
            head.separator = detect_separator(lines[head.body:]) or "\t"
        rows = _rows(lines, head.body, head.separator, file, errors)
    if head.html is None:
        sample = [f for row in rows[:SAMPLE_LINES] for f in row.fields]
        head.html = any(LOOKS_HTML.search(f) for f in sample)
    bank = _build(rows, head, file, bank_id, title, errors, notices)
    errors += validate_bank(bank, file)
    errors.sort(key=lambda e: e.line or 0)
    if len(errors) > MAX_ERRORS:
        more = len(errors) - MAX_ERRORS
        errors = errors[:MAX_ERRORS] + [BankIssue(file, None, f"... and {more} more errors")]
    return ParseResult(None if errors else bank, errors, notices, partial=bank)


def _columns(head: _Header, file: str, errors: list[BankIssue]) -> tuple[list[str], dict[str, int]]:
    """Lower-cased column names and the 0-based column of each pointer role."""
    names = ([c.strip().lower() for c in head.columns.split(head.separator or "\t")]
             if head.columns is not None else [])
    pointers: dict[str, int] = {}
    for n, name in enumerate(names):
        if name in COLUMN_ROLES:
            pointers.setdefault(COLUMN_ROLES[name], n)
    for role, (column, line) in head.pointers.items():
        if names and column > len(names):
            errors.append(BankIssue(file, line, f"bad column pointer: column {column} does not exist "
                                                f"(#columns names {len(names)})", field=f"{role} column"))
        pointers[role] = column - 1
    return names, pointers


def _build(rows: list[_Row], head: _Header, file: str, bank_id: str | None, title: str | None,
           errors: list[BankIssue], notices: list[BankIssue]) -> Bank:
    names, pointers = _columns(head, file, errors)
    fmt = "html" if head.html else "plain"
    ignored: dict[int, list[int]] = {}
    questions: list[Question] = []
    guids: list[str] = []
    row_decks: list[tuple[list[Question], str]] = []

    def cell(row: _Row, role: str) -> str:
        n = pointers.get(role)
        return row.fields[n] if n is not None and n < len(row.fields) else ""

    for row in rows:
        content = [n for n in range(len(row.fields)) if n not in pointers.values()]
        if not any(row.fields[n] for n in content):
            if any(row.fields):
                errors.append(BankIssue(file, row.line, "the row has no card text"))
            continue
        notetype = cell(row, "notetype") or head.notetype
        kind, _ = notetype_kind(notetype or "Basic")
        roles = (("text", {"text"}), ("extra", {"back extra", "extra"}))
        if kind != "cloze":
            if not notetype and CLOZE_MARK.search(row.fields[content[0]] if content else ""):
                kind = "cloze"
            else:
                roles = (("front", {"front"}), ("back", {"back"}))
        taken, explanation_col, free = _assign(content, names, roles)
        for n in free:
            if row.fields[n]:
                ignored.setdefault(n, []).append(row.line)
        first_role, second_role = roles[0][0], roles[1][0]
        first = row.fields[taken[first_role]] if first_role in taken else ""
        second = row.fields[taken[second_role]] if second_role in taken else ""
        explanation = row.fields[explanation_col] if explanation_col is not None else ""
        if not first:
            errors.append(BankIssue(file, row.line, f"the {'text' if kind == 'cloze' else 'front'} is empty"))
            continue
        if kind != "cloze" and second_role not in taken:
            errors.append(BankIssue(file, row.line, "the row has no back: found one field where two were expected "
                                                    f"(fields are separated by {_sep_name(head.separator)})"))
            continue
        if kind != "cloze" and not second:
            errors.append(BankIssue(file, row.line, "the back is empty"))
            continue
        if fmt == "html":
            first, second, explanation = clean_html(first), clean_html(second), clean_html(explanation)
        guid = cell(row, "guid")
        if guid:
            guids.append(guid)
        qid = guid_question_id(guid) if guid else text_question_id(first)
        tags = merge_tags(head.tags, cell(row, "tags").split())
        made = note_questions(qid, kind, first, second, explanation, tags, fmt, row.line)
        questions += made
        deck = cell(row, "deck") or head.deck or ""
        row_decks.append((made, deck))
    for n, lines in sorted(ignored.items()):
        label = f"column {n + 1}" + (f" ({names[n]!r})" if n < len(names) and names[n] else "")
        notices.append(BankIssue(file, lines[0], f"{label} is not imported (it has text in {len(lines)} "
                                             f"row{'s' if len(lines) > 1 else ''})",
                                 level="skipped"))
    decks = [d for _, d in row_decks if d]
    if len(set(decks)) > 1:
        for made, deck in row_decks:
            for q in made:
                q.tags = merge_tags(q.tags, deck_tags(deck))
    unique_ids(questions)
    name = title or head.deck or decks_title(decks) or PurePath(file).stem or "Cards"
    return Bank(id=bank_id or guid_bank_id(guids) or slugify(name, "cards"), title=name, questions=questions)


def _assign(content: list[int], names: list[str], roles: tuple[tuple[str, set[str]], ...]
            ) -> tuple[dict[str, int], int | None, list[int]]:
    """The column of each role (by its #columns name, else the next unnamed one), the column named
    Explanation, and the columns left over."""
    taken: dict[str, int] = {}
    explanation = next((n for n in content if n < len(names) and names[n] == "explanation"), None)
    free = [n for n in content if n != explanation]
    for role, aliases in roles:
        named = next((n for n in free if n < len(names) and names[n] in aliases), None)
        if named is not None:
            taken[role] = named
            free.remove(named)
    for role, _ in roles:
        if role not in taken and free:
            taken[role] = free.pop(0)
    return taken, explanation, free


def _sep_name(sep: str | None) -> str:
    return next((k for k, v in SEPARATORS.items() if v == sep), repr(sep))


# -- formulas ----------------------------------------------------------------------------------
# A spreadsheet runs a cell starting with = + - @ tab or CR as a formula (CSV injection), so the
# writer puts a quote before such a cell, as the progress CSVs do (domain/progress.py), and the
# reader takes exactly that quote off again (a spreadsheet treats it as a text marker and hides it
# too). A cell that already starts with quotes before such a character gets one more, so
# ``'=x`` comes back as ``'=x`` and every text survives the round trip.
_GUARDED = re.compile("^'+[" + re.escape("".join(FORMULA_STARTS)) + "]")


def guard_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) or _GUARDED.match(value) else value


def unguard_formula(value: str) -> str:
    return value[1:] if _GUARDED.match(value) else value


# -- writing --------------------------------------------------------------------------------------

def _quote(value: str) -> str:
    value = guard_formula(value)
    if any(c in value for c in '\t"\n\r') or value.startswith("#"):
        return '"' + value.replace('"', '""') + '"'
    return value


def dump_csv(bank: Bank) -> str:
    """The bank as an Anki text file (tab-separated, with Anki's header lines)."""
    as_html = any(q.format != "plain" for q in bank.questions)
    title = " ".join(bank.title.split())
    out = ["#separator:Tab", f"#html:{'true' if as_html else 'false'}", f"#deck:{title}",
           "#guid column:1", "#notetype column:2", "#tags column:6",
           "#columns:GUID\tNotetype\tFront\tBack\tExplanation\tTags"]

    def text(value: str, fmt: str) -> str:
        return to_html(value, fmt) if as_html else value

    for q, reversed_too in pair_reverses(bank.questions):
        if q.type == "cloze":
            notetype, first, second = "Cloze", text(q.fields["text"], q.format), text(q.fields.get("extra", ""),
                                                                                      q.format)
        elif q.type == "flashcard":
            notetype = "Basic (and reversed card)" if reversed_too else "Basic"
            first, second = text(str(q.fields["front"]), q.format), text(str(q.fields["back"]), q.format)
        else:
            notetype = "Basic"
            first, second = card_sides(q, as_html)
        cells = [quizapp_guid(bank.id, q.id), notetype, first, second, text(q.explanation, q.format),
                 " ".join(anki_tag(t) for t in q.tags)]
        out.append("\t".join(_quote(c) for c in cells))
    return "\n".join(out) + "\n"
