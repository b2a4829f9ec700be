from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)

from ..services.accounts import TIMEZONES

PASSWORD_RULES = [DataRequired(), Length(min=8, max=200, message="Use at least 8 characters.")]


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def known_timezone(form, field) -> None:
    if field.data not in TIMEZONES:
        raise ValidationError("Choose a time zone from the list, such as Europe/London or Asia/Shanghai.")


class RegisterForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=80)])
    email = EmailField("Email", filters=[strip],
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField("Password", validators=PASSWORD_RULES,
                             description="At least 8 characters.")
    confirm = PasswordField("Repeat the password",
                            validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])
    timezone = StringField("Time zone", default="UTC", filters=[strip], render_kw={"data-detect-timezone": ""},
                           validators=[DataRequired(), known_timezone],
                           description="Your day of study starts at 4 a.m. in this zone.")
    invite_code = StringField("Teacher invitation code (teachers only)", validators=[Optional(), Length(max=100)])


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device")


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("New password", validators=PASSWORD_RULES)
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])


class ProfileForm(FlaskForm):
    """The name only: the time zone and the hour a study day starts are set in one place, the study
    settings (study.forms.SettingsForm), which the account page links to."""

    name = StringField("Your name", validators=[DataRequired(), Length(max=80)])


class EndSessionsForm(FlaskForm):
    """Signs out one other browser (its handle) or, left empty, all the others."""

    session = HiddenField(validators=[Optional(), Length(max=40)])


def _email_field(label: str = "Email") -> EmailField:
    return EmailField(label, filters=[strip],
                      validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class ForgotForm(FlaskForm):
    email = _email_field()


class ResetForm(FlaskForm):
    password = PasswordField("New password", validators=PASSWORD_RULES, description="At least 8 characters.")
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", message="The passwords differ.")])


class ConfirmForm(FlaskForm):
    """A button that uses an emailed link: the link's page is a GET (mail scanners open links),
    the change is a POST from it."""


class EmailForm(FlaskForm):
    # Named apart from the password form's fields: both are on the account page (one id each).
    new_email = _email_field("New email address")
    email_password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])


class DeleteForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=200)])
    understood = BooleanField("I understand that my account and all my progress are deleted for good",
                              validators=[DataRequired(message="Tick the box to confirm.")])
