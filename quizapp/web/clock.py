"""A moment as the learner reads a clock: in their time zone, on a 12- or 24-hour clock.

There is no locale setting on the account, so the clock follows the time zone: the zones of the
countries that read the 12-hour clock (the United States and English-speaking Canada, Australia,
New Zealand, India, Pakistan, the Philippines, Egypt, ...) get "3:05 PM", every other zone "15:05".
With script on, the page shows the same moment in the browser's own locale (static/js/app.js,
``time[data-local-time]``), still in the learner's zone.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Zones (or prefixes ending in "/") of places whose everyday clock is the 12-hour one.
_TWELVE_HOUR = (
    "US/", "Canada/", "Australia/", "America/New_York", "America/Chicago", "America/Denver",
    "America/Los_Angeles", "America/Phoenix", "America/Anchorage", "America/Adak", "America/Boise",
    "America/Detroit", "America/Indiana/", "America/Kentucky/", "America/North_Dakota/", "America/Juneau",
    "America/Sitka", "America/Nome", "America/Menominee", "America/Toronto", "America/Vancouver",
    "America/Edmonton", "America/Winnipeg", "America/Halifax", "America/St_Johns", "America/Regina",
    "America/Puerto_Rico", "Pacific/Honolulu", "Pacific/Auckland", "Pacific/Guam", "Asia/Kolkata",
    "Asia/Calcutta", "Asia/Karachi", "Asia/Manila", "Asia/Dhaka", "Asia/Riyadh", "Africa/Cairo",
)


def twelve_hour(timezone: str) -> bool:
    return any(timezone == z or (z.endswith("/") and timezone.startswith(z)) for z in _TWELVE_HOUR)


def clock_time(moment: datetime, timezone: str) -> str:
    """``moment`` (aware, any zone) as a time of day on the learner's clock: "15:05" or "3:05 PM"."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone = ZoneInfo("UTC"), "UTC"
    local = moment.astimezone(zone)
    if twelve_hour(timezone):
        return f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    return f"{local.hour:02d}:{local.minute:02d}"


def day_phrase(moment: datetime, now: datetime, timezone: str) -> str:
    """"today", "tomorrow" or "on Fri 4 Dec": the calendar day of ``moment`` in the learner's zone."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    days = (moment.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    local = moment.astimezone(zone)
    return f"on {local:%a} {local.day} {local:%b}"
