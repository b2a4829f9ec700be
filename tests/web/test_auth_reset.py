"""Forgot password: the emailed link (through a real SMTP server) works once, expires, ends every
session; the form answers the same for any address and is throttled."""
from __future__ import annotations

from datetime import timedelta

from quizapp.models.types import utcnow
from quizapp.services import account_links, accounts, mail
from tests.conftest import PASSWORD, AuthActions, csrf_from
from tests.mailbox import body, free_port, link_in, path_of

NEW_PASSWORD = "a brand new passphrase"
SENT = "If an account uses that address, we have emailed it a link to choose a new password."


def forgot(client, email: str = "ada@example.com"):
    token = csrf_from(client.get("/forgot-password").get_data(as_text=True))
    return client.post("/forgot-password", data={"csrf_token": token, "email": email})


def reset(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    page = client.get(path)
    token = csrf_from(page.get_data(as_text=True)) if page.status_code == 200 else AuthActions(client).token()
    return client.post(path, data={"csrf_token": token, "password": password, "confirm": confirm or password})


def flashes(client) -> list:
    with client.session_transaction() as sess:
        return list(sess.get("_flashes", []))


def reset_link(app, email: str = "ada@example.com", when=None) -> str:
    """A reset link made as the app makes them, dated ``when`` (the app checks ages against now)."""
    with app.test_request_context():
        user = accounts.find_by_email(email)
        return "/reset-password/" + account_links.make_token(account_links.RESET, user, when or utcnow())


def test_a_forgotten_password_is_reset_by_the_emailed_link_once(app, make_user, mailbox):
    make_user()
    phone = app.test_client()
    AuthActions(phone).login(remember=True)
    stolen = app.test_client()  # a copy of the phone's remember-me cookie
    stolen.set_cookie("remember_token", phone.get_cookie("remember_token").value)
    assert phone.get("/account").status_code == 200 and stolen.get("/account").status_code == 200

    visitor = app.test_client()
    assert 'href="/forgot-password"' in visitor.get("/login").get_data(as_text=True)
    answer = forgot(visitor)
    assert (answer.status_code, answer.headers["Location"]) == (302, "/login")
    assert SENT in visitor.get("/login").get_data(as_text=True)

    [message] = mailbox.wait_for(1)
    assert (message["To"], message["From"]) == ("ada@example.com", "Quizapp <quiz@example.org>")
    assert message["Subject"] == "Choose a new Quizapp password"
    assert mailbox.envelopes == [("quiz@example.org", ["ada@example.com"])]
    assert "within 60 minutes" in body(message) and "works once" in body(message)
    link = link_in(message)
    assert link.startswith("http://localhost/reset-password/")

    page = visitor.get(path_of(link))
    assert page.status_code == 200 and "For the account of ada@example.com" in page.get_data(as_text=True)
    done = reset(visitor, path_of(link))
    assert (done.status_code, done.headers["Location"]) == (302, "/login")
    # Every session ended: the phone's and the copied remember-me cookie's.
    assert phone.get("/account").status_code == 302 and stolen.get("/account").status_code == 302
    assert AuthActions(app.test_client()).login(password=PASSWORD).status_code == 401
    assert AuthActions(app.test_client()).login(password=NEW_PASSWORD).status_code == 302

    # The link has done its work: opened or sent again, it changes nothing.
    again = visitor.get(path_of(link))
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    replay = visitor.post(path_of(link), data={"csrf_token": AuthActions(visitor).token(), "password": "third pass 333",
                                               "confirm": "third pass 333"})
    assert replay.status_code == 400
    assert AuthActions(app.test_client()).login(password=NEW_PASSWORD).status_code == 302


def test_a_reset_link_expires_after_an_hour(app, make_user):
    make_user()
    browser = app.test_client()
    fresh = reset_link(app, when=utcnow() - timedelta(minutes=59))
    stale = reset_link(app, when=utcnow() - timedelta(minutes=61))
    expired = browser.get(stale)
    assert expired.status_code == 400 and "This link has expired" in expired.get_data(as_text=True)
    assert reset(browser, stale).status_code == 400
    assert AuthActions(app.test_client()).login(password=PASSWORD).status_code == 302  # unchanged
    assert reset(browser, fresh).status_code == 302
    assert AuthActions(app.test_client()).login(password=NEW_PASSWORD).status_code == 302


def test_the_answer_is_the_same_for_an_address_without_an_account(app, make_user, mailbox, caplog):
    make_user()
    known, unknown = app.test_client(), app.test_client()
    a, b = forgot(known, "ada@example.com"), forgot(unknown, "nobody@example.com")
    assert (a.status_code, a.headers["Location"], a.get_data()) == (b.status_code, b.headers["Location"], b.get_data())
    assert flashes(known) == flashes(unknown)
    assert [m["To"] for m in mailbox.settled()] == ["ada@example.com"]  # nothing went to the unknown address


def test_a_newer_link_or_a_password_change_retires_a_reset_link(app, make_user):
    make_user()
    browser = app.test_client()
    first, second = reset_link(app, when=utcnow() - timedelta(seconds=5)), reset_link(app)
    assert reset(browser, second).status_code == 302
    assert reset(browser, first, password="yet another pass").status_code == 400  # died with the change
    third = reset_link(app)
    signed_in = app.test_client()
    AuthActions(signed_in).login(password=NEW_PASSWORD)
    token = AuthActions(signed_in).token("/account")
    assert signed_in.post("/account/password", data={"csrf_token": token, "current": NEW_PASSWORD,
                                                      "password": "changed on the page",
                                                      "confirm": "changed on the page"}).status_code == 302
    assert browser.get(third).status_code == 400


def test_forged_and_borrowed_tokens_are_refused(app, make_user):
    make_user()
    browser = app.test_client()
    good = reset_link(app)
    token = good.rsplit("/", 1)[1]
    forged = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    with app.test_request_context():
        verify_token = account_links.make_token(account_links.VERIFY, accounts.find_by_email("ada@example.com"),
                                                utcnow())
    for path in (forged, "/reset-password/" + verify_token, "/reset-password/" + token + "x" * 400,
                 "/reset-password/not-a-token"):
        response = browser.get(path)
        assert response.status_code == 400 and "This link is not valid" in response.get_data(as_text=True), path
        assert reset(browser, path).status_code == 400
    assert AuthActions(app.test_client()).login(password=PASSWORD).status_code == 302


def test_a_bad_new_password_keeps_the_link_usable(app, make_user):
    make_user()
    browser = app.test_client()
    link = reset_link(app)
    differ = reset(browser, link, confirm="not the same one")
    assert differ.status_code == 400 and "The passwords differ." in differ.get_data(as_text=True)
    short = reset(browser, link, password="short")
    assert short.status_code == 400 and "Use at least 8 characters." in short.get_data(as_text=True)
    assert reset(browser, link).status_code == 302


def test_forgot_password_is_throttled_per_address(app):
    browser = app.test_client()
    codes = [forgot(browser, f"u{n}@example.com").status_code for n in range(6)]
    assert codes == [302] * 5 + [429]


def test_one_address_gets_three_mails_an_hour_and_the_answer_never_changes(app, make_user, mailbox, caplog):
    make_user()
    answers = []
    for n in range(5):  # from five machines, so the per-address limit is not what stops it
        browser = app.test_client()
        browser.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
        response = forgot(browser)
        answers.append((response.status_code, response.headers["Location"], flashes(browser)))
    assert len(set(map(repr, answers))) == 1
    assert len(mailbox.settled()) == 3
    assert "has had its share of mails" in caplog.text


def test_a_mail_server_that_is_down_changes_nothing_the_visitor_sees(app, make_user, caplog):
    make_user()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)  # nothing listens there
    known, unknown = app.test_client(), app.test_client()
    a, b = forgot(known), forgot(unknown, "nobody@example.com")
    assert (a.status_code, a.get_data()) == (b.status_code, b.get_data()) == (302, a.get_data())
    assert mail.wait_until_sent(10)
    assert "not sent: ConnectionRefusedError" in caplog.text


def test_links_name_the_configured_site_not_the_requests_host(app):
    """A forged Host header must not make a reset link point at the forger's site."""
    from quizapp.auth.signin import link_for

    with app.test_request_context("/forgot-password", method="POST", headers={"Host": "evil.example"}):
        assert link_for(account_links.RESET, "t0k").startswith("http://evil.example/")  # unset: the request's
        app.config["BASE_URL"] = "https://quiz.example.org"
        assert link_for(account_links.RESET, "t0k") == "https://quiz.example.org/reset-password/t0k"


def test_without_a_mail_server_the_link_is_in_the_server_log(app, make_user, caplog):
    make_user()
    browser = app.test_client()
    with caplog.at_level("WARNING"):
        forgot(browser)
        assert mail.wait_until_sent(10)
    assert "no MAIL_SERVER is set, so this email was not sent" in caplog.text
    [link] = [word for word in caplog.text.split() if word.startswith("http://localhost/reset-password/")]
    assert reset(browser, path_of(link)).status_code == 302  # the logged link is whole and works
    assert AuthActions(app.test_client()).login(password=NEW_PASSWORD).status_code == 302
