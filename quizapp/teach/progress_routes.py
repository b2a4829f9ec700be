"""A class's progress (a table of its students, weekly series per assigned bank) and, read-only,
one student's dashboard limited to the class's banks. Only the class's owner (or an admin) sees
them, and a student only through a class they are in: anything else is a 404."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from ..domain import answer_grid
from ..domain import class_progress as cp
from ..models.types import utcnow
from ..progress.views import csv_download, render_dashboard
from ..services import assignment_progress, class_progress
from ..web.downloads import csv_attachment
from . import bp
from .access import own_class


def _student(class_id: int, user_id: int):
    classroom = own_class(class_id)
    return classroom, class_progress.member(classroom, user_id)


@bp.get("/classes/<int:class_id>/progress")
def class_progress_page(class_id: int):
    classroom = own_class(class_id)
    progress = class_progress.class_progress(classroom, current_user, utcnow())
    completions = assignment_progress.completions(classroom, progress)
    return render_template("teach/class_progress.html", classroom=classroom, progress=progress,
                           needs_help=cp.needs_help(progress), completions=completions,
                           assignment_totals=cp.assignment_totals(completions, progress.now),
                           csv_endpoint="teach.class_progress_csv", csv_args={"class_id": classroom.id})


@bp.get("/classes/<int:class_id>/progress.csv")
def class_progress_csv(class_id: int):
    """?table=students (the default) or weekly."""
    classroom = own_class(class_id)
    name = request.args.get("table", "students")
    if name not in cp.TABLES:
        abort(404, f"No such table: choose one of {', '.join(cp.TABLES)}.")
    progress = class_progress.class_progress(classroom, current_user, utcnow())
    header, rows = cp.table(progress, name)
    return csv_attachment(header, rows, f"class-{classroom.id}-{name}-{progress.today.isoformat()}.csv")


@bp.get("/classes/<int:class_id>/students/<int:user_id>")
def class_student(class_id: int, user_id: int):
    classroom, student = _student(class_id, user_id)
    return render_dashboard(student, read_only=True, heading=f"{student.name}'s progress in {classroom.name}",
                            csv_endpoint="teach.class_student_csv",
                            csv_args={"class_id": classroom.id, "user_id": student.id},
                            bank_ids=[a.bank_id for a in classroom.assignments],
                            back=(url_for("teach.class_progress_page", class_id=classroom.id),
                                  f"Progress: {classroom.name}"))


@bp.get("/classes/<int:class_id>/students/<int:user_id>/progress.csv")
def class_student_csv(class_id: int, user_id: int):
    classroom, student = _student(class_id, user_id)
    return csv_download(student, request.args.get("table"),
                        filename_prefix=f"class-{classroom.id}-student-{student.id}",
                        bank_ids=[a.bank_id for a in classroom.assignments])


def _class_bank(class_id: int, bank_id: int):
    classroom = own_class(class_id)
    return classroom, class_progress.assigned_bank(classroom, bank_id)


@bp.get("/classes/<int:class_id>/banks/<int:bank_id>/answers")
def class_answers(class_id: int, bank_id: int):
    """Who got which question wrong: every student against every question of an assigned bank."""
    classroom, bank = _class_bank(class_id, bank_id)
    return render_template("teach/class_answers.html", classroom=classroom, bank=bank,
                           grid=class_progress.answer_grid(classroom, bank_id))


@bp.get("/classes/<int:class_id>/banks/<int:bank_id>/answers.csv")
def class_answers_csv(class_id: int, bank_id: int):
    classroom, bank = _class_bank(class_id, bank_id)
    header, rows = answer_grid.table(class_progress.answer_grid(classroom, bank_id))
    day = utcnow().date().isoformat()
    return csv_attachment(header, rows, f"class-{classroom.id}-bank-{bank.id}-answers-{day}.csv")
