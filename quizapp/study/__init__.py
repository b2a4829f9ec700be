"""Studying: the review loop, quizzes, leeches and scheduler settings."""
from flask import Blueprint

bp = Blueprint("study", __name__)

from . import quiz_routes, routes  # noqa: E402,F401
