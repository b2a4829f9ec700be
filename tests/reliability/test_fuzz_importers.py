"""Every importer, through the one entry point uploads use (``formats.parse``), fed arbitrary bytes
and text and mutated valid files: the answer is a bank or a list of errors that say where and
what; never an exception (an upload that raised would be a 500 and a lost explanation)."""
from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.banks import formats
from quizapp.banks.model import BankIssue, ParseResult
from quizapp.banks.native import from_data
from tests.factories import QUESTIONS

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = {"yaml": "bank.yaml", "json": "bank.json", "gift": "questions.gift", "csv": "cards.csv",
         "tsv": "cards.tsv", "apkg": "deck.apkg"}


def _seed_bank():
    data = {"bank": 1, "id": "demo", "title": "Demo bank", "sources": {"doc": {"title": "A document"}},
            "questions": QUESTIONS}
    result = from_data(data, "demo.yaml")
    assert result.ok, result.errors
    return result.bank


BANK = _seed_bank()
SEEDS: dict[str, bytes] = {fmt: formats.dump(BANK, fmt) for fmt in formats.FORMATS}
SEEDS["tsv"] = b"#separator:tab\n#html:false\nWho led the KMT?\tChiang Kai-shek\tpolitics\nMao met\tStalin\t\n"


def test_the_seeds_are_valid_files():
    """Mutations start from files every importer reads without error."""
    for fmt, data in SEEDS.items():
        result = formats.parse(data, NAMES[fmt])
        assert result.ok, (fmt, [str(e) for e in result.errors])


# Errors about a text file as a whole, where no line would help; every other one has a line or a field.
WHOLE_FILE = ("has no questions",)


def check(result: ParseResult, filename: str, fmt: str) -> None:
    """A bank, or errors that each name the file, say what is wrong and, in text files, where."""
    assert isinstance(result, ParseResult)
    if result.ok:
        assert result.bank.questions is not None
        return
    assert result.errors, "no bank and no error saying why"
    for error in result.errors:
        assert isinstance(error, BankIssue)
        assert error.file == filename
        assert isinstance(error.message, str) and error.message.strip()
        assert error.line is None or (isinstance(error.line, int) and error.line >= 1)
        assert str(error).startswith(filename)
        if not formats.FORMATS[fmt].binary:  # a zip has no lines to point at
            assert error.line or error.field or error.message.startswith(WHOLE_FILE), str(error)


def parse_every_way(data: bytes, fmt_hint: str) -> None:
    filename = NAMES[fmt_hint]
    check(formats.parse(data, filename), filename, formats.detect(data, filename))  # detected, as uploads are
    forced = "csv" if fmt_hint == "tsv" else fmt_hint
    check(formats.parse(data, filename, forced), filename, forced)  # and as the format the user chose


# -- arbitrary input ---------------------------------------------------------------------------
@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(sorted(NAMES)))
def test_arbitrary_bytes(data, fmt):
    parse_every_way(data, fmt)


@FUZZ
@given(st.text(max_size=800), st.sampled_from(sorted(NAMES)))
def test_arbitrary_text(text, fmt):
    parse_every_way(text.encode("utf-8"), fmt)


@FUZZ
@given(st.binary(max_size=4000))
def test_arbitrary_zip_members_in_an_anki_package(payload):
    """A well-formed zip whose collection is garbage (or a truncated real one)."""
    real = zipfile.ZipFile(io.BytesIO(SEEDS["apkg"])).read("collection.anki2")
    for collection in (payload, real[: len(payload)], payload + real[len(payload):]):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("collection.anki2", collection)
            archive.writestr("media", b"{}")
        parse_every_way(buffer.getvalue(), "apkg")


# -- mutated valid files -----------------------------------------------------------------------
EDITS = st.lists(st.tuples(st.sampled_from(["flip", "delete", "insert", "repeat", "truncate"]),
                           st.integers(0, 1 << 30), st.binary(min_size=1, max_size=8)), min_size=1, max_size=6)


def mutate(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for kind, where, chunk in edits:
        at = where % (len(out) + 1)
        if kind == "flip" and at < len(out):
            out[at] ^= chunk[0] or 0xFF
        elif kind == "delete":
            del out[at:at + len(chunk)]
        elif kind == "insert":
            out[at:at] = chunk
        elif kind == "repeat":
            out[at:at] = out[at:at + 64]
        elif kind == "truncate":
            del out[at:]
    return bytes(out)


@FUZZ
@given(st.sampled_from(sorted(SEEDS)), EDITS)
def test_mutated_valid_files(fmt, edits):
    parse_every_way(mutate(SEEDS[fmt], edits), fmt)


LINE_EDITS = st.lists(st.tuples(st.sampled_from(["drop", "double", "swap", "replace", "indent"]),
                                st.integers(0, 1 << 30), st.text(max_size=30)), min_size=1, max_size=5)


@FUZZ
@given(st.sampled_from(["yaml", "json", "gift", "csv", "tsv"]), LINE_EDITS)
def test_line_edits_of_valid_text_files(fmt, edits):
    """The mistakes people make by hand: a line lost, doubled, moved, retyped or re-indented."""
    lines = SEEDS[fmt].decode("utf-8").splitlines(keepends=True)
    for kind, where, text in edits:
        if not lines:
            break
        n = where % len(lines)
        if kind == "drop":
            del lines[n]
        elif kind == "double":
            lines.insert(n, lines[n])
        elif kind == "swap":
            m = (n + 1) % len(lines)
            lines[n], lines[m] = lines[m], lines[n]
        elif kind == "replace":
            lines[n] = text + "\n"
        elif kind == "indent":
            lines[n] = " " * (where % 5) + lines[n]
    parse_every_way("".join(lines).encode("utf-8"), fmt)


@FUZZ
@given(st.sampled_from(["flip", "delete", "truncate"]), st.integers(0, 1 << 30), st.binary(min_size=1, max_size=4))
def test_anki_package_with_a_damaged_collection(kind, where, chunk):
    """Byte damage inside the SQLite collection, re-zipped so the zip itself is sound."""
    source = zipfile.ZipFile(io.BytesIO(SEEDS["apkg"]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "collection.anki2":
                data = mutate(data, [(kind, where, chunk)])
            archive.writestr(info, data)
    parse_every_way(buffer.getvalue(), "apkg")
