"""When a request does fail on the database, the student still gets the site's error page (and the
next request works), not a bare 'Internal Server Error' from gunicorn."""
from __future__ import annotations

from quizapp.extensions import db
from quizapp.models import User
from tests.conftest import AuthActions


def test_a_failed_write_still_gets_the_sites_error_page(app, make_user):
    def broken():
        # Two accounts with one email: the flush fails and the session must be rolled back before
        # anything (the error page's header asks who is logged in) can use the database again.
        db.session.add(User(email="ada@example.com", name="Copy", password_hash="x"))
        db.session.flush()
        return "unreachable"

    app.add_url_rule("/broken", view_func=broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production
    make_user()
    client = app.test_client()
    AuthActions(client).login()

    response = client.get("/broken")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page and "Log out" in page, page[:500]
    assert client.get("/study").status_code == 200
