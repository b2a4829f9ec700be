"""Sessions: a password change rotates this one too, logout drops the remember-me cookie, and the
account page lists the signed-in devices and signs out the others."""
from __future__ import annotations

import re

from tests.conftest import PASSWORD, AuthActions

NEW_PASSWORD = "a new long password"


def change_password(client) -> int:
    token = AuthActions(client).token("/account")
    return client.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                   "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code


def copy_of(app, client, name: str):
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def test_the_old_cookie_fails_after_a_password_change(app, make_user):
    make_user()
    browser = app.test_client()
    AuthActions(browser).login(remember=True)
    session_copy, remember_copy = copy_of(app, browser, "session"), copy_of(app, browser, "remember_token")
    assert session_copy.get("/account").status_code == 200 and remember_copy.get("/account").status_code == 200
    session_copy, remember_copy = copy_of(app, browser, "session"), copy_of(app, browser, "remember_token")
    assert change_password(browser) == 302
    assert browser.get("/account").status_code == 200  # the one who changed it carries on
    assert session_copy.get("/account").status_code == 302  # the copied cookies of the same browser die
    assert remember_copy.get("/account").status_code == 302
    fresh = copy_of(app, browser, "remember_token")  # the new remember-me cookie works
    assert fresh.get("/account").status_code == 200


def test_logout_deletes_the_remember_cookie(app, make_user):
    make_user()
    browser = app.test_client()
    actions = AuthActions(browser)
    actions.login(remember=True)
    assert browser.get_cookie("remember_token") is not None
    response = actions.logout()
    cleared = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "1970" in cleared[0])
    assert browser.get_cookie("remember_token") is None


def test_the_account_page_lists_devices_and_signs_out_the_others(app, make_user):
    make_user()
    phone, laptop, tablet = (app.test_client() for _ in range(3))
    for client, agent in ((phone, "Phone"), (tablet, "Tablet"), (laptop, "Laptop")):
        client.environ_base["HTTP_USER_AGENT"] = agent
        AuthActions(client).login()
    page = laptop.get("/account").get_data(as_text=True)
    assert "Signed in on 3 devices." in page and "Phone" in page and "Tablet" in page
    assert "Laptop, since" in page and "(this device)" in page
    # One by one: the phone's handle (not its session id) is in its form.
    handles = re.findall(r'name="session" value="([0-9a-f]+)"', page)
    assert len(handles) == 2
    token = AuthActions(laptop).token("/account")
    phone_handle = handles[page.index("Phone") > page.index("Tablet")]  # the list is in page order
    assert laptop.post("/account/sessions/end", data={"csrf_token": token, "session": phone_handle}).status_code == 302
    assert phone.get("/account").status_code == 302 and tablet.get("/account").status_code == 200
    # All the others at once.
    response = laptop.post("/account/sessions/end", data={"csrf_token": token}, follow_redirects=True)
    assert "Signed out 1 other device." in response.get_data(as_text=True)
    assert tablet.get("/account").status_code == 302 and laptop.get("/account").status_code == 200
    assert "Signed in on 1 device." in laptop.get("/account").get_data(as_text=True)


def test_a_handle_of_another_account_ends_nothing(app, make_user):
    make_user()
    make_user("eve@example.com")
    ada, eve = app.test_client(), app.test_client()
    AuthActions(ada).login()
    AuthActions(ada.application.test_client()).login()
    AuthActions(eve).login("eve@example.com")
    handles = re.findall(r'name="session" value="([0-9a-f]+)"', ada.get("/account").get_data(as_text=True))
    token = AuthActions(eve).token("/account")
    eve.post("/account/sessions/end", data={"csrf_token": token, "session": handles[0]})
    assert "Signed in on 2 devices." in ada.get("/account").get_data(as_text=True)
