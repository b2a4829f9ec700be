"""The one root of every error a service raises on purpose; the web layer maps each kind to a status.

A service refuses a request by raising one of these with a message that is safe to show. Views do
not catch them to pick a status: ``web.errors`` turns ``NotFound`` into 404, ``Forbidden`` into
403, ``Conflict`` into 409 and any other ``ServiceError`` into 400, in one place. A view catches
one only when it shows the message inside its own form instead of an error page.
"""
from __future__ import annotations


class ServiceError(ValueError):
    """A request the rules refuse (400 unless a subclass says otherwise)."""

    status = 400


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
