"""Offline study's JSON endpoints (issue #22; docs/offline.md): the pack of cards a device takes away,
and the answers it brings back. Both for the signed-in learner's own cards; errors are JSON."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_login import current_user

from ..domain.questions import get_type
from ..models.types import utcnow
from ..services import offline
from ..web.bodies import BodyLimit, accepts_body
from ..web.errors import TITLES
from ..web.params import number
from ..web.security import accepts_json
from . import bp
from .routes import chosen_bank_ids

SYNC_BODY = BodyLimit(offline.MAX_BODY_BYTES, offline.MAX_BODY_BYTES, "FORM_MAX_PARTS")


def _error(status: int, message: str, where: str | None = None):
    return jsonify(error=TITLES.get(status, "Error"), message=message, where=where), status


def _signed_out():
    return _error(401, "Sign in to study offline.")


def _card(pack: offline.Pack, pick) -> dict:
    """A card of the pack with its HTML, rendered by the card and feedback pages' own templates."""
    data = offline.card_data(pack, pick)
    qtype = get_type(pick.question.type)
    view = data["grading"]["view"]
    context = {"pick": pick, "qtype": qtype, "view": view, "error": None, "typed": {}}
    data["form_html"] = render_template("study/_offline_parts.html", part="form", **context).strip()
    data["expected_html"] = render_template("study/_offline_parts.html", part="expected", **context).strip()
    data["feedback_html"] = render_template("study/_offline_parts.html", part="feedback", **context).strip()
    return data


@bp.get("/study/offline/pack")
def offline_pack():
    if not current_user.is_authenticated:
        return _signed_out()
    horizon = offline.HORIZON_DAYS
    if "horizon" in request.args:
        horizon = number(request.args.get("horizon", ""), offline.MAX_HORIZON_DAYS)
        if horizon is None or horizon < 1:
            return _error(400, f"The horizon is 1 to {offline.MAX_HORIZON_DAYS} days.", "horizon")
    if "bank" in request.args:
        bank_ids = [b for b in map(number, request.args.getlist("bank")[:1000]) if b is not None]
    else:
        bank_ids = chosen_bank_ids()
    pack = offline.build_pack(current_user, bank_ids, utcnow(), horizon)
    data = offline.pack_data(pack)
    data["cards"] = [_card(pack, pick) for pick in pack.cards]
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/study/offline/sync")
@accepts_body(SYNC_BODY)
@accepts_json
def offline_sync():
    if not current_user.is_authenticated:
        return _signed_out()
    try:
        batch = offline.read_batch(offline.parse_body(request.get_data()))
    except offline.BatchError as exc:
        return _error(exc.status, str(exc), exc.where)
    results = offline.sync(current_user, batch, utcnow())
    response = jsonify(results=[r.to_json() for r in results], synced_at=offline.iso(utcnow()))
    response.headers["Cache-Control"] = "no-store"
    return response

