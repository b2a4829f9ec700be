"""Register (and confirm the address), log in, log out."""
from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..extensions import limiter
from ..models.types import utcnow
from ..services import account_links, accounts
from ..teach.join_link import join_remembered
from . import bp
from .forms import ConfirmForm, LoginForm, RegisterForm
from .signin import begin, end_this_browser, link_for
from .throttle import LoginGate, RecipientGate

# Flashed after every registration when a new account is signed in at once (verification off);
# base.html welcomes a signed-in reader instead, so only a taken address's registrant reads it.
REGISTERED = ("If this address already has an account, log in with it (or choose a new password with "
              "“Forgot your password?”); no second account was made.")
# Flashed after every registration when the address must be confirmed first: new or taken, the
# visitor reads the same words on the same page, and neither browser is signed in.
CHECK_EMAIL = ("Check your email: we have sent a message to finish creating your account. If this "
               "address already has an account, the message says how to get back into it.")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.index")


def _verification_on() -> bool:
    return bool(current_app.config.get("REQUIRE_EMAIL_VERIFICATION"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMITS_PER_ADDRESS"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        role = "student"
        code = current_app.config.get("TEACHER_INVITE_CODE")
        if form.invite_code.data:
            if not code or not hmac.compare_digest(form.invite_code.data.strip(), code):
                form.invite_code.errors.append("That invitation code is not valid.")
                return render_template("auth/register.html", form=form), 400
            role = "teacher"
        try:
            user = account_links.register(
                form.email.data, form.password.data, utcnow(), link_for, name=form.name.data, role=role,
                timezone=form.timezone.data, may_mail=RecipientGate(form.email.data).allows())
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc).capitalize() + ".")
            return render_template("auth/register.html", form=form), 400
        # The same answer whether or not the address had an account: one redirect and one message.
        if _verification_on():
            flash(CHECK_EMAIL, "info")
            return redirect(url_for("auth.login"))
        if user is not None:  # verification off (a demo): the new account is signed in at once
            begin(user, remember=False)
            join_remembered(user)  # a class link followed before registering
        flash(REGISTERED, "registered")
        return redirect(url_for("main.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMITS_PER_ADDRESS"], methods=["POST"])
def verify_email(token: str):
    """The emailed link shows a button (a mail scanner's GET changes nothing); the button confirms
    the address and signs the new account in."""
    form = ConfirmForm()
    if form.validate_on_submit():
        user = account_links.verify_email(token, utcnow())
        begin(user, remember=False)
        join_remembered(user)
        flash("Your email address is confirmed.", "registered")
        return redirect(url_for("main.index"))
    user, _ = account_links.read_token(account_links.VERIFY, token, utcnow())
    return render_template("auth/confirm.html", form=form, title="Finish creating your account",
                           message=f"Confirm {user.email} to start using your account.",
                           button="Confirm and sign in")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMITS_PER_ADDRESS"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        gate = LoginGate.for_request(form.email.data)
        if gate.refuses():  # per account and address, or past the account's ceiling (auth/throttle.py)
            abort(429)
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            gate.failed()
            form.password.errors.append("Wrong email or password.")
            return render_template("auth/login.html", form=form), 401
        gate.succeeded()
        # Said only to whoever has the password: the account's state is theirs to know.
        if user.disabled_at is not None:
            form.email.errors.append("This account is disabled. Ask the site's administrator.")
            return render_template("auth/login.html", form=form), 403
        if _verification_on() and not user.email_verified:
            if RecipientGate(user.email).allows():
                account_links.resend_verification(user, utcnow(), link_for)
            form.email.errors.append("Confirm your email address first: we have sent you the link again "
                                     "(look in the spam folder too).")
            return render_template("auth/login.html", form=form), 403
        begin(user, remember=form.remember.data)
        if join_remembered(user):  # a class link followed before logging in: joined, home shows its banks
            return redirect(url_for("main.index"))
        if session.get("pending_answer"):  # an answer sent while signed out is shown back first
            return redirect(url_for("study.pending_answer"))
        return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    # Deleting the session row ends this login everywhere it is held, remember-me cookie included.
    accounts.end_session(current_user.login_session_id)
    end_this_browser()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))
