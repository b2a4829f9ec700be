from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models.types import utcnow
from ..services import admin
from . import bp
from .forms import AccessForm, RoleForm


def _back():
    """To the list as it was (search and page), taken from the form's hidden fields."""
    args = {k: v for k, v in (("q", request.form.get("q", "")[:admin.MAX_SEARCH]),
                              ("page", request.form.get("page", "")[:6])) if v}
    return redirect(url_for("admin.index", **args))


@bp.get("/")
def index():
    page = request.args.get("page", "1")
    users = admin.users_page(request.args.get("q", ""), int(page) if page.isdigit() and len(page) < 7 else 1)
    return render_template("admin/index.html", counts=admin.counts(utcnow()), users=users,
                           role_form=RoleForm(formdata=None), access_form=AccessForm(formdata=None))


@bp.post("/users/<int:user_id>/role")
def set_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, "Choose a role: " + ", ".join(choice.value for choice in form.role.choices) + ".")
    user = admin.set_role(current_user, user_id, form.role.data)
    flash(f"{user.email} is now a {user.role}.", "success")
    return _back()


@bp.post("/users/<int:user_id>/access")
def set_access(user_id: int):
    form = AccessForm()
    if not form.validate_on_submit():
        abort(400, "Choose disable or enable.")
    disable = form.action.data == "disable"
    user = admin.set_disabled(current_user, user_id, disable, utcnow())
    flash(f"{user.email} is {'disabled: their sessions have ended' if disable else 'enabled again'}.", "success")
    return _back()
