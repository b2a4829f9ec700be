"""Item analysis of a teacher's bank: Moodle's per-question and whole-quiz statistics."""
from __future__ import annotations

from flask import render_template, request

from ..domain.stats import items as stats
from ..models.types import utcnow
from ..services import item_stats
from ..services.progress import plain_prompt_of
from ..web.downloads import csv_attachment
from . import bp
from .access import own_bank


def _texts(analysis) -> dict[str, str]:
    """Each question's text as learners read it (plain, one line), by id: the page names questions by it."""
    return {row.question.key: plain_prompt_of(row.question.type, row.question.data) for row in analysis.rows}


@bp.get("/banks/<slug>/stats")
def bank_stats(slug: str):
    bank = own_bank(slug)
    now = utcnow()
    report = item_stats.report(bank, now, recalculate=request.args.get("recalculate") == "1")
    return render_template("teach/stats.html", bank=bank, analysis=report.analysis, stats=stats,
                           min_flag_attempts=stats.MIN_FLAG_ATTEMPTS, computed_at=report.computed_at,
                           texts=_texts(report.analysis),
                           minutes_old=int((now - report.computed_at).total_seconds() // 60))


@bp.get("/banks/<slug>/stats.csv")
def bank_stats_csv(slug: str):
    bank = own_bank(slug)
    analysis = item_stats.report(bank, utcnow()).analysis
    texts = _texts(analysis)  # each question's text in the last column
    name = f"{bank.slug}-item-analysis-{utcnow().date().isoformat()}.csv"
    return csv_attachment((*item_stats.CSV_HEADER, "question text"),
                          ((*row, texts.get(row[0], "")) for row in item_stats.csv_rows(analysis)), name)
