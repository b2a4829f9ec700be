"""One entry per file format: how to recognise it, read it and write it."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from .delimited_scan import table_separator
from .encoding import utf8_text
from .model import Bank, BankIssue, ParseResult


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extensions: tuple[str, ...]
    media_type: str
    binary: bool = False
    decodes: bool = False  # the reader takes the bytes and decodes them itself (UTF-16, lines of bad bytes)
    options: tuple[str, ...] = ()  # reader options a teacher may give (the separators of a CSV)

    def reader(self) -> Callable[..., ParseResult]:
        return _READERS[self.name]()

    def writer(self) -> Callable[[Bank], str | bytes]:
        return _WRITERS[self.name]()


def _native_reader():
    from .native import parse_native
    return parse_native


def _gift_reader():
    from .gift import parse_gift
    return parse_gift


def _delimited_reader():
    from .delimited import parse_delimited
    return parse_delimited


def _apkg_reader():
    from .apkg import parse_apkg
    return parse_apkg


def _yaml_writer():
    from .native import dump_yaml
    return dump_yaml


def _json_writer():
    from .native import dump_json
    return dump_json


def _gift_writer():
    from .gift import dump_gift
    return dump_gift


def _csv_writer():
    from .delimited import dump_csv
    return dump_csv


def _tsv_writer():
    from .delimited import dump_tsv
    return dump_tsv


def _apkg_writer():
    from .apkg import dump_apkg
    return dump_apkg


_READERS = {"yaml": _native_reader, "json": _native_reader, "gift": _gift_reader,
            "csv": _delimited_reader, "tsv": _delimited_reader, "apkg": _apkg_reader}
_WRITERS = {"yaml": _yaml_writer, "json": _json_writer, "gift": _gift_writer,
            "csv": _csv_writer, "tsv": _tsv_writer, "apkg": _apkg_writer}
DELIMITED_OPTIONS = ("separator", "card_separator")

FORMATS: dict[str, Format] = {
    f.name: f for f in (
        Format("yaml", "Quizapp YAML", (".yaml", ".yml"), "application/yaml"),
        Format("json", "Quizapp JSON", (".json",), "application/json"),
        Format("gift", "Moodle GIFT", (".gift", ".txt"), "text/plain"),
        Format("csv", "CSV / TSV (Anki, Quizlet)", (".csv", ".tsv", ".txt"), "text/csv", decodes=True,
               options=DELIMITED_OPTIONS),
        Format("tsv", "TSV (tab-separated, as Anki exports)", (".tsv", ".txt"), "text/tab-separated-values",
               decodes=True, options=DELIMITED_OPTIONS),
        Format("apkg", "Anki package", (".apkg", ".colpkg"), "application/octet-stream", binary=True),
    )
}

# [ \t]*, not \s*, after ^: \s* crossed lines, so every line start rescanned the blank lines after it
# (quadratic: 64 KB of blank lines took half a minute). Each line's own ^ covers what it found.
_GIFT_HINTS = re.compile(r"(^[ \t]*::.+?::)|(^[ \t]*\$CATEGORY:)|(\{\s*[=~#TF])|(\{\s*\})", re.MULTILINE)
# What only GIFT writes: a question title or a category line. Braces alone are common in card text.
_GIFT_MARKS = re.compile(r"(^[ \t]*::.+?::)|(^[ \t]*\$CATEGORY:)", re.MULTILINE)
HEAD_BYTES = 65536


def detect(data: bytes, filename: str = "") -> str:
    """The format of ``data``, judged by its content (the file name only breaks ties).

    A table wins over GIFT's brace hints: when every line holds a tab, or two or more lines in a
    row each hold a comma, semicolon or pipe (delimited_scan.table_separator), a ``{`` in a card is
    text, not a GIFT answer. Only GIFT's own marks (``::title::``, ``$CATEGORY:``) or a ``.gift``
    name keep a comma table GIFT."""
    if data[:4] == b"PK\x03\x04":
        return _zip_format(data)
    head = data[:HEAD_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = head.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            # Numbers kept as text: a 5,000-digit one is JSON still (the reader refuses it, with its line).
            json.loads(data.decode("utf-8-sig"), parse_int=str)
            return "json"
        except RecursionError:
            return "json"  # JSON nested past what json reads: the reader says where
        except (ValueError, UnicodeDecodeError):
            pass
    if re.search(r"^questions\s*:", head, re.MULTILINE) or re.search(r"^bank\s*:\s*\d", head, re.MULTILINE):
        return "yaml"
    if head.startswith("#separator"):
        return "csv"
    suffix = PurePath(filename).suffix.lower()
    if _GIFT_HINTS.search(head):
        table = table_separator(head, complete=len(data) <= HEAD_BYTES)
        if table is None or (table != "\t" and (_GIFT_MARKS.search(head) or suffix == ".gift")):
            return "gift"
        return "csv"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".gift":
        return "gift"
    return "csv"


def _zip_format(data: bytes) -> str:
    """A zip is a native bank with its media (a bank file at its top: native_zip) or an Anki package."""
    import io
    import zipfile

    from .native_zip import bank_file_format, is_bank_archive

    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return "apkg"  # not readable: the package reader says why
    return bank_file_format(names) if is_bank_archive(names) else "apkg"


def export(bank: Bank, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, file extension, media type) of ``bank`` exported as ``fmt``. YAML and JSON are text,
    so a bank with images goes as a zip of the bank file and its ``media/`` (native_zip)."""
    spec = FORMATS[fmt]
    if fmt in ("yaml", "json") and bank.media:
        from .native_zip import dump_archive

        return dump_archive(bank, fmt), ".zip", "application/zip"
    return dump(bank, fmt), spec.extensions[0], spec.media_type


def parse(data: bytes, filename: str, fmt: str = "auto", **options) -> ParseResult:
    """Reads ``data`` in format ``fmt`` (or the detected one); never raises on bad input.
    ``options`` go to the reader (the separators of a CSV, which also make "auto" mean CSV)."""
    given = {k: v for k, v in options.items() if v is not None}
    name = fmt
    if fmt == "auto":
        name = "csv" if any(k in DELIMITED_OPTIONS for k in given) else detect(data, filename)
    if name not in FORMATS:
        return ParseResult(None, [BankIssue(filename, None, f"unknown format {fmt!r}; "
                                                          f"known: {', '.join(FORMATS)}")])
    spec = FORMATS[name]
    extra = sorted(k for k in given if k in DELIMITED_OPTIONS and k not in spec.options)
    if extra:
        return ParseResult(None, [BankIssue(filename, None, f"{spec.label} takes no {', '.join(extra)} option "
                                                          "(separators are for CSV/TSV files)")])
    if spec.binary or spec.decodes or (name in ("yaml", "json") and data[:4] == b"PK\x03\x04"):
        return spec.reader()(data, filename, **given)  # (a native zip: the bank file and its media)
    text, issue = utf8_text(data, filename)
    if issue is not None:
        return ParseResult(None, [issue])
    return spec.reader()(text, filename, **given)


def dump(bank: Bank, fmt: str) -> bytes:
    out = FORMATS[fmt].writer()(bank)
    return out if isinstance(out, bytes) else out.encode("utf-8")
