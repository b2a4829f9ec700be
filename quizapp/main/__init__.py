"""The home page and health check."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from . import pwa_routes, routes  # noqa: E402,F401  (pwa_routes: the installable app, /sw.js, offline study page)
