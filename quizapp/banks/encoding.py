"""Bytes to text for every reader: UTF-8 (a byte order mark dropped), one message for what is not."""
from __future__ import annotations

from .model import BankIssue


def not_utf8(data: bytes, at: int, file: str) -> BankIssue:
    """The issue for bytes that stop being UTF-8 at offset ``at``: its line and the byte."""
    return BankIssue(file, data.count(b"\n", 0, at) + 1,
                     f"is not UTF-8 text (byte 0x{data[at]:02x}); save the file as UTF-8 and upload it again")


def utf8_text(data: bytes, file: str) -> tuple[str | None, BankIssue | None]:
    """(text, None), or (None, the issue) for bytes that are not UTF-8."""
    try:
        return bytes(data).decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, not_utf8(bytes(data), exc.start, file)
