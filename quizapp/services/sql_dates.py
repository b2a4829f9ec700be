"""Study days and date-times in SQL, the same on SQLite and PostgreSQL.

SQLite has no time zones and stores naive UTC text (models.types); PostgreSQL has timestamps with
time zone. The learner's study day starts at their hour in their zone, so grouping reviews by day
shifts the UTC time per run of days with one offset (StudyCalendar.day_shifts). Reading thousands of
rows, the raw stored form is parsed here faster than by generic result processing.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Date, DateTime, Float, Integer, String, case, cast, func, type_coerce

from ..domain import progress as prog
from ..extensions import db
from ..models import ReviewLog

EPOCH = date(1970, 1, 1)  # SQLite's day numbers count from here (day_key)


def day_key(calendar: prog.StudyCalendar, first_day: date, last_day: date):
    """SQL for the study day of ``reviewed_at`` in ``calendar``. On SQLite a day number (whole days
    of the shifted Unix time: integers, exact, and read several times faster than date text); on
    PostgreSQL study_date. ``to_date`` turns either into a date."""
    if db.engine.dialect.name != "sqlite":
        return study_date(calendar, first_day, last_day)
    column = ReviewLog.reviewed_at

    def shifted(seconds: int):
        return (cast(func.strftime("%s", column), Integer) - seconds) // 86400  # floor: times after 1970

    *changes, (_, last_shift) = calendar.day_shifts(first_day, last_day)
    if not changes:
        return shifted(last_shift)
    return case(*[(column < until, shifted(shift)) for until, shift in changes], else_=shifted(last_shift))


def instants(*columns):
    """Date-time columns read by the ten thousand: SQLite's stored text (datetimes);
    on PostgreSQL Unix seconds, which the driver hands over several times faster than timestamps."""
    if db.engine.dialect.name == "sqlite":
        return datetimes(*columns)
    return [cast(func.extract("epoch", c), Float) for c in columns]


def quarter_hours(column):
    """SQL for the UTC quarter hour of a date-time column (Unix seconds // 900, an integer), which
    StudyScheduler.day_of_quarter_hour turns into a study day without a datetime per row."""
    if db.engine.dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer) // 900
    return cast(func.floor(func.extract("epoch", column) / 900), Integer)


def aware(value) -> datetime | None:
    """What instants read as an aware UTC datetime. For SQLite's text, parsing an offset is several
    times cheaper than utc's datetime.replace(tzinfo=...)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value + "+00:00")
    if isinstance(value, float):
        return datetime.fromtimestamp(value, UTC)
    return utc(value)


def to_date(value) -> date:
    return EPOCH + timedelta(days=value) if isinstance(value, int) else as_date(value)


def study_date(calendar: prog.StudyCalendar, first_day: date, last_day: date):
    """SQL for the learner's study day of ``reviewed_at`` (a day starts at their hour in their zone):
    a shift of the UTC time per run of days with one UTC offset (calendar.day_shifts), so the
    grouping by day happens in the database, on SQLite (no time zones) as on PostgreSQL."""
    column = ReviewLog.reviewed_at

    def shifted(seconds: int):
        if db.engine.dialect.name == "sqlite":
            return func.date(column, f"{-seconds:+d} seconds")
        return cast(func.timezone("UTC", column, type_=DateTime()) - timedelta(seconds=seconds), Date)

    *changes, (_, last_shift) = calendar.day_shifts(first_day, last_day)
    if not changes:
        return shifted(last_shift)
    return case(*[(column < until, shifted(shift)) for until, shift in changes], else_=shifted(last_shift))


def as_date(value) -> date:
    return value if isinstance(value, date) else _iso_date(str(value))


@lru_cache(maxsize=1024)
def _iso_date(text: str) -> date:
    # Thousands of rows name a few dozen days: parse each once.
    return date.fromisoformat(text)


def datetimes(*columns):
    """Date-time columns read by the thousand: on SQLite their stored text, which utc parses several
    times faster than the generic result processing; elsewhere what the driver gives."""
    if db.engine.dialect.name == "sqlite":
        return [type_coerce(c, String) for c in columns]
    return list(columns)


def utc(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value).replace(tzinfo=UTC)  # SQLite keeps naive UTC (models.types)
