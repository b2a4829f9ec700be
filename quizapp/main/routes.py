from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from ..services import catalog
from . import bp


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/welcome.html")
    return render_template("main/home.html", banks=catalog.banks_for(current_user))


@bp.get("/healthz")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
