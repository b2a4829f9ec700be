"""Templates' url_for keeps the URLs it built (quizapp/web/urls.py): every URL it gives is the one
Flask's url_for builds for the same request, a changed static file still gets a new URL, and an app
with another URL default (which the cache cannot see) refuses to start."""
from __future__ import annotations

import os

import pytest
from flask import url_for

from quizapp import create_app
from quizapp.web import urls
from quizapp.web.urls import cached_url_for

CALLS = [
    ("static", {"filename": "css/app.css"}),
    ("static", {"filename": "js/app.js"}),
    ("static", {"filename": "no/such/file.js"}),  # no hash: built as Flask builds it
    ("main.index", {}),
    ("study.index", {}),
    ("study.index", {"bank": 3}),
    ("study.index", {"bank": "3"}),
    ("study.index", {"choose": True}),  # "True", not the "1" an equal key would give
    ("study.index", {"choose": 1}),
    ("study.answered", {"log_id": 7}),
    ("study.answered", {"log_id": 8}),
    ("study.card_action", {"question_id": 5, "ordinal": 2, "action": "bury"}),
    ("study.card_action", {"action": "bury", "ordinal": 2, "question_id": 5}),  # another argument order
    ("main.media", {"bank_id": 4, "name": ""}),
    ("study.browse_cards", {"state": "suspended"}),
]


@pytest.mark.parametrize("root", ["", "/school"])
def test_every_cached_url_is_the_one_flask_builds(app, root):
    for _ in range(2):  # built, then from the cache
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for endpoint, values in CALLS:
                assert cached_url_for(endpoint, **values) == url_for(endpoint, **values), (endpoint, values)
                assert cached_url_for(endpoint, **values).startswith(f"{root}/")


def test_external_and_unhashable_arguments_are_built_every_time(app):
    with app.test_request_context("/", base_url="http://school.example/"):
        assert cached_url_for("study.index", _external=True) == "http://school.example/study"
    with app.test_request_context("/", base_url="http://other.example/"):
        assert cached_url_for("study.index", _external=True) == "http://other.example/study"
        assert cached_url_for("study.index", bank=[1, 2]) == url_for("study.index", bank=[1, 2]) == \
            "/study?bank=1&bank=2"


def test_a_page_links_a_changed_static_file_by_its_new_hash(app, tmp_path):
    folder = tmp_path / "static"
    (folder / "js").mkdir(parents=True)
    script = folder / "js" / "app.js"
    script.write_text("console.log(1);")
    app.static_folder = str(folder)
    with app.test_request_context("/"):
        first = cached_url_for("static", filename="js/app.js")
        assert cached_url_for("static", filename="js/app.js") == first
        script.write_text("console.log(22);")
        stat = script.stat()
        os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
        second = cached_url_for("static", filename="js/app.js")
    assert second != first and second == first.split("?v=")[0] + "?v=" + second.split("?v=")[1]


def test_the_cache_stays_bounded(app, monkeypatch):
    monkeypatch.setattr(urls, "_MAX", 50)
    urls._urls.clear()
    with app.test_request_context("/"):
        for log_id in range(500):
            assert cached_url_for("study.answered", log_id=log_id) == f"/study/answered/{log_id}"
    assert len(urls._urls) <= 50


def test_an_app_with_another_url_default_refuses_to_start(tmp_path, monkeypatch):
    from quizapp import configure_blueprints

    def with_a_default(app):
        configure_blueprints(app)
        app.url_defaults(lambda endpoint, values: values.setdefault("lang", "en"))

    monkeypatch.setattr("quizapp.configure_blueprints", with_a_default)
    with pytest.raises(RuntimeError, match="url_for"):
        create_app({"TESTING": True, "SECRET_KEY": "x",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}, instance_path=str(tmp_path))
