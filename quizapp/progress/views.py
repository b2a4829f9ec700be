"""The dashboard as a page or a CSV table, for any viewer: the learner, or (read-only) their teacher.

A teacher's view of one student calls ``render_dashboard(student, read_only=True,
csv_endpoint="teach.<its csv view>", csv_args={...}, heading=...)`` and ``csv_download`` from
its own routes, after checking the student is in one of the teacher's classes.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from flask import Response, abort, render_template

from ..domain import progress as prog
from ..models import User
from ..models.types import utcnow
from ..services import progress
from ..web.downloads import csv_attachment
from . import bp


@bp.app_template_filter("pct")
def pct(value: float | None, digits: int = 0) -> str:
    """0.875 as "88%" (``digits`` decimals); "–" when there is nothing to measure."""
    return "–" if value is None else f"{value * 100:.{digits}f}%"


@bp.app_context_processor
def progress_constants() -> dict[str, Any]:
    """Figures the progress pages (the learner's and the teacher's) state beside their numbers."""
    return {"min_reviews": prog.MIN_RETENTION_REVIEWS}


@bp.app_template_filter("short_day")
def short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


@bp.app_template_filter("long_day")
def long_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def render_dashboard(learner: User, *, read_only: bool = False, heading: str = "Your progress",
                     csv_endpoint: str | None = None, csv_args: dict[str, Any] | None = None,
                     bank_ids: Collection[int] | None = None, now: datetime | None = None,
                     back: tuple[str, str] | None = None) -> str:
    """The progress page. ``read_only`` hides every action (study buttons, "study just these");
    ``csv_endpoint`` (with ``csv_args``) is the view serving ``?table=`` downloads, None for no links;
    ``back`` (url, label) a link above the heading (a teacher's way back to the class)."""
    dash = progress.dashboard_context(learner, now or utcnow(), bank_ids)
    return render_template("progress/index.html", dash=dash, read_only=read_only, heading=heading,
                           weak_rule=prog.WEAK_RULE,
                           csv_endpoint=csv_endpoint, csv_args=csv_args or {}, back=back)


def csv_download(learner: User, table: str | None, *, filename_prefix: str = "progress",
                 bank_ids: Collection[int] | None = None, now: datetime | None = None) -> Response:
    """One dashboard table as a CSV attachment (404 for an unknown table)."""
    if table not in prog.TABLES:
        abort(404, f"No such table: choose one of {', '.join(prog.TABLES)}.")
    dash = progress.dashboard_context(learner, now or utcnow(), bank_ids)
    header, rows = prog.table(dash, table)
    name = f"{filename_prefix}-{table}-{dash.today.isoformat()}.csv"
    return csv_attachment(header, rows, name)
