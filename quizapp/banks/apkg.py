"""Anki packages (.apkg, also .colpkg) read into banks, and banks written as .apkg.

The work is split by what it holds:

- anki_package.py: the archive and its collection opened safely (every layout Anki has written),
  media read within the caps of limits.py;
- anki_questions.py: notes as questions (Quizapp's own notes whole again, flashcards with their
  reverse card, nested clozes), what is left out, and each card's review history;
- anki_history.py: the review log reduced as Anki reduces it for FSRS;
- anki_math.py: Anki's ``[$]``/``[latex]`` as MathJax;
- anki_notetypes.py and anki_export.py: what Quizapp writes for Anki.

This module reads a package into a bank (``parse_apkg``: all or nothing, every problem and every
item left out named) and keeps the public names callers import.
"""
from __future__ import annotations

import html
import re
import sqlite3
import zipfile

from .anki_export import dump_apkg
from .anki_history import history_size
from .anki_notetypes import stable_id
from .anki_package import Package, open_media, open_package, proto_fields, read_image
from .anki_questions import Notices, build_bank
from .limits import DEFAULT_LIMITS, ArchiveError, Limits, media_name_problem, open_zip
from .model import Bank, BankIssue, ParseResult, validate_bank

__all__ = ["dump_apkg", "package_image", "parse_apkg", "proto_fields", "stable_id"]

IMG_TAG = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
IMG_SRC = re.compile(r"\ssrc=\"([^\"<>]*)\"", re.IGNORECASE)


def parse_apkg(data: bytes | str, file: str = "deck.apkg", bank_id: str | None = None, title: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """The notes of an Anki package as a bank; ``bank_id`` and ``title`` override what the deck gives.
    The bank's ``history`` holds the review history that came with the package."""
    if isinstance(data, str):
        return ParseResult(None, [BankIssue(file, None, "an Anki package is a binary (zip) file, not text")])
    try:
        with open_zip(bytes(data), limits) as archive:
            return _parse(archive, file, bank_id, title, limits)
    except ArchiveError as exc:
        return ParseResult(None, [BankIssue(file, None, str(exc))])
    except sqlite3.OperationalError as exc:
        reason = "took too long to read" if "interrupt" in str(exc) else f"is damaged ({exc})"
        return ParseResult(None, [BankIssue(file, None, f"the package's collection {reason}")])
    except (sqlite3.Error, ValueError, RecursionError, OverflowError) as exc:
        return ParseResult(None, [BankIssue(file, None, f"the package's collection is damaged ({exc})")])


def _parse(archive: zipfile.ZipFile, file: str, bank_id: str | None, title: str | None,
           limits: Limits) -> ParseResult:
    with open_package(archive, file, limits) as package:
        col = package.collection
        assert col is not None
        if not col.notes:
            return ParseResult(None, [BankIssue(file, None, "the package holds no notes: there is nothing to import")])
        notices = Notices(file)
        bank = build_bank(col, file, bank_id, title, notices)
        errors = list(package.media_errors)
        if not errors:
            _attach_media(bank, package, notices)
        if not bank.questions:
            errors.append(BankIssue(file, None, f"none of the package's {len(col.notes)} notes can be imported "
                                                "(each is named below with the reason)"))
        if col.revlog_cut:
            notices.add("review history", None, "the package's review history is too long to read "
                                                "(over 300,000 reviews): it is not imported")
        elif bank.history:
            cards, reviews = history_size(bank.history)
            notices.add("review history", None,
                        f"the package holds a review history: {reviews} reviews of {cards} cards. It is imported "
                        "as your own progress only if you ask when saving")
    errors += validate_bank(bank, file)
    return ParseResult(None if errors else bank, errors, notices.issues(), partial=bank)


def _attach_media(bank: Bank, package: Package, notices: Notices) -> None:
    """Reads every image the questions use; one missing from the package is taken out of the text."""
    missing: set[str] = set()
    for name, question in _referenced_images(bank).items():
        if name not in package.media_map:
            missing.add(name)
            notices.add("images missing from the package", question,
                        f"image {name!r} is not in the package; the question is kept without it")
            continue
        bank.media[name] = read_image(package, name)
    if missing:
        for q in bank.questions:
            q.fields = {k: _without_images(v, missing) if isinstance(v, str) else v for k, v in q.fields.items()}
            q.explanation = _without_images(q.explanation, missing)


def _local_name(src: str) -> str | None:
    name = html.unescape(src)
    if ":" in name or name.startswith("//") or media_name_problem(name):
        return None  # a remote image, not a packaged one
    return name


def _referenced_images(bank: Bank) -> dict[str, str]:
    """Local image names used by ``<img src>`` in the bank's questions -> the first question using one."""
    found: dict[str, str] = {}
    for q in bank.questions:
        for text in [str(v) for v in q.fields.values()] + [q.explanation]:
            for tag in IMG_TAG.findall(text):
                src = IMG_SRC.search(tag)
                name = _local_name(src.group(1)) if src else None
                if name is not None:
                    found.setdefault(name, q.id)
    return found


def _without_images(text: str, names: set[str]) -> str:
    def drop(m: re.Match) -> str:
        src = IMG_SRC.search(m.group(0))
        return "" if src and _local_name(src.group(1)) in names else m.group(0)

    kept = IMG_TAG.sub(drop, text)
    return kept.strip() if kept != text else text


def package_image(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """One image of a package, for the upload preview (None when the package has none of that name)."""
    if media_name_problem(name):
        return None
    try:
        with open_zip(bytes(data), limits) as archive:
            package = open_media(archive, limits)
            if name not in package.media_map or package.media_errors:
                return None
            return read_image(package, name)
    except (ArchiveError, sqlite3.Error, ValueError, RecursionError, OverflowError):
        return None
