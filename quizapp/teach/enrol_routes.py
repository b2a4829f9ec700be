"""Students joining a class with its code or link, and leaving one."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import limiter, login_manager, user_key
from ..models.types import utcnow
from ..services import classes
from . import enrol_bp
from .forms import JoinForm
from .join_link import remember


@enrol_bp.route("/join", methods=["GET", "POST"], defaults={"code": None})
@enrol_bp.route("/join/<code>", methods=["GET", "POST"])
# Join codes are short: guessing them is slowed, per account (a class behind one school address
# joins at once; an account is what a guesser must have).
@limiter.limit(lambda: current_app.config["JOIN_LIMITS_PER_USER"], methods=["POST"], key_func=user_key,
               exempt_when=lambda: not current_user.is_authenticated)
def join(code: str | None):
    if not current_user.is_authenticated:
        # A link shared by a teacher: the code waits in this browser's session through logging in or
        # registering, and the class is joined then (teach.join_link).
        if code and request.method == "GET":
            remember(code)
            flash("Log in, or create an account, and you will join the class at once.", "info")
        return login_manager.unauthorized()
    form = JoinForm(code=code)
    if form.validate_on_submit():
        classroom = classes.by_code(form.code.data)
        if classroom is None:
            form.code.errors = ["No class has this code. Check it with your teacher."]
        else:
            try:
                added = classes.join(current_user, classroom, utcnow())
            except classes.ClassError as exc:
                form.code.errors = [str(exc)]
            else:
                flash(f"You joined {classroom.name}." if added else f"You are already in {classroom.name}.",
                      "success")
                return redirect(url_for("study.index"))
    status = 400 if form.errors else 200
    return render_template("teach/join.html", form=form, joined=classes.joined_by(current_user)), status


@enrol_bp.post("/classes/<int:class_id>/leave")
@login_required
def leave_class(class_id: int):
    """A student leaves a class: its banks leave their study, their own progress stays theirs."""
    classroom = classes.leave(current_user, class_id)
    flash(f"You left {classroom.name}. To come back, join again with the class code.", "success")
    return redirect(url_for("enrol.join"))
