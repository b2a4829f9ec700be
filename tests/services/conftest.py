"""Fixtures of the service tests. A test module that needs a learner with banks of its own defines
``learner`` itself."""
from __future__ import annotations

import pytest

from quizapp.extensions import db
from quizapp.models import User


@pytest.fixture
def learner(app, make_user):
    """A signed-up student, inside an app context for the whole test."""
    with app.app_context():
        yield db.session.get(User, make_user())
