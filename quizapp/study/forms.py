from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from ..services.accounts import TIMEZONES


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
