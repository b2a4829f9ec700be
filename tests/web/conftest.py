"""Fixtures shared by the web tests."""
from __future__ import annotations

import pytest

from tests.conftest import AuthActions
from tests.factories import make_bank


@pytest.fixture
def student(app, client, make_user):
    """A logged-in student (the test client) with the demo bank of every question type."""
    with app.app_context():
        make_bank()
    make_user()
    AuthActions(client).login()
    return client
