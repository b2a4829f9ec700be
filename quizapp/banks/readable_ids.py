"""Readable question ids made from a question's text: "Où est la Ville-Lumière ?" gives
``ou-est-la-ville-lumiere``. Accents and other scripts are transliterated (python-slugify with
text-unidecode), the id is cut at a word boundary, and a repeat gets ``-2``, ``-3``..."""
from __future__ import annotations

import re
from collections.abc import Collection

from slugify import slugify

from .model import MAX_ID_CHARS

ID_WORDS_CHARS = 60  # long enough to tell questions apart, short enough to read in a list
_TAGS = re.compile(r"<[^>]*>")


def id_from_text(text: str, taken: Collection[str] = (), fallback: str = "q") -> str:
    """An id for a question whose text is ``text`` (HTML tags ignored), not one of ``taken``."""
    base = slugify(_TAGS.sub(" ", text[:2000] if text else "")) or fallback
    if len(base) > ID_WORDS_CHARS:
        # The words that fit, in order (slugify's own word_boundary skips a long word and keeps later ones).
        cut = base[: ID_WORDS_CHARS + 1].rsplit("-", 1)[0]
        base = cut if 0 < len(cut) <= ID_WORDS_CHARS else base[:ID_WORDS_CHARS].strip("-")
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_ID_CHARS - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1
