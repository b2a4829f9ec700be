"""The learner's progress dashboard: due cards, forecast, heatmap, streak, retention, mastery."""
from flask import Blueprint

bp = Blueprint("progress", __name__)

from . import routes  # noqa: E402,F401
