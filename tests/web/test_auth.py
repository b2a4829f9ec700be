from __future__ import annotations

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import LoginSession, User
from tests.conftest import PASSWORD


def test_register_makes_a_logged_in_student(client, auth, app):
    response = auth.register(email="Ada@Example.com ", name="Ada Lovelace")
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Ada Lovelace" in page
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role, user.day_start_hour, user.timezone) == ("ada@example.com", "student", 4, "UTC")


def test_password_is_stored_as_scrypt_hash(auth, app):
    auth.register()
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash))
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def _flashes(client) -> list:
    with client.session_transaction() as sess:
        return list(sess.get("_flashes", []))


def test_register_answers_an_existing_address_as_it_answers_a_new_one(app, auth, client, caplog, mailbox):
    """Verification off (the demo): same status, place, body and message; the existing account is
    untouched, its owner is emailed and the attempt logged. Only the signed-in state differs
    (tests/web/test_auth_registration.py shows that with verification on nothing does)."""
    new = auth.register(email="new@example.com", name="New")
    new_flashes = _flashes(client)
    auth.logout()
    client.get("/")  # shows (and so clears) the logout message
    with app.app_context():
        users = db.session.scalar(select(func.count()).select_from(User))
        owner_id, owner_hash = db.session.execute(select(User.id, User.password_hash)
                                                  .where(User.email == "new@example.com")).one()
    with caplog.at_level("WARNING"):
        again = auth.register(email=" NEW@example.com", name="Mallory", password="another password")
    assert (again.status_code, again.headers["Location"], again.get_data()) == (
        new.status_code, new.headers["Location"], new.get_data())
    assert new.status_code == 302
    assert _flashes(client) == new_flashes
    assert f"existing account {owner_id}; its owner is emailed a notice" in caplog.text
    [notice] = mailbox.wait_for(1)
    assert notice["To"] == "new@example.com" and notice["Subject"] == "Someone tried to register with your address"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == users
        assert db.session.scalar(select(User.password_hash).where(User.id == owner_id)) == owner_hash
    page = client.get("/").get_data(as_text=True)
    assert "If this address already has an account, log in with it" in page and "Hello," not in page
    assert auth.login("new@example.com").status_code == 302  # the owner's own password still works


def test_a_new_registration_is_welcomed_signed_in(auth, client):
    auth.register(email="ada@example.com", name="Ada")
    page = client.get("/").get_data(as_text=True)
    assert "Welcome, Ada! Your account is ready." in page and "already has an account" not in page


def test_register_refuses_bad_fields(auth, client):
    bad = auth.register(email="not-an-email", password="short", timezone="Mars/Olympus")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Use at least 8 characters." in page and "Choose a time zone" in page
    assert 'aria-invalid="true"' in page


def test_teacher_invitation_code(auth, app):
    wrong = auth.register(email="t@example.com", invite_code="guess")
    assert wrong.status_code == 400 and "not valid" in wrong.get_data(as_text=True)
    assert auth.register(email="t@example.com", invite_code="teach-me").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "t@example.com")) == "teacher"


def test_wrong_password_shows_error_and_no_session(client, auth, make_user):
    make_user()
    response = auth.login(password="wrong password")
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still anonymous: sent to log in


def test_unknown_email_gets_the_same_message(auth):
    response = auth.login(email="nobody@example.com")
    assert response.status_code == 401 and "Wrong email or password." in response.get_data(as_text=True)


def test_login_starts_a_new_server_session_each_time(client, auth, make_user, app):
    make_user()
    auth.login()
    with client.session_transaction() as sess:
        first = sess["_user_id"]
    auth.logout()
    auth.login()
    with client.session_transaction() as sess:
        second = sess["_user_id"]
    assert first != second
    with app.app_context():
        ids = set(db.session.scalars(select(LoginSession.id)))
    assert second in ids and first not in ids


def test_logout_ends_remember_me_session_server_side(app, make_user):
    make_user()
    browser = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(browser).login(remember=True)
    remember = browser.get_cookie("remember_token")
    assert remember is not None
    # A copy of the remember-me cookie, as a thief or a second tab would hold it.
    stolen = app.test_client()
    stolen.set_cookie("remember_token", remember.value)
    assert stolen.get("/account").status_code == 200
    AuthActions(browser).logout()
    thief = app.test_client()
    thief.set_cookie("remember_token", remember.value)
    assert thief.get("/account").status_code == 302


def test_change_password_logs_out_other_devices(app, make_user):
    from tests.conftest import AuthActions

    make_user()
    phone, laptop = app.test_client(), app.test_client()
    AuthActions(phone).login()
    AuthActions(laptop).login()
    token = AuthActions(laptop).token("/account")
    response = laptop.post("/account/password", data={
        "csrf_token": token, "current": PASSWORD, "password": "a new long password",
        "confirm": "a new long password"})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert AuthActions(app.test_client()).login(password="a new long password").status_code == 302


def test_change_password_needs_the_current_one(client, auth, make_user):
    make_user()
    auth.login()
    response = client.post("/account/password", data={
        "csrf_token": auth.token("/account"), "current": "nope nope", "password": "another pass",
        "confirm": "another pass"})
    assert response.status_code == 400 and "not right" in response.get_data(as_text=True)


def test_profile_sets_the_name_and_leaves_the_study_day_to_the_study_settings(client, auth, make_user, app):
    make_user()
    auth.login()
    response = client.post("/account/profile", data={
        "csrf_token": auth.token("/account"), "name": "Ada", "timezone": "Asia/Shanghai",
        "day_start_hour": "0"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        # Time zone and day start are set in one place, the study settings (tests/web/test_newcomer_words.py).
        assert (user.name, user.timezone, user.day_start_hour) == ("Ada", "UTC", 4)


def test_login_is_throttled_per_account(client, auth, make_user, app):
    make_user()
    codes = [auth.login(password=f"wrong {n}").status_code for n in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    assert "Too many attempts" in auth.login().get_data(as_text=True)


def test_login_is_throttled_per_address(app, make_user):
    from tests.conftest import AuthActions

    client = app.test_client()
    actions = AuthActions(client)
    codes = [actions.login(email=f"user{n}@example.com").status_code for n in range(21)]
    assert set(codes[:20]) == {401} and codes[20] == 429


def test_next_parameter_only_redirects_within_the_site(client, make_user, auth):
    make_user()
    token = auth.token()
    response = client.post("/login?next=https://evil.example/", data={
        "csrf_token": token, "email": "ada@example.com", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_user_count_unchanged_by_failed_registration(auth, app):
    auth.register(password="short")
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
