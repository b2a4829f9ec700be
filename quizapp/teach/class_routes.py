"""A teacher's classes: create, rename, archive, delete; roster, join code, assigned banks."""
from __future__ import annotations

from datetime import UTC, datetime, time

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import Classroom
from ..models.types import utcnow
from ..services import class_progress, classes
from . import bp
from .access import own_class
from .forms import AssignForm, ClassForm, choices


def _label(bank) -> str:
    return bank.title + (" (built-in)" if bank.builtin else "" if bank.owner_id == current_user.id else " (shared)")


def _assign_form(classroom: Classroom) -> AssignForm:
    """The dropdown lists the banks not assigned yet; a posted form may also name an assigned one (its
    due date changes, from the date form beside each assigned bank)."""
    form = AssignForm()
    shown = classes.assignable_banks(current_user, classroom)
    form.bank.choices = choices((b.id, _label(b)) for b in shown)
    if request.method == "POST":
        form.bank.choices = choices((b.id, _label(b)) for b in classes.assignable_banks(current_user))
    return form


def _page(classroom: Classroom, assign_form: AssignForm | None = None, rename_form: ClassForm | None = None,
          status: int = 200):
    return render_template("teach/class.html", classroom=classroom, assign_form=assign_form or _assign_form(classroom),
                           rename_form=rename_form or ClassForm(name=classroom.name, formdata=None),
                           headline=class_progress.headline(classroom, utcnow())), status


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
    return _page(own_class(class_id))


@bp.post("/classes/<int:class_id>/assign")
def assign(class_id: int):
    classroom = own_class(class_id)
    form = _assign_form(classroom)
    if not form.validate_on_submit():
        return _page(classroom, assign_form=form, status=400)
    # A due date means the end of that day for the teacher's time zone is not known here: use UTC end of day.
    due = datetime.combine(form.due.data, time(23, 59), tzinfo=UTC) if form.due.data else None
    already = any(a.bank_id == form.bank.data for a in classroom.assignments)
    try:
        assignment = classes.assign(current_user, classroom, form.bank.data, due, utcnow())
    except classes.ClassError as exc:
        form = _assign_form(classroom)  # the unassigned banks again, with the message
        form.bank.errors = [str(exc)]
        return _page(classroom, assign_form=form, status=exc.status)
    if already:
        when = f"due {due:%Y-%m-%d}" if due else "no due date"
        flash(f"{assignment.bank.title} in {classroom.name}: {when}.", "success")
    else:
        flash(f"Assigned {assignment.bank.title} to {classroom.name}.", "success")
    return redirect(url_for("teach.class_page", class_id=classroom.id))


@bp.post("/classes/<int:class_id>/rename")
def rename_class(class_id: int):
    classroom = own_class(class_id)
    form = ClassForm()
    if not form.validate_on_submit():
        return _page(classroom, rename_form=form, status=400)
    old = classroom.name
    classes.rename(classroom, form.name.data)
    flash(f"Renamed {old} to {classroom.name}.", "success")
    return redirect(url_for("teach.class_page", class_id=classroom.id))


@bp.post("/classes/<int:class_id>/archive")
def archive_class(class_id: int):
    classroom = own_class(class_id)
    classes.archive(classroom, utcnow())
    flash(f"Archived {classroom.name}: it is read-only and its statistics are kept. Its banks have left its "
          "students' study; restore it to bring them back.", "success")
    return redirect(url_for("teach.class_page", class_id=classroom.id))


@bp.post("/classes/<int:class_id>/restore")
def restore_class(class_id: int):
    classroom = own_class(class_id)
    classes.restore(classroom)
    flash(f"Restored {classroom.name}: students study its banks again and may join it.", "success")
    return redirect(url_for("teach.class_page", class_id=classroom.id))


@bp.route("/classes/<int:class_id>/delete", methods=["GET", "POST"])
def delete_class(class_id: int):
    """GET asks to confirm; POST deletes the class (its students keep their own progress)."""
    classroom = own_class(class_id)
    if request.method == "GET":
        n = len(classroom.members)
        return render_template(
            "teach/confirm.html", title=f"Delete {classroom.name}?",
            message=f"The class, its roster ({n} student{'' if n == 1 else 's'}), its assignments and its "
                    "statistics page are deleted for good. Students keep their own progress. To keep the "
                    "statistics, archive the class instead.",
            action=url_for("teach.delete_class", class_id=classroom.id), button="Delete class",
            back=url_for("teach.class_page", class_id=classroom.id))
    name = classes.delete(classroom)
    flash(f"Deleted the class {name}.", "success")
    return redirect(url_for("teach.index"))


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
