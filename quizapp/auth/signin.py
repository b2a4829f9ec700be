"""Signing a browser in and out, shared by the login, the emailed links and the account pages."""
from __future__ import annotations

from flask import current_app, request, session, url_for
from flask_login import login_user, logout_user

from ..services import accounts
from ..services.account_links import EMAIL, RESET, VERIFY

# Session keys a login keeps: the answer a learner sent while signed out (study.pending.KEY), and the
# class link a visitor followed before logging in or registering (teach.join_link.KEY).
CARRIED_OVER_AT_LOGIN = ("pending_answer", "join_code")
LINK_ENDPOINTS = {RESET: "auth.reset_password", VERIFY: "auth.verify_email", EMAIL: "auth.confirm_email"}


def fresh_session() -> None:
    """Nothing carried over from before (session fixation), except an answer sent while signed
    out, which is shown back once logged in (study.pending), and a class link to join."""
    kept = {key: session[key] for key in CARRIED_OVER_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)


def begin(user, remember: bool) -> None:
    fresh_session()
    accounts.sign_in(user, request.headers.get("User-Agent", ""))
    login_user(user, remember=remember)


def end_this_browser() -> None:
    # In this order: logout_user() leaves the mark that makes Flask-Login delete the remember-me
    # cookie in this response (clearing the session after it would wipe that mark).
    session.clear()
    logout_user()


def link_for(purpose: str, token: str) -> str:
    """The absolute URL an email carries. BASE_URL when set: the request's Host header is the
    visitor's to choose, and a reset link must not point at a host an attacker named."""
    path = url_for(LINK_ENDPOINTS[purpose], token=token)
    base = current_app.config.get("BASE_URL")
    return base + path if base else url_for(LINK_ENDPOINTS[purpose], token=token, _external=True)
