"""A learner's options per bank through the real pages: the list, the form, refusals."""
from __future__ import annotations

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, BankOptions, User
from tests.conftest import AuthActions, csrf_from
from tests.factories import make_bank

FORM = {"new_order": "random", "learning_steps": "5m 1h", "relearning_steps": "15 1h", "leech_threshold": "4",
        "leech_action": "suspend"}


def demo_bank(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Bank.id).where(Bank.slug == "demo"))


def saved(app) -> list[tuple]:
    with app.app_context():
        return [(o.new_order, o.learning_steps, o.relearning_steps, o.leech_threshold, o.leech_action,
                 o.bury_siblings)
                for o in db.session.scalars(select(BankOptions))]


def test_options_are_listed_per_bank_and_saved_from_the_form(client, seeded_learner, app):
    settings = client.get("/study/settings").get_data(as_text=True)
    assert 'href="/study/options"' in settings
    listing = client.get("/study/options").get_data(as_text=True)
    bank_id = demo_bank(app)
    assert f'href="/study/options/{bank_id}">Demo bank</a> <span class="muted">(defaults)</span>' in listing
    assert "1 10 min" in listing and "8 lapses, mark only" in listing
    page = client.get(f"/study/options/{bank_id}").get_data(as_text=True)
    assert "<h1>Options for Demo bank</h1>" in page and 'value="1 10"' in page
    assert '<label for="learning_steps">Learning steps</label>' in page
    assert '<input aria-describedby="bury_siblings-hint" checked id="bury_siblings"' in page  # on by default
    response = client.post(f"/study/options/{bank_id}", data={"csrf_token": csrf_from(page), **FORM})
    assert response.status_code == 302
    assert "Options for Demo bank saved." in client.get(response.location).get_data(as_text=True)
    assert saved(app) == [("random", [5, 60], [15, 60], 4, "suspend", False)]  # the box not ticked: bury off
    listing = client.get("/study/options").get_data(as_text=True)
    assert "Random" in listing and "5 60 min" in listing and "15 60 min" in listing and "4 lapses, suspend" in listing
    assert "(defaults)" not in listing


def test_bad_options_are_a_400_that_says_which_and_nothing_is_saved(client, seeded_learner, app):
    bank_id = demo_bank(app)
    token = csrf_from(client.get(f"/study/options/{bank_id}").get_data(as_text=True))
    for change, message in (({"learning_steps": "ten minutes"}, "Not a learning step"),
                            ({"relearning_steps": "10x"}, "Not a relearning step"),
                            ({"relearning_steps": "2d"}, "Each relearning step is from 1 minute to 1 day"),
                            ({"learning_steps": "0"}, "from 1 minute to 1 day"),
                            ({"leech_threshold": "0"}, "Number must be between 1 and 99."),
                            ({"leech_threshold": "many"}, "Not a valid integer value."),
                            ({"new_order": "alphabetical"}, "Not a valid choice."),
                            ({"leech_action": "delete"}, "Not a valid choice.")):
        response = client.post(f"/study/options/{bank_id}", data={"csrf_token": token, **FORM, **change})
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and message in body and "Please correct" in body, change
    assert saved(app) == []


def test_another_teachers_private_bank_is_a_404(app, client, make_user):
    make_user()
    teacher = make_user(email="t@example.com", role="teacher")
    with app.app_context():
        make_bank("private", [{"id": "p", "type": "true_false", "prompt": "A private prompt", "answer": True}],
                  title="Private bank", builtin=False, owner=db.session.get(User, teacher))
        private = db.session.scalar(select(Bank.id).where(Bank.slug == "private"))
    AuthActions(client).login()
    assert client.get(f"/study/options/{private}").status_code == 404
    assert "Private bank" not in client.get("/study/options").get_data(as_text=True)
    token = csrf_from(client.get("/study/options").get_data(as_text=True))
    response = client.post(f"/study/options/{private}", data={"csrf_token": token, **FORM})
    assert response.status_code == 404 and "Private bank" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankOptions)) == 0
