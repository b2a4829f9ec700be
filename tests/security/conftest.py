"""Security tests: uploads are checked inside the request, and passwords hash cheaply.

Password hashing stays scrypt but with a small work factor (n=1024): these tests sign in dozens of
browsers and are about who may do what, not about the hash (tests/web/test_auth.py checks that).
"""
from __future__ import annotations

import pytest

from quizapp.services import accounts
from tests.security.world import World, build_world


@pytest.fixture(autouse=True)
def _inline_imports_and_cheap_hashes(app, monkeypatch):
    app.config["IMPORT_RUNNER"] = "inline"
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:1024:8:1")


@pytest.fixture
def world(app, make_user) -> World:
    return build_world(app, make_user)
