"""Forgot password: a signed, single-use, expiring link by email, and the page it opens."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import limiter
from ..models.types import utcnow
from ..services import account_links
from . import bp
from .forms import ForgotForm, ResetForm
from .signin import end_this_browser, link_for
from .throttle import RecipientGate

# The one answer to every well-formed request, whether or not the address has an account.
SENT = ("If an account uses that address, we have emailed it a link to choose a new password. "
        "The link works once, within the hour. Nothing there? Look in the spam folder, or try again later.")


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMITS_PER_ADDRESS"], methods=["POST"])
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        email = form.email.data
        if RecipientGate(email).allows():
            account_links.forgot_password(email, utcnow(), link_for)
        flash(SENT, "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_LIMITS_PER_ADDRESS"], methods=["POST"])
def reset_password(token: str):
    now = utcnow()
    user, _ = account_links.read_token(account_links.RESET, token, now)  # a bad link: its own page
    form = ResetForm()
    if form.validate_on_submit():
        account_links.reset_password(token, form.password.data, now)
        if current_user.is_authenticated:  # whoever this browser was signed in as, it starts afresh
            end_this_browser()
        flash("Your password is changed, and every device that was signed in is signed out. "
              "Log in with the new password.", "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset.html", form=form, email=user.email), status
