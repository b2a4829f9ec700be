"""The Anki conventions shared by the CSV/TSV reader and writer and the .apkg reader and writer:
note kinds, guids, deck paths, tags, and the front and back of question types Anki lacks.

(Restored by the .apkg helper after its file of the same name overwrote this one by mistake: the
content is the "Anki conventions" section of delimited.py as it stood; check it against your copy.)
"""
from __future__ import annotations

import hashlib
import html
import re

from markdown_it import MarkdownIt

from ..domain.questions import REGISTRY, get_type
from ..domain.questions.cloze import DELETION
from .model import SLUG, Question, slugify
from .sanitize import clean_html, html_to_text

# -- Anki conventions shared with apkg.py ---------------------------------------------------------

CLOZE_MARK = re.compile(r"\{\{c\d+::")
REVERSE_SUFFIX = "-reverse"
_ID = SLUG.pattern.removeprefix("^").removesuffix("$").removesuffix("\\Z")  # SLUG may end in \Z
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
SOUND = re.compile(r"\[sound:[^\]]*\]")
# An image occlusion note's deletions name shapes on an image, not words (Anki 23.10+).
OCCLUSION_MARK = re.compile(r"\{\{c\d+::image-occlusion:", re.IGNORECASE)


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


def is_occlusion(notetype: str) -> bool:
    """Anki's stock "Image Occlusion" note type, or a copy of it."""
    return "occlusion" in notetype.lower()


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
                     twin.extra, twin.title) == (q.explanation, q.tags, q.format, q.source, q.evidence,
                                                 q.difficulty, q.extra, q.title)):
            paired.add(q.id)
    twins = {i + REVERSE_SUFFIX for i in paired}
    return [(q, q.id in paired) for q in questions if q.id not in twins]


def anki_tag(tag: str) -> str:
    """Anki separates tags with spaces, so a tag cannot hold one."""
    return re.sub(r"\s+", "_", tag.strip())
