"""Signed links mailed to an account's owner: choose a new password, confirm an address.

A link carries an itsdangerous timed token, signed with SECRET_KEY and salted by its purpose, that
names the account and a fingerprint of its email, password hash and verified flag. Using a link
changes one of those (a reset sets a new hash, a confirmation sets the flag or the email), so the
fingerprint stops matching: a link works once, and the account's other links mailed before it die
with it (a password changed on the account page ends any reset link too). A link's age is its
signed timestamp against ``now``, so tests pass a later ``now`` rather than freeze a clock.

The emails are sent after the response (``mail.post``): whether a mail goes out (an account
exists) cannot be timed by the visitor.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from ..extensions import db
from ..models import User
from . import accounts, mail
from .errors import ServiceError
from .unit import unit_of_work

RESET, VERIFY, EMAIL = "reset", "verify", "email"
MAX_TOKEN_LENGTH = 400  # a real token is about 120 characters; longer ones are not even decoded

# (purpose, token) -> the absolute URL of the page that takes the token; the web layer supplies it.
LinkFor = Callable[[str, str], str]


class LinkError(ServiceError):
    """A link that is malformed, forged, used or too old; the message says which and what to do."""


class _ClockedSigner(TimestampSigner):
    """Signs and checks ages at a given moment instead of the wall clock."""

    def __init__(self, *args: Any, now: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return self._now


def _serializer(purpose: str, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"quizapp.account.{purpose}",
                                  signer=_ClockedSigner, signer_kwargs={"now": int(now.timestamp())})


def max_age(purpose: str) -> int:
    setting = "PASSWORD_RESET_MAX_AGE" if purpose == RESET else "EMAIL_LINK_MAX_AGE"
    return int(current_app.config[setting])


def fingerprint(user: User) -> str:
    """Changes whenever a link is used: the email, the password hash or the verified flag.
    A digest, so the token (readable by anyone who holds it) shows nothing of the hash."""
    material = "\0".join((user.email, user.password_hash, "1" if user.email_verified else "0"))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def make_token(purpose: str, user: User, now: datetime, **extra: str) -> str:
    return _serializer(purpose, now).dumps({"u": user.id, "f": fingerprint(user), **extra})


def read_token(purpose: str, token: str, now: datetime) -> tuple[User, dict[str, Any]]:
    """The account a valid, unused, unexpired token names, with the token's payload."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkError("This link is not valid. Copy the whole link from the email, or ask for a new one.")
    try:
        payload = _serializer(purpose, now).loads(token, max_age=max_age(purpose))
    except SignatureExpired:
        raise LinkError("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise LinkError("This link is not valid. Copy the whole link from the email, or ask for a new one.") from None
    user = db.session.get(User, payload.get("u")) if isinstance(payload, dict) and isinstance(
        payload.get("u"), int) else None
    if user is None or payload.get("f") != fingerprint(user):
        raise LinkError("This link has already been used, or a newer one replaced it. Ask for a new one "
                        "if you still need it.")
    return user, payload


def _minutes(seconds: int) -> str:
    return f"{seconds // 60} minutes" if seconds < 2 * 3600 else f"{seconds // 3600} hours"


# -- the emails -------------------------------------------------------------------------------


def _reset_mail(user: User, now: datetime, link: LinkFor) -> mail.Mail:
    url = link(RESET, make_token(RESET, user, now))
    return mail.Mail(user.email, "Choose a new Quizapp password", (
        f"Someone (we hope you) asked to reset the password of the Quizapp account for {user.email}.\n\n"
        f"To choose a new password, open this link within {_minutes(max_age(RESET))}:\n\n{url}\n\n"
        "The link works once. Choosing a new password signs out every device that is signed in.\n"
        "If you did not ask, ignore this email: your password stays as it is.\n"))


def _taken_mail(user: User, now: datetime, link: LinkFor) -> mail.Mail:
    url = link(RESET, make_token(RESET, user, now))
    return mail.Mail(user.email, "Someone tried to register with your address", (
        f"Someone tried to create a Quizapp account with {user.email}, which already has one: yours.\n"
        "No second account was made and yours is unchanged.\n\n"
        "If it was you and you have forgotten your password, choose a new one with this link "
        f"(it works once, within {_minutes(max_age(RESET))}):\n\n{url}\n\n"
        "If it was not you, ignore this email.\n"))


def _verify_mail(user: User, now: datetime, link: LinkFor) -> mail.Mail:
    url = link(VERIFY, make_token(VERIFY, user, now))
    return mail.Mail(user.email, "Confirm your email to finish creating your Quizapp account", (
        f"Hello {user.name},\n\nTo finish creating your Quizapp account, open this link within "
        f"{_minutes(max_age(VERIFY))}:\n\n{url}\n\n"
        "If you did not register, ignore this email: nobody can sign in with this address until the "
        "link is used.\n"))


def _change_mail(user: User, new_email: str, now: datetime, link: LinkFor) -> mail.Mail:
    url = link(EMAIL, make_token(EMAIL, user, now, e=new_email))
    return mail.Mail(new_email, "Confirm your new Quizapp email address", (
        f"Someone (we hope you) asked to use {new_email} for the Quizapp account of {user.name}.\n\n"
        f"To confirm, open this link within {_minutes(max_age(EMAIL))}:\n\n{url}\n\n"
        "If you did not ask, ignore this email: nothing changes.\n"))


def _changed_notice(old_email: str, new_email: str) -> mail.Mail:
    return mail.Mail(old_email, "Your Quizapp email address was changed", (
        f"The Quizapp account that used {old_email} now uses {new_email}.\n\n"
        "If you did not make this change, ask the site's administrator for help at once.\n"))


# -- the flows --------------------------------------------------------------------------------


def forgot_password(email: str, now: datetime, link: LinkFor) -> bool:
    """Mails a reset link if ``email`` has an account. The caller answers the same either way;
    the result is for the log only."""
    user = accounts.find_by_email(email)
    if user is None:
        return False
    mail.post(_reset_mail(user, now, link))
    return True


def reset_password(token: str, new_password: str, now: datetime) -> User:
    """Sets the new password and ends every session of the account. Proves the owner reads the
    mailbox, so an account awaiting its registration link is verified too."""
    with unit_of_work():
        user, _ = read_token(RESET, token, now)
        accounts.set_password(user, new_password)
        user.email_verified = True
        accounts.end_all_sessions(user)
    current_app.logger.info("password of account %s reset by emailed link", user.id)
    return user


def register(email: str, password: str, now: datetime, link: LinkFor, *, name: str, role: str,
             timezone: str, may_mail: bool = True) -> User | None:
    """Self-registration: the new account (signed in by the caller when verification is off), or
    None when the address already had an account. Either way one email goes out (unless
    ``may_mail`` is False: the address has had its share): the new account's confirmation link
    (verification on), or a notice with a reset link to the existing owner."""
    verify = bool(current_app.config.get("REQUIRE_EMAIL_VERIFICATION"))
    user, existing = accounts.register(email, password, name=name, role=role, timezone=timezone,
                                       verified=not verify)
    if existing is not None:
        current_app.logger.warning("registration attempt with the address of existing account %s; its owner %s",
                                   existing.id, "is emailed a notice" if may_mail else "is not emailed (limit)")
        if may_mail:
            mail.post(_taken_mail(existing, now, link))
        return None
    assert user is not None
    if verify and may_mail:
        mail.post(_verify_mail(user, now, link))
    return user


def resend_verification(user: User, now: datetime, link: LinkFor) -> None:
    mail.post(_verify_mail(user, now, link))


def verify_email(token: str, now: datetime) -> User:
    """Confirms a self-registered account's address; the caller signs the owner in."""
    with unit_of_work():
        user, _ = read_token(VERIFY, token, now)
        user.email_verified = True
    return user


def request_email_change(user: User, password: str, new_email: str, now: datetime, link: LinkFor) -> bool:
    """With verification on, mails a link to the new address (True); off, changes it at once (False).
    Needs the account's password. An address in use is refused without a link only when the change
    is immediate; with links on, it is answered as any other (the link then fails to apply)."""
    if not accounts.password_is(user, password):
        raise accounts.AccountError("the password is not right")
    new_email = accounts.normalise_email(new_email)
    if new_email == user.email:
        raise accounts.AccountError("that is already your address")
    if current_app.config.get("REQUIRE_EMAIL_VERIFICATION"):
        if accounts.find_by_email(new_email) is None:
            mail.post(_change_mail(user, new_email, now, link))
        else:
            current_app.logger.warning("account %s asked to move to an address in use; no link sent", user.id)
        return True
    old = user.email
    accounts.change_email(user, new_email, verified=False)
    mail.post(_changed_notice(old, new_email))
    return False


def confirm_email_change(token: str, now: datetime) -> User:
    with unit_of_work():
        user, payload = read_token(EMAIL, token, now)
        new_email = payload.get("e")
        if not isinstance(new_email, str):
            raise LinkError("This link is not valid. Ask for a new one.")
        old = user.email
        accounts.change_email(user, new_email, verified=True)
    mail.post(_changed_notice(old, new_email))
    return user
