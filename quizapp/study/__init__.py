"""Studying: the review loop, quizzes, leeches and scheduler settings."""
from flask import Blueprint

bp = Blueprint("study", __name__)

from ..web.errors import CSRF_FALLBACKS  # noqa: E402
from . import (  # noqa: E402,F401
    browse_routes,
    custom_routes,
    mode_routes,
    offline_routes,
    options_routes,
    pending,
    quiz_routes,
    routes,
)

CSRF_FALLBACKS["study.answer"] = pending.keep_for_after_login
