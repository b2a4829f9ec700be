"""Accounts: register (confirming the address by email), log in and out, forgotten passwords, and
the account page (profile, password, devices, email address, data download, deletion)."""
from flask import Blueprint, render_template

from ..services.account_links import LinkError

bp = Blueprint("auth", __name__)


@bp.errorhandler(LinkError)
def bad_link(exc: LinkError):
    """An emailed link that is forged, used or too old: say which, and where to get a new one.
    (Nothing to roll back: links are read before any write, or inside a unit of work.)"""
    return render_template("auth/link_invalid.html", message=str(exc)), 400


from . import account_routes, reset_routes, routes  # noqa: E402,F401  (routes attach themselves to bp)
