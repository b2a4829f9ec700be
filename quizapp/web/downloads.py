"""Files the app hands over: one way to name them and one way to write a CSV table."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from flask import Response

from ..domain.progress import to_csv


def content_disposition(filename: str) -> str:
    """A Content-Disposition header for any file name: HTTP headers are Latin-1 (gunicorn refuses
    anything else, a 500), so the name goes as ASCII with the UTF-8 one in ``filename*`` (RFC 6266)."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(body: str | bytes, filename: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": content_disposition(filename)})


def csv_attachment(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """A table as a CSV file; cells a spreadsheet would run as formulas are quoted (domain.progress.to_csv)."""
    return attachment(to_csv(header, rows), filename, "text/csv")
