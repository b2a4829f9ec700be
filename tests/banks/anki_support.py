"""Real Anki collections and packages for the .apkg tests, made with Anki's own library (test-only)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

anki_collection = pytest.importorskip("anki.collection")
Collection = anki_collection.Collection

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def add_note(col, notetype: str, deck: str, tags: list[str] | None = None, **fields: str):
    """A note of the named note type in the named deck; ``Back_Extra`` names the field "Back Extra"."""
    note = col.new_note(col.models.by_name(notetype))
    for name, value in fields.items():
        note[name.replace("_", " ")] = value
    note.tags = tags or []
    col.add_note(note, col.decks.id(deck))
    return note


def export(col, path: Path, legacy: bool = False, with_scheduling: bool = False, limit=None) -> bytes:
    """What File > Export > Anki Deck Package writes (``legacy``: "support older Anki versions")."""
    options = anki_collection.ExportAnkiPackageOptions(
        with_scheduling=with_scheduling, with_deck_configs=False, with_media=True, legacy=legacy)
    col.export_anki_package(out_path=str(path), options=options, limit=limit)
    return path.read_bytes()


def import_package(col, tmp_path: Path, package: bytes, n: int = 0):
    """File > Import of ``package`` into ``col`` with Anki's default options; Anki's log of it."""
    path = tmp_path / f"import-{n}.apkg"
    path.write_bytes(package)
    return col.import_anki_package(anki_collection.ImportAnkiPackageRequest(
        package_path=str(path), options=anki_collection.ImportAnkiPackageOptions()))


def import_into_anki(tmp_path: Path, *packages: bytes, name: str = "learner.anki2"):
    col = Collection(str(tmp_path / name))
    for n, package in enumerate(packages):
        import_package(col, tmp_path, package, n)
    return col


def anki_notes(col) -> dict[str, object]:
    return {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}


def repack(package: bytes, replace: dict[str, bytes | None]) -> bytes:
    """``package`` with entries replaced (or removed, for None) and added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name not in replace:
                dst.writestr(name, src.read(name))
        for name, data in replace.items():
            if data is not None:
                dst.writestr(name, data)
    return out.getvalue()


def zipfile_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def pb(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload
