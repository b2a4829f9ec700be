"""A native bank with its images: a zip of the bank file (YAML or JSON) and a ``media/`` folder.

YAML and JSON are text, so a bank's images (``<img src="map.png">`` in an html question) travel
beside it: ``<bank id>.yaml`` (or ``.json``) at the top of the zip, each image as
``media/<name>``. Reading holds the zip to the caps every archive upload has (limits.py: upload
size, entry count, decompressed bytes per entry and in all, compression ratio, each image's size,
the images' total and count) and refuses any entry that is not the bank file or a plain file name
under ``media/`` (no ``..``, no absolute path, no sub-folder): nothing is ever written to disk.
"""
from __future__ import annotations

import io
import zipfile

from .limits import DEFAULT_LIMITS, ArchiveError, Limits, media_name_problem, open_zip, read_member, size_text
from .model import Bank, BankIssue, ParseResult

MEDIA_DIR = "media/"
ARCHIVE = "archive"  # the field of an issue about the zip itself
BANK_SUFFIXES = (".yaml", ".yml", ".json")
_IGNORED = ("__MACOSX/",)  # what macOS's "Compress" adds beside the files; never read
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same bank gives the same bytes


def is_bank_archive(names: list[str]) -> bool:
    """Whether a zip's entry names look like a native bank archive (a bank file at the top), not
    an Anki package (whose collection is ``collection.anki2``, ``.anki21`` or ``.anki21b``)."""
    if any(n.startswith("collection.anki") for n in names):
        return False
    return any("/" not in n and n.lower().endswith(BANK_SUFFIXES) for n in names)


def bank_file_format(names: list[str]) -> str:
    """'json' or 'yaml': the format of the bank file among ``names``."""
    bank = next((n for n in names if "/" not in n and n.lower().endswith(BANK_SUFFIXES)), "")
    return "json" if bank.lower().endswith(".json") else "yaml"


def dump_archive(bank: Bank, fmt: str) -> bytes:
    """The zip of ``bank`` written as ``fmt`` (yaml or json) and its media."""
    from .native import dump_json, dump_yaml

    text = dump_json(bank) if fmt == "json" else dump_yaml(bank)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo(f"{bank.id}.{'json' if fmt == 'json' else 'yaml'}", _FIXED_TIME)
        archive.writestr(info, text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
        for name in sorted(bank.media):
            # Images are compressed already: stored as they are.
            archive.writestr(zipfile.ZipInfo(MEDIA_DIR + name, _FIXED_TIME), bank.media[name],
                             compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def parse_archive(data: bytes, file: str, limits: Limits = DEFAULT_LIMITS) -> ParseResult:
    """The bank in the zip ``data``, its media attached; errors name ``file`` (the upload) and, for
    the bank's own problems, the line in the bank file."""
    from .native import parse_native

    try:
        text, bank_name, media = _read(data, limits)
    except ArchiveError as exc:
        # No line to point at in a zip: the issue names the archive as what is wrong.
        return ParseResult(None, [BankIssue(file, None, str(exc), field=ARCHIVE)])
    if text.startswith(b"PK"):  # never a zip inside the zip (a zip can even hold itself)
        return ParseResult(None, [BankIssue(file, None, f"the bank file {bank_name!r} is not YAML or JSON text",
                                            field=ARCHIVE)])
    result = _renamed(parse_native(text, bank_name), file)  # the name inside says YAML or JSON
    for bank in {id(b): b for b in (result.bank, result.partial) if b is not None}.values():
        bank.media = dict(media)
    return result


def _renamed(result: ParseResult, file: str) -> ParseResult:
    """Issues named after the upload (the zip), whatever name the bank file has inside it."""
    def rename(issues: list[BankIssue]) -> list[BankIssue]:
        return [BankIssue(file, i.line, i.message, i.field, i.question, i.level) for i in issues]

    return ParseResult(result.bank, rename(result.errors), rename(result.notices), partial=result.partial)


def _read(data: bytes, limits: Limits) -> tuple[bytes, str, dict[str, bytes]]:
    archive = open_zip(data, limits)
    infos = [i for i in archive.infolist() if not i.filename.startswith(_IGNORED)]
    banks = [i.filename for i in infos if "/" not in i.filename and i.filename.lower().endswith(BANK_SUFFIXES)]
    if len(banks) != 1:
        raise ArchiveError("the zip must hold one bank file (.yaml, .yml or .json) at its top, and its images "
                           f"under {MEDIA_DIR}" + (f"; it holds {len(banks)}: {', '.join(banks[:5])}" if banks else ""))
    media: dict[str, bytes] = {}
    total = 0
    for info in infos:
        name = info.filename
        if name == banks[0] or name == MEDIA_DIR:
            continue
        if not name.startswith(MEDIA_DIR):
            raise ArchiveError(f"zip entry {name!r} is neither the bank file nor an image under {MEDIA_DIR}")
        media_name = name[len(MEDIA_DIR):]
        problem = media_name_problem(media_name)
        if problem:
            raise ArchiveError(f"zip entry {name!r}: the image's name {problem}")
        if len(media) >= limits.max_media_files:
            raise ArchiveError(f"the zip holds more than {limits.max_media_files} images (the limit)")
        blob = read_member(archive, name, limits.max_media_bytes, f"image {media_name!r}")
        total += len(blob)
        if total > limits.max_media_total:
            raise ArchiveError(f"the zip's images come to more than {size_text(limits.max_media_total)} "
                               "(the limit)")
        media[media_name] = blob
    text = read_member(archive, banks[0], limits.max_upload_bytes, f"the bank file {banks[0]!r}")
    return text, banks[0], media
