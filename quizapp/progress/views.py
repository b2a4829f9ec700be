"""The dashboard as a page or a CSV table, for any viewer: the learner, or (read-only) their teacher.

A teacher's view of one student calls ``render_dashboard(student, read_only=True,
csv_endpoint="teach.<its csv view>", csv_args={...}, heading=...)`` and ``csv_download`` from
its own routes, after checking the student is in one of the teacher's classes.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import Response, abort, render_template
from markupsafe import Markup

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
@lru_cache(maxsize=2048)
def short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


@bp.app_template_filter("long_day")
@lru_cache(maxsize=2048)  # the year's heatmap names 365 days on every dashboard
def long_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


# The year's calendar is 365 squares, each with its day and count: written here in one pass, as Jinja's
# per-cell expressions and escaping were a third of the dashboard's time. Only dates and numbers go in.
@bp.app_template_global("heatmap_cells")
def heatmap_cells(hm: prog.Heatmap, today: date) -> Markup:
    out = []
    for wi, week in enumerate(hm.weeks):
        x = 34 + wi * 15
        if week[0] and week[0].day.day <= 7:
            out.append(f'<text class="tick" x="{x}" y="18">{week[0].day:%b}</text>')
        for di, cell in enumerate(week):
            if cell:
                today_class = " hm-today" if cell.day == today else ""
                out.append(f'<rect class="hm hm-{cell.level}{today_class}" x="{x}" y="{30 + di * 15}" width="12" '
                           f'height="12" rx="2"><title>{long_day(cell.day)}: {cell.count} '
                           f'review{"" if cell.count == 1 else "s"}</title></rect>')
    return Markup("\n".join(out))  # noqa: S704 (dates and numbers only)


@bp.app_template_global("heatmap_rows")
def heatmap_rows(cells: Iterable[prog.HeatCell]) -> Markup:
    rows = (f"<tr><th scope=\"row\">{long_day(c.day)}</th><td>{c.count}</td></tr>" for c in cells)
    return Markup("\n".join(rows))  # noqa: S704 (dates and numbers only)


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
