from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, Form, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..services.accounts import TIMEZONES
from ..services.browse import DUE, FLAG_FILTERS, LAST, MAX_LAPSES, MAX_SEARCH_CHARS, SORTS, STATES
from ..services.custom_study import MAX_DAYS, MAX_EXTRA_NEW, MODES
from ..services.quiz import TIME_LIMIT_MINUTES


def known_timezone(form, field) -> None:
    if field.data not in TIMEZONES:
        raise ValidationError("Choose a time zone such as Europe/London or Asia/Shanghai.")


def finite(value):
    """A typed NaN or infinity reads as no number (NumberRange cannot compare a signalling NaN)."""
    return None if isinstance(value, Decimal) and not value.is_finite() else value


class SettingsForm(FlaskForm):
    desired_retention = DecimalField(
        "Desired retention", places=2, filters=[finite], validators=[InputRequired(), NumberRange(0.70, 0.99)],
        description="The share of reviews you want to get right, from 0.70 to 0.99. Higher means more reviews.")
    new_per_day = IntegerField("New cards per day", validators=[InputRequired(), NumberRange(0, 9999)])
    reviews_per_day = IntegerField("Reviews per day", validators=[InputRequired(), NumberRange(0, 99999)])
    timezone = StringField("Time zone", validators=[DataRequired(), known_timezone])
    day_start_hour = IntegerField("A new day starts at (hour, 0-23)",
                                  validators=[InputRequired(), NumberRange(0, 23)],
                                  description="4 means 4 a.m.: reviews after midnight still count for the evening.")


class QuizForm(FlaskForm):
    size = IntegerField("Number of questions", default=10, validators=[InputRequired(), NumberRange(1, 100)])
    # Missing from a posted form (an older page, a script): the defaults, no limit and rescheduling.
    time_limit = SelectField("Time limit", coerce=int, default=0,
                             choices=[SelectChoice(m, f"{m} minutes" if m else "None") for m in TIME_LIMIT_MINUTES],
                             description="When the time is up, the quiz is submitted as it stands.")
    mode = SelectField("Answers", default="reschedule",
                       choices=[SelectChoice("reschedule", "Reschedule my cards"),
                                SelectChoice("practice", "Practice only")],
                       description="Reschedule: each answer counts as a review, as when studying (Anki's "
                                   "\"reschedule cards based on my answers\"). Practice only: your cards stay as they "
                                   "are. Either way the quiz is kept in your history.")


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class BrowseForm(Form):
    """The card browser's search (a GET query: no CSRF token). Choices are set by the view."""

    q = StringField("Search", validators=[Optional(), Length(max=MAX_SEARCH_CHARS)],
                    description="Words of the question, its answers or its explanation.")
    bank = SelectField("Bank", choices=_choices({"": "All banks"}), default="")
    tag = SelectField("Tag", choices=_choices({"": "Any tag"}), default="")
    state = SelectField("State", choices=_choices({"": "Any state", **STATES}), default="")
    due = SelectField("Due", choices=_choices({"": "Any time", **DUE}), default="")
    lapses = IntegerField("Lapses at least", validators=[Optional(), NumberRange(0, MAX_LAPSES)])
    last = SelectField("Last answer", choices=_choices({"": "Any", **LAST}), default="")
    flag = SelectField("Flag", choices=_choices({"": "Flagged or not", **FLAG_FILTERS}), default="")
    sort = SelectField("Sort by", choices=_choices(SORTS), default="order")


class CustomStudyForm(FlaskForm):
    """One of custom study's four sessions (``mode``); only that mode's field is read."""

    mode = SelectField("Session", choices=_choices(MODES), validators=[InputRequired()])
    ahead_days = IntegerField("Days ahead", default=7, validators=[Optional(), NumberRange(1, MAX_DAYS)])
    forgotten_days = IntegerField("Days back", default=1, validators=[Optional(), NumberRange(1, MAX_DAYS)])
    extra_new = IntegerField("More new cards", default=10, validators=[Optional(), NumberRange(1, MAX_EXTRA_NEW)])
    tags = SelectMultipleField("Tags", choices=[])

    NEEDS = {"ahead": "ahead_days", "forgotten": "forgotten_days", "new": "extra_new", "tag": "tags"}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        field = getattr(self, self.NEEDS.get(self.mode.data, "mode"))
        if not field.data and not field.errors:
            field.errors = [*field.errors, "Choose at least one tag." if field.name == "tags" else "Enter a number."]
            ok = False
        return ok
