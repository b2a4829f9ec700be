"""Studying: the review loop, quizzes, leeches and scheduler settings."""
from flask import Blueprint

bp = Blueprint("study", __name__)

from ..web.errors import CSRF_FALLBACKS  # noqa: E402
from . import browse_routes, custom_routes, pending, quiz_routes, routes  # noqa: E402,F401

CSRF_FALLBACKS["study.answer"] = pending.keep_for_after_login
