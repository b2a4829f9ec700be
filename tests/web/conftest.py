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


@pytest.fixture
def seeded_learner(app, client, make_user):
    """A logged-in learner with tests/progress_seed.py's history (a leech, lapses, wrong answers, a
    suspended card); the seed's ids."""
    from quizapp.models.types import utcnow
    from tests.progress_seed import seed_learner

    uid = make_user()
    with app.app_context():
        ids = seed_learner(uid, utcnow())
    AuthActions(client).login()
    return ids
