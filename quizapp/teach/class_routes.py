"""A teacher's classes: create, roster, join code, assigned banks."""
from __future__ import annotations

from datetime import UTC, datetime, time

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..models.types import utcnow
from ..services import class_progress, classes
from . import bp
from .access import own_class
from .forms import AssignForm, ClassForm, choices


def _assign_form() -> AssignForm:
    form = AssignForm()
    form.bank.choices = choices((b.id, b.title + (" (built-in)" if b.builtin else ""))
                                for b in classes.assignable_banks(current_user))
    return form


@bp.route("/classes/new", methods=["GET", "POST"])
def new_class():
    form = ClassForm()
    if form.validate_on_submit():
        classroom = classes.create(current_user, form.name.data, utcnow())
        flash(f"Class {classroom.name} created. Students join with the code {classroom.join_code}.", "success")
        return redirect(url_for("teach.class_page", class_id=classroom.id))
    return render_template("teach/class_new.html", form=form), 400 if form.errors else 200


@bp.get("/classes/<int:class_id>")
def class_page(class_id: int):
    classroom = own_class(class_id)
    headline = class_progress.headline(classroom, utcnow())
    return render_template("teach/class.html", classroom=classroom, assign_form=_assign_form(), headline=headline)


@bp.post("/classes/<int:class_id>/assign")
def assign(class_id: int):
    classroom = own_class(class_id)
    form = _assign_form()
    if not form.validate_on_submit():
        return render_template("teach/class.html", classroom=classroom, assign_form=form), 400
    # A due date means the end of that day for the teacher's time zone is not known here: use UTC end of day.
    due = datetime.combine(form.due.data, time(23, 59), tzinfo=UTC) if form.due.data else None
    try:
        assignment = classes.assign(current_user, classroom, form.bank.data, due, utcnow())
    except classes.ClassError as exc:
        form.bank.errors = [str(exc)]
        return render_template("teach/class.html", classroom=classroom, assign_form=form), 400
    flash(f"Assigned {assignment.bank.title} to {classroom.name}.", "success")
    return redirect(url_for("teach.class_page", class_id=classroom.id))


@bp.post("/classes/<int:class_id>/assignments/<int:assignment_id>/remove")
def unassign(class_id: int, assignment_id: int):
    classroom = own_class(class_id)
    classes.unassign(classroom, assignment_id)
    flash("Bank removed from the class. Students keep their progress.", "success")
    return redirect(url_for("teach.class_page", class_id=classroom.id))


@bp.post("/classes/<int:class_id>/members/<int:user_id>/remove")
def remove_member(class_id: int, user_id: int):
    classroom = own_class(class_id)
    classes.remove_member(classroom, user_id)
    flash("Student removed from the class.", "success")
    return redirect(url_for("teach.class_page", class_id=classroom.id))


@bp.post("/classes/<int:class_id>/code")
def new_code(class_id: int):
    classroom = own_class(class_id)
    classes.renew_code(classroom)
    flash(f"New join code: {classroom.join_code}. The old code no longer works.", "success")
    return redirect(url_for("teach.class_page", class_id=classroom.id))
