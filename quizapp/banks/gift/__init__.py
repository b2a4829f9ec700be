"""Moodle GIFT question files, read and written (reference: Moodle's question/format/gift/format.php).

- ``text``: GIFT's escapes, format tags and category paths, as Moodle applies them;
- ``grades``: the answer weights Moodle accepts;
- ``reader``: stage 1, each block parsed as Moodle's ``readquestion`` does (``read_gift``);
- ``convert``: stage 2, those questions as our bank model, validated (``parse_gift``);
- ``writer``: a bank as GIFT that Moodle imports as the same questions (``export_gift``).
"""
from .convert import NO_MODEL_ANSWER, parse_gift
from .reader import GiftQuestion, GiftRead, read_gift
from .writer import GiftExport, dump_gift, export_gift, snap_weights

__all__ = ["NO_MODEL_ANSWER", "GiftExport", "GiftQuestion", "GiftRead", "dump_gift", "export_gift", "parse_gift",
           "read_gift", "snap_weights"]
