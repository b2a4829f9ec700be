"""The site administrator's pages: accounts (find, change role, disable, enable) and the site's counts.

Every route here is for admins only: anonymous visitors are sent to log in, everyone else gets 403.
"""
from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def admins_only():
    if not current_user.is_authenticated:
        from ..extensions import login_manager

        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403, "This page is for administrators.")
    return None


from . import routes  # noqa: E402,F401  (routes attach themselves to bp)
