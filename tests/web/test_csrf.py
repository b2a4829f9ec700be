"""Every state-changing route refuses a request without a CSRF token (walked from the URL map)."""
from __future__ import annotations

from urllib.parse import unquote

import pytest

from quizapp.web.errors import CSRF_FALLBACKS
from tests.web.routes import concrete, rules


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_there_are_post_routes_to_check(csrf_app):
    assert len(rules(csrf_app, "POST")) >= 5


@pytest.mark.parametrize("logged_in", [False, True])
def test_every_post_route_needs_a_csrf_token(csrf_app, make_user, logged_in):
    client = csrf_app.test_client()
    if logged_in:
        from tests.conftest import AuthActions

        make_user(role="admin")
        assert AuthActions(client).login().status_code == 302
    refused = {}
    for rule in rules(csrf_app, "POST"):
        response = client.post(concrete(rule), data={"email": "ada@example.com", "password": "x" * 10})
        if rule.endpoint in CSRF_FALLBACKS:
            # An answer is never lost to an expired form: it is kept (not applied) and shown back
            # after logging in, where recording it needs a fresh token (tests/web/test_answer_flow.py).
            assert response.status_code == 302 and "/study/pending" in unquote(response.location)
            continue
        refused[rule.rule] = response.status_code
        if response.status_code == 400:
            assert "expired or was not sent from this site" in response.get_data(as_text=True)
    # 400 = CSRF refusal; 404 only where the sample id names nothing (checked before CSRF can be).
    assert all(code == 400 for code in refused.values()), refused
