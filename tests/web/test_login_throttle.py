"""Login throttling: guessing is slowed, but no stranger can lock the owner out (auth/throttle.py)."""
from __future__ import annotations

from tests.conftest import PASSWORD, AuthActions


def browser(app, address: str) -> AuthActions:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client)


def test_right_password_from_a_second_address_after_25_wrong_from_a_first(app, make_user):
    make_user()
    attacker = browser(app, "203.0.113.7")
    codes = [attacker.login(password=f"wrong {n}").status_code for n in range(25)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    assert attacker.login().status_code == 429  # that address is stopped, even with the password
    owner = browser(app, "198.51.100.20")
    assert owner.login().status_code == 302


def test_past_the_accounts_ceiling_only_clean_addresses_are_checked(app, make_user):
    app.config.update(LOGIN_LIMITS_PER_ACCOUNT="10 per hour", LOGIN_LIMITS_PER_ACCOUNT_ADDRESS="5 per minute")
    make_user()
    for n in range(5):  # a botnet: 2 wrong tries from each of 5 addresses reaches the ceiling of 10
        guesser = browser(app, f"203.0.113.{n}")
        assert [guesser.login(password="wrong").status_code for _ in range(2)] == [401, 401]
    assert browser(app, "203.0.113.0").login().status_code == 429  # failed here before: not checked
    fresh = browser(app, "203.0.113.99")
    assert fresh.login(password="wrong").status_code == 401  # a clean address is still checked...
    assert fresh.login().status_code == 429  # ...once: now it has failed too
    assert browser(app, "198.51.100.20").login().status_code == 302  # the owner, elsewhere


def test_an_unknown_email_is_throttled_like_a_real_one(app):
    guesser = browser(app, "203.0.113.7")
    codes = [guesser.login(email="nobody@example.com", password="wrong").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]


def test_the_owners_typos_are_forgiven_once_logged_in(app, make_user):
    make_user()
    owner = browser(app, "198.51.100.20")
    assert [owner.login(password="typo").status_code for _ in range(4)] == [401] * 4
    assert owner.login(password=PASSWORD).status_code == 302
    owner.logout()
    assert [owner.login(password="typo").status_code for _ in range(4)] == [401] * 4
    assert owner.login().status_code == 302


def test_join_is_rate_limited(app, make_user):
    make_user()
    student = browser(app, "198.51.100.20")
    student.login()
    token = student.token("/join")
    codes = [student.client.post("/join", data={"csrf_token": token, "code": f"GUESS{n}"}).status_code
             for n in range(11)]
    assert codes[:10] == [400] * 10 and codes[-1] == 429
