"""Teachers: uploads with preview, bank editing and export, documents, classes.

Every route here is for teachers (and admins) only: anonymous visitors are sent to log in,
students get 403, and a teacher asking for another teacher's bank or class gets 404.
"""
from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("teach", __name__, url_prefix="/teach")
# Students joining a class: not a teacher page, so outside the /teach guard.
enrol_bp = Blueprint("enrol", __name__)


@bp.before_request
def teachers_only():
    if not current_user.is_authenticated:
        from ..extensions import login_manager

        return login_manager.unauthorized()
    if not current_user.is_teacher:
        abort(403, "This page is for teachers.")
    return None


from . import (  # noqa: E402,F401
    bank_manage_routes,
    bank_routes,
    class_routes,
    enrol_routes,
    import_list_routes,
    media_routes,
    progress_routes,
    stats_routes,
    upload_routes,
)
