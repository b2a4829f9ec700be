"""One entry per file format: how to recognise it, read it and write it."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from .model import Bank, BankIssue, ParseResult


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extensions: tuple[str, ...]
    media_type: str
    binary: bool = False

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


def _apkg_writer():
    from .apkg import dump_apkg
    return dump_apkg


_READERS = {"yaml": _native_reader, "json": _native_reader, "gift": _gift_reader,
            "csv": _delimited_reader, "apkg": _apkg_reader}
_WRITERS = {"yaml": _yaml_writer, "json": _json_writer, "gift": _gift_writer,
            "csv": _csv_writer, "apkg": _apkg_writer}

FORMATS: dict[str, Format] = {
    f.name: f for f in (
        Format("yaml", "Quizapp YAML", (".yaml", ".yml"), "application/yaml"),
        Format("json", "Quizapp JSON", (".json",), "application/json"),
        Format("gift", "Moodle GIFT", (".gift", ".txt"), "text/plain"),
        Format("csv", "CSV / TSV (Anki, Quizlet)", (".csv", ".tsv", ".txt"), "text/csv"),
        Format("apkg", "Anki package", (".apkg", ".colpkg"), "application/octet-stream", binary=True),
    )
}

_GIFT_HINTS = re.compile(r"(^\s*::.+?::)|(^\s*\$CATEGORY:)|(\{\s*[=~#TF])|(\{\s*\})", re.MULTILINE)


def detect(data: bytes, filename: str = "") -> str:
    """The format of ``data``, judged by its content (the file name only breaks ties)."""
    if data[:4] == b"PK\x03\x04":
        return "apkg"
    head = data[:65536].decode("utf-8", errors="replace").lstrip("\ufeff")
    stripped = head.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            json.loads(data.decode("utf-8-sig"))
            return "json"
        except (ValueError, UnicodeDecodeError):
            pass
    if re.search(r"^questions\s*:", head, re.MULTILINE) or re.search(r"^bank\s*:\s*\d", head, re.MULTILINE):
        return "yaml"
    if _GIFT_HINTS.search(head) and not head.startswith("#separator"):
        return "gift"
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".gift":
        return "gift"
    return "csv"


def parse(data: bytes, filename: str, fmt: str = "auto", **options) -> ParseResult:
    """Reads ``data`` in format ``fmt`` (or the detected one); never raises on bad input."""
    name = detect(data, filename) if fmt == "auto" else fmt
    if name not in FORMATS:
        return ParseResult(None, [BankIssue(filename, None, f"unknown format {fmt!r}; "
                                                          f"known: {', '.join(FORMATS)}")])
    spec = FORMATS[name]
    if spec.binary:
        return spec.reader()(data, filename, **options)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return ParseResult(None, [BankIssue(filename, line, "is not UTF-8 text (save it as UTF-8 and try again)")])
    return spec.reader()(text, filename, **options)


def dump(bank: Bank, fmt: str) -> bytes:
    out = FORMATS[fmt].writer()(bank)
    return out if isinstance(out, bytes) else out.encode("utf-8")
