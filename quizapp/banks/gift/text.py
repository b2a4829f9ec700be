"""GIFT's text rules, as Moodle's question/format/gift/format.php applies them.

Reading: ``escapedchar_pre`` turns ``\\\\`` into ``\\`` and ``\\: \\# \\= \\{ \\} \\~ \\n`` into
placeholders before the block is cut up; ``escapedchar_post`` turns the placeholders back into
the characters once a piece of text is cut out. ``parse_text_with_format`` reads an optional
``[moodle] [html] [plain] [markdown]`` in front of a text. Writing escapes exactly those
characters (``repchar``), nothing more. A ``$CATEGORY:`` path is never unescaped by Moodle, so
only its backslashes (which ``escapedchar_pre`` halves) are doubled.

Every scan here walks the text once: no regular expression that can backtrack.
"""
from __future__ import annotations

import html
import itertools
import re

WS = " \t\n\r\0\x0b"  # what PHP's trim() removes
FORMAT_TAG = re.compile(r"\[(moodle|html|plain|markdown)\]")
ESCAPE = re.compile(r"\\([\\:#={}~n])")
ESCAPED = ":#={}~n"
# What makes a text in Moodle's default format (moodle) render as HTML: a tag or an entity.
# Bounded repeats, so a long run of letters after '&' costs no more than 32 steps per '&'.
MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")
_CONTROL = frozenset(chr(c) for c in (*range(0x20), 0x7F))


def trim(text: str) -> str:
    return text.strip(WS)


class Escapes:
    """``escapedchar_pre``/``post`` with private-use placeholders that the file does not contain
    (Moodle's ``&&058;`` could be typed in a file; these cannot collide)."""

    def __init__(self, text: str) -> None:
        used = set(text)
        ranges = itertools.chain(range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))
        free = (chr(c) for c in ranges if chr(c) not in used)
        self.holders = {ch: next(free) for ch in ESCAPED}
        self.table = str.maketrans({v: ("\n" if k == "n" else k) for k, v in self.holders.items()})
        self.as_written = str.maketrans({v: "\\" + k for k, v in self.holders.items()})

    def pre(self, text: str) -> str:
        return ESCAPE.sub(lambda m: "\\" if m[1] == "\\" else self.holders[m[1]], text)

    def post(self, text: str) -> str:
        return text.translate(self.table)

    def unposted(self, text: str) -> str:
        """Placeholders back as the escapes they were written as (a $CATEGORY path, which
        Moodle never unescapes)."""
        return text.translate(self.as_written)


def escape(text: object) -> str:
    """Moodle's ``repchar``: ``\\ # = ~ { } :`` escaped, a line break as ``\\n``."""
    out = str(text).replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
    for ch in "#=~{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def category_path(title: str) -> str:
    """A bank title as a ``$CATEGORY:`` path Moodle reads back as that one name.

    Moodle's ``assemble_category_path``: '/' doubled, a space against a leading or trailing '/';
    the line is not unescaped, but ``escapedchar_pre`` still halves ``\\\\``, so backslashes double."""
    name = " ".join(str(title).split()).replace("\\", "\\\\").replace("/", "//")
    if name.startswith("/"):
        name = " " + name
    if name.endswith("/"):
        name += " "
    return "$course$/top/" + name


def split_category(path: str) -> list[str]:
    """Moodle's ``split_category_path``: names split on a single '/', '//' being a literal '/'.
    Written as a scan (no look-around regex)."""
    names, current, i = [], [], 0
    while i < len(path):
        if path[i] == "/":
            run = i
            while run < len(path) and path[run] == "/":
                run += 1
            count = run - i
            if count == 1:
                names.append("".join(current))
                current = []
            else:
                current.append("/" * (count // 2) + ("/" if count % 2 else ""))
            i = run
        else:
            current.append(path[i])
            i += 1
    names.append("".join(current))
    return [trim(n) for n in names]


def has_markup(text: str) -> bool:
    return MARKUP.search(text) is not None


def renders_html(text: str, fmt: str) -> bool:
    """Whether Moodle shows ``text`` (in Moodle format ``fmt``) as HTML rather than as typed."""
    return fmt == "html" or (fmt == "moodle" and has_markup(text))


def html_of_plain(text: str) -> str:
    """Plain text as HTML that shows the same (``>`` escaped too, so ``->`` is gone)."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def starts_like_tag(text: str) -> bool:
    return FORMAT_TAG.match(text) is not None


def comment_tokens(comments: str, opener: str, banned: str = "") -> list[str]:
    """Every ``[id:...]`` / ``[tag:...]`` token of the comment lines, as Moodle's regexes find
    them: ``(?:\\\\]|[^]<banned>[:cntrl:]])+`` then ``]``, greedy, so an escaped ``\\]`` is part of
    the token unless nothing later closes it. One pass: a failed token start skips to where its
    scan stopped, since every start in between would stop there too."""
    out: list[str] = []
    stops = _CONTROL | set(banned)
    at = comments.find(opener)
    while at >= 0:
        start = i = at + len(opener)
        last_escaped = -1  # index of the ']' of the latest '\]'
        end = -1
        while i < len(comments):
            ch = comments[i]
            if ch == "\\" and i + 1 < len(comments) and comments[i + 1] == "]":
                last_escaped = i + 1
                i += 2
            elif ch == "]":
                end = i if i > start else -1
                break
            elif ch in stops:
                break
            else:
                i += 1
        if end < 0 and last_escaped > start:
            end = last_escaped  # backtrack: the last '\]' is a '\' and the closing ']'
        if end > start:
            out.append(comments[start:end])
            at = comments.find(opener, end + 1)
        else:
            at = comments.find(opener, max(i, at + 1))
    return out


def weight_end(text: str) -> int:
    """Where Moodle's ``/^%\\-*([0-9]{1,2})\\.?([0-9]*)%/`` match ends in ``text``, or -1."""
    if not text.startswith("%"):
        return -1
    i = 1
    while i < len(text) and text[i] == "-":
        i += 1
    digits = 0
    while i < len(text) and digits < 2 and "0" <= text[i] <= "9":
        i, digits = i + 1, digits + 1
    if not digits:
        return -1
    if i < len(text) and text[i] == ".":
        i += 1
    while i < len(text) and "0" <= text[i] <= "9":
        i += 1
    return i + 1 if i < len(text) and text[i] == "%" else -1
