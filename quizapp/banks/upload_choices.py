"""What the teacher chooses at upload, applied to what the reader made of the file.

- **The bank's name.** Given, it is the bank's title, whatever the file says (a GIFT file's first
  category, a deck's name, the file's name). A bank id that the reader derived from the old title
  follows the new one; an id the file states (Quizapp YAML/JSON, a GIFT file Quizapp wrote, an
  Anki deck's GUIDs) is kept, so uploading the file again still updates the same bank.
- **GIFT categories**: "tags" (each question tagged with its category's names) or "banks" (one
  bank per category; ``ParseResult.parts``). Either way the file is checked and saved as a whole.
"""
from __future__ import annotations

from . import formats
from .model import ParseResult, slugify

CATEGORY_CHOICES = {"tags": "One bank, categories as tags", "banks": "One bank per category"}
NATIVE = ("yaml", "json")


def parse(data: bytes, filename: str, fmt: str = "auto", name: str = "", categories: str = "tags",
          **options: str) -> ParseResult:
    """``formats.parse`` with the teacher's name for the bank and choice for GIFT categories."""
    if categories not in CATEGORY_CHOICES:
        raise ValueError(f"categories must be one of {', '.join(CATEGORY_CHOICES)}")
    name = " ".join((name or "").split())
    detected = fmt if fmt != "auto" else ("csv" if options else formats.detect(data, filename))
    if detected == "gift" and not options:
        # The GIFT reader takes both itself: the name is the bank of the questions outside any category.
        return formats.parse(data, filename, "gift", title=name or None, categories=categories)
    result = formats.parse(data, filename, fmt, **options)
    if name:
        for bank in {id(b): b for b in (result.bank, result.partial) if b is not None}.values():
            derived = bank.id == slugify(bank.title, bank.id)
            bank.title = name
            if derived and detected not in NATIVE:
                bank.id = slugify(name, bank.id)
    return result
