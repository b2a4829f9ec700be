"""The account page: profile, password, devices, email address, your data, deleting the account."""
from __future__ import annotations

import json

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from ..extensions import limiter, user_key
from ..models.types import utcnow
from ..services import account_data, account_links, accounts
from ..services.errors import ServiceError
from ..web.downloads import attachment
from . import bp
from .forms import ConfirmForm, DeleteForm, EmailForm, EndSessionsForm, PasswordForm, ProfileForm
from .signin import end_this_browser, fresh_session, link_for


@bp.get("/account")
@login_required
def account():
    return _account_page()


def _account_page(profile: ProfileForm | None = None, password: PasswordForm | None = None,
                  email: EmailForm | None = None, status: int = 200):
    # The forms not sent are blank (formdata=None): a POST's fields fill only the form they belong to.
    return render_template("auth/account.html", profile=profile or ProfileForm(formdata=None, obj=current_user),
                           password=password or PasswordForm(formdata=None), email=email or EmailForm(formdata=None),
                           sessions=accounts.sessions_of(current_user), end_sessions=EndSessionsForm(),
                           current_session=current_user.login_session_id,
                           data_tables=list(account_data.TABLES)), status


@bp.post("/account/sessions/end")
@login_required
def end_sessions():
    form = EndSessionsForm()
    if not form.validate_on_submit():
        abort(400, "Choose a session to sign out.")
    ended = accounts.end_other_sessions(current_user, form.session.data or None)
    flash(f"Signed out {ended} other {'device' if ended == 1 else 'devices'}." if ended
          else "No other device was signed in.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/profile")
@login_required
def account_profile():
    profile = ProfileForm()
    if not profile.validate_on_submit():
        return _account_page(profile=profile, status=400)
    accounts.update_profile(current_user, name=profile.name.data)
    flash("Your profile is saved.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/password")
@login_required
def account_password():
    password = PasswordForm()
    if not password.validate_on_submit():
        return _account_page(password=password, status=400)
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    try:
        accounts.change_password(current_user, password.current.data, password.password.data,
                                 request.headers.get("User-Agent", ""))
    except accounts.AccountError as exc:
        password.current.errors.append(str(exc).capitalize() + ".")
        return _account_page(password=password, status=400)
    # Every session ended, this one too (a copied cookie of this browser dies): carry on in a new one.
    fresh_session()
    login_user(current_user._get_current_object(), remember=remembered)
    flash("Your password is changed. Every other device has been logged out.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/email")
@login_required
@limiter.limit(lambda: current_app.config["EMAIL_CHANGE_LIMITS_PER_USER"], key_func=user_key)
def account_email():
    form = EmailForm()
    if not form.validate_on_submit():
        return _account_page(email=form, status=400)
    try:
        mailed = account_links.request_email_change(current_user, form.email_password.data, form.new_email.data,
                                                    utcnow(), link_for)
    except ServiceError as exc:  # a wrong password, the same address, or (changed at once) one in use
        message = str(exc)
        form.email_password.errors.append(message[0].upper() + message[1:].rstrip(".") + ".")
        return _account_page(email=form, status=400)
    if mailed:
        flash(f"We have emailed a link to {accounts.normalise_email(form.new_email.data)}: open it to start using "
              "that address. Until then your address stays as it is.", "info")
    else:
        flash(f"Your address is now {current_user.email}.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMITS_PER_ADDRESS"], methods=["POST"])
def confirm_email(token: str):
    """Opened from the new address's mailbox, signed in or not: the token names the account."""
    form = ConfirmForm()
    if form.validate_on_submit():
        user = account_links.confirm_email_change(token, utcnow())
        flash(f"Your address is now {user.email}.", "success")
        return redirect(url_for("auth.account" if current_user.is_authenticated else "auth.login"))
    user, payload = account_links.read_token(account_links.EMAIL, token, utcnow())
    return render_template("auth/confirm.html", form=form, title="Confirm your new email address",
                           message=f"Use {payload.get('e')} for the account of {user.name} from now on.",
                           button="Use this address")


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteForm()
    if form.validate_on_submit():
        try:
            accounts.delete_account(current_user, form.password.data)
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc).capitalize() + ".")
        else:
            end_this_browser()
            flash("Your account and everything in it are deleted.", "info")
            return redirect(url_for("main.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/delete.html", form=form), status


def _download(body: str, mimetype: str, name: str) -> Response:
    return attachment(body, name, mimetype)


@bp.get("/account/data.json")
@login_required
@limiter.limit(lambda: current_app.config["DATA_EXPORT_LIMITS_PER_USER"], key_func=user_key)
def data_json():
    now = utcnow()
    body = json.dumps(account_data.document(current_user, now), ensure_ascii=False, indent=1)
    return _download(body, "application/json", f"quizapp-data-{now.date().isoformat()}.json")


@bp.get("/account/data.csv")
@login_required
@limiter.limit(lambda: current_app.config["DATA_EXPORT_LIMITS_PER_USER"], key_func=user_key)
def data_csv():
    table = request.args.get("table", "")
    body = account_data.table_csv(current_user, table)
    return _download(body, "text/csv", f"quizapp-{table}-{utcnow().date().isoformat()}.csv")
