"""Registration with email verification on: a new and a taken address get the same answer and
neither browser is signed in; the emailed link finishes the registration, once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.config import from_environment
from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import AuthActions, csrf_from
from tests.mailbox import body, link_in, path_of

CHECK_EMAIL = "Check your email: we have sent a message to finish creating your account."


@pytest.fixture(autouse=True)
def _verification_on(app):
    app.config["REQUIRE_EMAIL_VERIFICATION"] = True


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def cookies_set(response) -> list[str]:
    return sorted(h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie"))


def confirm(client, path: str):
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return client.post(path, data={"csrf_token": csrf_from(page.get_data(as_text=True))})


def test_a_new_and_a_taken_address_get_the_same_answer_and_neither_is_signed_in(app, make_user, mailbox):
    make_user("taken@example.com", name="Owner")
    with app.app_context():
        owner_hash = db.session.scalar(select(User.password_hash).where(User.email == "taken@example.com"))
    new_browser, taken_browser = app.test_client(), app.test_client()
    new = AuthActions(new_browser).register(email="fresh@example.com", name="Fresh")
    taken = AuthActions(taken_browser).register(email="Taken@example.com ", name="Mallory", password="mallory's own")
    assert (new.status_code, new.headers["Location"], new.get_data(), cookies_set(new)) == (
        taken.status_code, taken.headers["Location"], taken.get_data(), cookies_set(taken))
    assert (new.status_code, new.headers["Location"]) == (302, "/login")
    with new_browser.session_transaction() as a, taken_browser.session_transaction() as b:
        assert a["_flashes"] == b["_flashes"] == [("info", a["_flashes"][0][1])]
        assert "_user_id" not in a and "_user_id" not in b
    pages = [b.get("/login").get_data(as_text=True) for b in (new_browser, taken_browser)]
    assert CHECK_EMAIL in pages[0] and CHECK_EMAIL in pages[1]
    assert not signed_in(new_browser) and not signed_in(taken_browser)

    mails = {m["To"]: m for m in mailbox.wait_for(2)}
    assert mails["fresh@example.com"]["Subject"] == "Confirm your email to finish creating your Quizapp account"
    assert "/register/confirm/" in link_in(mails["fresh@example.com"])
    notice = mails["taken@example.com"]
    assert notice["Subject"] == "Someone tried to register with your address"
    assert "No second account was made" in body(notice) and "/reset-password/" in link_in(notice)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
        assert db.session.scalar(select(User.password_hash).where(User.email == "taken@example.com")) == owner_hash
        assert db.session.scalar(select(User.email_verified).where(User.email == "fresh@example.com")) is False


def test_the_emailed_link_signs_the_new_account_in_once(app, mailbox):
    browser = app.test_client()
    AuthActions(browser).register(email="fresh@example.com", name="Fresh")
    [message] = mailbox.wait_for(1)
    link = path_of(link_in(message))

    # Not yet: the password alone does not sign in (the link is sent again), a wrong one says only "wrong".
    early = AuthActions(browser).login("fresh@example.com")
    assert early.status_code == 403 and "Confirm your email address first" in early.get_data(as_text=True)
    wrong = AuthActions(browser).login("fresh@example.com", password="not the password")
    assert wrong.status_code == 401 and "Confirm your email" not in wrong.get_data(as_text=True)
    assert len(mailbox.wait_for(2)) == 2 and not signed_in(browser)

    opened = browser.get(link)  # a mail scanner's GET: shows a button, changes nothing
    assert opened.status_code == 200 and "Confirm fresh@example.com" in opened.get_data(as_text=True)
    assert not signed_in(browser)
    done = confirm(browser, link)
    assert (done.status_code, done.headers["Location"]) == (302, "/")
    home = browser.get("/").get_data(as_text=True)
    assert "Hello, Fresh" in home and "Welcome, Fresh! Your account is ready." in home

    other = app.test_client()
    used = other.get(link)
    assert used.status_code == 400 and "already been used" in used.get_data(as_text=True)
    assert AuthActions(other).login("fresh@example.com").status_code == 302


def test_the_owner_of_a_taken_address_gets_back_in_with_the_notice(app, make_user, mailbox):
    make_user("taken@example.com")
    AuthActions(app.test_client()).register(email="taken@example.com", password="someone else's")
    [notice] = mailbox.wait_for(1)
    owner = app.test_client()
    path = path_of(link_in(notice))
    token = csrf_from(owner.get(path).get_data(as_text=True))
    assert owner.post(path, data={"csrf_token": token, "password": "owner's new one",
                                  "confirm": "owner's new one"}).status_code == 302
    assert AuthActions(app.test_client()).login("taken@example.com", "owner's new one").status_code == 302
    assert AuthActions(app.test_client()).login("taken@example.com", "someone else's").status_code == 401


def test_an_address_claimed_by_someone_else_is_won_back_by_its_owner(app, mailbox):
    """Someone registers the victim's address first (never confirmed); the victim registering gets
    the notice, whose reset link sets the victim's password and confirms the address."""
    AuthActions(app.test_client()).register(email="victim@example.com", name="Squatter", password="squatter pass")
    AuthActions(app.test_client()).register(email="victim@example.com", name="Victim", password="victim pass 1")
    mails = mailbox.wait_for(2)
    assert [m["Subject"] for m in mails] == ["Confirm your email to finish creating your Quizapp account",
                                             "Someone tried to register with your address"]
    victim = app.test_client()
    path = path_of(link_in(mails[1]))
    token = csrf_from(victim.get(path).get_data(as_text=True))
    victim.post(path, data={"csrf_token": token, "password": "victim pass 2", "confirm": "victim pass 2"})
    assert AuthActions(app.test_client()).login("victim@example.com", "squatter pass").status_code == 401
    assert AuthActions(victim).login("victim@example.com", "victim pass 2").status_code == 302
    # The squatter's confirmation link died with the reset.
    assert app.test_client().get(path_of(link_in(mails[0]))).status_code == 400


def test_with_verification_off_a_new_account_is_signed_in_at_once(app, auth, client):
    app.config["REQUIRE_EMAIL_VERIFICATION"] = False
    assert auth.register(email="ada@example.com").headers["Location"] == "/"
    assert signed_in(client)


@pytest.mark.parametrize(("value", "on"), [(None, True), ("", True), ("1", True), ("yes", True), ("0", False),
                                           ("false", False), ("off", False)])
def test_verification_is_on_unless_the_environment_says_otherwise(tmp_path, monkeypatch, value, on):
    monkeypatch.setenv("SECRET_KEY", "x")
    if value is None:
        monkeypatch.delenv("QUIZAPP_REQUIRE_EMAIL_VERIFICATION", raising=False)
    else:
        monkeypatch.setenv("QUIZAPP_REQUIRE_EMAIL_VERIFICATION", value)
    assert from_environment(tmp_path)["REQUIRE_EMAIL_VERIFICATION"] is on


def test_a_bad_mail_port_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("MAIL_PORT", "twenty-five")
    with pytest.raises(ValueError, match="MAIL_PORT must be a port number, not 'twenty-five'"):
        from_environment(tmp_path)


def test_registration_keeps_the_password_rules(app, auth, mailbox):
    response = auth.register(email="fresh@example.com", password="short")
    assert response.status_code == 400 and "Use at least 8 characters." in response.get_data(as_text=True)
    assert mailbox.settled() == []
