from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..services import accounts
from . import bp
from .forms import EndSessionsForm, LoginForm, PasswordForm, ProfileForm, RegisterForm
from .throttle import LoginGate

# Flashed after every registration, new address or not; base.html shows a signed-in reader a welcome.
# (No "check your email": Quizapp sends no mail, and a signed-out reader here is one whose address
# already had an account.)
REGISTERED = ("If this address already has an account, log in with it (an administrator can reset a "
              "forgotten password); no second account was made.")
# Session keys a login keeps: the answer a learner sent while signed out (study.pending.KEY).
CARRIED_OVER_AT_LOGIN = ("pending_answer",)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.index")


def _begin(user, remember: bool) -> None:
    # A fresh session on login: nothing carried over from before (session fixation), except an
    # answer sent while signed out, which is shown back once logged in (study.pending).
    kept = {key: session[key] for key in CARRIED_OVER_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)
    accounts.start_session(user, request.headers.get("User-Agent", ""))
    db.session.commit()
    login_user(user, remember=remember)


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
            user, existing = accounts.register(form.email.data, form.password.data, name=form.name.data,
                                               role=role, timezone=form.timezone.data)
        except accounts.AccountError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc).capitalize() + ".")
            return render_template("auth/register.html", form=form), 400
        if user is not None:
            _begin(user, remember=False)
        else:
            # No mail is configured (Quizapp sends none yet), so the owner cannot be told by email:
            # the attempt goes to the server log instead.
            db.session.rollback()
            current_app.logger.warning("registration attempt with the address of existing account %s from %s; "
                                       "no email is configured, so its owner was not told", existing,
                                       request.remote_addr)
        # The same response whether or not the address had an account: a redirect home and one
        # message (base.html words it for a signed-in and a signed-out reader). Only the signed-in
        # state differs, unavoidably while a new account is signed in at once (docs/reliability.md).
        flash(REGISTERED, "registered")
        return redirect(url_for("main.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


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
        _begin(user, remember=form.remember.data)
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
    db.session.commit()
    # In this order: logout_user() leaves the mark that makes Flask-Login delete the remember-me
    # cookie in this response (clearing the session after it would wipe that mark).
    session.clear()
    logout_user()
    flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    return _account_page(ProfileForm(obj=current_user), PasswordForm())


def _account_page(profile: ProfileForm, password: PasswordForm, status: int = 200):
    return render_template("auth/account.html", profile=profile, password=password,
                           sessions=accounts.sessions_of(current_user), end_sessions=EndSessionsForm(),
                           current_session=current_user.login_session_id), status


@bp.post("/account/sessions/end")
@login_required
def end_sessions():
    form = EndSessionsForm()
    if not form.validate_on_submit():
        abort(400, "Choose a session to sign out.")
    ended = accounts.end_other_sessions(current_user, form.session.data or None)
    db.session.commit()
    flash(f"Signed out {ended} other {'device' if ended == 1 else 'devices'}." if ended
          else "No other device was signed in.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/profile")
@login_required
def account_profile():
    profile = ProfileForm()
    if not profile.validate_on_submit():
        return _account_page(profile, PasswordForm(), 400)
    current_user.name = profile.name.data.strip()
    current_user.timezone = profile.timezone.data
    current_user.day_start_hour = profile.day_start_hour.data
    db.session.commit()
    flash("Your profile is saved.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/password")
@login_required
def account_password():
    password = PasswordForm()
    profile = ProfileForm(obj=current_user)
    if not password.validate_on_submit():
        return _account_page(profile, password, 400)
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    try:
        accounts.change_password(current_user, password.current.data, password.password.data,
                                 request.headers.get("User-Agent", ""))
    except accounts.AccountError as exc:
        db.session.rollback()
        password.current.errors.append(str(exc).capitalize() + ".")
        return _account_page(profile, password, 400)
    db.session.commit()
    # Every session ended, this one too (a copied cookie of this browser dies): carry on in a new one.
    kept = {key: session[key] for key in CARRIED_OVER_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)
    login_user(current_user._get_current_object(), remember=remembered)
    flash("Your password is changed. Every other device has been logged out.", "success")
    return redirect(url_for("auth.account"))
