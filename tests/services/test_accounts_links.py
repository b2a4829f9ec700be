"""Emailed links (signed, purpose-bound, single-use, aged against ``now``) and the mail transport."""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.extensions import db
from quizapp.services import account_links, accounts, mail
from quizapp.services.account_links import EMAIL, RESET, VERIFY, LinkError, make_token, read_token
from tests.mailbox import Mailbox, body

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def ada(app, make_user):
    make_user()
    with app.test_request_context():
        yield accounts.find_by_email("ada@example.com")


def test_a_reset_link_works_for_exactly_its_hour(app, ada):
    token = make_token(RESET, ada, T0)
    assert read_token(RESET, token, T0 + timedelta(seconds=3600))[0].id == ada.id
    with pytest.raises(LinkError, match="expired"):
        read_token(RESET, token, T0 + timedelta(seconds=3601))
    with pytest.raises(LinkError, match="expired"):  # dated in the future: not trusted either
        read_token(RESET, token, T0 - timedelta(seconds=5))
    app.config["PASSWORD_RESET_MAX_AGE"] = 600
    with pytest.raises(LinkError, match="expired"):
        read_token(RESET, token, T0 + timedelta(seconds=601))


def test_confirmation_links_last_two_days(ada):
    token = make_token(VERIFY, ada, T0)
    assert read_token(VERIFY, token, T0 + timedelta(days=2))[0].id == ada.id
    with pytest.raises(LinkError, match="expired"):
        read_token(VERIFY, token, T0 + timedelta(days=2, seconds=1))


def test_a_link_is_good_for_its_own_purpose_and_site_only(app, ada):
    token = make_token(RESET, ada, T0)
    for other in (VERIFY, EMAIL):
        with pytest.raises(LinkError, match="not valid"):
            read_token(other, token, T0)
    app.config["SECRET_KEY"] = "another site's key"
    with pytest.raises(LinkError, match="not valid"):
        read_token(RESET, token, T0)


@pytest.mark.parametrize("change", ["password", "email", "verified"])
def test_any_change_the_link_could_make_retires_it(ada, change):
    token = make_token(RESET, ada, T0)
    if change == "password":
        accounts.set_password(ada, "a different password")
    elif change == "email":
        ada.email = "ada2@example.com"
    else:
        ada.email_verified = not ada.email_verified
    db.session.commit()
    with pytest.raises(LinkError, match="already been used"):
        read_token(RESET, token, T0)


def test_a_used_reset_link_is_refused_the_second_time(ada):
    token = make_token(RESET, ada, T0)
    account_links.reset_password(token, "the new password", T0 + timedelta(minutes=5))
    with pytest.raises(LinkError, match="already been used"):
        account_links.reset_password(token, "a third password", T0 + timedelta(minutes=6))
    assert accounts.authenticate("ada@example.com", "the new password") is not None


def test_the_token_shows_nothing_of_the_password_hash(ada):
    token = make_token(RESET, ada, T0)
    payload = token.split(".")[0]
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(decoded) == {"u", "f"} and decoded["u"] == ada.id
    assert decoded["f"] not in ada.password_hash and ada.password_hash.split("$")[-1] not in token


def test_a_deleted_account_or_a_junk_token_is_a_clear_refusal(ada):
    token = make_token(RESET, ada, T0)
    db.session.delete(ada)
    db.session.commit()
    with pytest.raises(LinkError, match="already been used"):
        read_token(RESET, token, T0)
    for junk in ("", "x" * 401, "a.b.c", "eyJ1IjoiMSJ9.aaaa.bbbb"):
        with pytest.raises(LinkError, match="not valid"):
            read_token(RESET, junk, T0)


def test_mail_goes_through_an_smtp_server_that_wants_a_login(app):
    box = Mailbox(credentials=("quizapp", "s3cret")).start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=box.port, MAIL_USERNAME="quizapp",
                          MAIL_PASSWORD="s3cret", MAIL_FROM="Quiz <q@example.org>")
        with app.app_context():
            assert mail.send(mail.Mail("ada@example.com", "Hello", "Line one\nhttp://x.example/" + "y" * 120))
            app.config.update(MAIL_PASSWORD="wrong", MAIL_TIMEOUT=2)
            assert not mail.send(mail.Mail("ada@example.com", "Not sent", "body"))
        [message] = box.settled()
        assert box.logins == ["quizapp"] and message["From"] == "Quiz <q@example.org>"
        assert body(message).endswith("y" * 120 + "\n")  # a long link arrives whole (decoded)
    finally:
        box.stop()


def test_a_header_cannot_be_smuggled_in_through_an_address(app, caplog):
    with app.app_context():
        assert not mail.send(mail.Mail("ada@example.com\r\nBcc: eve@example.com", "Hi", "body"))
    assert "not built" in caplog.text
