from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

from ..models.users import ROLES


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(role, role.capitalize()) for role in ROLES],
                       validators=[DataRequired()])


class AccessForm(FlaskForm):
    """Disable or enable an account (the button says which)."""

    action = HiddenField(validators=[AnyOf(("disable", "enable"), message="Choose disable or enable.")])
