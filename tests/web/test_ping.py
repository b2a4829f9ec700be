"""/ping: the bare logged-in page the review-loop benchmark uses as its baseline."""
from __future__ import annotations


def test_ping_needs_a_login(client):
    response = client.get("/ping")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_ping_answers_pong_when_logged_in(client, auth, make_user):
    make_user()
    auth.login()
    response = client.get("/ping")
    assert response.status_code == 200 and response.get_data(as_text=True) == "pong"
    assert response.mimetype == "text/plain"
